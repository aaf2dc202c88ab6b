"""Exercises of notebook 05: a stable softmax, the softmax cross-entropy gradient, the L2 penalty,
the forward and backward pass of the ReLU-softmax network, one momentum step, the mini-batch
training loop, predictions in chunks, the Wilson interval and McNemar's exact test. Parameters come
as separate arrays, not a dict: the checker copies arrays for every call, so an in-place edit by the
student cannot reach the reference. train_sgd calls the student's own forward, backward and
momentum_step: a slip there shows up here too."""

import math

import numpy as np

from helpers.activations import relu, softmax
from helpers.gradcheck import numerical_gradient
from helpers.losses import softmax_cross_entropy
from helpers.nn import MLP
from helpers.optim import Momentum

from ._registry import Mistake, exercise

NOTEBOOK = "05_mnist_classifier"
TASKS = {
    "1": "Part I: the derivative of the cross-entropy of a softmax, L(z) = -ln softmax(z)_j, with respect to every "
         "logit z_i",
    "2.1": "Part II: the code of the forward pass (the cost with the L2 penalty) and of the backward pass",
    "2": "Part II, its test: train the network, plot the loss and the accuracy per epoch, report the in-sample and "
         "the test accuracy",
}
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
          points=2, reveal="dL/dz_i = softmax(z)_i - delta_ij for every logit z_i; for the mean over S samples, "
                           "dL/dZ = (softmax(Z) - Y) / S",
          forbid=("helpers.losses.softmax_cross_entropy",) + NUMERIC, mistakes=[
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
          reveal="d(c |W|^2)/dW = 2 c W: a step of size eta on the penalty alone multiplies W by 1 - 2 eta c",
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
    a batch whose true classes trail the largest logit by about 1000, 1000 and 200 (at 1000 the true class
    gets a softmax that underflows to 0)."""
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
          reveal="Z1 = X W1 + b1, A1 = max(Z1, 0), Z2 = A1 W2 + b2, P = softmax(Z2) row by row, "
                 "J = -(1/S) sum_s log_softmax(Z2)[s, y_s] + c (|W1|^2 + |W2|^2)",
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
          reveal="Delta2 = (P - Y)/S, dW2 = A1.T Delta2 + 2c W2, db2 = column sums of Delta2, "
                 "Delta1 = (Delta2 W2.T) * (Z1 > 0), dW1 = X.T Delta1 + 2c W1, db1 = column sums of Delta1",
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
    p, v = p.copy(), v.copy()
    Momentum(lr, beta).update(p, g, lr, {"v": v})  # helpers' one-array update, with this velocity as its state
    return p, v


# ----------------------------------------------------------------------------- task 2: training and measuring

TRAINERS = ("helpers.nn.MLP", "helpers.train.fit", "helpers.optim.Momentum", "helpers.optim.GD",
            "helpers.optim.descend")  # the training loop is the exercise


def _train(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, slip=None):
    """Mini-batch SGD with heavy-ball momentum, as the notebook specifies it, or one catalogued slip of it."""
    P = [np.array(p, dtype=np.float64) for p in (W1, b1, W2, b2)]
    V = [np.zeros_like(p) for p in P]
    S, B = len(y), int(batch_size)
    rng = np.random.default_rng(seed)
    losses, accuracies = [], []
    for lr in lrs:
        if slip == "reseed":
            rng = np.random.default_rng(seed)
        if slip == "reset":
            V = [np.zeros_like(p) for p in P]
        order = np.arange(S) if slip == "no shuffle" else rng.permutation(S)
        lr = lrs[0] if slip == "first lr" else lr
        total, right, batches = 0.0, 0, 0
        for i in range(0, S - S % B if slip == "drop last" else S, B):
            idx = order[i:i + B]
            net = MLP.from_params(dict(zip(KEYS, P)))
            J, g = net.loss_and_grads(X[idx], y[idx], c)
            right += int(np.sum(net.predict(X[idx]) == y[idx]))
            total, batches = total + (J if slip == "unweighted" else J * len(idx)), batches + 1
            for k, name in enumerate(KEYS):
                if slip == "ema":
                    V[k] = beta * V[k] + (1 - beta) * g[name]
                    P[k] = P[k] - lr * V[k]
                else:
                    V[k] = (0.0 if slip == "gd" else beta) * V[k] - lr * g[name]
                    P[k] = P[k] + V[k]
        if slip == "after":  # the cost and accuracy on all images once the epoch is over
            net = MLP.from_params(dict(zip(KEYS, P)))
            losses.append(net.loss_and_grads(X, y, c)[0])
            accuracies.append(float(np.mean(net.predict(X) == y)))
            continue
        losses.append(total / (batches if slip == "unweighted" else S))
        accuracies.append(right / S)
    return (*P, np.array(losses), np.array(accuracies))


def _train_cases(rng):
    """Batches that do not divide S (a smaller last batch), one full batch with beta = 0, a decaying schedule,
    c = 0 once; several seeds, sizes and learning rates."""
    out = []
    for S, D, H, K, c, lrs, beta, B in ((12, 5, 4, 3, 0.01, [0.5, 0.5, 0.5], 0.9, 5),
                                        (10, 3, 6, 4, 0.0, [0.3, 0.2, 0.1, 0.05], 0.5, 3),
                                        (8, 4, 3, 2, 0.1, [1.0, 1.0], 0.0, 8),
                                        (9, 6, 5, 3, 0.001, [0.2, 0.1, 0.2], 0.9, 4)):
        y = rng.permutation(np.arange(S) % K)
        X = rng.standard_normal((K, D))[y] + rng.standard_normal((S, D))
        out.append((X, y, rng.standard_normal((D, H)) * np.sqrt(2 / D), 0.1 * rng.standard_normal(H),
                    rng.standard_normal((H, K)) * np.sqrt(2 / H), 0.1 * rng.standard_normal(K), c, lrs, beta, B,
                    int(rng.integers(1000))))
    return out


@exercise("mnist_train", _train_cases, function="train_sgd", points=3,
          returns=("W1", "b1", "W2", "b2", "losses", "accuracies"), forbid=TRAINERS, time_limit=20.0, mistakes=[
    Mistake("make the generator once, before the first epoch: a new default_rng(seed) in every epoch visits the "
            "images in the same order each time", lambda *a: _train(*a, slip="reseed")),
    Mistake("each epoch visits the images in the order rng.permutation(S), not in their stored order",
            lambda *a: _train(*a, slip="no shuffle")),
    Mistake("the velocities start at 0 once, before the first epoch, and carry over from epoch to epoch",
            lambda *a: _train(*a, slip="reset")),
    Mistake("the last batch keeps the remainder when batch_size does not divide S: range(0, S, batch_size)",
            lambda *a: _train(*a, slip="drop last")),
    Mistake("epoch e uses its own learning rate, lrs[e]", lambda *a: _train(*a, slip="first lr")),
    Mistake("weight each batch's cost J by its number of images, then divide by S: the last batch may be smaller",
            lambda *a: _train(*a, slip="unweighted")),
    Mistake("losses[e] and accuracies[e] are measured on each batch as it comes, before its step (J and P of your "
            "forward), not on all images once the epoch is over", lambda *a: _train(*a, slip="after")),
    Mistake("beta is ignored: with beta > 0 the velocity v = beta v - lr g carries over from step to step",
            lambda *a: _train(*a, slip="gd")),
    Mistake("heavy-ball momentum sums the gradients: v = beta v - lr g, then p = p + v (no factor 1 - beta)",
            lambda *a: _train(*a, slip="ema"))])
def mnist_train(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed):
    return _train(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed)


def _scores(X, W1, b1, W2, b2):
    return relu(X @ W1 + b1) @ W2 + b2


def _predict_cases(rng):
    """Chunks that do not divide N, one chunk larger than N, chunks of one row."""
    out = []
    for N, D, H, K, chunk in ((10, 5, 4, 3, 4), (7, 3, 6, 10, 100), (12, 4, 5, 4, 3), (3, 2, 3, 2, 1)):
        out.append((rng.standard_normal((N, D)), rng.standard_normal((D, H)), rng.standard_normal(H),
                    rng.standard_normal((H, K)), rng.standard_normal(K), chunk))
    return out


@exercise("mnist_predict", _predict_cases, function="predict", forbid=("helpers.nn.MLP",), mistakes=[
    Mistake("the last chunk keeps the remainder when chunk does not divide N: range(0, N, chunk)",
            lambda X, W1, b1, W2, b2, chunk: np.argmax(_scores(X[:len(X) - len(X) % chunk], W1, b1, W2, b2), axis=1)),
    Mistake("each image gets the class of its row's largest logit: argmax over axis=1",
            lambda X, W1, b1, W2, b2, chunk: np.argmax(_scores(X, W1, b1, W2, b2), axis=0)),
    Mistake("return the class labels (N,), the argmax of each row, not the probabilities",
            lambda X, W1, b1, W2, b2, chunk: softmax(_scores(X, W1, b1, W2, b2), axis=1)),
    Mistake("the hidden layer applies the ReLU before W2", lambda X, W1, b1, W2, b2, chunk: np.argmax(
        (X @ W1 + b1) @ W2 + b2, axis=1))])
def mnist_predict(X, W1, b1, W2, b2, chunk):
    return np.argmax(_scores(X, W1, b1, W2, b2), axis=1)


def _wilson(k, n, z, slip=None):
    p = k / n
    if slip == "wald":
        half = z * math.sqrt(p * (1 - p) / n)
        return p - half, p + half
    centre = p if slip == "centre" else (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + (0 if slip == "no z2" else z * z / (4 * n * n)))
    return centre - half, centre + half


@exercise("mnist_wilson", lambda rng: [(349, 359, 1.96), (0, 10, 1.96), (10, 10, 1.96), (9773, 9999, 1.96),
                                       (42, 45, 2.576), (int(rng.integers(1, 30)), 30, 1.0)],
          function="wilson", returns=("low", "high"), mistakes=[
    Mistake("that is the textbook (Wald) interval p +- z sqrt(p(1-p)/n), which collapses to a point at k = 0 and "
            "k = n: use Wilson's centre and half-width", lambda k, n, z: _wilson(k, n, z, "wald")),
    Mistake("Wilson's interval is centred at (p + z^2/(2n)) / (1 + z^2/n), not at p = k/n",
            lambda k, n, z: _wilson(k, n, z, "centre")),
    Mistake("the square root holds p(1-p)/n + z^2/(4n^2): the second term is missing",
            lambda k, n, z: _wilson(k, n, z, "no z2"))])
def mnist_wilson(k, n, z):
    return _wilson(k, n, z)


def _mcnemar(b, c, slip=None):
    n = b + c
    if slip in ("chi2", "chi2 cc"):
        if n == 0:
            return 1.0
        chi2 = (max(abs(b - c) - 1, 0) if slip == "chi2 cc" else abs(b - c)) ** 2 / n
        return math.erfc(math.sqrt(chi2 / 2))
    tail = sum(math.comb(n, i) for i in range((max(b, c) if slip == "max" else min(b, c)) + 1)) / 2**n
    return tail if slip == "one-sided" else (2 * tail if slip == "uncapped" else min(1.0, 2 * tail))


@exercise("mnist_mcnemar", lambda rng: [(4, 0), (7, 1), (0, 0), (3, 3), (10, 12), (30, 5), (0, 9), (60, 41),
                                        (int(rng.integers(0, 20)), int(rng.integers(0, 20)))],
          function="mcnemar_p", mistakes=[
    Mistake("the test is two-sided: double the tail, P(K <= min(b, c)) times 2", lambda b, c: _mcnemar(b, c,
                                                                                                       "one-sided")),
    Mistake("a p-value is at most 1: when b = c the doubled tail passes 1, so take min(1, 2 * tail)",
            lambda b, c: _mcnemar(b, c, "uncapped")),
    Mistake("the tail runs from 0 to the smaller of the two counts, min(b, c)", lambda b, c: _mcnemar(b, c, "max")),
    *(Mistake("that is the chi-square approximation of McNemar's test; with this few disagreements use the exact "
              "binomial tail: 2 sum_{i <= min(b, c)} C(b + c, i) / 2^(b + c)", lambda b, c, s=s: _mcnemar(b, c, s))
      for s in ("chi2", "chi2 cc"))])
def mnist_mcnemar(only_first, only_second):
    return _mcnemar(only_first, only_second)


def _cosine(lr, epochs, slip=None):
    e = np.arange(epochs, dtype=float)
    if slip == "from one":
        e = e + 1
    if slip == "to zero":
        return lr * 0.5 * (1 + np.cos(np.pi * e / max(epochs - 1, 1)))
    if slip == "full":
        return lr * np.cos(np.pi * e / epochs)
    return lr * 0.5 * (1 + np.cos(np.pi * e / epochs))


@exercise("mnist_cosine", lambda rng: [(0.1, 5), (0.03, 1), (0.5, 4), (1.0, 30), (float(rng.uniform(0.01, 1)), 7)],
          function="cosine_lrs", forbid=("helpers.optim.cosine",), mistakes=[
    Mistake("epochs count from 0: the first epoch, e = 0, runs at the full rate lr",
            lambda lr, E: _cosine(lr, E, "from one")),
    Mistake("the factor is (1 + cos(pi e / E)) / 2 for e = 0, ..., E - 1: it reaches 0 only after the last epoch, "
            "not at it", lambda lr, E: _cosine(lr, E, "to zero")),
    Mistake("half a cosine from 1 down to 0: (1 + cos(pi e / E)) / 2, not cos(pi e / E), which turns negative",
            lambda lr, E: _cosine(lr, E, "full"))])
def mnist_cosine(lr, epochs):
    return _cosine(lr, epochs)


def _influence(X, W1, b1, W2, chunk, slip=None):
    Z = X @ W1 + b1
    A = Z if slip == "no relu" else np.maximum(Z, 0)
    size = np.linalg.norm(W1, axis=0) if slip == "incoming" else np.linalg.norm(W2, axis=1)
    return (A.sum(axis=0) if slip == "sum" else A.mean(axis=0)) * size


def _influence_cases(rng):
    """Chunks that do not divide N and a chunk larger than N; hidden units that are never active."""
    out = []
    for N, D, H, K, chunk in ((10, 5, 4, 3, 4), (7, 3, 6, 10, 100), (12, 4, 5, 4, 5), (3, 2, 3, 2, 1)):
        b1 = rng.standard_normal(H)
        b1[0] = -50.0  # unit 0 is never active
        out.append((rng.standard_normal((N, D)), rng.standard_normal((D, H)), b1, rng.standard_normal((H, K)), chunk))
    return out


@exercise("mnist_influence", _influence_cases, function="unit_influence", mistakes=[
    Mistake("a unit's outgoing weights are its row of W2, to the logits: np.linalg.norm(W2, axis=1), not the column of "
            "W1", lambda *a: _influence(*a, slip="incoming")),
    Mistake("its mean activation over the images, not the sum: divide by N (chunks of different sizes included)",
            lambda *a: _influence(*a, slip="sum")),
    Mistake("the activation is the ReLU of the pre-activation, max(X W1 + b1, 0): a unit that is never active "
            "contributes 0", lambda *a: _influence(*a, slip="no relu"))])
def mnist_influence(X, W1, b1, W2, chunk):
    return _influence(X, W1, b1, W2, chunk)


def _confusion(y_true, y_pred, K, slip=None):
    counts = np.zeros((K, K), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    if slip == "transposed":
        return counts.T
    if slip == "fractions":
        return counts / counts.sum()
    if slip == "max label":
        k = int(max(y_true.max(), y_pred.max())) + 1
        return counts[:k, :k]
    return counts


@exercise("mnist_confusion", lambda rng: [(rng.integers(0, 4, 30), rng.integers(0, 4, 30), 4),
                                         (np.array([0, 1, 1, 2, 2, 2]), np.array([0, 2, 1, 2, 1, 2]), 5),
                                         (rng.integers(0, 10, 100), rng.integers(0, 10, 100), 10),
                                         (np.array([3]), np.array([0]), 4)],
          function="confusion_counts", forbid=("helpers.plots.confusion_matrix",), mistakes=[
    Mistake("rows are the true classes and columns the predicted ones: counts[t, p], not counts[p, t]",
            lambda *a: _confusion(*a, slip="transposed")),
    Mistake("return the counts (integers), not fractions", lambda *a: _confusion(*a, slip="fractions")),
    Mistake("the matrix is K x K even when a class does not occur in y_true or y_pred",
            lambda *a: _confusion(*a, slip="max label"))])
def mnist_confusion(y_true, y_pred, K):
    return _confusion(y_true, y_pred, K)


def _validate(X, y, X_val, y_val, W1, b1, W2, b2, c, settings, epochs, beta, batch_size, seed, slip=None):
    right, cost, losses = [], [], []
    start = (W1, b1, W2, b2)
    for lr, decay in settings:
        lrs = _cosine(lr, epochs) if decay and slip != "constant" else np.full(epochs, float(lr))
        *P, L, _ = _train(X, y, *start, c, lrs, beta, batch_size, seed)
        if slip == "chained":
            start = P
        Xm, ym = (X, y) if slip == "training" else (X_val, y_val)
        right.append(np.argmax(_scores(Xm, *P), axis=1) == ym)
        net = MLP.from_params(dict(zip(KEYS, P)))
        cost.append(net.loss_and_grads(X_val, y_val, 0.0 if slip == "no penalty" else c)[0])
        losses.append(L)
    return np.array(right), np.array(cost), np.array(losses)


def _validate_cases(rng):
    out = []
    for S, V, D, H, K, c, settings, E, beta, B in (
            (12, 6, 5, 4, 3, 0.01, [(0.5, False), (0.5, True), (0.1, False)], 3, 0.9, 5),
            (10, 10, 3, 6, 4, 0.1, [(0.3, True), (0.05, False)], 2, 0.5, 4)):
        y = rng.permutation(np.arange(S) % K)
        centres = rng.standard_normal((K, D))
        X = centres[y] + rng.standard_normal((S, D))
        y_val = rng.permutation(np.arange(V) % K)
        X_val = centres[y_val] + rng.standard_normal((V, D))
        out.append((X, y, X_val, y_val, rng.standard_normal((D, H)), 0.1 * rng.standard_normal(H),
                    rng.standard_normal((H, K)), 0.1 * rng.standard_normal(K), c, settings, E, beta, B,
                    int(rng.integers(1000))))
    return out


@exercise("mnist_validate", _validate_cases, function="validate_grid", points=2, returns=("right", "cost", "losses"),
          forbid=TRAINERS, time_limit=20.0, mistakes=[
    Mistake("every setting starts from the parameters it is given, not from where the previous setting ended",
            lambda *a: _validate(*a, slip="chained")),
    Mistake("right[i] compares the predictions on the validation images with y_val, not on the training images",
            lambda *a: _validate(*a, slip="training")),
    Mistake("a setting (lr, True) runs the cosine decay of your cosine_lrs, (lr, False) the constant rate",
            lambda *a: _validate(*a, slip="constant")),
    Mistake("cost[i] is the validation cost J of your forward, with the penalty c", lambda *a: _validate(
        *a, slip="no penalty"))])
def mnist_validate(X, y, X_val, y_val, W1, b1, W2, b2, c, settings, epochs, beta, batch_size, seed):
    return _validate(X, y, X_val, y_val, W1, b1, W2, b2, c, settings, epochs, beta, batch_size, seed)


def _seeds(X, y, X_test, y_test, hidden, c, lrs, beta, batch_size, seeds, slip=None, fixed=None):
    """fixed: the one seed a slip uses in place of s (the first of seeds when None)."""
    out = []
    for s in seeds:
        one = seeds[0] if fixed is None else fixed
        start = MLP([X.shape[1], hidden, 10], seed=one if slip == "one start" else s).params.values()
        *P, _, _ = _train(X, y, *start, c, lrs, beta, batch_size, one if slip == "one order" else s)
        right = int(np.sum(np.argmax(_scores(X_test, *P), axis=1) == y_test))
        out.append(right / len(y_test) if slip == "fraction" else right)
    return np.array(out)


def _seed_cases(rng):
    out = []
    for S, T, D, H, lrs, seeds in ((14, 8, 5, 4, [0.3, 0.3, 0.1], [0, 1, 2]), (10, 12, 3, 6, [0.5, 0.2], [5, 3])):
        y = rng.permutation(np.arange(S) % 10)
        centres = 2 * rng.standard_normal((10, D))
        y_test = rng.integers(0, 10, T)
        out.append((centres[y] + rng.standard_normal((S, D)), y, centres[y_test] + rng.standard_normal((T, D)), y_test,
                    H, 0.01, lrs, 0.9, 4, seeds))
    return out


@exercise("mnist_seeds", _seed_cases, function="seed_study", forbid=TRAINERS[1:], time_limit=20.0, mistakes=[
    *(Mistake("seed s starts its own network, MLP([D, hidden, 10], seed=s): the seed moves the initialization too",
              lambda *a, f=f: _seeds(*a, slip="one start", fixed=f)) for f in (None, 0)),
    *(Mistake("pass the seed s to train_sgd as well: it orders the batches",
              lambda *a, f=f: _seeds(*a, slip="one order", fixed=f)) for f in (None, 0)),
    Mistake("return the number of test images right for each seed (integers), not the accuracy",
            lambda *a: _seeds(*a, slip="fraction"))])
def mnist_seeds(X, y, X_test, y_test, hidden, c, lrs, beta, batch_size, seeds):
    return _seeds(X, y, X_test, y_test, hidden, c, lrs, beta, batch_size, seeds)


def _fraction(x, max_n, slip=None):
    ns = range(max_n, 0, -1) if slip == "largest" else range(1, max_n + 1)
    for n in ns:
        k = round(x * n)
        if (abs(k / n - x) < 1e-4) if slip == "close" else (k / n == x):
            return k, n
    return 0, 0


@exercise("mnist_fraction", lambda rng: [(0.9773977397739774, 10_000), (0.75, 100), (1 / 3, 50), (349 / 359, 1000),
                                        (0.1, 10), (0.3, 1000), (0.29, 100), (0.57, 1000)]
          + [(k / n, 500) for n in rng.integers(20, 500, 2) for k in rng.integers(1, 20, 1)],
          function="as_fraction", returns=("k", "n"), mistakes=[
    Mistake("k / n must equal x exactly (==), not only to a few decimals: 0.9774 rounded hides which n it was",
            lambda x, m: _fraction(x, m, "close")),
    Mistake("search n upwards from 1: the smallest n gives the fraction in lowest terms",
            lambda x, m: _fraction(x, m, "largest"))])
def mnist_fraction(x, max_n):
    return _fraction(x, max_n)
