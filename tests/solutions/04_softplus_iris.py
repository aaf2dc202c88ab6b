"""Notebook 04's exercises as students write them: right answers in several styles, and wrong ones with the
words their verdict must contain. iris_train and iris_cv call the module's own iris_backward, iris_init,
iris_train and iris_forward, as they call the student's in the notebook."""

import math

import numpy as np

from coursework import unpack
from helpers.activations import log_softmax, sigmoid, sigmoid_grad, softmax, softplus
from helpers.data import standardize
from helpers.gradcheck import numerical_gradient
from helpers.losses import softmax_cross_entropy
from helpers.nn import MLP
from helpers.optim import Momentum
from helpers.train import fit

# ----------------------------------------------------------------------------- the module's own right answers,
# called by iris_train and iris_cv below (as the notebook's cells call the student's)


def iris_forward(X, W0, b0, W1, b1):
    Z2 = softplus(X @ W0 + b0) @ W1 + b1
    return softmax(Z2, axis=1)


def iris_cross_entropy(Z2, Y):
    return -np.sum(Y * log_softmax(Z2, axis=1)) / Z2.shape[0]


def iris_backward(X, Y, W0, b0, W1, b1):
    Z1 = X @ W0 + b0
    A1 = softplus(Z1)
    delta2 = (softmax(A1 @ W1 + b1, axis=1) - Y) / len(X)
    delta1 = (delta2 @ W1.T) * sigmoid(Z1)
    return {"W0": X.T @ delta1, "b0": delta1.sum(axis=0), "W1": A1.T @ delta2, "b1": delta2.sum(axis=0)}


def iris_init(NH, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, std, (4, NH)), rng.normal(0, std, NH), rng.normal(0, std, (NH, 3)), rng.normal(0, std, 3)


def iris_train(X, Y, W0, b0, W1, b1, lr, beta, steps):
    P = [np.array(p, dtype=float) for p in (W0, b0, W1, b1)]
    V = [np.zeros_like(p) for p in P]
    losses, accs = [], []
    for step in range(steps + 1):
        Z2 = softplus(X @ P[0] + P[1]) @ P[2] + P[3]
        losses.append(iris_cross_entropy(Z2, Y))
        accs.append(np.mean(Z2.argmax(axis=1) == Y.argmax(axis=1)))
        if step == steps:
            break
        G = unpack("iris_backward", iris_backward(X, Y, *P))
        for i in range(4):
            V[i] = beta * V[i] - lr * G[i]
            P[i] += V[i]
    return (*P, np.array(losses), np.array(accs))


# ----------------------------------------------------------------------------- iris_param_count

def count_loop(NH):
    return int(sum(np.prod(s) for s in [(4, NH), (NH,), (NH, 3), (3,)]))


def count_per_unit(NH):
    return (4 + 1) * NH + (NH + 1) * 3  # each hidden unit: 4 weights and a bias; each output: NH weights and a bias


def count_float(NH):
    return 8.0 * NH + 3.0


# ----------------------------------------------------------------------------- softplus_and_grad

def softplus_logaddexp(z):
    return np.logaddexp(0, z), np.exp(-np.logaddexp(0, -z))  # sigma(z) = e^-softplus(-z)


def softplus_where(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):  # both branches are evaluated; where keeps the finite one
        value = np.where(z > 0, z + np.log1p(np.exp(-z)), np.log1p(np.exp(z)))
        slope = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    return value, slope


def softplus_math_loop(z):
    z = np.asarray(z, dtype=float)
    value = [max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in z.ravel()]
    slope = [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in z.ravel()]
    return np.array(value).reshape(z.shape), np.array(slope).reshape(z.shape)


def softplus_list(z):
    return [np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))), sigmoid(z)]


def softplus_naive_slope(z):  # the value is stable, the slope 1 / (1 + e^-z) overflows for z < -709 and gives 0
    with np.errstate(over="ignore"):
        return np.logaddexp(0, z), 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- iris_forward

def forward_einsum(X, W0, b0, W1, b1):
    A1 = np.logaddexp(0, np.einsum("sd,dh->sh", X, W0) + b0)
    Z2 = np.einsum("sh,hk->sk", A1, W1) + b1
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def forward_rows(X, W0, b0, W1, b1):
    rows = []
    for x in X:  # one sample at a time, in the assignment's column form
        a1 = softplus(W0.T @ x + b0)
        z2 = W1.T @ a1 + b1
        e = np.exp(z2 - z2.max())
        rows.append(e / e.sum())
    return np.array(rows)


def forward_log_softmax(X, W0, b0, W1, b1):
    return np.exp(log_softmax(softplus(X @ W0 + b0) @ W1 + b1, axis=1))


# ----------------------------------------------------------------------------- iris_cross_entropy

def ce_gather(Z2, Y):
    return -np.mean(log_softmax(Z2, axis=1)[np.arange(len(Z2)), np.argmax(Y, axis=1)])


def ce_logsumexp(Z2, Y):
    m = Z2.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(Z2 - m).sum(axis=1, keepdims=True))
    return float(-(Y * (Z2 - lse)).sum(axis=1).mean())


def ce_loop(Z2, Y):
    total = 0.0
    for z, y in zip(Z2, Y):
        total -= y @ (z - z.max() - np.log(np.sum(np.exp(z - z.max()))))
    return total / len(Z2)


# ----------------------------------------------------------------------------- iris_backward

def backward_tuple(X, Y, W0, b0, W1, b1):
    g = iris_backward(X, Y, W0, b0, W1, b1)
    return g["W0"], g["b0"], g["W1"], g["b1"]


def backward_shuffled_keys(X, Y, W0, b0, W1, b1):
    g = iris_backward(X, Y, W0, b0, W1, b1)
    return {"b1": g["b1"], "W1": g["W1"], "b0": g["b0"], "W0": g["W0"]}


def backward_einsum(X, Y, W0, b0, W1, b1):
    Z1 = np.einsum("sd,dh->sh", X, W0) + b0
    A1 = np.logaddexp(0, Z1)
    d2 = (softmax(A1 @ W1 + b1, axis=1) - Y) / X.shape[0]
    d1 = np.einsum("sk,hk->sh", d2, W1) / (1 + np.exp(-Z1))
    return [np.einsum("sd,sh->dh", X, d1), d1.sum(0), np.einsum("sh,sk->hk", A1, d2), d2.sum(0)]


def backward_per_sample(X, Y, W0, b0, W1, b1):
    grads = [np.zeros_like(W0, dtype=float), np.zeros_like(b0, dtype=float), np.zeros_like(W1, dtype=float),
             np.zeros_like(b1, dtype=float)]
    for x, y in zip(X, Y):  # outer products, one sample at a time, then the mean
        z1 = x @ W0 + b0
        a1 = softplus(z1)
        e2 = softmax(a1 @ W1 + b1) - y
        e1 = (W1 @ e2) * sigmoid(z1)
        for g, part in zip(grads, (np.outer(x, e1), e1, np.outer(a1, e2), e2)):
            g += part / len(X)
    return tuple(grads)


def _slip(X, Y, W0, b0, W1, b1, slip):
    Z1 = X @ W0 + b0
    A1 = softplus(Z1)
    d2 = (softmax(A1 @ W1 + b1, axis=1) - Y) / (1 if slip == "no 1/S" else len(X))
    back = d2 @ (W1 if slip == "W1" else W1.T)
    d1 = back * {"A1": sigmoid(A1), "sigma'": sigmoid_grad(Z1)}.get(slip, sigmoid(Z1))
    return {"W0": X.T @ d1, "b0": d1.sum(axis=0), "W1": d2.T @ A1 if slip == "dW1" else A1.T @ d2,
            "b1": d2 if slip == "b1" else d2.sum(axis=0)}


def backward_numerical(X, Y, W0, b0, W1, b1):
    P = [W0, b0, W1, b1]

    def loss(i, v):
        Q = P[:i] + [v] + P[i + 1:]
        return iris_cross_entropy(softplus(X @ Q[0] + Q[1]) @ Q[2] + Q[3], Y)

    return [numerical_gradient(lambda v, i=i: loss(i, v), p) for i, p in enumerate(P)]


def backward_mlp(X, Y, W0, b0, W1, b1):
    g = MLP.from_params({"W1": W0, "b1": b0, "W2": W1, "b2": b1}, hidden="softplus").loss_and_grads(X, Y)[1]
    return g["W1"], g["b1"], g["W2"], g["b2"]


# ----------------------------------------------------------------------------- iris_init

def init_dict(NH, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    return {"W0": std * rng.standard_normal((4, NH)), "b0": std * rng.standard_normal(NH),
            "W1": std * rng.standard_normal((NH, 3)), "b1": std * rng.standard_normal(3)}


def init_loop(NH, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for shape in [(4, NH), (NH,), (NH, 3), (3,)]:
        out.append(rng.normal(loc=0.0, scale=std, size=shape))
    return out


def init_flat(NH, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    W0 = rng.normal(0, std, 4 * NH).reshape(4, NH)  # a flat draw fills the rows in order: the same numbers
    b0 = rng.normal(0, std, NH)
    W1 = rng.normal(0, std, NH * 3).reshape(NH, 3)
    return W0, b0, W1, rng.normal(0, std, 3)


def _init_wrong(NH, std, seed, slip):
    rng = np.random.default_rng(seed)
    if slip == "legacy":
        np_rng = np.random.RandomState(seed)  # what np.random.seed(seed); np.random.normal(...) draws
        return tuple(np_rng.normal(0, std, s) for s in [(4, NH), (NH,), (NH, 3), (3,)])
    if slip == "zero bias":
        return rng.normal(0, std, (4, NH)), np.zeros(NH), rng.normal(0, std, (NH, 3)), np.zeros(3)
    if slip == "variance":
        return tuple(rng.normal(0, std**2, s) for s in [(4, NH), (NH,), (NH, 3), (3,)])
    if slip == "fixed":
        return tuple(rng.normal(0, 0.05, s) for s in [(4, NH), (NH,), (NH, 3), (3,)])
    if slip == "transposed":
        return rng.normal(0, std, (NH, 4)), rng.normal(0, std, NH), rng.normal(0, std, (3, NH)), rng.normal(0, std, 3)
    if slip == "order":
        W0, W1 = rng.normal(0, std, (4, NH)), rng.normal(0, std, (NH, 3))
        return W0, rng.normal(0, std, NH), W1, rng.normal(0, std, 3)
    if slip == "reseed":
        return tuple(np.random.default_rng(seed).normal(0, std, s) for s in [(4, NH), (NH,), (NH, 3), (3,)])
    raise ValueError(slip)


# ----------------------------------------------------------------------------- iris_train

def train_dicts(X, Y, W0, b0, W1, b1, lr, beta, steps):
    params = {"W0": W0.copy(), "b0": b0.copy(), "W1": W1.copy(), "b1": b1.copy()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    losses, accuracies = [], []

    def record():
        Y_hat = iris_forward(X, **params)
        losses.append(-np.mean(np.log(np.sum(Y * Y_hat, axis=1))))
        accuracies.append(np.mean(np.argmax(Y_hat, axis=1) == np.argmax(Y, axis=1)))

    record()
    for _ in range(steps):
        grads = iris_backward(X, Y, **params)
        for k in params:
            velocity[k] = beta * velocity[k] - lr * grads[k]
            params[k] = params[k] + velocity[k]
        record()
    return {**params, "losses": np.array(losses), "accuracies": np.array(accuracies)}


def train_sum_of_gradients(X, Y, W0, b0, W1, b1, lr, beta, steps):
    """The other way to write heavy ball: v = beta v + g, W = W - lr v (the same steps for a fixed lr)."""
    P = [np.copy(W0), np.copy(b0), np.copy(W1), np.copy(b1)]
    V = [0.0] * 4
    losses, accuracies = [], []
    for t in range(steps + 1):
        Z2 = softplus(X @ P[0] + P[1]) @ P[2] + P[3]
        losses.append(iris_cross_entropy(Z2, Y))
        accuracies.append((Z2.argmax(1) == Y.argmax(1)).mean())
        if t < steps:
            G = backward_tuple(X, Y, *P)
            V = [beta * v + g for v, g in zip(V, G)]
            P = [p - lr * v for p, v in zip(P, V)]
    return P[0], P[1], P[2], P[3], losses, accuracies  # lists are fine


def _train_wrong(X, Y, W0, b0, W1, b1, lr, beta, steps, slip):
    P = [np.array(p, dtype=float) for p in (W0, b0, W1, b1)]
    V = [np.zeros_like(p) for p in P]
    hist = []
    for _ in range(steps):
        Z2 = softplus(X @ P[0] + P[1]) @ P[2] + P[3]
        hist.append((iris_cross_entropy(Z2, Y), np.mean(Z2.argmax(1) == Y.argmax(1))))
        G = backward_tuple(X, Y, *P)
        for i in range(4):
            if slip == "ema":
                V[i] = beta * V[i] + (1 - beta) * G[i]
                P[i] = P[i] - lr * V[i]
            elif slip == "no beta":
                P[i] = P[i] - lr * G[i]
            elif slip == "sign":
                V[i] = beta * V[i] + lr * G[i]
                P[i] = P[i] + V[i]
            else:
                V[i] = beta * V[i] - lr * G[i]
                P[i] = P[i] + V[i]
    Z2 = softplus(X @ P[0] + P[1]) @ P[2] + P[3]
    final = (iris_cross_entropy(Z2, Y), np.mean(Z2.argmax(1) == Y.argmax(1)))
    if slip == "no end":
        pass
    elif slip == "no start":
        hist = hist[1:] + [final]
    else:
        hist.append(final)
    if slip == "count":
        hist = [(loss, acc * len(X)) for loss, acc in hist]
    losses, accs = (np.array([h[i] for h in hist]) for i in (0, 1))
    return (*P, losses, accs)


def train_momentum_helper(X, Y, W0, b0, W1, b1, lr, beta, steps):
    params = {"W0": W0.copy(), "b0": b0.copy(), "W1": W1.copy(), "b1": b1.copy()}
    rule, losses, accs = Momentum(lr, beta), [], []
    for t in range(steps + 1):
        Y_hat = iris_forward(X, **params)
        losses.append(-np.mean(np.log(np.sum(Y * Y_hat, axis=1))))
        accs.append(np.mean(Y_hat.argmax(1) == Y.argmax(1)))
        if t < steps:
            rule.step(params, iris_backward(X, Y, **params))
    return {**params, "losses": losses, "accuracies": accs}


# ----------------------------------------------------------------------------- iris_cv

def cv_standardize(X, y, k, NH, lr, beta, steps):
    accuracy, loss = [], []
    for j in range(k):
        held = np.flatnonzero(np.arange(len(y)) % k == j)
        rest = np.flatnonzero(np.arange(len(y)) % k != j)
        X_fit, mean, std = standardize(X[rest])
        X_held = standardize(X[held], mean, std)[0]
        W0, b0, W1, b1, _, _ = iris_train(X_fit, np.eye(3)[y[rest]], *iris_init(NH, 0.05, 0), lr, beta, steps)
        Y_hat = iris_forward(X_held, W0, b0, W1, b1)
        accuracy.append(np.mean(Y_hat.argmax(axis=1) == y[held]))
        loss.append(-np.mean(np.log(Y_hat[np.arange(len(held)), y[held]])))
    return accuracy, loss


def cv_dict(X, y, k, NH, lr, beta, steps):
    fold = np.arange(len(y)) % k
    out = {"accuracy": np.zeros(k), "loss": np.zeros(k)}
    for j in range(k):
        tr = fold != j
        mu, sd = np.mean(X[tr], axis=0), np.std(X[tr], axis=0)
        trained = unpack("iris_train", iris_train((X[tr] - mu) / sd, np.eye(3)[y[tr]], *iris_init(NH), lr, beta, steps))
        Z2 = softplus((X[~tr] - mu) / sd @ trained[0] + trained[1]) @ trained[2] + trained[3]
        out["accuracy"][j] = np.mean(np.argmax(Z2, axis=1) == y[~tr])
        out["loss"][j] = iris_cross_entropy(Z2, np.eye(3)[y[~tr]])
    return out


def cv_slices(X, y, k, NH, lr, beta, steps):
    acc, loss = [], []
    order = np.arange(len(y))
    for j in range(k):
        held = order[j::k]  # samples j, j + k, j + 2k, ...
        rest = np.setdiff1d(order, held)
        m, s = X[rest].mean(0), X[rest].std(0)
        P = iris_train((X[rest] - m) / s, np.eye(3)[y[rest]], *iris_init(NH, 0.05, 0), lr, beta, steps)[:4]
        Yh = iris_forward((X[held] - m) / s, *P)
        acc.append((Yh.argmax(1) == y[held]).mean())
        loss.append(-np.log(Yh[np.arange(len(held)), y[held]]).mean())
    return np.array(acc), np.array(loss)


def _cv_wrong(X, y, k, NH, lr, beta, steps, slip):
    fold = np.arange(len(y)) % k
    if slip == "blocks":
        fold = np.concatenate([np.full(len(part), j) for j, part in enumerate(np.array_split(np.arange(len(y)), k))])
    acc, loss = [], []
    for j in range(k):
        tr, te = fold != j, fold == j
        ref = X if slip == "leak" else X[tr]
        m, s = ref.mean(0), ref.std(0, ddof=1 if slip == "ddof" else 0)
        if slip == "raw":
            m, s = 0.0, 1.0
        Xf, Xh = (X[tr] - m) / s, (X[te] - m) / s
        P = iris_train(Xf, np.eye(3)[y[tr]], *iris_init(NH), lr, beta, steps)[:4]
        if slip == "train":
            Xh, te = Xf, tr
        Z2 = softplus(Xh @ P[0] + P[1]) @ P[2] + P[3]
        acc.append(np.mean(Z2.argmax(1) == y[te]) * (te.sum() if slip == "count" else 1))
        loss.append(iris_cross_entropy(Z2, np.eye(3)[y[te]]))
    return np.array(acc), np.array(loss)


def cv_fit(X, y, k, NH, lr, beta, steps):
    fold = np.arange(len(y)) % k
    acc, loss = [], []
    for j in range(k):
        tr = fold != j
        m, s = X[tr].mean(0), X[tr].std(0)
        W0, b0, W1, b1 = iris_init(NH)
        net = MLP.from_params({"W1": W0, "b1": b0, "W2": W1, "b2": b1}, hidden="softplus")
        fit(net, (X[tr] - m) / s, y[tr], epochs=steps, batch_size=int(tr.sum()), rule=Momentum(lr, beta),
            progress=False)
        acc.append(net.accuracy((X[~tr] - m) / s, y[~tr]))
        loss.append(net.loss_and_grads((X[~tr] - m) / s, y[~tr])[0])
    return np.array(acc), np.array(loss)


def cv_generator(X, y, k, NH, lr, beta, steps):
    return (j for j in range(k))


RIGHT = {
    "iris_param_count": [lambda NH: 8 * NH + 3, count_loop, count_per_unit, count_float],
    "softplus_and_grad": [softplus_logaddexp, softplus_where, softplus_math_loop, softplus_list],
    "iris_forward": [iris_forward, forward_einsum, forward_rows, forward_log_softmax],
    "iris_cross_entropy": [iris_cross_entropy, ce_gather, ce_logsumexp, ce_loop],
    "iris_backward": [iris_backward, backward_tuple, backward_shuffled_keys, backward_einsum, backward_per_sample],
    "iris_init": [iris_init, init_dict, init_loop, init_flat],
    "iris_train": [iris_train, train_dicts, train_sum_of_gradients],
    "iris_cv": [cv_standardize, cv_dict, cv_slices],
}

WRONG = {
    "iris_param_count": [
        (lambda NH: 4 * NH + 3 * NH, "the biases are parameters too"),
        (lambda NH: 7 * NH + 3, "b0 adds N_H parameters"),
        (lambda NH: 4 * NH + NH + 3 * NH, "b1 adds 3 parameters"),
        (lambda NH: 8 * (NH + 1) + 3, None),
        (lambda NH: "8 * NH + 3", "string"),
        (lambda NH: MLP([4, NH, 3]).n_params, "hands the work to helpers.nn.MLP"),
    ],
    "softplus_and_grad": [
        (lambda z: (np.log(1 + np.exp(z)), sigmoid(z)), "as written gives 0"),
        (lambda z: (np.log1p(np.exp(z)), sigmoid(z)), "still overflows"),
        (lambda z: (softplus(z), sigmoid(softplus(z))), "the slope is sigma at the pre-activation"),
        (lambda z: (softplus(z), sigmoid_grad(z)), "one derivative too many"),
        (lambda z: (softplus(z), sigmoid(-z)), "check the sign of the exponent"),
        (softplus_naive_slope, "the output slope"),
        (lambda z: np.logaddexp(0, z), "expects 2 values"),
        (lambda z: (softplus(z), sigmoid(z)), "hands the work to helpers.activations.softplus"),
    ],
    "iris_forward": [
        (lambda X, W0, b0, W1, b1: softmax(softplus(X @ W0 + b0) @ W1 + b1, axis=0), "axis=1"),
        (lambda X, W0, b0, W1, b1: softmax(sigmoid(X @ W0 + b0) @ W1 + b1, axis=1), "not its slope"),
        (lambda X, W0, b0, W1, b1: np.exp(softplus(X @ W0 + b0) @ W1 + b1)
         / np.exp(softplus(X @ W0 + b0) @ W1 + b1).sum(), "not over the whole batch"),
        (lambda X, W0, b0, W1, b1: np.exp(np.log(1 + np.exp(X @ W0 + b0)) @ W1 + b1)
         / np.exp(np.log(1 + np.exp(X @ W0 + b0)) @ W1 + b1).sum(axis=1, keepdims=True), "overflows"),
        (lambda X, W0, b0, W1, b1: softmax(softplus(X @ W0.T + b0) @ W1 + b1, axis=1), "raised ValueError"),
        (lambda X, W0, b0, W1, b1: softmax(softplus(X @ W0 + b0) @ W1, axis=1), None),
        (lambda X, W0, b0, W1, b1: softplus(X @ W0 + b0) @ W1 + b1, None),
        (lambda X, W0, b0, W1, b1: MLP.from_params({"W1": W0, "b1": b0, "W2": W1, "b2": b1},
                                                   hidden="softplus").forward(X), "hands the work to helpers.nn.MLP"),
    ],
    "iris_cross_entropy": [
        (lambda Z2, Y: -np.sum(Y * log_softmax(Z2, axis=1)), "divide the sum by S"),
        (lambda Z2, Y: -np.mean(Y * log_softmax(Z2, axis=1)), "sum over the classes, then average"),
        (lambda Z2, Y: -np.sum(Y * np.log(softmax(Z2, axis=1))) / len(Z2), "use log_softmax"),
        (lambda Z2, Y: np.sum(Y * log_softmax(Z2, axis=1)) / len(Z2), "wrong sign"),
        (lambda Z2, Y: -np.sum(Y * log_softmax(Z2, axis=0)) / len(Z2), None),
        (lambda Z2, Y: softmax_cross_entropy(Z2, Y)[0], "hands the work to helpers.losses.softmax_cross_entropy"),
    ],
    "iris_backward": [
        (lambda *a: _slip(*a, "dW1"), "dW1 is transposed"),
        (lambda *a: _slip(*a, "W1"), "through the transpose"),
        (lambda *a: _slip(*a, "A1"), "not at A1"),
        (lambda *a: _slip(*a, "sigma'"), "off by the factor 1 - sigma(Z1)"),
        (lambda *a: _slip(*a, "b1"), "sums the rows"),
        (lambda *a: _slip(*a, "no 1/S"), "delta2 = (Y_hat - Y) / S"),
        (lambda X, Y, W0, b0, W1, b1: iris_backward(X, Y, W0, b0, W1, b1)["W0"], "expects 4 values"),
        (backward_numerical, "hands the work to helpers.gradcheck.numerical_gradient"),
        (backward_mlp, "hands the work to helpers.nn.MLP"),
    ],
    "iris_init": [
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "zero bias"), "the biases b0 and b1 too"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "variance"), "not the variance"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "fixed"), "use the std you are given"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "transposed"), "W0 is (4, NH)"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "order"), "in the order W0, b0, W1, b1"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "reseed"), "make the generator once"),
        (lambda NH, std=0.05, seed=0: _init_wrong(NH, std, seed, "legacy"), "np.random.default_rng(seed)"),
        (lambda NH, std=0.05, seed=0: None, "returns None"),
    ],
    "iris_train": [
        (lambda *a: _train_wrong(*a, "ema"), "no factor 1 - beta"),
        (lambda *a: _train_wrong(*a, "no beta"), "beta is ignored"),
        (lambda *a: _train_wrong(*a, "no end"), "the ones after the last step"),
        (lambda *a: _train_wrong(*a, "no start"), "the ones at the start"),
        (lambda *a: _train_wrong(*a, "sign"), None),
        (lambda *a: _train_wrong(*a, "count"), None),
        (train_momentum_helper, "hands the work to helpers.optim.Momentum"),
    ],
    "iris_cv": [
        (lambda *a: _cv_wrong(*a, "leak"), "training folds only"),
        (lambda *a: _cv_wrong(*a, "raw"), "standardize each training part"),
        (lambda *a: _cv_wrong(*a, "ddof"), "ddof=0"),
        (lambda *a: _cv_wrong(*a, "train"), "held out of its training"),
        (lambda *a: _cv_wrong(*a, "blocks"), "index % k == j"),
        (lambda *a: _cv_wrong(*a, "count"), None),
        (cv_fit, "hands the work to helpers."),
        (cv_generator, "generator"),
    ],
}
