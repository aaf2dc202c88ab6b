"""Update rules, the descent loop, minimize, and the objectives."""

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from helpers.objectives import BUMP, ROSENBROCK, SADDLE, VALLEY, Objective, bump
from helpers.optim import (
    GD,
    RULES,
    Adam,
    FunctionRule,
    Momentum,
    Newton,
    Rule,
    Stop,
    cosine,
    descend,
    make_rule,
    minimize,
    minimize_run,
)


def _quadratic(A, b):
    A, b = np.asarray(A, float), np.asarray(b, float)
    return Objective(lambda x: 0.5 * np.einsum("...i,ij,...j->...", x, A, x) - x @ b,
                     lambda x: x @ A - b, lambda x: A, "quadratic", ((-5, 5), (-5, 5)))


def test_momentum_with_beta_zero_is_gradient_descent_bit_for_bit():
    rng = np.random.default_rng(0)
    grads = [{"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)} for _ in range(5)]
    runs = {}
    for name, rule in [("gd", GD(0.1)), ("momentum", Momentum(0.1, beta=0.0)),
                       ("nesterov", Momentum(0.1, beta=0.0, nesterov=True))]:
        p = {"W": np.ones((3, 2)), "b": np.zeros(2)}
        for g in grads:
            rule.step(p, g)
        runs[name] = p
    for name in ("momentum", "nesterov"):
        for k in ("W", "b"):
            np.testing.assert_array_equal(runs["gd"][k], runs[name][k])


def test_gd_step_and_inputs_untouched():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    GD(0.1).step({"x": p}, {"x": g})
    np.testing.assert_allclose(p, [0.95, 2.1])
    np.testing.assert_array_equal(g, [0.5, -1.0])


def test_momentum_accumulates_velocity():
    p = np.array([0.0])
    rule = Momentum(1.0, beta=0.5)
    for _ in range(3):
        rule.step({"p": p}, {"p": np.array([1.0])})
    # v: -1, -1.5, -1.75 ; p = -4.25
    np.testing.assert_allclose(p, [-4.25])


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    p = np.array([0.0, 5.0, -3.0, 1.0])
    g = np.array([1e-3, -20.0, 3.0, -1e5])
    Adam(lr=0.01).step({"p": p}, {"p": g})
    np.testing.assert_allclose(p - [0.0, 5.0, -3.0, 1.0], -0.01 * np.sign(g), rtol=1e-4)


def test_adam_on_the_bump_reproduces_the_printed_sequence():
    path = minimize(bump(1.0), [0.0], Adam(0.3, 0.9, 0.999), 8)[:, 0]
    np.testing.assert_allclose(path, [0, 0.3, 0.6, 0.9, 1.2, 1.3535, 1.4102, 1.3985, 1.3362], atol=5e-5)


def test_adam_without_bias_correction_differs():
    a = minimize(BUMP, [0.0], Adam(0.3), 3)
    b = minimize(BUMP, [0.0], Adam(0.3, bias_correction=False), 3)
    assert not np.allclose(a, b)


def test_newton_solves_a_quadratic_in_one_step():
    A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    path = minimize(_quadratic(A, b), [4.0, -4.0], Newton(), 1)
    np.testing.assert_allclose(path[1], np.linalg.solve(A, b), rtol=1e-12)


def test_newton_converges_on_rosenbrock_and_singular_hessian_message():
    path = minimize(ROSENBROCK, [-1.2, 1.0], Newton(), 10)
    np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-8)
    with pytest.raises(ValueError, match="singular"):
        minimize(_quadratic(np.zeros((2, 2)), np.ones(2)), [1.0, 1.0], Newton(), 1)


def test_diverging_run_stops_early_with_a_finite_path():
    path = minimize(ROSENBROCK, [-1.2, 1.0], GD(0.01), 500)
    assert len(path) < 501
    assert np.isfinite(path).all()
    assert np.linalg.norm(path[-1]) > 1e3


def test_gd_first_step_is_x0_minus_lr_grad():
    x0 = np.array([-1.2, 1.0])
    path = minimize(ROSENBROCK, x0, GD(1e-3), 5)
    np.testing.assert_allclose(path[1], x0 - 1e-3 * ROSENBROCK.grad(x0))
    assert path.shape == (6, 2)


@pytest.mark.parametrize("obj", [ROSENBROCK, SADDLE, VALLEY])
def test_objective_derivatives(obj):
    rng = np.random.default_rng(1)
    for x in rng.uniform(-1.5, 1.5, size=(5, 2)):
        assert relative_error(obj.grad(x), numerical_gradient(obj.f, x)) < 1e-7
        assert relative_error(obj.hess(x), numerical_jacobian(obj.grad, x)) < 1e-7


def test_objectives_broadcast_over_grids():
    X1, X2, F = ROSENBROCK.grid(7)
    assert F.shape == (7, 7)
    assert F[3, 3] == pytest.approx(ROSENBROCK.f(np.array([X1[3, 3], X2[3, 3]])))
    np.testing.assert_array_equal(ROSENBROCK.hess(np.array([1.0, 1.0])), [[802, -400], [-400, 200]])


def test_bump_shape():
    b = bump(0.4)
    xs = np.array([[0.0], [1.0], [1.4], [2.8], [4.0]])
    np.testing.assert_allclose(b.f(xs), [1.0, 0.0, 0.4, -1.0, 0.2])
    np.testing.assert_allclose(b.grad(np.array([[0.5], [1.2], [2.0], [3.0]]))[:, 0], [-1, 1, -1, 1])
    with pytest.raises(ValueError, match="positive"):
        bump(0.0)


def test_the_bump_gives_one_point_the_gradient_it_gives_that_point_among_others():
    b = bump(0.4)  # a descent asks for one point at a time: the slopes, the kinks, -0, and inf and NaN (NaN)
    xs = np.array([-3.0, -0.0, 0.0, 0.999, 1.0, 1.2, 1.4, 2.0, 2.8, 3.0, -np.inf, np.inf, np.nan])[:, None]
    with np.errstate(invalid="ignore"):  # 0 * inf, as a descent that left every bound meets it
        together = b.grad(xs)
    for x, g in zip(xs, together):
        alone = b.grad(x)
        assert alone.shape == (1,) and alone.dtype == np.float64
        np.testing.assert_array_equal(alone, g)  # NaN where NaN
    np.testing.assert_array_equal(together[:-3, 0], [-1, -1, -1, -1, 1, 1, -1, -1, 1, 1])
    assert np.isnan(together[-3:]).all()


def test_rule_arguments_are_validated():
    with pytest.raises(ValueError, match="lr"):
        GD(0.0)
    with pytest.raises(ValueError, match="beta"):
        Momentum(0.1, beta=1.0)
    with pytest.raises(ValueError, match="expected shape"):
        GD(0.1).step({"x": np.zeros(2)}, {"x": np.zeros(3)})
    with pytest.raises(ValueError, match="got nothing"):
        GD(0.1).step({"x": np.zeros(2)}, {"y": np.zeros(2)})


def test_rule_state_is_keyed_by_parameter_name():
    rule = Momentum(1.0, beta=0.5)
    a, b = {"w": np.zeros(2)}, {"v": np.zeros(3)}
    rule.step(a, {"w": np.ones(2)})
    rule.step(b, {"v": np.ones(3)})  # a new name gets its own velocity, w's is kept
    rule.step(a, {"w": np.ones(2)})
    np.testing.assert_allclose(a["w"], [-2.5, -2.5])  # v: -1, then -0.5 - 1
    np.testing.assert_allclose(b["v"], [-1.0, -1.0, -1.0])
    assert set(rule.state) == {"w", "v"}


@pytest.mark.parametrize("name", sorted(RULES))
def test_arrays_of_one_shape_and_two_dtypes_step_as_each_alone(name):
    """A rule's scratch arrays are shared by shape and dtype: a float32 array must not be computed through
    a float64 scratch (or the reverse), which would round differently."""
    g = np.random.default_rng(0).standard_normal((2, 3, 5))
    start = {"a": g[0].astype(np.float32), "b": g[1].copy()}
    grads = {"a": (0.3 * g[1]).astype(np.float32), "b": 0.3 * g[0]}
    together, rule = {k: p.copy() for k, p in start.items()}, make_rule(name, lr=0.1)
    alone = [({k: start[k].copy()}, make_rule(name, lr=0.1)) for k in start]
    for _ in range(3):
        rule.step(together, grads)
        for params, r in alone:
            r.step(params, {k: grads[k] for k in params})
    for params, _ in alone:
        for k, p in params.items():
            assert together[k].dtype == p.dtype and together[k].tobytes() == p.tobytes(), k


def test_scale_multiplies_the_learning_rate_of_one_step_without_changing_the_rule():
    p, q = {"x": np.array([1.0])}, {"x": np.array([1.0])}
    rule = GD(0.1)
    rule.step(p, {"x": np.array([2.0])}, scale=0.5)
    GD(0.05).step(q, {"x": np.array([2.0])})
    np.testing.assert_array_equal(p["x"], q["x"])
    assert rule.lr == 0.1


class _Problem:
    """A problem for descend: f(x) = x^2 at params {"x": x}; records the batches it is asked for."""

    def __init__(self, x, loss=None):
        self.params, self.seen, self.loss = {"x": np.array([x])}, [], loss

    def loss_and_grads(self, batch):
        self.seen.append(batch)
        x = self.params["x"]
        return (float(x[0] ** 2) if self.loss is None else self.loss), {"x": 2 * x}


def test_descend_runs_epochs_with_a_schedule_and_stops_on_request():
    problem = _Problem(4.0)
    run = descend(problem, GD(0.1), lambda epoch: [f"{epoch}a", f"{epoch}b"], epochs=3,
                  schedule=lambda e, n: [1.0, 0.0, 1.0][e])
    assert problem.seen == ["0a", "0b", "1a", "1b", "2a", "2b"] and (run.steps, run.epochs, run.stop) == (6, 3, None)
    np.testing.assert_allclose(problem.params["x"], [4.0 * 0.8**4])  # the epoch with factor 0 does not move
    enough = Stop("callback", 2, "enough")
    run = descend(problem, GD(0.1), range(10), on_step=lambda k, loss, batch: enough if k == 2 else None)
    assert run.steps == 2 and run.stop is enough and run.stopped == "enough" and not run.stop.diverged
    run = descend(problem, GD(0.1), range(10), epochs=3, on_epoch=lambda epoch: epoch == 2)  # any true value stops
    assert run.epochs == 2 and run.stop == Stop("callback", 20, "stopped by the callback")


def test_descend_stops_on_growth_and_on_a_loss_that_is_not_finite():
    grow = descend(_Problem(1.0), GD(1.5), range(50), max_growth=100)
    assert grow.stop.kind == "grew" and grow.stop.diverged and grow.steps < 10
    assert grow.stopped == f"diverged at step {grow.stop.step}: {grow.stop.why}" and "times its first" in grow.stop.why
    run = descend(_Problem(1.0, loss=float("nan")), GD(0.1), range(5))
    assert run.steps == 0 and run.stop == Stop("not finite", 1, "the loss is no longer finite")


def test_a_new_rule_is_one_class_or_one_function_and_works_in_minimize():
    class SignDescent(Rule):  # what a student's extra rule looks like
        def __init__(self, lr):
            self.lr = lr
            super().__init__()

        def update(self, p, g, lr, state):
            p -= lr * np.sign(g)

    path = minimize(ROSENBROCK, [-1.2, 1.0], SignDescent(0.01), 3)
    np.testing.assert_allclose(path[1], [-1.19, 1.01])
    as_function = FunctionRule(lambda p, g, lr, state, t: p - lr * np.sign(g), 0.01)
    np.testing.assert_array_equal(minimize(ROSENBROCK, [-1.2, 1.0], as_function, 3), path)


def test_a_function_rule_keeps_named_state_and_sees_the_step_count():
    def heavy_ball(p, g, lr, state, t):
        state["v"] *= 0.5
        state["v"] -= lr * g
        p += state["v"]
        assert t == rule.t

    rule = FunctionRule(heavy_ball, 1e-3, slots=("v",))
    path = minimize(ROSENBROCK, [-1.2, 1.0], rule, 20)
    np.testing.assert_array_equal(path, minimize(ROSENBROCK, [-1.2, 1.0], Momentum(1e-3, 0.5), 20))
    assert set(rule.state["x"]) == {"v"} and rule.t == 20


@pytest.mark.parametrize("name", RULES)
def test_every_rule_of_the_menu_reaches_the_minimum_of_a_quadratic(name):
    A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    rule = make_rule(name, lr=0.05)
    path = minimize(_quadratic(A, b), [4.0, -4.0], rule, 3000)
    np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), atol=1e-3)
    assert set(rule.state) == {"x"} and set(rule.state["x"]) == set(type(rule).SLOTS)  # state is named


@pytest.mark.parametrize("name", RULES)
def test_make_rule_round_trips_every_rules_hyperparameters(name):
    rule = make_rule(name, 0.2, 0.5)  # the menu's lr and beta
    assert rule.hyper["lr"] == 0.2 and all(rule.hyper[k] == 0.5 for k in type(rule).MENU[:1])
    again = make_rule(name, **rule.hyper)
    assert type(again) is type(rule) and again.hyper == rule.hyper and repr(again) == repr(rule)
    with pytest.raises(ValueError, match=f"no setting 'lr2'; its settings are {', '.join(type(rule).HYPER)}"):
        make_rule(name, lr2=0.1)


def test_make_rule_takes_each_rules_own_names():
    assert make_rule("adam", lr=0.1, beta1=0.8).beta1 == 0.8 and make_rule("nesterov", 0.1).nesterov
    with pytest.raises(ValueError, match="unknown update rule 'rmsprop'; choose one of gd, momentum"):
        make_rule("rmsprop")


def test_minimize_run_says_why_it_stopped_and_rejects_a_nan_max_norm():
    path, run = minimize_run(ROSENBROCK, [-1.2, 1.0], GD(0.01), 500)
    assert run.stop.kind == "left the ball" and len(path) == run.steps + 1
    assert run.stopped == f"diverged at step {run.steps}: the iterate left the ball of radius 1e+08"
    path, run = minimize_run(ROSENBROCK, [-1.2, 1.0], GD(1e-3), 5)
    assert run.stopped is None and len(path) == 6
    with pytest.raises(ValueError, match="max_norm"):
        minimize(ROSENBROCK, [-1.2, 1.0], GD(1e-3), 5, max_norm=float("nan"))


def test_newton_asks_the_problem_for_its_hessian():
    no_hessian = Objective(ROSENBROCK.f, ROSENBROCK.grad)
    with pytest.raises(ValueError, match="the objective 'f' has none"):
        minimize(no_hessian, [0.0, 0.0], Newton(), 1)
    with pytest.raises(ValueError, match="second derivatives"):
        descend(_Problem(1.0), Newton(), range(1))


def test_cosine_factor():
    assert cosine(0, 10) == 1.0 and cosine(5, 10) == pytest.approx(0.5) and cosine(10, 10) == pytest.approx(0.0)
