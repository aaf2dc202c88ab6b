"""Exercises of notebook 04: the parameter count f(NH), softplus and its slope, the batch forward pass,
the cross-entropy through log_softmax and the batch backward pass of the softplus 4-NH-3 network.
Rows are samples, W is (fan_in, fan_out); the notebook's W0, b0, W1, b1 are the MLP's W1, b1, W2, b2."""

import numpy as np

from helpers.activations import sigmoid, sigmoid_grad, softmax, softplus
from helpers.gradcheck import numerical_gradient
from helpers.losses import softmax_cross_entropy
from helpers.nn import MLP

from ._registry import Mistake, exercise

NOTEBOOK = "04_softplus_iris"
NUMERIC = ("helpers.gradcheck.numerical_gradient",)


def _net(W0, b0, W1, b1):
    return MLP.from_params({"W1": W0, "b1": b0, "W2": W1, "b2": b1}, hidden="softplus")


def _layers(rng, S, D, H, K):
    return (rng.normal(size=(S, D)), rng.normal(size=(D, H)), 0.5 * rng.normal(size=H),
            rng.normal(size=(H, K)) / np.sqrt(H), 0.5 * rng.normal(size=K))


@exercise("iris_param_count", lambda rng: [(n,) for n in (1, 3, 8, 100, int(rng.integers(2, 50)))],
          forbid=("helpers.nn.MLP",), mistakes=[
    Mistake("the biases are parameters too: add N_H for b0 and 3 for b1", lambda n: 7 * n),
    Mistake("b0 adds N_H parameters, one per hidden unit", lambda n: 7 * n + 3),
    Mistake("b1 adds 3 parameters, one per output", lambda n: 8 * n)])
def iris_param_count(NH):
    return MLP([4, NH, 3]).n_params


# ordinary z, z so negative that 1 + e^z rounds to 1, large z (e^700 is still finite), and |z| far
# beyond float64's exp limit (e^710 overflows); pure relative tolerance, so e^-700 is not taken for 0
@exercise("softplus_and_grad", lambda rng: [(rng.normal(0, 3, 7),), (rng.normal(0, 3, (3, 4)),),
                                            (np.array([-40.0, -100, -700]),), (np.array([0.0, 30, 700]),),
                                            (np.array([710.0, 1000, 1e4, -710, -1e4]),)],
          points=2, returns=("softplus", "slope"), atol=0.0,
          forbid=("helpers.activations.softplus", "helpers.activations.softplus_grad"), mistakes=[
    Mistake("ln(1 + e^z) as written gives 0 for z below about -37 and overflows above 709: use np.logaddexp(0, z)",
            lambda z: (np.log(1 + np.exp(z)), sigmoid(z))),
    Mistake("np.log1p(np.exp(z)) keeps the small values but e^z still overflows above z = 709: use "
            "np.logaddexp(0, z), or z + log1p(e^-z) for z > 0", lambda z: (np.log1p(np.exp(z)), sigmoid(z))),
    Mistake("the slope is sigma at the pre-activation z, not sigma(softplus(z))", lambda z: (softplus(z),
                                                                                             sigmoid(softplus(z)))),
    Mistake("sigma(z)(1 - sigma(z)) is the sigmoid's own slope, one derivative too many: the slope is sigma(z)",
            lambda z: (softplus(z), sigmoid_grad(z))),
    Mistake("e^z / (1 + e^z) = sigma(z), not sigma(-z): check the sign of the exponent",
            lambda z: (softplus(z), sigmoid(-z)))])
def softplus_and_grad(z):
    return softplus(z), sigmoid(z)


@exercise("iris_forward", lambda rng: [_layers(rng, *s) for s in ((5, 4, 8, 3), (1, 4, 3, 3), (9, 2, 5, 4))],
          points=2, forbid=("helpers.nn.MLP",), mistakes=[
    Mistake("softmax normalizes each sample over the classes: axis=1, so that every row of Y_hat sums to 1",
            lambda X, W0, b0, W1, b1: softmax(softplus(X @ W0 + b0) @ W1 + b1, axis=0)),
    Mistake("the hidden activation is softplus ln(1 + e^z), not its slope sigma(z)",
            lambda X, W0, b0, W1, b1: softmax(sigmoid(X @ W0 + b0) @ W1 + b1, axis=1))])
def iris_forward(X, W0, b0, W1, b1):
    return _net(W0, b0, W1, b1).forward(X)


# random logits, and one sample whose true class has probability e^-742 (a subnormal number)
@exercise("iris_cross_entropy", lambda rng: [(rng.normal(0, 2, (S, K)), np.eye(K)[rng.integers(0, K, S)])
                                             for S, K in ((6, 3), (1, 3), (4, 5))]
          + [(np.array([[0.0, -1, 742], [1, 2, 3]]), np.array([[1.0, 0, 0], [0, 1, 0]]))], points=2,
          forbid=("helpers.losses.softmax_cross_entropy",), mistakes=[
    Mistake("the loss is the mean over the S samples: divide the sum by S",
            lambda Z, Y: softmax_cross_entropy(Z, Y)[0] * Z.shape[0]),
    Mistake("np.mean over the (S, K) array divides by S K: sum over the classes, then average over the samples",
            lambda Z, Y: softmax_cross_entropy(Z, Y)[0] / Z.shape[1]),
    Mistake("np.log(softmax(Z)) loses the digits of a probability that underflows (e^-742; e^-746 is 0, its log "
            "-inf): use log_softmax(Z, axis=1)", lambda Z, Y: -np.sum(Y * np.log(softmax(Z, axis=1))) / Z.shape[0])])
def iris_cross_entropy(Z2, Y):
    return softmax_cross_entropy(Z2, Y)[0]


def _slipped(X, Y, W0, b0, W1, b1, slip):
    """The batch backward pass with one catalogued slip (the reference is helpers' MLP)."""
    Z1 = X @ W0 + b0
    A1 = softplus(Z1)
    d2 = (softmax(A1 @ W1 + b1, axis=1) - Y) / (1 if slip == "1/S" else X.shape[0])
    d1 = (d2 @ (W1 if slip in ("W1", "seed") else W1.T)) * {
        "A1": sigmoid(A1), "sigma'": sigmoid_grad(Z1), "slope": 1.0}.get(slip, sigmoid(Z1))
    return dict(W0=d1.T @ X if slip == "seed" else X.T @ d1, b0=d1 if slip == "sums" else d1.sum(axis=0),
                  W1=d2.T @ A1 if slip in ("dW1", "seed") else A1.T @ d2,
                  b1=d2 if slip in ("b1", "sums") else d2.sum(axis=0))


def _numeric(X, Y, *P):
    loss = [lambda v, i=i: _net(*P[:i], v, *P[i + 1:]).loss_and_grads(X, Y)[0] for i in range(4)]
    return dict(zip(("W0", "b0", "W1", "b1"), (numerical_gradient(f, p) for f, p in zip(loss, P))))


SUM = "a bias is shared by all S samples: its gradient sums the rows, delta.sum(axis=0)"


# (X, Y, W0, b0, W1, b1) with NH = K, so that a slip that swaps a transpose still runs
@exercise("iris_backward", lambda rng: [(X, np.eye(H)[rng.integers(0, H, S)], *P) for S, D, H in
                                        ((5, 4, 3), (1, 4, 3), (8, 2, 5), (6, 4, 4))
                                        for X, *P in [_layers(rng, S, D, H, H)]], numeric=_numeric, points=3,
          returns=("W0", "b0", "W1", "b1"), forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake(h, lambda *a, s=s: _slipped(*a, s)) for s, h in [
        ("seed", "these are the assignment's formulas for W of shape (out, in); here W is (in, out): "
                 "dW1 = A1.T @ delta2, delta1 = (delta2 @ W1.T) * sigma(Z1), dW0 = X.T @ delta1"),
        ("dW1", "dW1 is transposed: with W1 of shape (NH, K) it is A1.T @ delta2"),
        ("W1", "the error goes back through the transpose: delta2 @ W1.T"),
        ("A1", "the slope of softplus is sigma at the pre-activation Z1, not at A1 = softplus(Z1)"),
        ("sigma'", "delta1 is off by the factor 1 - sigma(Z1): softplus' slope is sigma(Z1), not sigma'(Z1)"),
        ("slope", "delta1 misses the slope of softplus: multiply by sigma(Z1) entry by entry"),
        ("b1", SUM), ("sums", SUM),
        ("1/S", "the loss is a mean over S samples: delta2 = (Y_hat - Y) / S")]])
def iris_backward(X, Y, W0, b0, W1, b1):
    g = _net(W0, b0, W1, b1).loss_and_grads(X, Y)[1]
    return dict(W0=g["W1"], b0=g["b1"], W1=g["W2"], b1=g["b2"])
