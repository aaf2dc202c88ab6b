"""Exercises of notebook 04: the parameter count f(NH), softplus and its slope, the batch forward pass,
the cross-entropy through log_softmax, the batch backward pass of the softplus 4-NH-3 network, the
assignment's initialization, the full-batch training loop and k-fold cross-validation.
Rows are samples, W is (fan_in, fan_out); the notebook's W0, b0, W1, b1 are the MLP's W1, b1, W2, b2.
iris_train and iris_cv call the student's own iris_backward, iris_init and iris_forward: a slip there
shows up here too."""

import numpy as np

from helpers.activations import sigmoid, sigmoid_grad, softmax, softplus
from helpers.gradcheck import numerical_gradient
from helpers.losses import softmax_cross_entropy
from helpers.nn import MLP
from helpers.optim import Momentum

from ._registry import Mistake, exercise

NOTEBOOK = "04_softplus_iris"
NUMERIC = ("helpers.gradcheck.numerical_gradient",)
TRAINERS = ("helpers.nn.MLP", "helpers.train.fit", "helpers.optim.Momentum", "helpers.optim.GD",
            "helpers.optim.descend")  # the training loop is the exercise
TASKS = {
    "1": "the shapes of W(0), b(0), W(1) and b(1)",
    "2": "the number of learnable parameters as a function f(N_H)",
    "3": "the forward pass: softplus hidden layer, softmax output",
    "4": "the cross-entropy loss, averaged over the samples",
    "5": "the derivatives of the loss with respect to every learnable parameter (chain rule)",
    "6": "initialize every learnable parameter from N(0, 0.05^2)",
    "7": "train the network (main.py) and measure how well it classifies",
}


def _net(W0, b0, W1, b1):
    return MLP.from_params({"W1": W0, "b1": b0, "W2": W1, "b2": b1}, hidden="softplus")


def _layers(rng, S, D, H, K):
    return (rng.normal(size=(S, D)), rng.normal(size=(D, H)), 0.5 * rng.normal(size=H),
            rng.normal(size=(H, K)) / np.sqrt(H), 0.5 * rng.normal(size=K))


@exercise("iris_param_count", lambda rng: [(n,) for n in (1, 3, 8, 100, int(rng.integers(2, 50)))],
          forbid=("helpers.nn.MLP",), reveal="f(N_H) = 4 N_H + N_H + 3 N_H + 3 = 8 N_H + 3", mistakes=[
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
          reveal="h'(z) = e^z / (1 + e^z) = sigma(z), at the pre-activation z",
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


def _big(rng):
    """Pre-activations up to about 1000 (softplus as written overflows) and logits that trail by hundreds."""
    X, W0, b0, W1, b1 = _layers(rng, 4, 4, 5, 3)
    return X, 300 * W0, b0, 200 * W1, b1


BATCH = ("each row of Y_hat must sum to 1 on its own: the softmax's sum runs over the classes of one sample "
         "(axis=1, keepdims=True), not over the whole batch")


def _whole_batch(Z2, shift):
    """The softmax over every entry of the batch (shifted by the batch's maximum, or not at all)."""
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.exp(Z2 - Z2.max()) if shift else np.exp(Z2)
        return E / E.sum()


def _naive_forward(X, W0, b0, W1, b1):
    with np.errstate(over="ignore", invalid="ignore"):
        Z2 = np.log(1 + np.exp(X @ W0 + b0)) @ W1 + b1
        return np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)


@exercise("iris_forward", lambda rng: [_layers(rng, *s) for s in ((5, 4, 8, 3), (1, 4, 3, 3), (9, 2, 5, 4))]
          + [_big(rng)], points=2, forbid=("helpers.nn.MLP",),
          reveal="Z1 = X W0 + b0, A1 = softplus(Z1), Z2 = A1 W1 + b1, Y_hat = softmax(Z2) row by row", mistakes=[
    Mistake("softmax normalizes each sample over the classes: axis=1, so that every row of Y_hat sums to 1",
            lambda X, W0, b0, W1, b1: softmax(softplus(X @ W0 + b0) @ W1 + b1, axis=0)),
    *(Mistake(BATCH, lambda X, W0, b0, W1, b1, s=s: _whole_batch(softplus(X @ W0 + b0) @ W1 + b1, s))
      for s in (True, False)),
    Mistake("the hidden activation is softplus ln(1 + e^z), not its slope sigma(z)",
            lambda X, W0, b0, W1, b1: softmax(sigmoid(X @ W0 + b0) @ W1 + b1, axis=1)),
    Mistake("e^z overflows for z above 709, in softplus and in softmax: use your stable softplus and subtract "
            "each row's maximum before the softmax's exp", _naive_forward)])
def iris_forward(X, W0, b0, W1, b1):
    return _net(W0, b0, W1, b1).forward(X)


# random logits, and one sample whose true class has probability e^-742 (a subnormal number)
@exercise("iris_cross_entropy", lambda rng: [(rng.normal(0, 2, (S, K)), np.eye(K)[rng.integers(0, K, S)])
                                             for S, K in ((6, 3), (1, 3), (4, 5))]
          + [(np.array([[0.0, -1, 742], [1, 2, 3]]), np.array([[1.0, 0, 0], [0, 1, 0]]))], points=2,
          forbid=("helpers.losses.softmax_cross_entropy",),
          reveal="L = -(1/S) sum_s sum_i Y_si log_softmax(Z2)_si", mistakes=[
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
          returns=("W0", "b0", "W1", "b1"), forbid=("helpers.nn.MLP",) + NUMERIC,
          reveal="Delta2 = (Y_hat - Y)/S, dW1 = A1.T Delta2, db1 = column sums of Delta2, "
                 "Delta1 = (Delta2 W1.T) * sigma(Z1), dW0 = X.T Delta1, db0 = column sums of Delta1", mistakes=[
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


# ----------------------------------------------------------------------------- task 6: the start

SHAPES = (("W0", lambda NH: (4, NH)), ("b0", lambda NH: (NH,)), ("W1", lambda NH: (NH, 3)), ("b1", lambda NH: (3,)))


def _init(NH, std, seed, slip=None):
    """The reference draw, or one catalogued slip of it."""
    rng = np.random.default_rng(seed)
    if slip == "legacy":
        rng = np.random.RandomState(seed)
    order = ("W0", "W1", "b0", "b1") if slip == "order" else ("W0", "b0", "W1", "b1")
    shape = dict(SHAPES)
    out = {}
    for name in order:
        if slip == "reseed":
            rng = np.random.default_rng(seed)
        s = shape[name](NH)
        if slip == "transposed" and len(s) == 2:
            s = s[::-1]
        scale = {"variance": std**2, "fixed": 0.05}.get(slip, std)
        out[name] = np.zeros(s) if slip == "zero bias" and name[0] == "b" else rng.normal(0.0, scale, s)
    return tuple(out[k] for k in ("W0", "b0", "W1", "b1"))


@exercise("iris_init", lambda rng: [(8, 0.05, 0), (1, 0.05, int(rng.integers(1, 100))), (3, 0.5, 7),
                                    (int(rng.integers(10, 30)), 0.01, int(rng.integers(100, 1000)))],
          returns=("W0", "b0", "W1", "b1"), mistakes=[
    Mistake("the assignment draws every learnable parameter from N(0, std^2), the biases b0 and b1 too",
            lambda NH, std, seed: _init(NH, std, seed, "zero bias")),
    Mistake("std is the standard deviation: rng.normal(0, std, shape), not the variance std**2",
            lambda NH, std, seed: _init(NH, std, seed, "variance")),
    Mistake("use the std you are given: the check tries other values than 0.05",
            lambda NH, std, seed: _init(NH, std, seed, "fixed")),
    Mistake("rows are samples here: W0 is (4, NH) and W1 is (NH, 3), the transposes of the assignment's matrices",
            lambda NH, std, seed: _init(NH, std, seed, "transposed")),
    Mistake("draw in the order W0, b0, W1, b1 from one generator: the check compares the numbers drawn",
            lambda NH, std, seed: _init(NH, std, seed, "order")),
    Mistake("make the generator once, rng = np.random.default_rng(seed), and draw all four from it: a new "
            "generator per parameter starts every draw from the same numbers",
            lambda NH, std, seed: _init(NH, std, seed, "reseed")),
    Mistake("use the generator np.random.default_rng(seed): np.random.seed and np.random.normal (the legacy global "
            "stream) draw other numbers, and change the state of every other user of np.random",
            lambda NH, std, seed: _init(NH, std, seed, "legacy"))])
def iris_init(NH, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(0.0, std, shape(NH)) for _, shape in SHAPES)


# ----------------------------------------------------------------------------- task 7: training

def _train(X, Y, W0, b0, W1, b1, lr, beta, steps, slip=None):
    """Full-batch heavy-ball momentum on the 4-NH-3 net, or one catalogued slip of it."""
    net = _net(*(np.array(p, dtype=np.float64) for p in (W0, b0, W1, b1)))
    rule = Momentum(lr, 0.0 if slip == "gd" else beta)
    v = {k: np.zeros_like(p) for k, p in net.params.items()}
    labels, history = np.argmax(Y, axis=1), []
    for _ in range(steps):
        loss, g = net.loss_and_grads(X, Y)
        history.append((loss, net.accuracy(X, labels)))
        if slip == "ema":  # v = beta v + (1 - beta) g, x = x - lr v
            for k, p in net.params.items():
                v[k] = beta * v[k] + (1 - beta) * g[k]
                p -= lr * v[k]
        else:
            rule.step(net.params, g)
    final = (net.loss_and_grads(X, Y)[0], net.accuracy(X, labels))
    if slip == "no start":
        history = history[1:] + [final]
    elif slip != "no end":
        history.append(final)
    losses, accuracies = np.array(history, dtype=np.float64).reshape(-1, 2).T
    P = net.params
    return P["W1"], P["b1"], P["W2"], P["b2"], losses, accuracies


def _blobs(rng, S, D=4, spread=1.2, scales=True):
    """S samples of 3 overlapping classes (every class present), columns on different scales and offsets."""
    y = rng.permutation(np.arange(S) % 3)
    X = rng.normal(size=(3, D))[y] * 1.5 + spread * rng.normal(size=(S, D))
    if scales:
        X = X * np.array([1.0, 10.0, 0.1, 3.0])[:D] + np.array([5.0, -20.0, 0.3, 1.0])[:D]
    return X, y


def _train_cases(rng):
    out = []
    for S, NH, lr, beta, steps in ((12, 5, 0.5, 0.9, 20), (9, 3, 1.0, 0.0, 15), (1, 2, 0.3, 0.5, 6),
                                   (15, 8, 0.1, 0.9, 0), (20, 4, 2.0, 0.7, 30)):
        X, y = _blobs(rng, S, scales=False)
        out.append((X, np.eye(3)[y], *_init(NH, 0.5, int(rng.integers(1000))), lr, beta, steps))
    return out


@exercise("iris_train", _train_cases, points=3, returns=("W0", "b0", "W1", "b1", "losses", "accuracies"),
          forbid=TRAINERS,
          time_limit=20.0, mistakes=[
    Mistake("heavy-ball momentum sums the gradients: v = beta v - lr g, then W = W + v (no factor 1 - beta: that "
            "is an average, which keeps the step at lr)",
            lambda *a: _train(*a, slip="ema")),
    Mistake("beta is ignored: with beta > 0 the velocity v = beta v - lr g carries over from step to step",
            lambda *a: _train(*a, slip="gd")),
    Mistake("losses and accuracies hold steps + 1 numbers each: at the start, then after every step (yours miss "
            "the ones after the last step)", lambda *a: _train(*a, slip="no end")),
    Mistake("losses and accuracies hold steps + 1 numbers each: at the start, then after every step (yours miss "
            "the ones at the start)", lambda *a: _train(*a, slip="no start"))])
def iris_train(X, Y, W0, b0, W1, b1, lr, beta, steps):
    return _train(X, Y, W0, b0, W1, b1, lr, beta, steps)


def _cv(X, y, k, NH, lr, beta, steps, slip=None):
    """k-fold cross-validation of the training recipe (fold j: samples j, j + k, ...), or one slip of it."""
    fold = np.arange(len(y)) % k
    if slip == "blocks":
        fold = np.concatenate([np.full(len(part), j) for j, part in enumerate(np.array_split(np.arange(len(y)), k))])
    acc, loss = [], []
    for j in range(k):
        fit, val = fold != j, fold == j
        ref = X if slip == "leak" else X[fit]
        mean, std = ref.mean(axis=0), ref.std(axis=0, ddof=1 if slip == "ddof" else 0)
        if slip == "raw":
            mean, std = 0.0, 1.0
        Xf, Xv = (X[fit] - mean) / std, (X[val] - mean) / std
        W0, b0, W1, b1, _, _ = _train(Xf, np.eye(3)[y[fit]], *_init(NH, 0.05, 0), lr, beta, steps)
        if slip == "train":
            Xv, val = Xf, fit
        net = _net(W0, b0, W1, b1)
        acc.append(net.accuracy(Xv, y[val]))
        loss.append(net.loss_and_grads(Xv, y[val])[0])
    return np.array(acc), np.array(loss)


def _cv_cases(rng):
    out = []
    # folds of equal and of unequal sizes (23 = 6 + 6 + 6 + 5), k from 2 to 5
    for S, k, NH, lr, beta, steps in ((23, 4, 3, 0.5, 0.9, 25), (21, 3, 2, 1.0, 0.0, 20), (12, 5, 4, 0.3, 0.5, 15),
                                      (17, 2, 5, 0.5, 0.0, 10)):
        X, y = _blobs(rng, S, spread=2.0)
        out.append((X, y, k, NH, lr, beta, steps))
    return out


@exercise("iris_cv", _cv_cases, points=2, returns=("accuracy", "loss"), forbid=TRAINERS, time_limit=20.0, mistakes=[
    Mistake("standardize with the mean and std of the training folds only: the held-out fold must not shape what "
            "the network is trained on (that leaks it into the training)", lambda *a: _cv(*a, slip="leak")),
    Mistake("standardize each training part, (X - mean) / std with its own mean and std, and apply the same numbers "
            "to the held-out fold", lambda *a: _cv(*a, slip="raw")),
    Mistake("use np.std's default (ddof=0), as helpers.data.standardize does", lambda *a: _cv(*a, slip="ddof")),
    Mistake("measure each fold on the samples held out of its training, not on the training part",
            lambda *a: _cv(*a, slip="train")),
    Mistake("fold j holds the samples j, j + k, j + 2k, ... (index % k == j), not a block of consecutive samples",
            lambda *a: _cv(*a, slip="blocks"))])
def iris_cv(X, y, k, NH, lr, beta, steps):
    return _cv(X, y, k, NH, lr, beta, steps)
