"""Notebook 01: the Rosenbrock facts it asserts, and RosenbrockExplorer driven through its sliders."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from helpers.objectives import PLATEAU, ROSENBROCK
from helpers.optim import GD, Momentum, Newton, minimize
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


@pytest.mark.parametrize("point", [(-6.0, -4.0), (0.0, 0.0), (2.5, -1.0), (4.0, 4.5)])
def test_plateau_derivatives_match_central_differences(point):
    x = np.array(point)
    assert relative_error(PLATEAU.grad(x), numerical_gradient(PLATEAU.f, x)) < 1e-7
    assert relative_error(PLATEAU.hess(x), numerical_jacobian(PLATEAU.grad, x)) < 1e-6


def test_plateau_is_flat_where_saturated_and_round_at_its_minimum():
    m = np.array(PLATEAU.minima[0])
    assert PLATEAU.f(m) < 1e-30 and np.abs(PLATEAU.grad(m)).max() < 1e-15
    np.testing.assert_allclose(PLATEAU.hess(m), 0.0081 * np.eye(2), rtol=1e-12, atol=1e-15)  # sigma'(ln 9)^2 = 0.09^2
    x = np.array([-8.0, -8.0])
    assert np.linalg.norm(PLATEAU.grad(x)) < 1e-3 and PLATEAU.f(x) > 0.8  # saturated: high and flat
    assert (np.linalg.eigvalsh(PLATEAU.hess(x)) < 0).all()                 # ... and slightly concave
    # the notebook's measurement: a tenfold step is ten times faster here, and pure Newton climbs
    f1, f10 = (PLATEAU.f(minimize(PLATEAU, np.array([-6.0, -4.0]), GD(lr), 1000)) for lr in (1.0, 10.0))
    assert int(np.argmax(f1 < 1e-6)) == 901 and int(np.argmax(f10 < 1e-6)) == 89
    newton = minimize(PLATEAU, np.array([-6.0, -4.0]), Newton(), 5)
    assert PLATEAU.f(newton[-1]) > PLATEAU.f(newton[0])


# ----------------------------------------------------------------- the explorer

def test_default_explorer_run_is_more_than_a_flat_line():
    ex = RosenbrockExplorer()
    try:
        v = ex.values()
        assert (v["lr"], v["beta"], v["steps"]) == (1.5e-3, 0.0, 3000)
        lo, hi = ex.ax_f.get_ylim()
        fv = ex.curve.get_ydata()
        assert (lo, hi) == pytest.approx((1e-10, 1e2))
        assert lo < fv.min() and fv.max() < hi                      # the whole run is inside the panel
        assert np.log10(fv.max() / fv.min()) > 0.25 * np.log10(hi / lo)  # and fills a quarter of its height
        assert ex.controls["steps"].max == 5000
    finally:
        plt.close(ex.fig)


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
    explorer.controls["lr"].value = 2e-3  # off the slider's grid: the explorer takes its nearest point
    lr = explorer.values()["lr"]
    assert lr == pytest.approx(10**-2.7, rel=1e-12)  # 10 ** (-3 + 6 * 0.05)
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
    lr, beta = 1e-3, 0.9
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
    np.testing.assert_allclose(xy[1], start - 1e-3 * grad(start), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.column_stack(explorer.start_marker.get_data()), [start])
    assert explorer.image.value != frame
    assert capsys.readouterr().err == ""


def test_a_too_large_rate_diverges_and_says_so(explorer, capsys):
    explorer.controls["lr"].value = 10 ** -1.5
    assert len(line_xy(explorer.line)) < 501
    assert explorer.status.get_text().startswith("diverged after")
    assert np.isfinite(explorer.curve.get_ydata()).all()
    assert explorer.ax_f.get_ylim() == pytest.approx((1e-10, 1e2))  # the f panel keeps its scale
    assert capsys.readouterr().err == ""
