"""Activations, losses, dense layers and the MLP: gradients, stability, bad input.

The registries are iterated: an activation added to ``ACTIVATIONS`` or an output to ``OUTPUTS`` is
gradient-checked and stability-checked here with no edit."""

import warnings

import numpy as np
import pytest

from helpers import activations as act
from helpers.gradcheck import check_gradients, numerical_gradient, relative_error
from helpers.losses import binary_cross_entropy_with_logits, mse, softmax_cross_entropy
from helpers.nn import MLP, OUTPUTS, Activation, SlopeOfOutput, dense_backward, dense_forward

TOL = 1e-7
#: every (output, loss) pair MLP accepts: each output's fused loss, and mse of its activation
COMBOS = sorted({(out, loss) for out, o in OUTPUTS.items() for loss in (o.loss, "mse")})


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def _targets(rng, output, S, K):
    if output == "softmax":
        return rng.integers(0, K, S)
    return rng.integers(0, 2, S) if output == "sigmoid" else rng.standard_normal((S, K))


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_activation_derivative_matches_central_differences(name, rng):
    f, df = act.ACTIVATIONS[name]
    z = rng.uniform(-4, 4, size=50)
    z = z[np.abs(z) > 1e-3]  # relu has a kink at 0
    num = numerical_gradient(lambda v: f(v).sum(), z)
    assert relative_error(df(z), num) < TOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_activation_is_stable_at_large_inputs(name, dtype):
    z = np.array([[-1e4, -1e2, 0.0, 1e2, 1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in act.ACTIVATIONS[name]:
            out = fn(z)
            assert out.dtype == dtype and out.shape == z.shape and np.isfinite(out).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(act.SLOPES))
def test_a_slope_read_off_the_output_is_the_derivative_to_the_last_bit(name, dtype, rng):
    f, df = act.ACTIVATIONS[name]
    z = np.concatenate([rng.uniform(-40, 40, 500), [-1e4, -1e2, -1e-300, 0.0, 1e-300, 1e2, 1e4]]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slope = act.SLOPES[name](f(z))
    assert slope.shape == z.shape
    np.testing.assert_array_equal(slope * np.ones_like(z), df(z))  # relu's slope is boolean


@pytest.mark.parametrize("name", sorted(act.SLOPES))
def test_a_layer_that_reads_its_slope_off_its_output_gives_the_same_gradients(name, rng):
    # the network's backward pass uses SLOPES where they exist: a model trains to the same bits either way
    model = MLP([4, 6, 6, 3], hidden=name, seed=1)
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    assert sum(isinstance(layer, SlopeOfOutput) for layer in model.layers) == 2
    loss, grads = model.loss_and_grads(X, y)
    model.layers = [Activation(name) if isinstance(layer, SlopeOfOutput) else layer for layer in model.layers]
    loss_of_z, grads_of_z = model.loss_and_grads(X, y)
    assert loss == loss_of_z and all(np.array_equal(grads[k], grads_of_z[k]) for k in grads)


@pytest.mark.parametrize("hidden", sorted(act.ACTIVATIONS))
@pytest.mark.parametrize("output,loss", COMBOS)
def test_mlp_gradients(hidden, output, loss, rng):
    k = 1 if output == "sigmoid" else 3
    model = MLP([4, 5, 6, k], hidden=hidden, output=output, loss=loss, seed=3)
    X = rng.standard_normal((7, 4))
    errors = check_gradients(model, X, _targets(rng, output, 7, k), l2=0.01)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output,loss", COMBOS)
def test_mlp_output_and_loss_are_stable_at_large_logits(output, loss, dtype, rng):
    # logits of +-1e4: X W with X = +-1, W = 1e4 (one layer, identity hidden part)
    k = 1 if output == "sigmoid" else 3
    W = np.tile([[1e4, -1e4, 0.0][:k]], (2, 1))
    model = MLP.from_params({"W1": W.astype(dtype), "b1": np.zeros(k, dtype)}, output=output, loss=loss)
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grads = model.loss_and_grads(X, _targets(rng, output, 3, k))
        ev, _ = model.evaluate(X, _targets(rng, output, 3, k))
        out = model.forward(X)
    assert np.isfinite([value, ev]).all() and np.isfinite(out).all() and out.dtype == dtype
    assert all(np.isfinite(g).all() and g.dtype == dtype for g in grads.values())


def test_activation_reference_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(act.softplus(z), np.log(1 + np.exp(z)), rtol=1e-15)
    np.testing.assert_array_equal(act.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu_grad(z), [0.0, 0.0, 1.0])  # 0 at the kink
    assert act.sigmoid_grad(0.0) == 0.25
    p = act.softmax(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(act.log_softmax(np.array([1.0, 2.0, 3.0])), np.log(p[0]))


def test_softmax_jacobian_numerically(rng):
    z = rng.standard_normal(4)
    p = act.softmax(z)
    jac = np.diag(p) - np.outer(p, p)
    for i in range(4):
        assert relative_error(jac[i], numerical_gradient(lambda v, i=i: act.softmax(v)[i], z)) < TOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_losses_are_stable_at_large_inputs(dtype):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for o in (act.softmax(z), act.log_softmax(z)):
            assert o.dtype == dtype and np.isfinite(o).all()
        assert act.softplus(z)[0, 2] == pytest.approx(1e4)
        assert act.log_softmax(z)[0, 0] == pytest.approx(-2e4, rel=1e-6)
        losses = [softmax_cross_entropy(z, np.array([0, 2])),
                  softmax_cross_entropy(z, np.eye(3, dtype=dtype)[[1, 1]]),
                  binary_cross_entropy_with_logits(z[:, 0], np.array([1.0, 0.0])),
                  mse(z, np.zeros_like(z))]
        for loss, grad in losses:
            assert np.isfinite(loss) and np.isfinite(grad).all()
        # row 1 (label 0): 2e4; row 2 (label 2, two logits tied at 1e4): 2e4 + log 2
        assert losses[0][0] == pytest.approx((2e4 + 2e4 + np.log(2)) / 2, rel=1e-6)


def test_loss_gradients(rng):
    z = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    targets = rng.random((6, 4))
    assert check_gradients(lambda v: softmax_cross_entropy(v, labels), z)["x"] < TOL
    assert check_gradients(lambda v: softmax_cross_entropy(v, np.eye(4)[labels]), z)["x"] < TOL
    assert check_gradients(lambda v: mse(v, targets), z)["x"] < TOL
    assert check_gradients(lambda v: binary_cross_entropy_with_logits(v, labels % 2 * 1.0), z[:, 0])["x"] < TOL


def test_softmax_cross_entropy_grad_is_softmax_minus_onehot_over_S(rng):
    z = rng.standard_normal((5, 3))
    y = np.array([0, 2, 1, 1, 0])
    loss, grad = softmax_cross_entropy(z, y)
    np.testing.assert_allclose(grad, (act.softmax(z) - np.eye(3)[y]) / 5, rtol=1e-12)
    assert loss == pytest.approx(-np.mean(np.log(act.softmax(z)[np.arange(5), y])))


def test_mse_of_one_sample_is_half_sum_of_squares():
    loss, grad = mse(np.array([0.4699, 0.5301]), np.array([0.1, 0.9]))
    assert loss == pytest.approx(0.5 * (0.3699**2 + 0.3699**2))
    np.testing.assert_allclose(grad, [0.3699, -0.3699])


def test_dense_layer_gradients(rng):
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    G = rng.standard_normal((5, 4))  # L = sum(G * Z)
    Z, cache = dense_forward(X, W, b)
    dX, dW, db = dense_backward(G, cache)
    assert relative_error(dX, numerical_gradient(lambda v: np.sum(G * dense_forward(v, W, b)[0]), X)) < TOL
    assert relative_error(dW, numerical_gradient(lambda v: np.sum(G * dense_forward(X, v, b)[0]), W)) < TOL
    assert relative_error(db, numerical_gradient(lambda v: np.sum(G * dense_forward(X, W, v)[0]), b)) < TOL
    assert dense_backward(G, cache, need_dX=False)[0] is None


def test_problem_gives_the_numbers_of_loss_and_grads_on_its_rows(rng):
    model = MLP([6, 8, 3], seed=1)
    X, y = rng.standard_normal((9, 6)), rng.integers(0, 3, 9)
    problem, idx = model.problem(X, y, l2=0.1), np.array([4, 0, 7, 7, 2])
    assert problem.params is model.params and problem.n == 9
    for batch, (Xb, yb) in ((idx, (X[idx], y[idx])), (None, (X, y))):
        loss1, g1 = model.loss_and_grads(Xb, yb, l2=0.1)
        loss2, g2 = problem.loss_and_grads(batch)
        assert loss1 == loss2 and list(g1) == list(g2)
        for k in g1:
            np.testing.assert_array_equal(g1[k], g2[k])
    assert problem.evaluate() == model.evaluate(X, y, l2=0.1) == model.evaluate(X, y, l2=0.1, batch=4)
    assert problem.evaluate()[0] == pytest.approx(loss1)
    with pytest.raises(ValueError, match="l2 must be"):
        model.problem(X, y, l2=-1.0)


@pytest.mark.parametrize("hidden", sorted(act.ACTIVATIONS))
def test_residual_mlp_forward_and_gradients(hidden, rng):
    # A_l = act(Z_l) + A_(l-1) for the hidden layers 2 and 3 (width 5); layer 1 changes the width
    model = MLP([4, 5, 5, 5, 3], hidden=hidden, residual=True, seed=2)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    f, P = act.ACTIVATIONS[hidden][0], model.params
    A1 = f(X @ P["W1"] + P["b1"])
    A2 = f(A1 @ P["W2"] + P["b2"]) + A1
    A3 = f(A2 @ P["W3"] + P["b3"]) + A2
    np.testing.assert_allclose(model.forward(X), act.softmax(A3 @ P["W4"] + P["b4"]), rtol=1e-12)
    np.testing.assert_allclose(model.forward_trace(X)[1][3], A3, rtol=1e-12)
    zs, acts = model.forward_trace(X)
    np.testing.assert_allclose(zs[2], A2 @ P["W3"] + P["b3"], rtol=1e-12)
    errors = check_gradients(model, X, y, l2=0.01)
    assert max(errors.values()) < TOL, errors
    assert model.copy().residual and "residual=True" in repr(model)
    # without the skips the same weights give another network
    assert not np.allclose(MLP.from_params(P, hidden).forward(X), model.forward(X))
    with pytest.raises(ValueError, match="one width"):
        MLP([4, 5, 6, 3], residual=True)


def test_mlp_l2_adds_penalty_and_2cW(rng):
    model = MLP([3, 4, 2], seed=0)
    X, y = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    l0, g0 = model.loss_and_grads(X, y)
    l1, g1 = model.loss_and_grads(X, y, l2=0.5)
    W1, W2 = model.params["W1"], model.params["W2"]
    assert l1 - l0 == pytest.approx(0.5 * (np.sum(W1**2) + np.sum(W2**2)))
    np.testing.assert_allclose(g1["W1"] - g0["W1"], 2 * 0.5 * W1, atol=1e-15)
    np.testing.assert_array_equal(g1["b1"], g0["b1"])


def test_mlp_flat_round_trip_and_counts():
    for nh in (1, 2, 5):
        assert MLP([4, nh, 3]).n_params == 8 * nh + 3
    model = MLP([2, 4, 1], output="sigmoid")
    assert model.n_params == 17
    v = np.arange(17, dtype=float)
    model.set_flat(v)
    np.testing.assert_array_equal(model.get_flat(), v)
    np.testing.assert_array_equal(model.params["W1"], v[:8].reshape(2, 4))
    with pytest.raises(ValueError, match="17 parameters"):
        model.set_flat(np.zeros(16))


def test_from_params_copies_and_forward_trace():
    params = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.ones((2, 2)), "b2": np.array([0.0, 1.0])}
    model = MLP.from_params(params, hidden="sigmoid")
    model.params["W1"][0, 0] = 5.0
    assert params["W1"][0, 0] == 1.0
    zs, acts = model.forward_trace(np.array([[0.0, 0.0]]))
    np.testing.assert_allclose(acts[1], [[0.5, 0.5]])
    np.testing.assert_allclose(zs[1], [[1.0, 2.0]])
    np.testing.assert_allclose(acts[2].sum(), 1.0)


def test_float32_model_stays_float32(rng):
    model = MLP([5, 4, 3], dtype=np.float32)
    X = rng.standard_normal((6, 5))
    loss, grads = model.loss_and_grads(X, np.array([0, 1, 2, 0, 1, 2]))
    assert all(g.dtype == np.float32 for g in grads.values())
    assert model.forward(X).dtype == np.float32


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call,match", [
    (lambda m: m.loss_and_grads(np.zeros((3, 5)), [0, 1, 2]), r"X must have shape \(S, 4\)"),
    (lambda m: m.loss_and_grads(np.zeros((3, 4)), [0, 1]), "2 labels but there are 3 samples"),
    (lambda m: m.loss_and_grads(np.zeros((3, 4)), [0, 1, 3]), "labels out of range"),
    (lambda m: m.loss_and_grads(np.zeros((3, 4)), [0, 1, -1]), "labels out of range"),
    (lambda m: m.loss_and_grads(np.array([[np.nan, 0, 0, 0]] * 3), [0, 1, 2]), "NaN"),
    (lambda m: m.forward(np.zeros(4)), r"X\[None, :\]"),
    (lambda m: m.loss_and_grads(np.zeros((3, 4)), [0.5, 1, 2]), "integer class labels"),
    (lambda m: m.loss_and_grads(np.zeros((3, 4)), [0, 1, 2], l2=-1), "l2 must be"),
    (lambda m: m.forward(np.full((3, 4), "0.5")), "X must be numeric, got dtype <U3"),
    (lambda m: m.forward(np.zeros((3, 4), dtype=object)), "X must be numeric, got dtype object"),
    (lambda m: m.forward(np.zeros((3, 4), dtype="datetime64[s]")), "X must be numeric"),
])
def test_mlp_bad_input_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call(MLP([4, 3, 3]))


def test_bool_and_integer_inputs_count_as_numbers():
    model = MLP([4, 3, 3])
    X = np.eye(3, 4)
    for same in (X.astype(bool), X.astype(np.int8), X.astype(np.uint16)):
        np.testing.assert_array_equal(model.forward(same), model.forward(X))


def test_loss_bad_input():
    with pytest.raises(ValueError, match="shape mismatch"):
        mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="out of range"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="NaN"):
        softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match=r"\(S, K\)"):
        softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        binary_cross_entropy_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="dense layer shapes"):
        dense_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5))


def test_mlp_constructor_errors():
    with pytest.raises(ValueError, match="hidden must be one of"):
        MLP([2, 2], hidden="gelu")
    with pytest.raises(ValueError, match="one unit"):
        MLP([2, 3, 2], output="sigmoid")
    with pytest.raises(ValueError, match="init must be"):
        MLP([2, 3, 2], init="lecun")
    with pytest.raises(ValueError, match="keys"):
        MLP.from_params({"W1": np.zeros((2, 2))})


@pytest.mark.parametrize("params, message", [
    ({"W1": 1.0, "b1": np.zeros(1)}, r"W1 must be \(fan_in, fan_out\) and b1 \(fan_out,\); got \(\) and \(1,\)"),
    ({"W1": np.ones((2, 3)), "b1": np.zeros(2)}, r"b1 \(fan_out,\); got \(2, 3\) and \(2,\)"),
    ({"W1": np.ones((2, 3)), "b1": np.zeros(3), "W2": np.ones((4, 2)), "b2": np.zeros(2)},
     "W1 has 3 outputs but W2 expects 4 inputs"),
])
def test_from_params_names_the_shape_that_does_not_fit(params, message):
    with pytest.raises(ValueError, match=message):
        MLP.from_params(params)


def test_numerical_gradient_does_not_mutate_its_input():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), [3.0, 12.0], rtol=1e-8)
