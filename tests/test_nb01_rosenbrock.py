"""Notebook 01: the Rosenbrock facts it asserts, and RosenbrockExplorer driven through its sliders."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, relative_error
from helpers.objectives import ROSENBROCK
from helpers.optim import GD, Momentum, minimize
from helpers.widgets import RosenbrockExplorer

X0 = np.array([-1.2, 1.0])
grad = ROSENBROCK.grad


def line_xy(line):
    """The plotted path, read back from the Line2D as an (n, 2) array."""
    return np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])


# ----------------------------------------------------------------- the analysis of the notebook

def test_hessian_at_the_minimum_and_its_condition_number():
    H = ROSENBROCK.hess(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(H, [[802.0, -400.0], [-400.0, 200.0]])
    assert np.linalg.det(H) == pytest.approx(400.0)
    lam = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(lam, [501 - np.sqrt(250601), 501 + np.sqrt(250601)])
    assert lam[1] / lam[0] == pytest.approx(2508.0096, abs=1e-4)


@pytest.mark.parametrize("point", [(-1.2, 1.0), (0.0, 1.0), (0.5, 0.3), (1.7, -0.4)])
def test_gradient_and_hessian_match_central_differences(point):
    x = np.array(point)
    assert relative_error(grad(x), numerical_gradient(ROSENBROCK.f, x)) < 1e-7
    num_h = np.array([numerical_gradient(lambda v, i=i: grad(v)[i], x) for i in range(2)])
    assert relative_error(ROSENBROCK.hess(x), num_h) < 1e-7


# ----------------------------------------------------------------- the explorer

@pytest.fixture
def explorer():
    ex = RosenbrockExplorer(lr=1e-3, beta=0.0, steps=500, start=(-1.2, 1.0))
    yield ex
    plt.close(ex.fig)


def test_initial_state_is_plain_gradient_descent(explorer):
    xy = line_xy(explorer.line)
    assert xy.shape == (501, 2)
    np.testing.assert_array_equal(xy, minimize(ROSENBROCK, X0, GD(1e-3), 500))
    np.testing.assert_allclose(xy[1], X0 - 1e-3 * grad(X0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(explorer.curve.get_ydata(), ROSENBROCK.f(xy))
    assert explorer.ax_f.get_yscale() == "log"


def test_lr_slider_sets_the_first_step(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["lr"].value = 2e-3
    lr = explorer.controls["lr"].value
    assert lr == pytest.approx(2e-3, rel=1e-6)
    xy = line_xy(explorer.line)
    np.testing.assert_allclose(xy[0], X0)
    np.testing.assert_allclose(xy[1], X0 - lr * grad(X0), rtol=0, atol=1e-12)
    # a larger rate gets further down the valley in the same 500 steps
    assert ROSENBROCK.f(xy[-1]) < 2.0
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_beta_slider_adds_momentum_from_the_second_step(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["beta"].value = 0.9
    lr, beta = explorer.controls["lr"].value, explorer.controls["beta"].value
    xy = line_xy(explorer.line)
    v1 = -lr * grad(X0)
    x1 = X0 + v1
    x2 = x1 + beta * v1 - lr * grad(x1)
    np.testing.assert_allclose(xy[1], x1, rtol=0, atol=1e-12)  # the first step has no velocity yet
    np.testing.assert_allclose(xy[2], x2, rtol=0, atol=1e-12)
    assert not np.allclose(xy[2], x1 - lr * grad(x1))          # ... the second one does
    np.testing.assert_array_equal(xy, minimize(ROSENBROCK, X0, Momentum(lr, beta), 500))
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_steps_slider_sets_the_path_length(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["steps"].value = 120
    assert line_xy(explorer.line).shape == (121, 2)
    assert len(explorer.curve.get_xdata()) == 121
    assert explorer.ax_f.get_xlim() == (0, 120)
    assert explorer.image.value != frame
    explorer.controls["steps"].value = 1
    assert line_xy(explorer.line).shape == (2, 2)
    assert capsys.readouterr().err == ""


def test_start_sliders_move_the_start(explorer, capsys):
    frame = explorer.image.value
    explorer.controls["x0"].value = 0.5
    explorer.controls["y0"].value = 2.0
    start = np.array([explorer.controls["x0"].value, explorer.controls["y0"].value])
    np.testing.assert_allclose(start, [0.5, 2.0])
    xy = line_xy(explorer.line)
    np.testing.assert_array_equal(xy[0], start)
    np.testing.assert_allclose(xy[1], start - explorer.controls["lr"].value * grad(start), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.column_stack(explorer.start_marker.get_data()), [start])
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_a_too_large_rate_diverges_and_says_so(explorer, capsys):
    explorer.controls["lr"].value = 10 ** -1.5
    assert len(line_xy(explorer.line)) < 501
    assert explorer.status.get_text().startswith("diverged after")
    assert np.isfinite(explorer.curve.get_ydata()).all()
    assert explorer.ax_f.get_ylim() == pytest.approx((1e-14, 1e5))  # the f panel keeps its scale
    assert capsys.readouterr().err == ""
