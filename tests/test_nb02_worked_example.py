"""Notebook 02: the 2-2-2 worked example, its learning-rate explorer and the graph drawing it uses."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, relative_error
from helpers.nn import MLP
from helpers.objectives import Objective
from helpers.optim import GD, minimize
from helpers.plots import computation_graph
from helpers.widgets import LearningRateExplorer

X = np.array([[0.1, 0.4]])
Y = np.array([[0.1, 0.9]])
THETA0 = np.array([0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.3, 0.6])  # w1..w8, b1 (shared), b2 (shared)


def tied(theta, loss="mse"):
    """E and the ten gradients of the notebook's network (shared biases summed)."""
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    params = {"W1": np.array([[w1, w2], [w3, w4]]).T, "b1": np.array([b1, b1]),
              "W2": np.array([[w5, w6], [w7, w8]]).T, "b2": np.array([b2, b2])}
    net = MLP.from_params(params, hidden="sigmoid", output="softmax", loss="mse" if loss == "mse" else None)
    value, g = net.loss_and_grads(X, Y)
    return value, np.concatenate([g["W1"].T.ravel(), g["W2"].T.ravel(), [g["b1"].sum(), g["b2"].sum()]])


def E(theta):
    return tied(theta)[0]


def ce(theta):
    return tied(theta, "cross_entropy")


# ----------------------------------------------------------------- the worked example itself

def test_worked_example_numbers_from_the_assignment():
    assert f"{E(THETA0):.4f}" == "0.1368"
    _, g = tied(THETA0)
    assert relative_error(g, numerical_gradient(E, THETA0)) < 1e-7
    assert abs(g[9]) < 1e-15  # the shared output bias: softmax ignores a common shift
    theta1 = THETA0 - 0.5 * g
    expected = [0.1002, 0.2009, 0.2002, 0.3009, 0.3451, 0.4440, 0.5549, 0.6560, 0.3044, 0.6]
    assert [f"{v:.4f}" for v in theta1] == [f"{v:.4f}" for v in expected]
    assert f"{E(theta1):.5f}" == "0.11335"


def test_cross_entropy_gradient_is_checked():
    _, g = ce(THETA0)
    assert relative_error(g, numerical_gradient(lambda t: ce(t)[0], THETA0)) < 1e-7


# ----------------------------------------------------------------- descent on a flat vector

def test_minimize_on_a_fused_objective_matches_closed_form_on_a_quadratic():
    # f(t) = 1/2 |t|^2: each GD step multiplies t by (1 - lr); value_and_grad is called once per step
    calls = []

    def quad(t):
        calls.append(1)
        return 0.5 * float(t @ t), t.copy()

    obj = Objective(lambda t: quad(t)[0], lambda t: quad(t)[1], value_and_grad=quad)
    t0 = np.array([1.0, -2.0])
    path = minimize(obj, t0, GD(0.25), 6)
    assert path.shape == (7, 2) and len(calls) == 6
    np.testing.assert_allclose(path, t0 * 0.75 ** np.arange(7)[:, None])
    np.testing.assert_array_equal(t0, [1.0, -2.0])  # the start is not modified


def test_minimize_stops_quietly_when_the_loss_stops_being_finite(recwarn):
    cubic = Objective(lambda t: float(t[0] ** 4), lambda t: np.array([4.0 * t[0] ** 3]))
    path = minimize(cubic, np.array([3.0]), GD(10.0), 50, max_norm=np.inf)
    assert 1 < len(path) < 51 and np.isfinite(path).all()
    assert not recwarn.list


# ----------------------------------------------------------------- the explorer

@pytest.fixture
def explorer():
    ex = LearningRateExplorer(THETA0, {"squared error": tied, "cross-entropy": ce}, error=E, lr=0.5, steps=50)
    yield ex
    plt.close(ex.fig)


def test_explorer_initial_state_reproduces_the_one_step_number(explorer):
    curve = explorer.curves["squared error"]
    assert len(curve.get_xdata()) == 51
    assert f"{curve.get_ydata()[1]:.5f}" == "0.11335"
    assert explorer.markers["squared error"].get_ydata()[0] == pytest.approx(curve.get_ydata()[1])
    # the sweep drawn once on the left is E after one step at every eta
    _, g0 = tied(THETA0)
    for a, v in zip(explorer.sweep_lrs[::30], explorer.sweep["squared error"][::30], strict=True):
        assert v == pytest.approx(E(THETA0 - a * g0), abs=1e-14)


def test_explorer_lr_slider_moves_marker_and_curves(explorer, capsys):
    png = explorer.image.value
    old = explorer.curves["cross-entropy"].get_ydata().copy()
    explorer.controls["lr"].value = 0.1  # off the grid of the slider (0.5 times 10 ** (0.05 k)): its nearest point
    eta = 0.5 * 10**-0.7
    assert explorer.values()["lr"] == pytest.approx(eta, rel=1e-12)
    assert explorer.lr_line.get_xdata()[0] == pytest.approx(eta)
    for label, fn in {"squared error": tied, "cross-entropy": ce}.items():
        _, g0 = fn(THETA0)
        after_one = E(THETA0 - eta * g0)
        assert explorer.curves[label].get_ydata()[1] == pytest.approx(after_one, abs=1e-14)
        mx, my = explorer.markers[label].get_data()
        assert mx[0] == pytest.approx(eta) and my[0] == pytest.approx(after_one, abs=1e-14)
    # a smaller step makes less progress
    assert explorer.curves["cross-entropy"].get_ydata()[-1] > old[-1]
    assert explorer.image.value != png
    first_line = explorer.status.get_text().splitlines()[0]
    assert first_line.startswith(f"squared error: {E(THETA0 - eta * tied(THETA0)[1]):.5f} after 1")
    assert capsys.readouterr().err == ""


def test_explorer_steps_slider_sets_curve_length(explorer, capsys):
    png = explorer.image.value
    explorer.controls["steps"].value = 120
    for curve in explorer.curves.values():
        assert len(curve.get_xdata()) == 121
    assert explorer.ax_many.get_xlim()[1] == 120
    assert len(explorer.results["squared error"]) == 121
    assert explorer.image.value != png
    assert capsys.readouterr().err == ""


def test_explorer_large_eta_shows_the_saturated_plateau(explorer):
    explorer.controls["lr"].value = 100.0
    # one huge step saturates the softmax at net ~ (0, 1): E ~ 1/2 (0.1^2 + 0.1^2)
    assert explorer.curves["squared error"].get_ydata()[1] == pytest.approx(0.01, abs=1e-3)


def test_explorer_needs_a_run():
    with pytest.raises(ValueError, match="at least one run"):
        LearningRateExplorer(THETA0, {})


# ----------------------------------------------------------------- computation_graph placement

def _boxes(ax):
    return [(p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2)
            for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]


def test_computation_graph_at_places_nodes_by_hand():
    nodes = [dict(name="a", op="input", value=1.0, grad=2.0, inputs=[], at=(0, 0)),
             dict(name="w", op="input", value=3.0, grad=None, inputs=[], at=(1, 2)),
             dict(name="c", op="*", value=3.0, grad=1.0, inputs=["a", "w"], at=(2, 1))]
    ax = computation_graph(nodes)
    centers = np.array(_boxes(ax))
    np.testing.assert_allclose(centers, [[0.0, 0.0], [2.3, -2.5], [4.6, -1.25]], atol=1e-9)
    texts = [t.get_text() for t in ax.texts]
    assert "c = *\nvalue 3.0000\ngrad 1.0000" in texts
    assert "w\nvalue 3.0000" in texts  # no grad line when grad is None
    plt.close(ax.figure)


def test_computation_graph_default_layout_unchanged():
    nodes = [dict(name="a", op="input", value=1.0, grad=1.0, inputs=[]),
             dict(name="b", op="input", value=2.0, grad=1.0, inputs=[]),
             dict(name="c", op="+", value=3.0, grad=1.0, inputs=["a", "b"])]
    ax = computation_graph(nodes)
    np.testing.assert_allclose(_boxes(ax), [[0.0, 0.625], [0.0, -0.625], [2.3, 0.0]], atol=1e-9)
    w, h = ax.figure.get_size_inches()
    assert (w, h) == pytest.approx((2.3 * 2 + 0.5, 1.25 * 2 + 0.8))
    plt.close(ax.figure)


# ----------------------------------------------------------------- the seed's slips, as the notebook states them

def test_seed_slips_at_the_given_numbers():
    from answer_keys.worked_example import _grads

    x, y = X[0], Y[0]
    _, g = tied(THETA0)
    assert f"{g[3]:.6f}" == "-0.001757" and f"{g[1]:.5f}" == "-0.00177"  # dE/dw4 is not the printed 0.00177
    np.testing.assert_allclose(_grads(THETA0, x, y), g, rtol=1e-12, atol=1e-16)
    # the b1 index slip hides at the given (symmetric) weights and shows at others
    assert abs(_grads(THETA0, x, y, "b1 index")[8] - g[8]) < 1e-15
    theta = np.random.default_rng(1).normal(size=10)
    assert abs(_grads(theta, x, y, "b1 index")[8] - tied(theta)[1][8]) > 1e-3
    assert abs(_grads(THETA0, x, y, "w7 for w8")[3]) < 1e-15  # w6 = w7: the slip zeroes dE/dw4


def test_matrix_backward_matches_finite_differences_on_a_batch():
    from answer_keys.worked_example import _backward_slip, _batch_numeric

    rng = np.random.default_rng(2)
    args = (rng.normal(size=(5, 3)), rng.dirichlet(np.ones(4), 5), rng.normal(size=(3, 2)), 0.3,
            rng.normal(size=(2, 4)), -0.2)
    assert relative_error(_backward_slip(*args, slip=""), _batch_numeric(*args)) < 1e-7
