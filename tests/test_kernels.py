"""Activations, losses, dense layers and the MLP: gradients, stability, bad input."""

import warnings

import numpy as np
import pytest

from helpers import activations as act
from helpers.gradcheck import check_gradients, numerical_gradient, relative_error
from helpers.losses import binary_cross_entropy_with_logits, mse, softmax_cross_entropy
from helpers.nn import MLP, dense_backward, dense_forward

TOL = 1e-7
rng = np.random.default_rng(42)


@pytest.mark.parametrize("name", ["sigmoid", "relu", "softplus", "tanh"])
def test_activation_derivative_matches_central_differences(name):
    f, df = act.ACTIVATIONS[name]
    z = rng.uniform(-4, 4, size=50)
    z = z[np.abs(z) > 1e-3]  # relu has a kink at 0
    num = numerical_gradient(lambda v: f(v).sum(), z)
    assert relative_error(df(z), num) < TOL


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


def test_softmax_jacobian_numerically():
    z = rng.standard_normal(4)
    p = act.softmax(z)
    jac = np.diag(p) - np.outer(p, p)
    for i in range(4):
        assert relative_error(jac[i], numerical_gradient(lambda v, i=i: act.softmax(v)[i], z)) < TOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_everything_is_stable_at_large_inputs(dtype):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = [f(z) for f in (act.sigmoid, act.sigmoid_grad, act.relu, act.relu_grad, act.softplus,
                               act.softplus_grad, act.tanh, act.tanh_grad, act.softmax, act.log_softmax)]
        for o in outs:
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


def test_loss_gradients():
    z = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    targets = rng.random((6, 4))
    assert check_gradients(lambda v: softmax_cross_entropy(v, labels), z)["x"] < TOL
    assert check_gradients(lambda v: softmax_cross_entropy(v, np.eye(4)[labels]), z)["x"] < TOL
    assert check_gradients(lambda v: mse(v, targets), z)["x"] < TOL
    assert check_gradients(lambda v: binary_cross_entropy_with_logits(v, labels % 2 * 1.0), z[:, 0])["x"] < TOL


def test_softmax_cross_entropy_grad_is_softmax_minus_onehot_over_S():
    z = rng.standard_normal((5, 3))
    y = np.array([0, 2, 1, 1, 0])
    loss, grad = softmax_cross_entropy(z, y)
    np.testing.assert_allclose(grad, (act.softmax(z) - np.eye(3)[y]) / 5, rtol=1e-12)
    assert loss == pytest.approx(-np.mean(np.log(act.softmax(z)[np.arange(5), y])))


def test_mse_of_one_sample_is_half_sum_of_squares():
    loss, grad = mse(np.array([0.4699, 0.5301]), np.array([0.1, 0.9]))
    assert loss == pytest.approx(0.5 * (0.3699**2 + 0.3699**2))
    np.testing.assert_allclose(grad, [0.3699, -0.3699])


def test_dense_layer_gradients():
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    G = rng.standard_normal((5, 4))  # L = sum(G * Z)
    Z, cache = dense_forward(X, W, b)
    dX, dW, db = dense_backward(G, cache)
    assert relative_error(dX, numerical_gradient(lambda v: np.sum(G * dense_forward(v, W, b)[0]), X)) < TOL
    assert relative_error(dW, numerical_gradient(lambda v: np.sum(G * dense_forward(X, v, b)[0]), W)) < TOL
    assert relative_error(db, numerical_gradient(lambda v: np.sum(G * dense_forward(X, W, v)[0]), b)) < TOL
    assert dense_backward(G, cache, need_dX=False)[0] is None


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "softplus", "tanh"])
@pytest.mark.parametrize("output,loss", [("softmax", None), ("softmax", "mse"), ("sigmoid", None),
                                         ("sigmoid", "mse"), ("identity", None)])
def test_mlp_gradients(hidden, output, loss):
    k = 1 if output == "sigmoid" else 3
    model = MLP([4, 5, 6, k], hidden=hidden, output=output, loss=loss, seed=3)
    X = rng.standard_normal((7, 4))
    if output == "softmax":
        y = rng.integers(0, 3, 7)
    elif output == "sigmoid":
        y = rng.integers(0, 2, 7)
    else:
        y = rng.standard_normal((7, 3))
    errors = check_gradients(model, X, y, l2=0.01)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < TOL, errors


def test_mlp_buffered_path_equals_allocating_path():
    model = MLP([6, 8, 3], seed=1)
    X, y = rng.standard_normal((5, 6)), np.array([0, 1, 2, 1, 0])
    loss1, g1 = model.loss_and_grads(X, y, l2=0.1)
    out = {k: np.full_like(v, np.nan) for k, v in model.params.items()}
    loss2, g2 = model.loss_and_grads(X, y, l2=0.1, out=out)
    assert loss1 == loss2
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])
        assert g2[k] is out[k]


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
def test_residual_mlp_forward_and_gradients(hidden):
    # A_l = act(Z_l) + A_(l-1) for the hidden layers 2 and 3 (width 5); layer 1 changes the width
    model = MLP([4, 5, 5, 5, 3], hidden=hidden, residual=True, seed=2)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    f, P = act.ACTIVATIONS[hidden][0], model.params
    A1 = f(X @ P["W1"] + P["b1"])
    A2 = f(A1 @ P["W2"] + P["b2"]) + A1
    A3 = f(A2 @ P["W3"] + P["b3"]) + A2
    np.testing.assert_allclose(model.forward(X), act.softmax(A3 @ P["W4"] + P["b4"]), rtol=1e-12)
    np.testing.assert_allclose(model.forward_trace(X)[1][3], A3, rtol=1e-12)
    errors = check_gradients(model, X, y, l2=0.01)
    assert max(errors.values()) < TOL, errors
    out = {k: np.empty_like(v) for k, v in P.items()}  # the buffered path gives the same numbers
    loss, grads = model.loss_and_grads(X, y, out=out)
    assert loss == model.loss_and_grads(X, y)[0]
    for k, g in model.loss_and_grads(X, y)[1].items():
        np.testing.assert_array_equal(grads[k], g)
    assert model.copy().residual and "residual=True" in repr(model)
    # without the skips the same weights give another network
    assert not np.allclose(MLP.from_params(P, hidden).forward(X), model.forward(X))
    with pytest.raises(ValueError, match="one width"):
        MLP([4, 5, 6, 3], residual=True)


def test_mlp_l2_adds_penalty_and_2cW():
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


def test_float32_model_stays_float32():
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
])
def test_mlp_bad_input_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call(MLP([4, 3, 3]))


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


def test_numerical_gradient_does_not_mutate_its_input():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), [3.0, 12.0], rtol=1e-8)
