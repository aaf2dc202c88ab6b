"""Notebook 05's exercises as students write them: right answers in several styles, and wrong ones with the
words their verdict must contain. train_sgd, validate_grid and seed_study call the module's own forward,
backward, momentum_step, train_sgd, cosine_lrs and predict, as they call the student's in the notebook."""

import math
from fractions import Fraction

import numpy as np

from coursework import unpack
from helpers.activations import log_softmax, softmax
from helpers.nn import MLP

KEYS = ("W1", "b1", "W2", "b2")

# ----------------------------------------------------------------------------- the module's own right answers,
# called by the loops below (as the notebook's cells call the student's)


def forward(X, y, W1, b1, W2, b2, c):
    Z2 = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    J = -np.mean(log_softmax(Z2, axis=1)[np.arange(len(y)), y]) + c * (np.sum(W1**2) + np.sum(W2**2))
    return J, softmax(Z2, axis=1)


def backward(X, y, W1, b1, W2, b2, c):
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    D2 = softmax(A1 @ W2 + b2, axis=1)
    D2[np.arange(len(y)), y] -= 1
    D2 /= len(y)
    D1 = (D2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ D1 + 2 * c * W1, "b1": D1.sum(axis=0), "W2": A1.T @ D2 + 2 * c * W2, "b2": D2.sum(axis=0)}


def momentum_step(p, g, v, lr, beta):
    v = beta * v - lr * g
    return p + v, v


def train_sgd(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, axes=None):
    P = [np.array(p, dtype=float) for p in (W1, b1, W2, b2)]
    V = [np.zeros_like(p) for p in P]
    rng, S = np.random.default_rng(seed), len(y)
    losses, accuracies = [], []
    for lr in lrs:
        order, total, right = rng.permutation(S), 0.0, 0
        for i in range(0, S, batch_size):
            idx = order[i:i + batch_size]
            J, prob = forward(X[idx], y[idx], *P, c)
            total += J * len(idx)
            right += int(np.sum(prob.argmax(axis=1) == y[idx]))
            G = unpack("mnist_backward", backward(X[idx], y[idx], *P, c))
            for k in range(4):
                P[k], V[k] = momentum_step(P[k], G[k], V[k], lr, beta)
        losses.append(total / S)
        accuracies.append(right / S)
    return (*P, np.array(losses), np.array(accuracies))


def cosine_lrs(lr, epochs):
    return lr * (1 + np.cos(np.pi * np.arange(epochs) / epochs)) / 2


def predict(X, W1, b1, W2, b2, chunk=10_000):
    return np.concatenate([np.argmax(np.maximum(X[i:i + chunk] @ W1 + b1, 0) @ W2 + b2, axis=1)
                           for i in range(0, len(X), chunk)])


# ----------------------------------------------------------------------------- stable_softmax

def softmax_logsumexp(Z):
    m = Z.max(axis=1, keepdims=True)
    return np.exp(Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True)))


def softmax_rows(Z):
    out = np.empty_like(Z)
    for s, z in enumerate(Z):
        e = np.exp(z - np.max(z))
        out[s] = e / np.sum(e)
    return out


def softmax_float64(Z):  # computes in float64 and returns float64 for float32 input: accepted
    Z = np.asarray(Z, dtype=np.float64)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_naive(Z):
    with np.errstate(all="ignore"):
        return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def softmax_batch_max(Z):
    with np.errstate(all="ignore"):
        E = np.exp(Z - Z.max())
        return E / E.sum(axis=1, keepdims=True)


def softmax_row_mean(Z):
    with np.errstate(all="ignore"):
        E = np.exp(Z - Z.mean(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)


def softmax_columns(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


# ----------------------------------------------------------------------------- ce_grad

def ce_grad_onehot(Z, y):
    Y = np.eye(Z.shape[1])[y]
    return (softmax(Z, axis=1) - Y) / len(y)


def ce_grad_loop(Z, y):
    G = np.zeros_like(Z, dtype=float)
    for s in range(len(y)):
        z = Z[s] - Z[s].max()
        p = np.exp(z) / np.exp(z).sum()
        p[y[s]] -= 1
        G[s] = p / len(y)
    return G


def ce_grad_global_max(Z, y):  # issue 19: NaN for rows 1000 apart
    with np.errstate(all="ignore"):
        E = np.exp(Z - Z.max())
        G = E / E.sum(axis=1, keepdims=True)
    G[np.arange(len(y)), y] -= 1
    return G / len(y)


def ce_grad_row_mean(Z, y):
    with np.errstate(all="ignore"):
        E = np.exp(Z - Z.mean(axis=1, keepdims=True))
        G = E / E.sum(axis=1, keepdims=True)
    G[np.arange(len(y)), y] -= 1
    return G / len(y)


def ce_grad_no_delta(Z, y):
    return softmax(Z, axis=1) / len(y)


def ce_grad_sum(Z, y):
    G = softmax(Z, axis=1)
    G[np.arange(len(y)), y] -= 1
    return G


def ce_grad_true_class_only(Z, y):
    G = np.zeros_like(Z, dtype=float)
    P = softmax(Z, axis=1)
    G[np.arange(len(y)), y] = (P[np.arange(len(y)), y] - 1) / len(y)
    return G


# ----------------------------------------------------------------------------- l2_penalty

def l2_einsum(W1, W2, c):
    return c * (np.einsum("ij,ij->", W1, W1) + np.einsum("ij,ij->", W2, W2)), 2 * c * W1, 2 * c * W2


def l2_norm(W1, W2, c):
    return {"J": c * (np.linalg.norm(W1) ** 2 + np.linalg.norm(W2) ** 2), "dW2": 2 * c * W2, "dW1": 2 * c * W1}


def l2_list(W1, W2, c):
    return [c * (np.sum(W1 * W1) + np.sum(W2 * W2)), W1 * 2 * c, W2 * 2 * c]


# ----------------------------------------------------------------------------- forward

def forward_logsumexp(X, y, W1, b1, W2, b2, c):
    Z2 = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    m = Z2.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(Z2 - m).sum(axis=1, keepdims=True)))[:, 0]
    J = np.mean(lse - Z2[np.arange(len(y)), y]) + c * (np.linalg.norm(W1) ** 2 + np.linalg.norm(W2) ** 2)
    return {"P": np.exp(Z2 - lse[:, None]), "J": J}


def forward_onehot(X, y, W1, b1, W2, b2, c):
    Y = np.eye(W2.shape[1])[y]
    Z2 = np.where(X @ W1 + b1 > 0, X @ W1 + b1, 0) @ W2 + b2
    logP = log_softmax(Z2, axis=1)
    return [-np.sum(Y * logP) / len(y) + c * (np.sum(W1**2) + np.sum(W2**2)), np.exp(logP)]


def forward_log_of_softmax(X, y, W1, b1, W2, b2, c):  # issue 19: inf when the true class trails by 800
    P = softmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1)
    with np.errstate(divide="ignore"):
        J = -np.log(P[np.arange(len(y)), y]).mean()
    return J + c * (np.sum(W1**2) + np.sum(W2**2)), P


def forward_bias_penalty(X, y, W1, b1, W2, b2, c):
    J, P = forward(X, y, W1, b1, W2, b2, c)
    return J + c * (np.sum(b1**2) + np.sum(b2**2)), P


def forward_sum(X, y, W1, b1, W2, b2, c):
    J, P = forward(X, y, W1, b1, W2, b2, c)
    pen = c * (np.sum(W1**2) + np.sum(W2**2))
    return (J - pen) * len(y) + pen, P


def forward_no_relu(X, y, W1, b1, W2, b2, c):
    Z2 = (X @ W1 + b1) @ W2 + b2
    return -np.mean(log_softmax(Z2, axis=1)[np.arange(len(y)), y]) + c * (np.sum(W1**2) + np.sum(W2**2)), \
        softmax(Z2, axis=1)


# ----------------------------------------------------------------------------- backward

def backward_tuple(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, c)
    return g["W1"], g["b1"], g["W2"], g["b2"]


def backward_backprop_order(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, c)
    return {"W2": g["W2"], "b2": g["b2"], "W1": g["W1"], "b1": g["b1"]}  # keys in any order


def backward_onehot(X, y, W1, b1, W2, b2, c):
    S = len(y)
    Y = np.eye(W2.shape[1])[y]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    d2 = (softmax(A1 @ W2 + b2, axis=1) - Y) / S
    d1 = d2 @ W2.T
    d1[Z1 <= 0] = 0
    return [X.T @ d1 + 2 * c * W1, np.sum(d1, axis=0), A1.T @ d2 + 2 * c * W2, np.sum(d2, axis=0)]


def backward_no_mean(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, 0.0)
    S = len(y)
    return {k: S * g[k] + (2 * c * (W1 if k == "W1" else W2) if k[0] == "W" else 0) for k in KEYS}


def backward_half_penalty(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, c)
    return {k: g[k] - (c * (W1 if k == "W1" else W2) if k[0] == "W" else 0) for k in KEYS}


def backward_penalty_over_S(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, 0.0)
    return {k: g[k] + (2 * c * (W1 if k == "W1" else W2) / len(y) if k[0] == "W" else 0) for k in KEYS}


def backward_transposed(X, y, W1, b1, W2, b2, c):
    g = backward(X, y, W1, b1, W2, b2, c)
    return {k: g[k].T for k in KEYS}


def backward_source_mask(X, y, W1, b1, W2, b2, c):
    """The source's `new_d_cc[xw1 < 0] = 0`: the same as Z1 > 0 wherever no pre-activation is exactly 0."""
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    d2 = (softmax(A1 @ W2 + b2, axis=1) - np.eye(W2.shape[1])[y]) / len(y)
    d1 = d2 @ W2.T
    d1[Z1 < 0] = 0
    return {"W1": X.T @ d1 + 2 * c * W1, "b1": d1.mean(axis=0) * len(y), "W2": A1.T @ d2 + 2 * c * W2,
            "b2": d2.sum(axis=0)}


# ----------------------------------------------------------------------------- momentum_step

def momentum_inplace(p, g, v, lr, beta):
    v = v.copy()
    v *= beta
    v -= lr * g
    return p + v, v


def momentum_list(p, g, v, lr, beta):
    new_v = beta * v - lr * g
    return [p + new_v, new_v]


# ----------------------------------------------------------------------------- train_sgd

def train_dicts(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, axes=None):
    params = {"W1": W1.copy(), "b1": b1.copy(), "W2": W2.copy(), "b2": b2.copy()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    rng = np.random.default_rng(seed)
    losses, accuracies = [], []
    for lr in lrs:
        order = rng.permutation(len(y))
        costs, sizes, right = [], [], 0
        for batch in np.array_split(order, range(batch_size, len(y), batch_size)):
            J, P = forward(X[batch], y[batch], **params, c=c)
            costs.append(J)
            sizes.append(len(batch))
            right += np.count_nonzero(P.argmax(1) == y[batch])
            grads = backward(X[batch], y[batch], **params, c=c)
            for k in params:
                params[k], velocity[k] = momentum_step(params[k], grads[k], velocity[k], lr, beta)
        losses.append(np.average(costs, weights=sizes))
        accuracies.append(right / len(y))
    return {**params, "losses": losses, "accuracies": accuracies}


def train_epoch_helper(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, axes=None):
    rng = np.random.default_rng(seed)
    state = {"P": [W1.copy(), b1.copy(), W2.copy(), b2.copy()], "V": [np.zeros_like(W1), np.zeros_like(b1),
                                                                      np.zeros_like(W2), np.zeros_like(b2)]}

    def epoch(lr):
        loss = correct = 0.0
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            b = order[start:start + batch_size]
            J, P = forward(X[b], y[b], *state["P"], c)
            loss += J * len(b)
            correct += (P.argmax(1) == y[b]).sum()
            G = backward_tuple(X[b], y[b], *state["P"], c)
            for k in range(4):
                state["P"][k], state["V"][k] = momentum_step(state["P"][k], G[k], state["V"][k], lr, beta)
        return loss / len(y), correct / len(y)

    history = np.array([epoch(lr) for lr in lrs]).reshape(len(lrs), 2)
    return (*state["P"], history[:, 0], history[:, 1])


def _train_slip(slip):
    def run(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, axes=None):
        P = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]
        V = [np.zeros_like(p) for p in P]
        rng = np.random.default_rng(seed)
        losses, accs = [], []
        for lr in lrs:
            if slip == "reseed":
                rng = np.random.default_rng(seed)
            if slip == "reset":
                V = [np.zeros_like(p) for p in P]
            order = np.arange(len(y)) if slip == "no shuffle" else rng.permutation(len(y))
            total, right, n_batches = 0.0, 0, 0
            stop = len(y) - len(y) % batch_size if slip == "drop last" else len(y)
            for i in range(0, stop, batch_size):
                idx = order[i:i + batch_size]
                J, prob = forward(X[idx], y[idx], *P, c)
                total += J if slip == "unweighted" else J * len(idx)
                n_batches += 1
                right += int(np.sum(prob.argmax(1) == y[idx]))
                G = backward_tuple(X[idx], y[idx], *P, c)
                for k in range(4):
                    step_lr = lrs[0] if slip == "first lr" else lr
                    if slip == "ema":
                        V[k] = beta * V[k] + (1 - beta) * G[k]
                        P[k] = P[k] - step_lr * V[k]
                    else:
                        P[k], V[k] = momentum_step(P[k], G[k], V[k], step_lr, 0.0 if slip == "gd" else beta)
            if slip == "after":
                J, prob = forward(X, y, *P, c)
                losses.append(J)
                accs.append(np.mean(prob.argmax(1) == y))
            else:
                losses.append(total / (n_batches if slip == "unweighted" else len(y)))
                accs.append(right / len(y))
        if slip == "in place":  # the caller's arrays changed: the next case starts from trained weights
            W1 += 0.0
        return (*P, np.array(losses), np.array(accs))
    return run


def train_without_params(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed, axes=None):
    return train_sgd(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed)[4:]


# ----------------------------------------------------------------------------- cosine_lrs

def cosine_loop(lr, epochs):
    return [lr * 0.5 * (1 + math.cos(math.pi * e / epochs)) for e in range(epochs)]


def cosine_squared(lr, epochs):
    return lr * np.cos(np.pi * np.arange(epochs) / (2 * epochs)) ** 2  # (1 + cos 2t) / 2 = cos^2 t


# ----------------------------------------------------------------------------- predict

def predict_all_at_once(X, W1, b1, W2, b2, chunk=10_000):
    return np.argmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1)


def predict_softmax(X, W1, b1, W2, b2, chunk=10_000):
    out = np.empty(len(X), dtype=int)
    for i in range(0, len(X), chunk):
        out[i:i + chunk] = softmax(np.maximum(X[i:i + chunk] @ W1 + b1, 0) @ W2 + b2, axis=1).argmax(axis=1)
    return out


def predict_array_split(X, W1, b1, W2, b2, chunk=10_000):
    parts = np.array_split(X, range(chunk, len(X), chunk))
    return np.hstack([(np.maximum(p @ W1 + b1, 0) @ W2 + b2).argmax(1) for p in parts])


# ----------------------------------------------------------------------------- wilson

def wilson_counts(k, n, z=1.96):
    mid = (k + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * math.sqrt(k * (n - k) / n + z**2 / 4)
    return mid - half, mid + half


def wilson_numpy(k, n, z=1.96):
    p = k / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return np.float64(centre - half), np.float64(centre + half)


def wilson_wald(k, n, z=1.96):
    p = k / n
    half = z * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def wilson_centred_at_p(k, n, z=1.96):
    p = k / n
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return p - half, p + half


def wilson_percent(k, n, z=1.96):
    return tuple(100 * v for v in wilson_counts(k, n, z))


# ----------------------------------------------------------------------------- mcnemar_p

def mcnemar_fractions(b, c):
    n = b + c
    tail = sum(Fraction(math.comb(n, i), 2**n) for i in range(min(b, c) + 1))
    return float(min(1, 2 * tail))


def mcnemar_loop(b, c):
    n, k = b + c, min(b, c)
    term, tail = 0.5**n, 0.0  # C(n, 0) / 2^n, then C(n, i + 1) = C(n, i) (n - i) / (i + 1)
    for i in range(k + 1):
        tail += term
        term *= (n - i) / (i + 1)
    return min(1.0, 2 * tail)


def mcnemar_one_sided(b, c):
    n = b + c
    return sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n


def mcnemar_uncapped(b, c):
    n = b + c
    return 2 * sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n


def mcnemar_chi2(b, c):
    if b + c == 0:
        return 1.0
    return math.erfc(math.sqrt((b - c) ** 2 / (b + c) / 2))


# ----------------------------------------------------------------------------- validate_grid

def validate_dicts(X, y, X_val, y_val, W1, b1, W2, b2, c, settings, epochs, beta, batch_size, seed):
    rows = []
    for lr, decay in settings:
        lrs = cosine_lrs(lr, epochs) if decay else np.full(epochs, lr)
        out = train_dicts(X, y, W1, b1, W2, b2, c, lrs, beta, batch_size, seed)
        params = {k: out[k] for k in KEYS}
        rows.append((predict(X_val, **params) == y_val, forward(X_val, y_val, **params, c=c)[0], out["losses"]))
    right, cost, losses = zip(*rows)
    return {"losses": np.array(losses), "right": np.array(right), "cost": np.array(cost)}


def _validate_slip(slip):
    def run(X, y, X_val, y_val, W1, b1, W2, b2, c, settings, epochs, beta, batch_size, seed):
        start, right, cost, losses = (W1, b1, W2, b2), [], [], []
        for lr, decay in settings:
            lrs = cosine_lrs(lr, epochs) if decay and slip != "constant" else [lr] * epochs
            *P, L, _ = train_sgd(X, y, *start, c, lrs, beta, batch_size, seed)
            if slip == "chained":
                start = P
            Xm, ym = (X, y) if slip == "training" else (X_val, y_val)
            right.append(predict(Xm, *P) == ym)
            cost.append(forward(X_val, y_val, *P, 0.0 if slip == "no penalty" else c)[0])
            losses.append(L)
        return np.array(right), np.array(cost), np.array(losses)
    return run


# ----------------------------------------------------------------------------- seed_study

def seeds_dict_start(X, y, X_test, y_test, hidden, c, lrs, beta, batch_size, seeds):
    counts = np.zeros(len(seeds), dtype=int)
    for j, s in enumerate(seeds):
        p = MLP([X.shape[1], hidden, 10], seed=s).params
        out = train_dicts(X, y, p["W1"], p["b1"], p["W2"], p["b2"], c, lrs, beta, batch_size, s)
        counts[j] = np.count_nonzero(predict(X_test, out["W1"], out["b1"], out["W2"], out["b2"]) == y_test)
    return counts


def _seeds_slip(slip):
    def run(X, y, X_test, y_test, hidden, c, lrs, beta, batch_size, seeds):
        out = []
        for s in seeds:
            start = MLP([X.shape[1], hidden, 10], seed=0 if slip == "one start" else s).params.values()
            *P, _, _ = train_sgd(X, y, *start, c, lrs, beta, batch_size, 0 if slip == "one order" else s)
            right = np.sum(predict(X_test, *P) == y_test)
            out.append(right / len(y_test) if slip == "fraction" else right)
        return out
    return run


# ----------------------------------------------------------------------------- as_fraction

def fraction_while(x, max_n):
    n = 1
    while n <= max_n:
        if round(x * n) / n == x:
            return round(x * n), n
        n += 1
    return None


def fraction_numpy(x, max_n):
    n = np.arange(1, max_n + 1)
    k = np.round(x * n)
    first = np.flatnonzero(k / n == x)[0]
    return int(k[first]), int(n[first])


def fraction_limit_denominator(x, max_n):  # Fraction finds the closest, which is x itself when one exists
    f = Fraction(x).limit_denominator(max_n)
    return f.numerator, f.denominator


def fraction_close(x, max_n):
    for n in range(1, max_n + 1):
        if abs(round(x * n) / n - x) < 1e-4:
            return round(x * n), n


def fraction_floor(x, max_n):  # int() truncates: 0.29 * 100 = 28.999999999999996 gives 28
    for n in range(1, max_n + 1):
        k = int(x * n)
        if k / n == x:
            return k, n
    return 0, 0


# ----------------------------------------------------------------------------- confusion_counts

def confusion_loop(y_true, y_pred, K):
    counts = np.zeros((K, K), dtype=int)
    for t, p in zip(y_true, y_pred):
        counts[t, p] += 1
    return counts


def confusion_bincount(y_true, y_pred, K):
    return np.bincount(y_true * K + y_pred, minlength=K * K).reshape(K, K)


def confusion_histogram(y_true, y_pred, K):
    return np.histogram2d(y_true, y_pred, bins=K, range=[[0, K], [0, K]])[0].astype(int)


# ----------------------------------------------------------------------------- unit_influence

def influence_at_once(X, W1, b1, W2, chunk=10_000):
    return np.maximum(X @ W1 + b1, 0).mean(axis=0) * np.sqrt((W2**2).sum(axis=1))


def influence_running_mean(X, W1, b1, W2, chunk=10_000):
    mean, seen = np.zeros(W1.shape[1]), 0
    for i in range(0, len(X), chunk):
        A = np.maximum(X[i:i + chunk] @ W1 + b1, 0)
        mean += (A.sum(axis=0) - len(A) * mean) / (seen + len(A))
        seen += len(A)
    return mean * np.linalg.norm(W2, axis=1)


def influence_mean_of_chunk_means(X, W1, b1, W2, chunk=10_000):  # wrong when the last chunk is smaller
    means = [np.maximum(X[i:i + chunk] @ W1 + b1, 0).mean(axis=0) for i in range(0, len(X), chunk)]
    return np.mean(means, axis=0) * np.linalg.norm(W2, axis=1)


RIGHT = {
    "mnist_softmax": [softmax_logsumexp, softmax_rows, softmax_float64,
                      lambda Z: 1 / np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
                      * np.exp(Z - Z.max(axis=1, keepdims=True))],
    "mnist_ce_grad": [ce_grad_onehot, ce_grad_loop],
    "mnist_l2_penalty": [l2_einsum, l2_norm, l2_list],
    "mnist_forward": [forward, forward_logsumexp, forward_onehot],
    "mnist_backward": [backward, backward_tuple, backward_backprop_order, backward_onehot],
    "mnist_momentum_step": [momentum_step, momentum_inplace, momentum_list],
    "mnist_train": [train_sgd, train_dicts, train_epoch_helper],
    "mnist_cosine": [cosine_lrs, cosine_loop, cosine_squared],
    "mnist_predict": [predict, predict_softmax, predict_array_split],
    "mnist_wilson": [wilson_counts, wilson_numpy],
    "mnist_mcnemar": [mcnemar_fractions, mcnemar_loop],
    "mnist_validate": [_validate_slip(None), validate_dicts],
    "mnist_seeds": [_seeds_slip(None), seeds_dict_start],
    "mnist_fraction": [fraction_while, fraction_numpy, fraction_limit_denominator],
    "mnist_confusion": [confusion_loop, confusion_bincount, confusion_histogram],
    "mnist_influence": [influence_at_once, influence_running_mean],
}

WRONG = {
    "mnist_softmax": [
        (softmax_naive, "subtract each row's maximum first"),
        (softmax_batch_max, "subtract each row's own maximum"),
        (softmax_row_mean, "not its mean"),
        (softmax_columns, "normalize along axis=1"),
        (lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True)), None),
    ],
    "mnist_ce_grad": [
        (ce_grad_global_max, None),
        (ce_grad_row_mean, None),
        (ce_grad_no_delta, "the -onehot(y) term is missing"),
        (ce_grad_sum, "divide every row by S"),
        (ce_grad_true_class_only, None),
    ],
    "mnist_l2_penalty": [
        (lambda W1, W2, c: (c * (np.sum(W1**2) + np.sum(W2**2)), c * W1, c * W2), None),
        (lambda W1, W2, c: (c * (np.sum(np.abs(W1)) + np.sum(np.abs(W2))), 2 * c * W1, 2 * c * W2), None),
        (lambda W1, W2, c: (c * (np.linalg.norm(W1) + np.linalg.norm(W2)), 2 * c * W1, 2 * c * W2), None),
    ],
    "mnist_forward": [
        (forward_log_of_softmax, None),
        (forward_bias_penalty, "the biases are not penalized"),
        (forward_sum, None),
        (forward_no_relu, None),
        (lambda X, y, W1, b1, W2, b2, c: forward(X, y, W1, b1, W2, b2, c)[0], None),
    ],
    "mnist_backward": [
        (backward_no_mean, "the 1/S is missing"),
        (backward_half_penalty, "not c W"),
        (backward_penalty_over_S, "not 2 c W / S"),
        (backward_transposed, None),
        (lambda X, y, W1, b1, W2, b2, c: backward_tuple(X, y, W1, b1, W2, b2, c)[2:], None),
    ],
    "mnist_momentum_step": [
        (lambda p, g, v, lr, beta: (p + v, beta * v - lr * g), "update v first"),
        (lambda p, g, v, lr, beta: (p - lr * g, beta * v - lr * g), "not by -lr g alone"),
        (lambda p, g, v, lr, beta: (p + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g),
         "no (1 - beta) factor"),
    ],
    "mnist_train": [
        (_train_slip("reseed"), "make the generator once"),
        (_train_slip("no shuffle"), "rng.permutation(S)"),
        (_train_slip("reset"), "the velocities start at 0 once"),
        (_train_slip("drop last"), "the last batch keeps the remainder"),
        (_train_slip("first lr"), "lrs[e]"),
        (_train_slip("unweighted"), "weight each batch's cost"),
        (_train_slip("gd"), "beta is ignored"),
        (_train_slip("ema"), "no factor 1 - beta"),
        (_train_slip("after"), "before its step"),
        (train_without_params, None),
    ],
    "mnist_cosine": [
        (lambda lr, E: lr * (1 + np.cos(np.pi * np.arange(1, E + 1) / E)) / 2, "epochs count from 0"),
        (lambda lr, E: lr * (1 + np.cos(np.pi * np.arange(E) / max(E - 1, 1))) / 2, "not at it"),
        (lambda lr, E: lr * np.cos(np.pi * np.arange(E) / E), "which turns negative"),
        (lambda lr, E: np.full(E, lr), None),
    ],
    "mnist_predict": [
        (lambda X, W1, b1, W2, b2, chunk=10_000: np.concatenate(
            [np.argmax(np.maximum(X[i:i + chunk] @ W1 + b1, 0) @ W2 + b2, axis=1)
             for i in range(0, len(X) - len(X) % chunk, chunk)] + [np.zeros(0, dtype=int)]),
         "the last chunk keeps the remainder"),
        (lambda X, W1, b1, W2, b2, chunk=10_000: softmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1),
         "not the probabilities"),
        (lambda X, W1, b1, W2, b2, chunk=10_000: np.argmax((X @ W1 + b1) @ W2 + b2, axis=1), "applies the ReLU"),
    ],
    "mnist_wilson": [
        (wilson_wald, "Wald"),
        (wilson_centred_at_p, "not at p = k/n"),
        (wilson_percent, None),
    ],
    "mnist_mcnemar": [
        (mcnemar_one_sided, "double the tail"),
        (mcnemar_uncapped, "at most 1"),
        (mcnemar_chi2, "chi-square approximation"),
    ],
    "mnist_validate": [
        (_validate_slip("chained"), "from the parameters it is given"),
        (_validate_slip("training"), "on the validation images"),
        (_validate_slip("constant"), "cosine decay"),
        (_validate_slip("no penalty"), "with the penalty c"),
    ],
    "mnist_seeds": [
        (_seeds_slip("one start"), "seed=s"),
        (_seeds_slip("one order"), "pass the seed s to train_sgd"),
        (_seeds_slip("fraction"), "not the accuracy"),
    ],
    "mnist_fraction": [
        (fraction_close, "exactly (==)"),
        (lambda x, max_n: (round(x * max_n), max_n), None),
        (fraction_floor, None),
    ],
    "mnist_confusion": [
        (lambda t, p, K: confusion_loop(t, p, K).T, "counts[t, p], not counts[p, t]"),
        (lambda t, p, K: confusion_loop(t, p, K) / len(t), "not fractions"),
        (lambda t, p, K: confusion_loop(t, p, int(max(t.max(), p.max())) + 1), "K x K"),
    ],
    "mnist_influence": [
        (lambda X, W1, b1, W2, chunk=10_000: np.maximum(X @ W1 + b1, 0).mean(0) * np.linalg.norm(W1, axis=0),
         "not the column of W1"),
        (lambda X, W1, b1, W2, chunk=10_000: np.maximum(X @ W1 + b1, 0).sum(0) * np.linalg.norm(W2, axis=1),
         "not the sum"),
        (lambda X, W1, b1, W2, chunk=10_000: (X @ W1 + b1).mean(0) * np.linalg.norm(W2, axis=1), "never active"),
        (influence_mean_of_chunk_means, None),
    ],
}
