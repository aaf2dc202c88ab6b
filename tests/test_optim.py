"""Update rules, the descent loop, minimize, and the objectives."""

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, numerical_jacobian, relative_error
from helpers.objectives import BUMP, ROSENBROCK, SADDLE, VALLEY, Objective, bump
from helpers.optim import GD, RULES, Adam, Momentum, Newton, Rule, cosine, descend, make_rule, minimize, minimize_run


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


def test_rule_arguments_are_validated():
    with pytest.raises(ValueError, match="lr"):
        GD(0.0)
    with pytest.raises(ValueError, match="beta"):
        Momentum(0.1, beta=1.0)
    with pytest.raises(ValueError, match="expected shape"):
        GD(0.1).step({"x": np.zeros(2)}, {"x": np.zeros(3)})
    with pytest.raises(ValueError, match="got nothing"):
        GD(0.1).step({"x": np.zeros(2)}, {"y": np.zeros(2)})
    with pytest.raises(ValueError, match="unknown update rule"):
        make_rule("rmsprop")


def test_rule_state_is_keyed_by_parameter_name():
    rule = Momentum(1.0, beta=0.5)
    a, b = {"w": np.zeros(2)}, {"v": np.zeros(3)}
    rule.step(a, {"w": np.ones(2)})
    rule.step(b, {"v": np.ones(3)})  # a new name gets its own velocity, w's is kept
    rule.step(a, {"w": np.ones(2)})
    np.testing.assert_allclose(a["w"], [-2.5, -2.5])  # v: -1, then -0.5 - 1
    np.testing.assert_allclose(b["v"], [-1.0, -1.0, -1.0])
    assert set(rule.state) == {"w", "v"}


def test_scale_multiplies_the_learning_rate_of_one_step_without_changing_the_rule():
    p, q = {"x": np.array([1.0])}, {"x": np.array([1.0])}
    rule = GD(0.1)
    rule.step(p, {"x": np.array([2.0])}, scale=0.5)
    GD(0.05).step(q, {"x": np.array([2.0])})
    np.testing.assert_array_equal(p["x"], q["x"])
    assert rule.lr == 0.1


def test_descend_runs_epochs_with_a_schedule_and_stops_on_request():
    p = {"x": np.array([4.0])}
    seen = []

    def loss_and_grads(batch):
        seen.append(batch)
        return float(p["x"][0] ** 2), {"x": 2 * p["x"]}

    run = descend(loss_and_grads, p, GD(0.1), lambda epoch: [f"{epoch}a", f"{epoch}b"], epochs=3,
                  schedule=lambda e, n: [1.0, 0.0, 1.0][e])
    assert seen == ["0a", "0b", "1a", "1b", "2a", "2b"] and run.steps == 6 and run.epochs == 3 and run.stopped is None
    np.testing.assert_allclose(p["x"], [4.0 * 0.8**4])  # the epoch with factor 0 does not move
    run = descend(loss_and_grads, p, GD(0.1), range(10), on_step=lambda k, loss: "enough" if k == 2 else None)
    assert run.steps == 2 and run.stopped == "enough"


def test_descend_stops_on_growth_and_on_a_loss_that_is_not_finite():
    p = {"x": np.array([1.0])}
    grow = descend(lambda _: (float(p["x"][0] ** 2), {"x": 2 * p["x"]}), p, GD(1.5), range(50), max_growth=100)
    assert grow.stopped.startswith("diverged") and "times its first value" in grow.stopped and grow.steps < 10
    run = descend(lambda _: (float("nan"), {"x": p["x"]}), p, GD(0.1), range(5))
    assert run.steps == 0 and "no longer finite" in run.stopped


def test_a_new_rule_is_one_class_and_works_in_minimize():
    class SignDescent(Rule):  # what a student's extra rule looks like
        def __init__(self, lr):
            self.lr = lr
            super().__init__()

        def _update(self, name, p, g, lr, state):
            p -= lr * np.sign(g)

    path = minimize(ROSENBROCK, [-1.2, 1.0], SignDescent(0.01), 3)
    np.testing.assert_allclose(path[1], [-1.19, 1.01])


def test_make_rule_offers_every_rule_by_name():
    assert set(RULES) == {"gd", "momentum", "nesterov", "adam"}
    assert isinstance(make_rule("gd", 0.1), GD)
    assert make_rule("nesterov", 0.1, 0.5).nesterov and make_rule("momentum", 0.1, 0.5).beta == 0.5
    assert make_rule("adam", 0.1, 0.8).beta1 == 0.8


def test_minimize_run_says_why_it_stopped_and_rejects_a_nan_max_norm():
    path, run = minimize_run(ROSENBROCK, [-1.2, 1.0], GD(0.01), 500)
    assert run.stopped.startswith("diverged") and "ball" in run.stopped and len(path) == run.steps + 1
    path, run = minimize_run(ROSENBROCK, [-1.2, 1.0], GD(1e-3), 5)
    assert run.stopped is None and len(path) == 6
    with pytest.raises(ValueError, match="max_norm"):
        minimize(ROSENBROCK, [-1.2, 1.0], GD(1e-3), 5, max_norm=float("nan"))


def test_newton_needs_a_hessian():
    no_hessian = Objective(ROSENBROCK.f, ROSENBROCK.grad)
    with pytest.raises(ValueError, match="Hessian"):
        minimize(no_hessian, [0.0, 0.0], Newton(), 1)
    with pytest.raises(ValueError, match="second derivatives"):
        descend(lambda _: (0.0, {}), {}, Newton(), range(1))


def test_cosine_factor():
    assert cosine(0, 10) == 1.0 and cosine(5, 10) == pytest.approx(0.5) and cosine(10, 10) == pytest.approx(0.0)
