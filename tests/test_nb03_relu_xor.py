"""Notebook 03 (ReLU network, the valley, backprop on XOR): its numbers and its explorers.

The explorers are driven as a student would, by setting slider values and clicking
buttons; the assertions read back what is drawn (Line2D data, the image array, the frame).
"""

import numpy as np
import pytest

from coursework import verdict
from coursework.keys import relu_xor
from helpers.data import make_xor
from helpers.nn import MLP
from helpers.objectives import VALLEY
from helpers.optim import GD, Momentum, minimize_run
from helpers.widgets import DescentExplorer, PlaygroundExplorer

# the assignment's hand-set network (W1 rows = inputs, our (fan_in, fan_out) layout)
PART1 = {
    "W1": np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]]),
    "b1": np.array([0.0, 0.0, 1.0, 0.0]),
    "W2": np.array([[1.0], [0.0], [-1.0], [1.0]]),
    "b2": np.array([1.0]),
}
PART1_X = np.array([[1.0, -1.0], [0.0, -1.0], [0.0, 1.0]])


def test_part1_probabilities_and_hidden_activations():
    net = MLP.from_params(PART1, hidden="relu", output="sigmoid")
    zs, acts = net.forward_trace(PART1_X)
    np.testing.assert_allclose(acts[-1][:, 0], [0.8176, 0.6225, 0.6225], atol=5e-5)
    np.testing.assert_array_equal(acts[1], [[1, 0, 0.5, 0], [0, 0, 0.5, 0], [0, 0, 1.5, 1]])
    np.testing.assert_allclose(zs[-1][:, 0], [1.5, 0.5, 0.5])


def test_valley_stationary_points_and_no_minimum():
    for p in [(0.0, 0.0), (100.0 / 3.0, 0.0)]:
        np.testing.assert_allclose(VALLEY.grad(np.array(p)), 0.0, atol=1e-9)
    h0 = np.linalg.eigvalsh(VALLEY.hess(np.array([0.0, 0.0])))
    np.testing.assert_allclose(h0, [0.0, 100.0], atol=1e-12)  # singular: second-order test silent
    assert (np.linalg.eigvalsh(VALLEY.hess(np.array([100.0 / 3.0, 0.0]))) < 0).all()  # local maximum
    t = np.array([1e-2, 0.1, 1.0, 10.0])
    np.testing.assert_allclose(VALLEY.f(np.stack([2 * t**2, t], axis=-1)), 3.0 - 8.0 * t**6)
    assert VALLEY.minima == ()


def _x_star(eta, beta):
    """Where the largest Hessian eigenvalue on the valley floor x = 2y^2 reaches 2 (1 + beta) / eta."""
    xs = np.geomspace(0.1, 100, 400)
    lam = [np.linalg.eigvalsh(VALLEY.hess(np.array([x, np.sqrt(x / 2)]))).max() for x in xs]
    return np.interp(2 * (1 + beta) / eta, lam, xs)


@pytest.mark.parametrize("eta", [1e-4, 3e-4])
def test_momentum_in_the_valley_blows_up_soon_after_its_heavy_ball_limit(eta):
    path, run = minimize_run(VALLEY, (1.0, 0.5), Momentum(eta, 0.9), 1000)
    passed = int(np.argmax(path[:, 0] >= _x_star(eta, 0.9)))
    assert run.stopped.startswith(f"diverged at step {len(path) - 1}:") and 0 < len(path) - 1 - passed <= 25
    assert VALLEY.f(path[passed]) < -4000  # far down the valley first: f = 3 - x^3 there


def test_gradient_descent_past_its_limit_can_bounce_instead():
    path, run = minimize_run(VALLEY, (1.0, 0.5), GD(1e-3), 1000)
    assert run.stopped is None and path[:, 0].max() > _x_star(1e-3, 0.0)
    np.testing.assert_allclose(path[-1], path[-3])  # a period-2 orbit across the valley
    assert np.linalg.norm(path[-1] - path[-2]) > 0.1


def test_exercise_references_reproduce_the_assignment_and_catch_the_seed_slips():
    np.testing.assert_allclose(relu_xor.ff_nn_relu(PART1_X, *relu_xor.PART1), [0.8176, 0.6225, 0.6225], atol=5e-5)
    seed_dV = lambda *a: relu_xor.backprop(*a, slip="sigmoid factor missing")  # noqa: E731
    assert verdict("relu_net_grads", seed_dV).endswith(relu_xor.HINT_SIGMOID)
    # the typo is invisible on class-1 samples: right there, wrong on class 0
    X, y = make_xor(40, 0.5, seed=1)
    for k, same in ((1, True), (0, False)):
        right, typo = (relu_xor.backprop(X[y == k], y[y == k], *relu_xor.PART1, slip=slip)
                       for slip in ("right", "(1-y)/y_hat typo"))
        assert all(np.allclose(right[n], typo[n]) for n in right) == same


# ----------------------------------------------------------------------- DescentExplorer
@pytest.fixture
def descent():
    return DescentExplorer(VALLEY, lr=1e-3, beta=0.0, steps=250, start=(1.0, 0.5), lr_range=(-6, -2),
                           max_steps=1000, f_offset=None, f_limits=(-25, 20))


def _path(ex):
    return np.column_stack([ex.line.get_xdata(), ex.line.get_ydata()])


def test_descent_explorer_lr_slider_moves_first_step(descent, capsys):
    c = descent.controls
    c["x0"].value, c["y0"].value = 1.0, 0.5
    for lr in (1e-5, 10**-3.5, 1e-3):  # points of the slider's grid, 10 ** (-6 + 0.05 k)
        before = descent.image.value
        c["lr"].value = lr
        path = _path(descent)
        x0 = np.array([1.0, 0.5])
        np.testing.assert_allclose(path[0], x0)
        np.testing.assert_allclose(path[1], x0 - lr * VALLEY.grad(x0), rtol=1e-12)
        assert descent.image.value != before
    # a good learning rate slides down the valley: f keeps falling, far below f(0, 0) = 3
    fy = descent.curve.get_ydata()
    assert fy[-1] < -10 and np.all(np.diff(fy[5:]) < 0)
    assert capsys.readouterr().err == ""


def test_descent_explorer_beta_steps_start_and_divergence(descent, capsys):
    c = descent.controls
    c["lr"].value = 1e-4
    c["beta"].value = 0.5
    path = _path(descent)
    lr, beta = 1e-4, 0.5
    x0, x1 = path[0], path[1]
    np.testing.assert_allclose(path[2], x1 + beta * (x1 - x0) - lr * VALLEY.grad(x1), rtol=1e-12)

    c["steps"].value = 40
    assert len(descent.line.get_xdata()) == 41
    np.testing.assert_array_equal(descent.curve.get_xdata(), np.arange(41))
    np.testing.assert_allclose(descent.curve.get_ydata(), VALLEY.f(_path(descent)))

    c["x0"].value = -1.0  # the start slider's nearest grid point: within half a step
    half = c["x0"].step / 2
    assert descent.start_marker.get_xdata()[0] == pytest.approx(-1.0, abs=half)
    assert _path(descent)[0, 0] == descent.start_marker.get_xdata()[0]

    c["beta"].value = 0.0
    c["x0"].value, c["y0"].value = 1.0, 0.5
    c["steps"].value = 250
    c["lr"].value = 5e-3  # too large: minimize stops cleanly after a few steps
    assert len(descent.line.get_xdata()) < 20
    assert "diverged" in descent.status.get_text()
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------- PlaygroundExplorer
@pytest.fixture
def xor():
    return make_xor(200, 0.5, seed=0)


@pytest.fixture
def playground(xor):
    return PlaygroundExplorer(*xor, hidden=4, lr=0.1, beta=0.9, seed=0, steps=200)


def _grid_proba(ex):
    return ex.model.forward(ex._grid)[:, 0].reshape(ex.proba.shape)


def test_playground_step_button_takes_one_momentum_step(playground, xor, capsys):
    X, y = xor
    ex = playground
    assert ex.losses == [] and len(ex.curve.get_xdata()) == 0
    before_img = ex.image.value
    before = {k: p.copy() for k, p in ex.model.params.items()}
    loss0, grads = ex.model.copy().loss_and_grads(X, y)
    ex.step_button.click()
    assert ex.losses == [pytest.approx(loss0, rel=1e-12)]
    for k, p in ex.model.params.items():  # first momentum step: v = -lr g
        np.testing.assert_allclose(p, before[k] - 0.1 * grads[k], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ex.curve.get_xdata(), [0])
    np.testing.assert_allclose(ex.proba, _grid_proba(ex))
    shown = ex.img.get_array()
    assert shown.shape == ex.proba.shape + (3,)
    assert ex.image.value != before_img
    assert "iteration 1" in ex.status.get_text()
    assert capsys.readouterr().err == ""


def test_playground_sliders_change_rule_and_model(playground, capsys):
    ex = playground
    ex.controls["lr"].value = 10**-1.5  # a point of the slider's grid, 10 ** (-3 + 0.05 k)
    assert ex.rule.lr == pytest.approx(10**-1.5, rel=1e-12)
    ex.controls["beta"].value = 0.5
    assert ex.rule.beta == pytest.approx(0.5)
    ex.step(3)
    assert len(ex.losses) == 3

    img = ex.image.value
    ex.controls["hidden"].value = 8
    assert ex.model.sizes == (2, 8, 1) and ex.model.n_params == 33
    assert ex.losses == [] and len(ex.curve.get_xdata()) == 0  # a new network starts a new curve
    assert ex.rule.lr == pytest.approx(10**-1.5, rel=1e-12) and ex.rule.beta == pytest.approx(0.5)
    assert ex.image.value != img
    np.testing.assert_allclose(ex.proba, _grid_proba(ex))

    w = ex.model.get_flat()
    ex.controls["seed"].value = 3
    assert not np.allclose(ex.model.get_flat(), w)
    assert capsys.readouterr().err == ""


def test_playground_train_learns_xor_and_draws_it(playground, xor, capsys):
    X, y = xor
    ex = playground
    ex.controls["steps"].value = 300
    assert ex.progress.max == 300
    ex.train_button.click()
    assert len(ex.losses) == 300
    assert ex.progress.value == 300
    assert ex.losses[-1] < 0.1 < ex.losses[0]
    assert ex.model.accuracy(X, y) >= 0.95
    np.testing.assert_allclose(ex.curve.get_ydata(), ex.losses)
    # the image is the model's probability, with the 0.5 boundary painted black
    np.testing.assert_allclose(ex.proba, _grid_proba(ex))
    rgb = ex.img.get_array()
    black = np.all(rgb == 0.0, axis=-1)
    assert 0 < black.mean() < 0.2
    # XOR: opposite quadrants agree, neighbouring quadrants differ
    p = ex.model.forward(np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]]))[:, 0]
    assert p[0] < 0.5 and p[1] < 0.5 and p[2] > 0.5 and p[3] > 0.5
    assert f"loss {ex.losses[-1]:.4f}" in ex.status.get_text()

    ex.reset_button.click()
    assert ex.losses == [] and ex.progress.value == 0
    assert capsys.readouterr().err == ""


def test_playground_same_settings_same_result(xor):
    a = PlaygroundExplorer(*xor, seed=1)
    b = PlaygroundExplorer(*xor, seed=1)
    a.train(50)
    b.step(50)  # frames do not change the arithmetic
    np.testing.assert_array_equal(a.model.get_flat(), b.model.get_flat())
    np.testing.assert_array_equal(a.losses, b.losses)


# ----------------------------------------------------------------- the notebook's claims about its experiments
# The runs, the blow-up table, the payoff sweep and the fair comparison are the student's code in the notebook; their
# checks prove a right answer equals the answer keys' references, and these tests prove what the text says about those.

def test_the_four_learning_rates_of_gradient_descent_and_the_top_edge_of_the_explorer_panel():
    small, good, zigzag, blowup = relu_xor.descent_runs([(lr, 0.0) for lr in (1e-5, 1e-3, 2e-3, 5e-3)], (1.0, 0.5), 250)
    assert np.linalg.norm(small[-1] - small[0]) < 0.3 and VALLEY.f(small[-1]) > 2
    assert VALLEY.f(good[-1]) < -10 and np.all(np.diff(VALLEY.f(good[5:])) < 0)
    side = np.sign(2 * zigzag[:, 1] ** 2 - zigzag[:, 0])
    assert np.sum(side[1:] != side[:-1]) == 188 and VALLEY.f(zigzag[-1]) > 5
    assert len(blowup) == 6 and np.linalg.norm(blowup[-1]) > 1e8
    # the explorer's panel stops at f = 20, but inside the window (x <= 3, |y| <= 1.5) the zigzag climbs to 67.9
    f = VALLEY.f(zigzag)
    top = int(np.argmax(f))
    assert top == 86 and round(float(f[top]), 1) == 67.9
    assert np.all((zigzag[:, 0] >= -1.5) & (zigzag[:, 0] <= 3.0) & (np.abs(zigzag[:, 1]) <= 1.5))


def test_more_momentum_goes_further_and_the_fast_run_leaves_the_window_before_it_blows_up():
    paths = relu_xor.descent_runs([(1e-4, 0.0), (1e-4, 0.5), (1e-4, 0.9), (3e-4, 0.9)], (1.0, 0.5), 250)
    f_end = [VALLEY.f(p[-1]) for p in paths[:3]]
    assert f_end[2] < f_end[1] < f_end[0] and f_end[2] < 0
    fast = paths[3]
    assert len(fast) == 204 and fast[199, 0] > 40 and -6e4 < VALLEY.f(fast[199]) < -5e4 and VALLEY.f(fast[200]) > 1e6


def test_x_star_is_where_the_largest_hessian_eigenvalue_on_the_floor_meets_the_limit():
    for eta, beta in relu_xor.RUNS:
        x = relu_xor.x_star(eta, beta)
        lam = np.linalg.eigvalsh(VALLEY.hess(np.array([x, np.sqrt(x / 2)]))).max()
        assert lam == pytest.approx(2 * (1 + beta) / eta, rel=1e-10)
        assert relu_xor.lam_floor(x) == pytest.approx(lam, rel=1e-12)


def test_the_delay_after_x_star_grows_as_beta_falls():
    """The old text said momentum blows up "within a few steps" of x*, measured at beta = 0.9 only."""
    x_star, passed, left = relu_xor.blowup_runs(relu_xor.RUNS, (1.0, 0.5), 1000)
    delay = {run: int(lft - p) for run, p, lft in zip(relu_xor.RUNS, passed, left) if lft >= 0}
    at = [delay[5e-4, beta] for beta in (0.95, 0.9, 0.7, 0.5, 0.0)]
    assert at == sorted(at) and at[0] <= 12 and at[2] >= 25 and at[3] >= 35 and at[4] > 75
    assert [delay[eta, 0.9] for eta in (1e-4, 2e-4, 3e-4, 5e-4)] == [20, 16, 14, 13]
    assert (1e-3, 0.0) not in delay and (2e-3, 0.0) not in delay  # gradient descent that bounces instead
    assert passed[6] == 0 and left[6] == 5  # eta = 5e-3 starts past its x*


def test_momentum_pays_off_along_the_floor_not_with_a_larger_rate():
    etas = np.geomspace(1e-5, 3e-3, 25)
    gd, mom = (relu_xor.steps_to_reach(etas, beta, (1.0, 0.5), -20.0, 1000) for beta in (0.0, 0.9))
    assert gd[gd >= 0].min() == 185 and mom[mom >= 0].min() == 82
    assert etas[gd >= 0].max() == etas[mom >= 0].max() and etas[mom >= 0].min() < etas[gd >= 0].min() / 5


@pytest.mark.course  # the answer key's sweep (2 x 50 runs of 1000 steps): make check-exercises runs it
def test_the_fair_comparison_on_xor():
    X, y = make_xor(200, 0.5, seed=0)
    inits = np.array([MLP((2, 4, 1), hidden="relu", output="sigmoid", seed=s).get_flat() for s in range(5)])
    etas = np.geomspace(0.01, 10, 10)
    gd, mom = (relu_xor.sweep(X, y, inits, etas, beta, 1000) for beta in (0.0, 0.9))
    assert gd[3, 0] == 825 and mom[3, 0] == 80  # eta = 0.1, seed 0: the fits of 3.4
    med_gd, med_mom = np.median(gd, axis=1), np.median(mom, axis=1)
    assert np.allclose(med_mom[:4], med_gd[3:7], rtol=0.05)  # momentum at eta ~ gradient descent at 10 eta
    assert med_gd.min() == 21 and med_mom.min() == 8 and etas[np.argmin(med_gd)] == etas[np.argmin(med_mom)]
    assert np.isinf(mom[1:8, 2]).all() and np.isinf(gd[7, 2])  # seed 2 stalls
    assert np.isfinite(gd[-1]).sum() == 2 and np.isinf(mom[-1]).all()


def test_the_descent_runs_cases_stay_inside_the_ball():
    """The check compares the list of paths as one array: its cases must give paths of one length."""
    from coursework.keys import REGISTRY, hidden_cases, visible_cases

    key = REGISTRY["valley_runs"]
    for case in visible_cases(key) + hidden_cases(key):
        assert len({len(p) for p in key.reference(*case)}) == 1
