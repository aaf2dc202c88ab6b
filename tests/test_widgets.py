"""The explorer base: slider factories, blitting, and the generic descent explorer."""

import numpy as np
import pytest

from helpers.objectives import ROSENBROCK, SADDLE
from helpers.widgets import DescentExplorer, linear_slider, log_slider


@pytest.mark.parametrize("value,lo,hi", [(0.5, -2, 2), (0.3, -2, 0), (1e-3, -5, -1), (0.0123, -4, 0)])
def test_log_slider_puts_its_value_on_the_browser_grid(value, lo, hi):
    s = log_slider("learning rate", value, lo, hi)
    k = (np.log10(value) - s.min) / s.step
    assert abs(k - round(k)) < 1e-9
    assert lo - s.step < s.min <= lo and s.max == hi and s.value == value


def test_slider_factories_reject_values_out_of_range():
    with pytest.raises(ValueError, match="outside"):
        log_slider("learning rate", 5.0, -3, 0)
    assert linear_slider("beta", 0.9, 0.0, 0.99, 0.01).value == 0.9


def test_descent_explorer_first_step_and_redraw(capsys):
    ex = DescentExplorer(ROSENBROCK, lr=1e-3, beta=0.0, steps=50, start=(-1.2, 1.0))
    frame = ex.image.value
    assert frame[:8] == b"\x89PNG\r\n\x1a\n"  # a PNG frame
    ex.controls["lr"].value = 10**-2.7  # a point of the slider's grid, 10 ** (-3 + 6 * 0.05)
    xs, ys = ex.line.get_xdata(), ex.line.get_ydata()
    x0 = np.array([-1.2, 1.0])
    np.testing.assert_allclose([xs[1], ys[1]], x0 - 10**-2.7 * ROSENBROCK.grad(x0))
    assert len(xs) == 51 and ex.image.value != frame
    ex.controls["x0"].value = 0.5
    assert ex.line.get_xdata()[0] == 0.5 and tuple(ex.start_marker.get_xdata()) == (0.5,)
    ex.controls["steps"].value = 10
    assert len(ex.line.get_xdata()) == 11 and len(ex.curve.get_xdata()) == 11
    # momentum: the second step adds beta times the first
    ex.controls["beta"].value = 0.5
    p = ex.path
    np.testing.assert_allclose(p[2] - p[1], 0.5 * (p[1] - p[0]) - 10**-2.7 * ROSENBROCK.grad(p[1]))
    assert ex.frames == 5
    assert capsys.readouterr().err == ""


def test_descent_explorer_reports_divergence():
    ex = DescentExplorer(SADDLE, lr=0.5, steps=200, start=(0.0, 0.0), lr_range=(-3, 0), f_offset=None)
    # along x2 the saddle is a maximum: gradient descent runs away and the run stops early
    assert len(ex.path) < 201
    assert ex.status.get_text().startswith("diverged after")
