"""Exercises of notebook 03: the ReLU network's forward pass, the valley's gradient, a momentum
step, the sigmoid + cross-entropy output gradient, backprop of the 2-H-1 network, grad_f.

Inputs are continuous random numbers, so no ReLU pre-activation sits at its kink (where
central differences and relu'(0) = 0 disagree), and every label set holds both classes (the
seed's (1 - y)/y_hat typo is right on class-1 samples, wrong on class 0).
"""

import numpy as np

from helpers.activations import relu, relu_grad, sigmoid
from helpers.gradcheck import numerical_gradient
from helpers.losses import binary_cross_entropy_with_logits
from helpers.nn import MLP, dense_backward, dense_forward
from helpers.objectives import VALLEY

from ._registry import Mistake, exercise

NOTEBOOK = "03_relu_xor"
NUMERIC = ("helpers.gradcheck.numerical_gradient", "helpers.gradcheck.numerical_jacobian")
PART1 = (np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]]), np.array([0.0, 0.0, 1.0, 0.0]),
         np.array([1.0, 0.0, -1.0, 1.0]), 1.0)  # the assignment's W (2, 4) (rows = inputs), b, V, c


def _labels(rng, S):
    return rng.permutation(np.arange(S) % 2)


def _nets(rng):
    """(X, y, W, b, V, c): the assignment's weights on random inputs, then other sizes (S, D inputs, H units)."""
    return [(rng.normal(size=(5, 2)), _labels(rng, 5)) + PART1] + [
        (rng.normal(size=(S, D)), _labels(rng, S), rng.normal(size=(D, H)), rng.normal(size=H), rng.normal(size=H),
         float(rng.normal())) for S, D, H in ((8, 2, 4), (6, 3, 5), (9, 2, 2))]


def _loss(X, y, W, b, V, c):
    net = MLP.from_params({"W1": W, "b1": b, "W2": np.reshape(V, (-1, 1)), "b2": np.reshape(c, (1,))},
                          hidden="relu", output="sigmoid")
    return net.loss_and_grads(X, y)[0]


@exercise("ff_nn_relu", lambda rng: [(np.array([[1.0, -1.0], [0.0, -1.0], [0.0, 1.0]]),) + PART1]
          + [c[:1] + c[2:] for c in _nets(rng)], points=2, forbid=("helpers.nn.MLP",), mistakes=[
    Mistake("the hidden units are ReLUs: h = max(0, a), applied before the output layer",
            lambda X, W, b, V, c: sigmoid((X @ W + b) @ V + c)),
    Mistake("the output is a probability: apply the sigmoid to u = h V + c",
            lambda X, W, b, V, c: relu(X @ W + b) @ V + c),
    Mistake("that is P(class 0) = sigma(-u): the sign of u is flipped",
            lambda X, W, b, V, c: sigmoid(-(relu(X @ W + b) @ V + c))),
])
def ff_nn_relu(X, W, b, V, c):
    """Class-1 probabilities (S,) of the ReLU/sigmoid network for the rows of X (S, D); W (D, H), b, V (H,), c."""
    return MLP.from_params({"W1": W, "b1": b, "W2": np.reshape(V, (-1, 1)), "b2": np.reshape(c, (1,))},
                           hidden="relu", output="sigmoid").forward(X)[:, 0]


def _valley(p, inner_x=-1.0, chain_y=True, k=100.0):  # the gradient with one of the slips below
    r = 2 * p[1] ** 2 - p[0]
    return np.array([-3 * p[0] ** 2 + k * r * inner_x, k * r * (4 * p[1] if chain_y else 1.0)])


@exercise("valley_grad", lambda rng:
          [(np.array([1.0, 0.5]),), (np.zeros(2),)] + [(p,) for p in rng.uniform(-2, 3, (4, 2))],
          numeric=lambda p: numerical_gradient(VALLEY.f, p), points=2,
          forbid=("helpers.objectives.VALLEY.grad",) + NUMERIC, mistakes=[
    Mistake("d/dx (3 - x^3) = -3x^2: the sign of that term is flipped", lambda p: _valley(p) + [6 * p[0] ** 2, 0]),
    Mistake("df/dx: the inner derivative of (2y^2 - x) with respect to x is -1, so the term is -100 (2y^2 - x)",
            lambda p: _valley(p, inner_x=1.0)),
    Mistake("df/dy misses the inner derivative 4y of (2y^2 - x) (chain rule)", lambda p: _valley(p, chain_y=False)),
    Mistake("the square's derivative brings a factor 2: 50 (2y^2 - x)^2 gives 100 (2y^2 - x) times the inner one",
            lambda p: _valley(p, k=50.0)),
])
def valley_grad(p):
    """Gradient (2,) of f(x, y) = (3 - x^3) + 50 (2y^2 - x)^2 at p = (x, y)."""
    return VALLEY.grad(np.asarray(p, dtype=float))


@exercise("momentum_step", lambda rng: [tuple(rng.normal(size=(3,) + s)) + h for s, h in
                                        (((2,), (1e-3, 0.9)), ((17,), (0.1, 0.5)), ((3, 4), (0.3, 0.9)))],
          returns=("x_new", "v_new"), forbid=("helpers.optim.Momentum",), mistakes=[
    Mistake("the velocity goes against the gradient: v <- beta v - lr g",
            lambda x, v, g, lr, beta: (x + beta * v + lr * g, beta * v + lr * g)),
    Mistake("x moves by the new velocity: first v <- beta v - lr g, then x <- x + v",
            lambda x, v, g, lr, beta: (x + v, beta * v - lr * g)),
    Mistake("heavy-ball momentum here is v <- beta v - lr g, without a factor (1 - beta) on the gradient",
            lambda x, v, g, lr, beta: (x + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g)),
])
def momentum_step(x, v, g, lr, beta):
    """One heavy-ball step: (x_new, v_new) with v_new = beta v - lr g and x_new = x + v_new."""
    return x + (beta * v - lr * g), beta * v - lr * g


SLIPS = {  # dL/du per sample, before the mean's 1/S, from y_hat = p and the labels t: right, and the seed's slips
    "right": lambda p, t: p - t,
    "sigmoid factor missing": lambda p, t: -(t / p - (1 - t) / (1 - p)),
    "(1-y)/y_hat typo": lambda p, t: -(t / p - (1 - t) / p) * p * (1 - p),
}
HINT_SIGMOID = ("dL/dy_hat = -(y/y_hat - (1-y)/(1-y_hat)) still needs dy_hat/du = y_hat (1 - y_hat), "
                "the sigmoid's derivative: dL/du = (y_hat - y)/S")
HINT_TYPO = "the second term of dL/dy_hat is (1 - y)/(1 - y_hat), not (1 - y)/y_hat (the seed's typo)"
HINT_MEAN = "L is the mean over the S samples: divide by S"


@exercise("bce_output_grad", lambda rng: [(rng.normal(scale=2, size=S), _labels(rng, S)) for S in (4, 7, 12)],
          numeric=lambda u, y: numerical_gradient(lambda v: binary_cross_entropy_with_logits(v, y)[0], u), points=2,
          forbid=("helpers.losses.binary_cross_entropy_with_logits",) + NUMERIC, mistakes=[
    Mistake(HINT_SIGMOID, lambda u, y: SLIPS["sigmoid factor missing"](sigmoid(u), y) / len(u)),
    Mistake(HINT_TYPO, lambda u, y: SLIPS["(1-y)/y_hat typo"](sigmoid(u), y) / len(u)),
    Mistake(HINT_MEAN, lambda u, y: sigmoid(u) - y),
    Mistake("dL/du = (y_hat - y)/S: the sign is flipped", lambda u, y: (y - sigmoid(u)) / len(u)),
])
def bce_output_grad(u, y):
    """dL/du (S,) for L = mean binary cross-entropy of y_hat = sigmoid(u) against labels y (S,)."""
    return binary_cross_entropy_with_logits(u, y)[1]



def backprop(X, y, W, b, V, c, slip="right"):
    """(dW, db, dV, dc) by the layer kernels, with dL/du from SLIPS[slip] ("no ReLU mask": relu' left out)."""
    A, cache1 = dense_forward(X, W, b)
    u, cache2 = dense_forward(relu(A), np.reshape(V, (-1, 1)), np.reshape(c, (1,)))
    dH, dV, dc = dense_backward(SLIPS.get(slip, SLIPS["right"])(sigmoid(u[:, 0]), y)[:, None] / len(X), cache2)
    _, dW, db = dense_backward(dH if slip == "no ReLU mask" else dH * relu_grad(A), cache1, need_dX=False)
    return dict(dW=dW, db=db, dV=dV[:, 0], dc=dc[0])


def _numeric(X, y, W, b, V, c):
    params = (W, b, V, c)
    loss = [lambda v, i=i: _loss(X, y, *(v if j == i else q for j, q in enumerate(params))) for i in range(4)]
    return dict(zip(("dW", "db", "dV", "dc"), (numerical_gradient(f, p) for f, p in zip(loss, params))))


@exercise("relu_net_grads", _nets, numeric=_numeric, points=3, returns=("dW", "db", "dV", "dc"),
          forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake(HINT_SIGMOID, lambda *a: backprop(*a, slip="sigmoid factor missing")),
    Mistake(HINT_TYPO, lambda *a: backprop(*a, slip="(1-y)/y_hat typo")),
    Mistake("dW has the shape of W, (D, H): rows are inputs here, so dW = X^T dA, not dA^T X",
            lambda *a: dict(backprop(*a), dW=backprop(*a)["dW"].T)),
    Mistake("backprop through ReLU multiplies by its derivative 1[a > 0]: dA = (du V^T) * (A > 0)",
            lambda *a: backprop(*a, slip="no ReLU mask")),
    Mistake("c is shared by every sample: dc sums du over the samples",
            lambda X, y, *p: dict(backprop(X, y, *p), dc=(ff_nn_relu(X, *p) - y) / len(X))),
])
def relu_net_grads(X, y, W, b, V, c):
    """(dW, db, dV, dc) of the mean binary cross-entropy of the network at (W, b, V, c)."""
    return backprop(X, y, W, b, V, c)


def _flat(w, X, y, slip="right", order="C"):  # grad_f, by backprop; order "F" unpacks and packs W column by column
    g = backprop(X, y, w[:8].reshape((2, 4), order=order), w[8:12], w[12:16], w[16], slip)
    return np.concatenate([g["dW"].ravel(order=order), g["db"], g["dV"], [g["dc"]]])


@exercise("grad_f", lambda rng: [(rng.normal(size=17), rng.normal(size=(S, 2)), _labels(rng, S)) for S in (6, 10, 15)],
          numeric=lambda w, X, y: numerical_gradient(
              lambda v: _loss(X, y, v[:8].reshape(2, 4), v[8:12], v[12:16], v[16]), w), points=2,
          forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake("w[:8] is W (2, 4) row by row (rows are inputs): w[:8].reshape(2, 4), and dW.ravel() in the same order",
            lambda w, X, y: _flat(w, X, y, order="F")),
    Mistake(HINT_SIGMOID, lambda w, X, y: _flat(w, X, y, "sigmoid factor missing")),
    Mistake(HINT_TYPO, lambda w, X, y: _flat(w, X, y, "(1-y)/y_hat typo")),
    Mistake(HINT_MEAN, lambda w, X, y: _flat(w, X, y) * len(X)),
])
def grad_f(w, X, y):
    """Gradient (17,) of the mean cross-entropy of the 2-4-1 network at the flat weights w (MLP.get_flat layout)."""
    return _flat(np.asarray(w, dtype=float), X, y)
