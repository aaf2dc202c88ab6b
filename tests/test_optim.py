"""Update rules and minimize."""

import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient, relative_error
from helpers.objectives import BUMP, ROSENBROCK, SADDLE, VALLEY, Objective, bump
from helpers.optim import GD, Adam, Momentum, Newton, minimize


def _quadratic(A, b):
    A, b = np.asarray(A, float), np.asarray(b, float)
    return Objective(lambda x: 0.5 * np.einsum("...i,ij,...j->...", x, A, x) - x @ b,
                     lambda x: x @ A - b, lambda x: A, "quadratic", ((-5, 5), (-5, 5)))


def test_momentum_with_beta_zero_is_gradient_descent_bit_for_bit():
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal((3, 2)), rng.standard_normal(2)] for _ in range(5)]
    p_gd = [np.ones((3, 2)), np.zeros(2)]
    p_mom = [a.copy() for a in p_gd]
    gd, mom = GD(0.1), Momentum(0.1, beta=0.0)
    for g in grads:
        gd.step(p_gd, g)
        mom.step(p_mom, g)
    for a, b in zip(p_gd, p_mom):
        np.testing.assert_array_equal(a, b)
    nest = Momentum(0.1, beta=0.0, nesterov=True)
    p_n = [np.ones((3, 2)), np.zeros(2)]
    for g in grads:
        nest.step(p_n, g)
    for a, b in zip(p_gd, p_n):
        np.testing.assert_array_equal(a, b)


def test_gd_step_and_inputs_untouched():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    GD(0.1).step([p], [g])
    np.testing.assert_allclose(p, [0.95, 2.1])
    np.testing.assert_array_equal(g, [0.5, -1.0])


def test_momentum_accumulates_velocity():
    p = np.array([0.0])
    rule = Momentum(1.0, beta=0.5)
    for _ in range(3):
        rule.step([p], [np.array([1.0])])
    # v: -1, -1.5, -1.75 ; p = -4.25
    np.testing.assert_allclose(p, [-4.25])


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    p = np.array([0.0, 5.0, -3.0, 1.0])
    g = np.array([1e-3, -20.0, 3.0, -1e5])
    Adam(lr=0.01).step([p], [g])
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
        num_h = np.array([numerical_gradient(lambda v, i=i: obj.grad(v)[i], x) for i in range(2)])
        assert relative_error(obj.hess(x), num_h) < 1e-7


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
    with pytest.raises(ValueError, match="does not match"):
        GD(0.1).step([np.zeros(2)], [np.zeros(3)])
