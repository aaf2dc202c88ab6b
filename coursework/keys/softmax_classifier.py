"""Exercises of notebook 05: a stable softmax, the softmax cross-entropy gradient, the L2 penalty,
the forward and backward pass of the ReLU-softmax network, one momentum step. Parameters come as
separate arrays, not a dict: the checker copies arrays for every call, so an in-place edit by the
student cannot reach the reference."""

import numpy as np

from helpers.activations import softmax
from helpers.gradcheck import numerical_gradient
from helpers.losses import softmax_cross_entropy
from helpers.nn import MLP
from helpers.optim import Momentum

from ._registry import Mistake, exercise

NOTEBOOK = "05_mnist_classifier"
KEYS = ("W1", "b1", "W2", "b2")
NUMERIC = ("helpers.gradcheck.numerical_gradient",)
OVERFLOW = "exp(z) overflows at large logits: subtract each row's maximum first (a shift leaves softmax unchanged)"



def _naive(Z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def _logits(rng):
    """Several shapes; rows whose every exp is finite but whose sum overflows (float64, float32); rows of
    very different scale in one batch (a shift by the batch's maximum underflows the small row to 0/0), and
    a row spread over 2000 (a shift by the row's mean still overflows)."""
    return [(3 * rng.standard_normal(s),) for s in ((4, 10), (1, 3), (6, 7))] + [
        (708 + 1.7 * rng.random((3, 10)),), ((87 + 1.7 * rng.random((2, 5))).astype(np.float32),),
        (np.array([[0.0, 1.0, 2.0], [1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]]),)]


@exercise("mnist_softmax", _logits, function="stable_softmax", points=2,
          forbid=("helpers.activations.softmax", "helpers.activations.log_softmax"), mistakes=[
    Mistake(OVERFLOW, _naive),
    Mistake("each row (one sample) must sum to 1: normalize along axis=1, not axis 0", lambda Z: softmax(Z, axis=0)),
    Mistake("each row must sum to 1 on its own: sum along axis=1 with keepdims=True, not over the whole batch",
            lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum()),
    Mistake("subtract each row's own maximum (Z.max(axis=1, keepdims=True)): the batch's maximum makes every exp "
            "of a row far below it 0, and 0/0", lambda Z: _naive(Z - Z.max())),
    Mistake("subtract each row's maximum, not its mean: a row spread wider than about 1400 still overflows",
            lambda Z: _naive(Z - Z.mean(axis=1, keepdims=True))),
])
def mnist_softmax(Z):
    return softmax(Z, axis=1)


@exercise("mnist_ce_grad", lambda rng: [(Z, rng.integers(0, Z.shape[1], len(Z))) for (Z,) in _logits(rng)],
          numeric=lambda Z, y: numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], Z), function="ce_grad",
          points=2, forbid=("helpers.losses.softmax_cross_entropy",) + NUMERIC, mistakes=[
    Mistake("the -onehot(y) term is missing: it comes from the diagonal p_j delta_ij of the softmax Jacobian "
            "dp_j/dz_i = p_j (delta_ij - p_i)", lambda Z, y: softmax(Z, axis=1) / len(y)),
    Mistake("the loss is the mean over the S samples: divide every row by S",
            lambda Z, y: softmax_cross_entropy(Z, y)[1] * len(y)),
    Mistake("every logit z_i gets a gradient, not only the true class's: dL/dz_i = softmax(z)_i - delta_ij for all i",
            lambda Z, y: np.eye(Z.shape[1])[y] * softmax_cross_entropy(Z, y)[1]),
    Mistake(OVERFLOW, lambda Z, y: (_naive(Z) - np.eye(Z.shape[1])[y]) / len(y)),
    Mistake("subtract each row's own maximum, not the batch's: a row far below the batch's maximum becomes 0/0",
            lambda Z, y: (_naive(Z - Z.max()) - np.eye(Z.shape[1])[y]) / len(y)),
    Mistake("subtract each row's maximum, not its mean: a row spread wider than about 1400 still overflows",
            lambda Z, y: (_naive(Z - Z.mean(axis=1, keepdims=True)) - np.eye(Z.shape[1])[y]) / len(y)),
])
def mnist_ce_grad(Z, y):
    return softmax_cross_entropy(Z, y)[1]


def _penalty(W1, W2, c):
    return c * (np.vdot(W1, W1) + np.vdot(W2, W2))


@exercise("mnist_l2_penalty", lambda rng: [(rng.standard_normal((d, h)), rng.standard_normal((h, k)), c) for
                                           d, h, k, c in ((3, 4, 2, 0.1), (8, 5, 10, 1e-3), (2, 6, 3, 0.5))],
          function="l2_penalty", returns=("J", "dW1", "dW2"),
          numeric=lambda W1, W2, c: dict(J=_penalty(W1, W2, c),
                                            dW1=numerical_gradient(lambda W: _penalty(W, W2, c), W1),
                                            dW2=numerical_gradient(lambda W: _penalty(W1, W, c), W2)), mistakes=[
    Mistake("d(c w^2)/dw = 2 c w: the 2 is missing from the gradient",
            lambda W1, W2, c: dict(J=_penalty(W1, W2, c), dW1=c * W1, dW2=c * W2)),
    Mistake("this penalty is c (|W1|^2 + |W2|^2), with no 1/2 in front, so its gradient is 2 c W",
            lambda W1, W2, c: dict(J=_penalty(W1, W2, c) / 2, dW1=c * W1, dW2=c * W2)),
    Mistake("|W|^2 is the sum of the squared entries, np.sum(W**2); np.linalg.norm(W) is its square root",
            lambda W1, W2, c: dict(J=c * (np.linalg.norm(W1) + np.linalg.norm(W2)), dW1=2 * c * W1, dW2=2 * c * W2)),
])
def mnist_l2_penalty(W1, W2, c):
    return dict(J=_penalty(W1, W2, c), dW1=2 * c * W1, dW2=2 * c * W2)


def _nets(rng):
    """(X, y, W1, b1, W2, b2, c) for S-D-H-K networks of several shapes, biases not zero, c = 0 once; then
    a batch whose true classes trail the largest logit by 800 to 1000 (log of a softmax that underflows)."""
    nets = [(rng.standard_normal((S, D)), rng.integers(0, K, S), rng.standard_normal((D, H)), rng.standard_normal(H),
             rng.standard_normal((H, K)), rng.standard_normal(K), c)
            for S, D, H, K, c in ((5, 4, 6, 3, 0.1), (8, 12, 7, 10, 0.01), (1, 3, 4, 4, 0.2), (6, 5, 3, 2, 0.0))]
    X, W1, b1 = rng.standard_normal((3, 4)), 0.1 * rng.standard_normal((4, 5)), 0.1 * rng.standard_normal(5)
    W2, b2 = 0.1 * rng.standard_normal((5, 3)), np.array([0.0, 800.0, 1000.0])
    return nets + [(X, np.array([0, 0, 1]), W1, b1, W2, b2, 0.01)]


def _log_of_softmax(X, y, W1, b1, W2, b2, c):
    P = softmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1)
    with np.errstate(divide="ignore"):
        return dict(J=-np.log(P[np.arange(len(y)), y]).mean() + _penalty(W1, W2, c), P=P)


def _cost(fix):
    """A wrong cost: fix(mean cross-entropy, penalty of the W, penalty of the b, S); P stays right."""
    def forward(X, y, W1, b1, W2, b2, c):
        data, P = mnist_forward(X, y, W1, b1, W2, b2, 0.0).values()
        return dict(J=fix(data, _penalty(W1, W2, c), _penalty(b1, b2, c), len(y)), P=P)
    return forward


@exercise("mnist_forward", _nets, function="forward", points=2, returns=("J", "P"),
          forbid=("helpers.nn.MLP", "helpers.losses.softmax_cross_entropy"), mistakes=[
    Mistake("the biases are not penalized: the penalty is c (|W1|^2 + |W2|^2) only",
            _cost(lambda data, pen, bias_pen, S: data + pen + bias_pen)),
    Mistake("the cross-entropy is the mean over the S samples, not their sum",
            _cost(lambda data, pen, bias_pen, S: S * data + pen)),
    Mistake("J includes the penalty c (|W1|^2 + |W2|^2)", _cost(lambda data, pen, bias_pen, S: data)),
    Mistake("-log(softmax(Z2)[range(S), y]) is -log(0) = inf when a true class trails by more than about 745: "
            "take the log inside, log_softmax(Z2) = Z2 - max - log(sum(exp(Z2 - max)))", _log_of_softmax),
])
def mnist_forward(X, y, W1, b1, W2, b2, c):
    net = MLP.from_params(dict(W1=W1, b1=b1, W2=W2, b2=b2))
    return dict(J=net.loss_and_grads(X, y, c)[0], P=net.forward(X))


def _grads(fix):
    """A wrong backward pass: fix(gradients of the data term, of the penalty 2 c p on every parameter, S)."""
    def backward(X, y, W1, b1, W2, b2, c):
        data = mnist_backward(X, y, W1, b1, W2, b2, 0.0)
        return dict(fix(data, dict(W1=2 * c * W1, b1=2 * c * b1, W2=2 * c * W2, b2=2 * c * b2), len(y)))
    return backward


def _relu_on_gradient(X, y, W1, b1, W2, b2, c):
    A1 = np.maximum(X @ W1 + b1, 0)
    D2 = (softmax(A1 @ W2 + b2, axis=1) - np.eye(W2.shape[1])[y]) / len(y)
    D1 = np.maximum(D2 @ W2.T, 0)
    return dict(W1=X.T @ D1 + 2 * c * W1, b1=D1.sum(0), W2=A1.T @ D2 + 2 * c * W2, b2=D2.sum(0))


def _numeric(X, y, W1, b1, W2, b2, c):
    p = dict(W1=W1, b1=b1, W2=W2, b2=b2)
    return {k: numerical_gradient(lambda v, k=k: mnist_forward(X, y, **{**p, k: v}, c=c)["J"], p[k]) for k in KEYS}


@exercise("mnist_backward", _nets, numeric=_numeric, function="backward", points=3, returns=KEYS,
          forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake("the data term is a mean: Delta2 = (P - Y) / S; the 1/S is missing",
            _grads(lambda d, pen, S: {k: S * d[k] + (k[0] == "W") * pen[k] for k in KEYS})),
    Mistake("d(c w^2)/dw = 2 c w: the penalty's gradient is 2 c W, not c W",
            _grads(lambda d, pen, S: {k: d[k] + (k[0] == "W") * pen[k] / 2 for k in KEYS})),
    Mistake("the penalty is not averaged over the batch: its gradient is 2 c W, not 2 c W / S",
            _grads(lambda d, pen, S: {k: d[k] + (k[0] == "W") * pen[k] / S for k in KEYS})),
    Mistake("the biases are not penalized: db1 and db2 have no 2 c b term", _grads(lambda d, pen, S: {
        k: d[k] + pen[k] for k in KEYS})),
    Mistake("W is (fan_in, fan_out) here, so dW1 = X.T @ Delta1 and dW2 = A1.T @ Delta2, not their transposes",
            _grads(lambda d, pen, S: {k: (d[k] + (k[0] == "W") * pen[k]).T for k in KEYS})),
    Mistake("the ReLU derivative belongs to the hidden pre-activation: multiply by (Z1 > 0), not by a mask of the "
            "gradient arriving from above", _relu_on_gradient),
])
def mnist_backward(X, y, W1, b1, W2, b2, c):
    g = MLP.from_params(dict(W1=W1, b1=b1, W2=W2, b2=b2)).loss_and_grads(X, y, c)[1]
    return dict((k, g[k]) for k in KEYS)


@exercise("mnist_momentum_step", lambda rng: [tuple(rng.standard_normal((3, s, 2))) + (lr, beta)
                                              for s, lr, beta in ((1, 0.1, 0.9), (4, 0.05, 0.5), (3, 0.3, 0.0))],
          function="momentum_step", returns=("p", "v"), forbid=("helpers.optim.Momentum",), mistakes=[
    Mistake("update v first (v <- beta v - lr g), then move p by the new v",
            lambda p, g, v, lr, beta: (p + v, beta * v - lr * g)),
    Mistake("this form has no (1 - beta) factor: v <- beta v - lr g",
            lambda p, g, v, lr, beta: (p + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g)),
    Mistake("p moves by the velocity v <- beta v - lr g, not by -lr g alone",
            lambda p, g, v, lr, beta: (p - lr * g, beta * v - lr * g)),
])
def mnist_momentum_step(p, g, v, lr, beta):
    rule, p, v = Momentum(lr, beta), p.copy(), v.copy()
    rule.state["p"] = [np.empty_like(p), v]  # the rule's state for "p": a scratch array, then the velocity
    rule.step({"p": p}, {"p": g})
    return p, v
