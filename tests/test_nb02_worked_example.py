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
    from coursework.keys.worked_example import _grads

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
    from coursework.keys.worked_example import _backward_slip, _batch_numeric

    rng = np.random.default_rng(2)
    args = (rng.normal(size=(5, 3)), rng.dirichlet(np.ones(4), 5), rng.normal(size=(3, 2)), 0.3,
            rng.normal(size=(2, 4)), -0.2)
    assert relative_error(_backward_slip(*args, slip=""), _batch_numeric(*args)) < 1e-7


# ------------------------------------------------------------------ issues 20 and 24: what the notebook claims

ASKED_FOR = ["0.5963", "0.6083", "1.1426", "1.2631", "0.4699", "0.5301", "0.1368",  # the forward pass
             "0.10989", "0.11210", "0.00883", "0.00044", "0.00177", "0.00176", "0.001757",  # the gradients
             "0.1002", "0.2009", "0.2002", "0.3009", "0.3451", "0.4440", "0.5549", "0.6560", "0.3044",  # the step
             "0.11335"]  # E after it


def test_the_student_version_gives_no_asked_for_number_away_before_the_common_mistakes():
    import nbformat

    from coursework import EXERCISES

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "exercises" / "02_two_layer_worked_example.ipynb", as_version=4)
    end = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Common mistakes"))
    for cell in nb.cells[:end]:
        for number in ASKED_FOR:
            assert number not in cell.source, (cell.get("id"), number)
    # they reach the student through the checks, once the function is right
    reveals = " ".join(EXERCISES[n].reveal for n in ("worked_forward", "worked_gradients", "worked_train"))
    assert all(number in reveals for number in ASKED_FOR if number not in ("0.00177", "0.001757"))


def test_the_reveals_are_the_assignments_numbers_and_helpers_reproduces_them():
    from coursework import EXERCISES

    forward = EXERCISES["worked_forward"].reveal
    net = MLP.from_params({"W1": np.array([[0.1, 0.2], [0.2, 0.3]]).T, "b1": np.full(2, 0.3),
                           "W2": np.array([[0.4, 0.5], [0.5, 0.6]]).T, "b2": np.full(2, 0.6)},
                          hidden="sigmoid", output="softmax", loss="mse")
    zs, acts = net.forward_trace(X)
    for v in [*acts[1][0], *zs[1][0], *acts[2][0], E(THETA0)]:
        assert f"{v:.4f}" in forward
    _, g = tied(THETA0)
    assert abs(g[9]) < 1e-15
    assert "(" + ", ".join(f"{v:.5f}" for v in g[:9]) + ", 0)" in EXERCISES["worked_gradients"].reveal
    assert "-0.00176" in EXERCISES["worked_gradients"].reveal  # not the seed's 0.00177
    step = EXERCISES["worked_train"].reveal
    assert "0.1002, 0.2009, 0.2002, 0.3009, 0.3451, 0.4440, 0.5549, 0.6560, 0.3044, 0.6" in step and "0.11335" in step


def test_the_last_digit_slip_changes_neither_w4_nor_e_at_four_and_five_places():
    _, g = tied(THETA0)
    printed, true = 0.3 + 0.5 * 0.00177, 0.3 - 0.5 * g[3]
    assert f"{printed:.6f}" == "0.300885" and f"{true:.6f}" == "0.300878"
    assert f"{printed:.4f}" == f"{true:.4f}" == "0.3009"
    theta1 = THETA0 - 0.5 * g
    theta_printed = theta1.copy()
    theta_printed[3] = printed
    assert f"{E(theta_printed):.5f}" == f"{E(theta1):.5f}" == "0.11335"
    assert 1e-8 < abs(E(theta_printed) - E(theta1)) < 5e-8  # "apart by 2e-08"
    assert f"{abs(g[1]):.5f}" == "0.00177" and f"{abs(g[3]):.5f}" == "0.00176"  # 0.00177 is dE/dw2's size


def test_two_output_gradients_are_parallel_and_cross_entropy_is_longer_by_one_over_2_net1_net2():
    rng = np.random.default_rng(3)
    for theta in [THETA0, *rng.normal(size=(10, 10))]:
        _, gE = tied(theta)
        _, gL = ce(theta)
        p = MLP.from_params({"W1": theta[:4].reshape(2, 2).T, "b1": np.full(2, theta[8]),
                             "W2": theta[4:8].reshape(2, 2).T, "b2": np.full(2, theta[9])},
                            hidden="sigmoid", output="softmax").forward(X)[0]
        np.testing.assert_allclose(gE, 2 * p[0] * p[1] * gL, rtol=1e-12, atol=1e-15)
    p0 = np.array([0.46992281, 0.53007719])  # net at the given numbers
    assert f"{1 / (2 * p0[0] * p0[1]):.4f}" == "2.0073"


def test_the_curvature_in_the_logits_at_the_best_logits():
    from coursework.keys.worked_example import worked_hessians

    y = Y[0]
    o_best = np.array([0.0, np.log(9.0)])
    ce_h, se_h = worked_hessians(o_best, y)
    # at net = y: cross-entropy's Hessian is J = 2 y1 y2 on the direction (1, -1); squared error's J J = (2 y1 y2)^2
    np.testing.assert_allclose(np.linalg.eigvalsh(ce_h), [0, 0.18], atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(se_h), [0, 0.0324], atol=1e-8)


def _best_rate(g, lo=1.0, hi=15.0):
    """The rate minimizing E after one step along -g, by golden-section search in log eta."""
    lo, hi, r = np.log(lo), np.log(hi), (np.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = hi - r * (hi - lo), lo + r * (hi - lo)
        lo, hi = (lo, b) if E(THETA0 - np.exp(a) * g) < E(THETA0 - np.exp(b) * g) else (a, hi)
    return np.exp((lo + hi) / 2)


def test_the_best_single_steps():
    near = np.geomspace(2, 12, 1201)  # the notebook's rates near the best ones, 0.15 % apart
    best = {}
    for name, fn in {"squared error": tied, "cross-entropy": ce}.items():
        g = fn(THETA0)[1]
        one = np.array([E(THETA0 - a * g) for a in near])
        best[name] = near[one.argmin()]
        low = near[one < 1e-3]
        below = {"squared error": ["6.4", "9.0"], "cross-entropy": ["3.2", "4.5"]}[name]
        assert [f"{low[0]:.1f}", f"{low[-1]:.1f}"] == below
    assert [f"{best['squared error']:.2f}", f"{best['cross-entropy']:.2f}"] == ["7.54", "3.76"]
    # off the grid, the two best rates are in the ratio of the gradients' lengths, 1 / (2 net1 net2)
    exact = [_best_rate(fn(THETA0)[1]) for fn in (tied, ce)]
    assert f"{exact[0]:.2f}" == "7.54" and f"{exact[1]:.2f}" == "3.76"
    assert exact[0] / exact[1] == pytest.approx(2.007263, rel=1e-5)


def test_settings_seen_again_are_drawn_from_the_runs_kept_as_a_fresh_explorer_draws_them(monkeypatch):
    monkeypatch.setattr(LearningRateExplorer, "CACHE", 2)
    calls = []

    def error(theta):
        calls.append(1)
        return E(theta)

    ex = LearningRateExplorer(THETA0, {"squared error": tied}, error=error, lr=0.5, steps=20)
    first, results = ex.image.value, ex.results
    ex.results["squared error"][:] = 0.0  # what a notebook does with the results does not reach the runs kept
    n = len(calls)
    ex.controls["lr"].value = 1.0
    ex.controls["lr"].value = 0.5  # seen: no error measured, the same frame, new arrays
    assert len(calls) == n + 21 and ex.image.value == first
    assert ex.results["squared error"] is not results["squared error"]
    fresh = LearningRateExplorer(THETA0, {"squared error": tied}, error=E, lr=0.5, steps=20)
    assert ex.image.value == fresh.image.value
    np.testing.assert_array_equal(ex.results["squared error"], fresh.results["squared error"])
    for lr in (2.0, 4.0, 1.0):  # only the last CACHE settings are kept: 1.0 is measured again
        ex.controls["lr"].value = lr
    assert ex._runs.cache_info().currsize == 2 and len(calls) == n + 4 * 21
