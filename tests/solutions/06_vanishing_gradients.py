"""Notebook 06's exercises as students write them: right answers in several styles, and wrong ones with the
words their verdict must contain. gd_on_bump, adam_on_bump and h_star_sweep call the module's own
bump_grad, adam_step and largest_escapable_h, as they call the student's in the notebook."""

import math

import numpy as np

from helpers.activations import sigmoid, sigmoid_grad
from helpers.nn import MLP
from helpers.objectives import bump
from helpers.optim import GD, Adam, Momentum, minimize
from helpers.sigmoid_chain import chain_forward
from helpers.train import fit

# ----------------------------------------------------------------------------- the module's own right answers,
# called by the exercises that build on them (as the notebook's cells call the student's)


def slope_from_h(h):
    return h * (1 - h)


def bump_grad(x, h):
    return np.select([x < 1, x < 1 + h, x < 2 + 2 * h], [-1.0, 1.0, -1.0], 1.0)


def adam_step(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def escapes(h, rule, steps=100):
    return bool(minimize(bump(h), [0.0], rule, steps)[-1, 0] > 1.0 + h)


def largest_escapable_h(rule, steps=100, hi=3.0, tol=1e-4):
    if escapes(hi, rule, steps):
        return hi
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if escapes(mid, rule, steps) else (lo, mid)
    return lo


# ----------------------------------------------------------------------------- the chain

def _forward(x, w1, b1, w, b, L=5, skips=False):
    """The activations h_1..h_L of the chain (skips into odd layers k >= 3, before the sigmoid)."""
    h = [sigmoid(w1 * x + b1)]
    for k in range(2, L + 1):
        h.append(sigmoid(w * h[-1] + b + (h[-2] if skips and k >= 3 and k % 2 == 1 else 0)))
    return h


def chain_grad(x, w1, b1, w, b):
    h = _forward(x, w1, b1, w, b)
    g = slope_from_h(h[4])
    for k in (3, 2, 1, 0):
        g = g * w * slope_from_h(h[k])
    return x * g, g


def chain_grad_product(x, w1, b1, w, b):
    """The closed form x w^4 prod sigma'(z_k), with the slopes at the pre-activations."""
    z = [w1 * x + b1]
    for _ in range(4):
        z.append(w * sigmoid(z[-1]) + b)
    d = w**4 * np.prod([sigmoid_grad(zk) for zk in z], axis=0)
    return x * d, d


def chain_grad_dict(x, w1, b1, w, b):
    dw1, db1 = chain_grad(x, w1, b1, w, b)
    return {"dy_db1": db1, "dy_dw1": dw1}


def chain_grad_list(x, w1, b1, w, b):
    h1 = sigmoid(w1 * x + b1)
    h2 = sigmoid(w * h1 + b)
    h3 = sigmoid(w * h2 + b)
    h4 = sigmoid(w * h3 + b)
    y = sigmoid(w * h4 + b)
    d = y * (1 - y) * w * h4 * (1 - h4) * w * h3 * (1 - h3) * w * h2 * (1 - h2) * w * h1 * (1 - h1)
    return [x * d, d]


def chain_grad_from_one(x, w1, b1, w, b):
    h = _forward(x, w1, b1, w, b)
    g = 1.0  # wrong: dy/dz5 is sigma'(z5), not 1
    for k in (3, 2, 1, 0):
        g = g * w * slope_from_h(h[k])
    return x * g, g


def chain_grad_sigma_of_h(x, w1, b1, w, b):
    h = _forward(x, w1, b1, w, b)
    d = w**4 * np.prod([sigmoid_grad(hk) for hk in h], axis=0)  # wrong: sigma'(h) for sigma'(z)
    return x * d, d


def chain_grad_no_x(x, w1, b1, w, b):
    d = chain_grad(x, w1, b1, w, b)[1]
    return d, d


def chain_grad_w5(x, w1, b1, w, b):
    dw1, db1 = chain_grad(x, w1, b1, w, b)
    return w * dw1, w * db1


def chain_grad_swapped(x, w1, b1, w, b):
    dw1, db1 = chain_grad(x, w1, b1, w, b)
    return db1, dw1


def depth_grads(x, w1, b1, w, b, L, skips=False):
    x, w1, b1, w, b = np.broadcast_arrays(x, w1, b1, w, b)
    h = [sigmoid(w1 * x + b1)]
    t = [slope_from_h(h[0]) * x]
    for k in range(2, L + 1):
        skip = skips and k >= 3 and k % 2 == 1
        h.append(sigmoid(w * h[-1] + b + (h[-2] if skip else 0)))
        t.append(slope_from_h(h[-1]) * (w * t[-1] + (t[-2] if skip else 0)))
    return np.array(t)


def depth_grads_preallocated(x, w1, b1, w, b, L, skips=False):
    shape = np.broadcast(x, w1, b1, w, b).shape
    H, T = np.zeros((L,) + shape), np.zeros((L,) + shape)
    z = w1 * x + b1
    H[0], T[0] = sigmoid(z), sigmoid_grad(z) * x
    for i in range(1, L):
        z, dz = w * H[i - 1] + b, w * T[i - 1]
        if skips and i >= 2 and i % 2 == 0:  # layer k = i + 1 is odd
            z, dz = z + H[i - 2], dz + T[i - 2]
        H[i], T[i] = sigmoid(z), sigmoid_grad(z) * dz
    return T


def depth_grads_reverse(x, w1, b1, w, b, L, skips=False):
    """A reverse pass for every depth, on the activations of helpers' forward pass."""
    out = []
    for depth in range(1, L + 1):
        H = chain_forward(x, w, b, depth, skips, w1, b1)[1]["H"]
        dh = [np.zeros_like(H[0]) for _ in range(depth)]
        dh[-1] = np.ones_like(H[0])
        for i in reversed(range(depth)):
            dz = dh[i] * H[i] * (1 - H[i])
            if i >= 1:
                dh[i - 1] = dh[i - 1] + w * dz
            if skips and i >= 2 and i % 2 == 0:
                dh[i - 2] = dh[i - 2] + dz
        out.append(dz * x)
    return np.array(out)


def depth_grads_no_last_slope(x, w1, b1, w, b, L, skips=False):
    return depth_grads(x, w1, b1, w, b, L, skips) / sigmoid_grad(chain_forward(x, w, b, L, skips, w1, b1)[1]["Z"])


def depth_grads_no_x(x, w1, b1, w, b, L, skips=False):
    return depth_grads(1.0, w1 * x, b1, w, b, L, skips)  # dz1/db1 = 1 in place of x: dy/db1


def depth_grads_from_two(x, w1, b1, w, b, L, skips=False):
    return depth_grads(x, w1, b1, w, b, L + 1, skips)[1:]


def depth_grads_residual(x, w1, b1, w, b, L, skips=False):
    x, w1, b1, w, b = np.broadcast_arrays(x, w1, b1, w, b)
    h, t = [sigmoid(w1 * x + b1)], [sigmoid_grad(w1 * x + b1) * x]
    for k in range(2, L + 1):
        skip = skips and k >= 3 and k % 2 == 1
        z = w * h[-1] + b
        h.append(sigmoid(z) + (h[-2] if skip else 0))  # wrong: the skip after the sigmoid
        t.append(sigmoid_grad(z) * w * t[-1] + (t[-2] if skip else 0))
    return np.array(t)


def depth_grads_no_skips(x, w1, b1, w, b, L, skips=False):
    return depth_grads(x, w1, b1, w, b, L)


def log_depth_grads(x, w1, b1, w, b, depths):
    z, log_t, out = w1 * x + b1, np.log10(np.abs(x)), {}
    for k in range(1, max(depths) + 1):
        h = sigmoid(z)
        out[k] = log_t + np.log10(slope_from_h(h))
        log_t = out[k] + np.log10(np.abs(w))
        z = w * h + b
    return np.array([out[k] for k in depths])


def log_depth_grads_ln(x, w1, b1, w, b, depths):
    """Natural logarithms, converted at the end; the depths kept in a list as they come."""
    x, w1, b1, w, b = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, w1, b1, w, b)))
    z, acc, kept = w1 * x + b1, np.log(np.abs(x)), []
    for k in range(1, max(depths) + 1):
        s = sigmoid_grad(z)
        if k in depths:
            kept.append((k, acc + np.log(s)))
        acc = acc + np.log(np.abs(w)) + np.log(s)
        z = w * sigmoid(z) + b
    found = dict(kept)
    return np.array([found[k] for k in depths]) / math.log(10)


def log_depth_grads_stack(x, w1, b1, w, b, depths):
    """The logarithms of every factor stacked, then summed with cumsum."""
    x, w1, b1, w, b = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, w1, b1, w, b)))
    z, slopes = w1 * x + b1, []
    for _ in range(max(depths)):
        slopes.append(np.log10(sigmoid_grad(z)))
        z = w * sigmoid(z) + b
    S = np.array(slopes)
    through = np.cumsum(S + np.log10(np.abs(w)), axis=0)  # through[k-1]: layers 1..k, each with its w
    out = [np.log10(np.abs(x)) + (through[k - 2] if k >= 2 else 0.0) + S[k - 1] for k in depths]
    return np.array(out)


def log_depth_grads_of_product(x, w1, b1, w, b, depths):
    g = depth_grads(x, w1, b1, w, b, max(depths))
    with np.errstate(divide="ignore"):
        return np.log10(np.abs(g[np.array(depths) - 1]))


def log_depth_grads_no_last_slope(x, w1, b1, w, b, depths):
    return log_depth_grads(x, w1, b1, w, b, depths) - np.array(
        [np.log10(slope_from_h(_forward(x, w1, b1, w, b, k)[-1])) for k in depths])


def log_depth_grads_natural(x, w1, b1, w, b, depths):
    return log_depth_grads(x, w1, b1, w, b, depths) * math.log(10)  # forgot: log10, not ln


def log_depth_grads_off_by_one(x, w1, b1, w, b, depths):
    return log_depth_grads(x, w1, b1, w, b, [d + 1 for d in depths])


# ----------------------------------------------------------------------------- the skips

def chain_grad_skips(x, w1, b1, w, b):
    h1 = sigmoid(w1 * x + b1)
    h2 = sigmoid(w * h1 + b)
    h3 = sigmoid(w * h2 + h1 + b)
    h4 = sigmoid(w * h3 + b)
    y = sigmoid(w * h4 + h3 + b)
    dz5 = slope_from_h(y)
    dz4 = w * dz5 * slope_from_h(h4)
    dz3 = (w * dz4 + dz5) * slope_from_h(h3)
    dz2 = w * dz3 * slope_from_h(h2)
    dz1 = (w * dz2 + dz3) * slope_from_h(h1)
    return x * dz1, dz1


def _skip_slopes(x, w1, b1, w, b):
    return [slope_from_h(h) for h in _forward(x, w1, b1, w, b, 5, skips=True)]


def chain_grad_skips_factored(x, w1, b1, w, b):
    s1, s2, s3, s4, s5 = _skip_slopes(x, w1, b1, w, b)
    d = s1 * s3 * s5 * (1 + w**2 * s2) * (1 + w**2 * s4)
    return x * d, d


def chain_grad_skips_dict(x, w1, b1, w, b):
    d = sum(skip_paths(x, w1, b1, w, b)) / 1.0
    return {"dy_dw1": d, "dy_db1": chain_grad_skips_factored(x, w1, b1, w, b)[1]}


def chain_grad_skips_plain_s4(x, w1, b1, w, b):
    s1, s2, s3, _, s5 = _skip_slopes(x, w1, b1, w, b)
    s4 = slope_from_h(_forward(x, w1, b1, w, b)[3])  # wrong: the plain chain's slope at layer 4
    d = s1 * s3 * s5 * (1 + w**2 * s2) * (1 + w**2 * s4)
    return x * d, d


def chain_grad_skips_one_path(x, w1, b1, w, b):
    s = _skip_slopes(x, w1, b1, w, b)
    d = w**4 * s[0] * s[1] * s[2] * s[3] * s[4]
    return x * d, d


def chain_grad_skips_three_paths(x, w1, b1, w, b):
    s1, s2, s3, s4, s5 = _skip_slopes(x, w1, b1, w, b)
    d = s1 * s5 * (w**4 * s2 * s3 * s4 + w**2 * s3 * s4 + w**2 * s2 * s3)
    return x * d, d


def chain_grad_skips_no_x(x, w1, b1, w, b):
    d = chain_grad_skips(x, w1, b1, w, b)[1]
    return d, d


def skip_paths(x, w1, b1, w, b):
    s1, s2, s3, s4, s5 = _skip_slopes(x, w1, b1, w, b)
    ends = x * s1 * s5
    return ends * w**4 * s2 * s3 * s4, ends * w**2 * s3 * s4, ends * w**2 * s2 * s3, ends * s3


def skip_paths_from_z(x, w1, b1, w, b):
    s = sigmoid_grad(chain_forward(x, w, b, 5, True, w1, b1)[1]["Z"])
    edges = {"all_layers": (w, w, w, w), "first_skip": (1, w, w), "second_skip": (w, w, 1), "both_skips": (1, 1)}
    slopes = {"all_layers": (1, 2, 3), "first_skip": (2, 3), "second_skip": (1, 2), "both_skips": (2,)}
    return {name: x * s[0] * s[4] * math.prod(edges[name]) * math.prod(s[i] for i in slopes[name]) for name in edges}


def skip_paths_list(x, w1, b1, w, b):
    s1, s2, s3, s4, s5 = _skip_slopes(x, w1, b1, w, b)
    return [x * s1 * s5 * v for v in (w**4 * s2 * s3 * s4, w**2 * s3 * s4, w**2 * s2 * s3, s3)]


def skip_paths_plain_s4(x, w1, b1, w, b):
    s1, s2, s3, _, s5 = _skip_slopes(x, w1, b1, w, b)
    s4 = slope_from_h(_forward(x, w1, b1, w, b)[3])
    ends = x * s1 * s5
    return ends * w**4 * s2 * s3 * s4, ends * w**2 * s3 * s4, ends * w**2 * s2 * s3, ends * s3


def skip_paths_plain_slopes(x, w1, b1, w, b):
    s1, s2, s3, s4, s5 = [slope_from_h(h) for h in _forward(x, w1, b1, w, b)]
    ends = x * s1 * s5
    return ends * w**4 * s2 * s3 * s4, ends * w**2 * s3 * s4, ends * w**2 * s2 * s3, ends * s3


def skip_paths_no_ends(x, w1, b1, w, b):
    _, s2, s3, s4, _ = _skip_slopes(x, w1, b1, w, b)
    return w**4 * s2 * s3 * s4, w**2 * s3 * s4, w**2 * s2 * s3, s3


def skip_paths_swapped(x, w1, b1, w, b):
    a, first, second, both = skip_paths(x, w1, b1, w, b)
    return a, second, first, both


def fixed_slope_gain(w, s2, s4):
    return (1 + 1 / (w**2 * s2)) * (1 + 1 / (w**2 * s4))


def gain_ratio(w, s2, s4):
    plain = w**4 * s2 * s4
    skips = (1 + w**2 * s2) * (1 + w**2 * s4)
    return skips / plain


def gain_expanded(w, s2, s4):
    return (w**4 * s2 * s4 + w**2 * s2 + w**2 * s4 + 1) / (w**4 * s2 * s4)


def gain_loop(w, s2, s4):
    out = np.ones(np.broadcast(w, s2, s4).shape)
    for s in (s2, s4):
        out = out * (1 + 1 / (np.asarray(w) ** 2 * s))
    return out if out.shape else float(out)


# ----------------------------------------------------------------------------- the ten-layer experiment

def train_deep(sizes, hidden, init, residual, epochs, data):
    X, y, X_fixed, y_fixed, X_test, y_test = data
    model = MLP(sizes, hidden=hidden, init=init, residual=residual, seed=0)
    norms = []

    def record(epoch, history):
        grads = model.loss_and_grads(X_fixed, y_fixed)[1]
        norms.append([np.linalg.norm(grads[f"b{l}"]) for l in range(1, model.n_layers + 1)])

    record(0, None)
    start = model.accuracy(X, y)
    history = fit(model, X, y, epochs=epochs, batch_size=32, rule=Momentum(0.02, 0.9), progress=False, callback=record)
    return np.array(norms), np.array([start] + history.train_acc), model.accuracy(X_test, y_test)


class _Recorder:
    def __init__(self, model, X, y):
        self.model, self.X, self.y, self.rows, self.acc = model, X, y, [], []

    def __call__(self, epoch, history):
        grads = self.model.loss_and_grads(self.X, self.y)[1]
        biases = sorted((k for k in grads if k[0] == "b"), key=lambda k: int(k[1:]))
        self.rows.append([float(np.sqrt(np.sum(grads[k] ** 2))) for k in biases])
        return False


def train_deep_recorder(sizes, hidden, init, residual, epochs, data):
    X, y, X_fixed, y_fixed, X_test, y_test = data
    model = MLP(sizes, hidden=hidden, init=init, residual=residual, seed=0)
    rec = _Recorder(model, X_fixed, y_fixed)
    rec(0, None)
    accuracies = [model.accuracy(X, y)]
    history = fit(model, X, y, epochs=epochs, batch_size=32, rule=Momentum(0.02, 0.9), progress=False, callback=rec)
    accuracies += list(history.train_acc)
    return {"test_acc": model.accuracy(X_test, y_test), "norms": rec.rows, "train_acc": accuracies}


def train_deep_accuracy_in_callback(sizes, hidden, init, residual, epochs, data):
    X, y, X_fixed, y_fixed, X_test, y_test = data
    model = MLP(sizes, hidden=hidden, init=init, residual=residual, seed=0)
    norms, accs = [], []

    def measure(*_):
        g = model.loss_and_grads(X_fixed, y_fixed)[1]
        norms.append([np.linalg.norm(g["b" + str(l)]) for l in range(1, len(sizes))])
        accs.append(model.accuracy(X, y))  # the same number fit stores in history.train_acc

    measure()
    fit(model, X, y, epochs=epochs, batch_size=32, rule=Momentum(0.02, 0.9), progress=False, callback=measure)
    return norms, accs, model.accuracy(X_test, y_test)


def _train_deep_slip(sizes, hidden, init, residual, epochs, data, slip):
    X, y, X_fixed, y_fixed, X_test, y_test = data
    model = MLP(sizes, hidden=hidden, init=init, residual=residual and slip != "residual", seed=0)
    norms = []

    def record(epoch, history):
        Xm, ym = (X, y) if slip == "all" else (X_fixed, y_fixed)
        grads = model.loss_and_grads(Xm, ym)[1]
        norms.append([np.linalg.norm(grads[f"{'W' if slip == 'W' else 'b'}{l}"]) for l in range(1, model.n_layers + 1)])

    if slip != "no start":
        record(0, None)
    start = model.accuracy(X, y)
    history = fit(model, X, y, epochs=epochs, batch_size=64 if slip == "batch" else 32, rule=Momentum(0.02, 0.9),
                  progress=False, callback=record)
    return np.array(norms), np.array([start] + history.train_acc), model.accuracy(X_test, y_test)


# ----------------------------------------------------------------------------- the bump

def bump_grad_masks(x, h):
    slope = np.ones(np.shape(x))
    slope[x < 2 + 2 * h] = -1.0
    slope[x < 1 + h] = 1.0
    slope[x < 1] = -1.0
    return slope


def bump_grad_where(x, h):
    return np.where(x < 1, -1.0, np.where(x < 1 + h, 1.0, np.where(x < 2 + 2 * h, -1.0, 1.0)))


def bump_grad_loop(x, h):
    out = []
    for v in x:
        if v < 1:
            out.append(-1)
        elif v < 1 + h:
            out.append(1)
        elif v < 2 + 2 * h:
            out.append(-1)
        else:
            out.append(1)
    return np.array(out, dtype=float)


def gd_on_bump(h, lr, steps, x0=0.0):
    path = [x0]
    for _ in range(steps):
        path.append(path[-1] - lr * bump_grad(np.array([path[-1]]), h)[0])
    return np.array(path)


def gd_on_bump_array(h, lr, steps, x0=0.0):
    xs = np.empty(steps + 1)
    xs[0] = x0
    for k in range(steps):
        xs[k + 1] = xs[k] - lr * bump_grad(xs[k:k + 1], h)[0]
    return xs


def gd_on_bump_while(h, lr, steps, x0=0.0):
    x, path = float(x0), [float(x0)]
    while len(path) <= steps:
        slope = -1.0 if x < 1 else 1.0 if x < 1 + h else -1.0 if x < 2 + 2 * h else 1.0
        x -= lr * slope
        path.append(x)
    return path


def gd_on_bump_ascent(h, lr, steps, x0=0.0):
    path = [x0]
    for _ in range(steps):
        path.append(path[-1] + lr * bump_grad(np.array([path[-1]]), h)[0])
    return np.array(path)


def gd_on_bump_no_x0(h, lr, steps, x0=0.0):
    return gd_on_bump(h, lr, steps, x0)[1:]


def gd_on_bump_from_zero(h, lr, steps, x0=0.0):
    return gd_on_bump(h, lr, steps)


def gd_on_bump_source_slope(h, lr, steps, x0=0.0):
    path = [x0]
    for _ in range(steps):
        path.append(path[-1] - lr * (1.0 if abs(path[-1]) < 1 + h else -1.0))
    return np.array(path)


def gd_on_bump_multiples(h, lr, steps, x0=0.0):
    return x0 + lr * np.arange(steps + 1)  # wrong: only the way down, as if the slope never turned


def adam_step_lr_t(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma and Ba's "efficient" form: the step size lr_t folds both corrections in."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2**t)), m, v


def adam_step_dict(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * np.square(g)
    step = lr * (new_m / (1 - beta1**t)) / (np.sqrt(new_v / (1 - beta2**t)) + eps)
    return {"v": new_v, "x": x - step, "m": new_m}


def adam_step_list(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m * beta1 + g * (1 - beta1)
    v = v * beta2 + g**2 * (1 - beta2)
    return [x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v]


def _adam_step_slip(x, g, m, v, t, lr, beta1, beta2, eps, slip):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m if slip in ("no correction", "m", "printed") else m / (1 - beta1**t)
    v_hat = v if slip == "no correction" else v / (1 - beta2**t)
    if slip in ("printed", "multiply"):
        return x - lr * m_hat * np.sqrt(v_hat), m, v
    sign = -1 if slip == "ascent" else 1
    return x - sign * lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_on_bump(h, lr, beta1, beta2, steps, x0=0.0):
    x, m, v, path = x0, 0.0, 0.0, [x0]
    for t in range(1, steps + 1):
        x, m, v = adam_step(x, bump_grad(np.array([x]), h)[0], m, v, t, lr, beta1, beta2, 1e-8)
        path.append(x)
    return np.array(path)


def adam_on_bump_array(h, lr, beta1, beta2, steps, x0=0.0):
    xs, m, v = np.empty(steps + 1), np.zeros(1), np.zeros(1)
    xs[0] = x0
    for t in range(1, steps + 1):
        x, m, v = adam_step(xs[t - 1:t], bump_grad(xs[t - 1:t], h), m, v, t, lr, beta1, beta2, 1e-8)
        xs[t] = x[0]
    return xs


def adam_on_bump_inline(h, lr, beta1, beta2, steps, x0=0.0):
    """Adam written out in the loop, no adam_step."""
    x, m, v, path = x0, 0.0, 0.0, [x0]
    for t in range(1, steps + 1):
        g = -1.0 if x < 1 else 1.0 if x < 1 + h else -1.0 if x < 2 + 2 * h else 1.0
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = x - lr * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + 1e-8)
        path.append(x)
    return path


def _adam_on_bump_slip(h, lr, beta1, beta2, steps, x0=0.0, slip=None):
    x, m, v, path = x0, np.float64(0.0), np.float64(0.0), [x0]
    for t in range(1, steps + 1):
        if slip == "reset":
            m = v = 0.0
        g = bump_grad(np.array([x]), h)[0]
        if slip == "no correction":
            x, m, v = _adam_step_slip(x, g, m, v, t, lr, beta1, beta2, 1e-8, "no correction")
        else:
            x, m, v = adam_step(x, g, m, v, t - 1 if slip == "t0" else t, lr, beta1, beta2, 1e-8)
        path.append(x)
    return np.array(path[1:] if slip == "no x0" else path)


def _adam_on_bump_t0_floats(h, lr, beta1, beta2, steps, x0=0.0):
    x, m, v, path = x0, 0.0, 0.0, [x0]
    for t in range(steps):  # wrong: t = 0 first, and Python floats divide by 0 with an error
        m = beta1 * m + (1 - beta1) * (-1.0 if x < 1 else 1.0)
        v = beta2 * v + (1 - beta2)
        x = x - lr * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + 1e-8)
        path.append(x)
    return path


def largest_escapable_h_recursive(rule, steps=100, hi=3.0, tol=1e-4):
    def search(lo, hi):
        if hi - lo <= tol:
            return lo
        mid = (lo + hi) / 2
        return search(mid, hi) if escapes(mid, rule, steps) else search(lo, mid)
    return hi if escapes(hi, rule, steps) else search(0.0, hi)


def largest_escapable_h_counted(rule, steps=100, hi=3.0, tol=1e-4):
    """A fixed number of halvings, enough for the tolerance; the midpoint of the last interval."""
    if escapes(hi, rule, steps):
        return hi
    lo = 0.0
    for _ in range(math.ceil(math.log2(hi / tol))):
        mid = (lo + hi) / 2
        if escapes(mid, rule, steps):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def largest_escapable_h_own_run(rule, steps=100, hi=3.0, tol=1e-4):
    """The runs written with the rule's step, not with minimize."""
    def ends_beyond(h):
        x = {"x": np.zeros(1)}
        rule.reset()
        objective = bump(h)
        for _ in range(steps):
            rule.step(x, {"x": objective.grad(x["x"][None, :])[0]})
        return x["x"][0] > 1 + h
    if ends_beyond(hi):
        return hi
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if ends_beyond(mid):
            lo = mid
        else:
            hi = mid
    return lo


def largest_escapable_h_swapped(rule, steps=100, hi=3.0, tol=1e-4):
    if escapes(hi, rule, steps):
        return hi
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if escapes(mid, rule, steps) else (mid, hi)
    return hi


def largest_escapable_h_fixed_args(rule, steps=100, hi=3.0, tol=1e-4):
    return largest_escapable_h(rule, 100, 3.0, tol)


def largest_escapable_h_scan(rule, steps=100, hi=3.0, tol=1e-4):
    best = 0.0
    for h in np.arange(0.05, hi, 0.05):  # wrong: a coarse scan, not to the tolerance
        if escapes(h, rule, steps):
            best = h
    return best


def largest_escapable_h_none(rule, steps=100, hi=3.0, tol=1e-4):
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if escapes(mid, rule, steps) else (lo, mid)


def h_star_sweep(lrs, beta1=0.9):
    h_star = []
    for lr in lrs:
        h_star.append(largest_escapable_h(Adam(lr, beta1), int(2 / lr) + 40, 3.0, 1e-3 * lr))
    return np.array(h_star)


def h_star_sweep_comprehension(lrs, beta1=0.9):
    return [largest_escapable_h(Adam(lr, beta1=beta1), steps=int(2 / lr) + 40, tol=lr / 1000) for lr in lrs]


def h_star_sweep_fine(lrs, beta1=0.9):
    """A tighter tolerance than asked for: still within the check's."""
    return np.array(list(map(lambda lr: largest_escapable_h(Adam(lr, beta1), int(2 / lr) + 40, 3.0, 1e-4 * lr), lrs)))


def h_star_sweep_100(lrs, beta1=0.9):
    return np.array([largest_escapable_h(Adam(lr, beta1), 100, 3.0, 1e-3 * lr) for lr in lrs])


def h_star_sweep_fixed_tol(lrs, beta1=0.9):
    return np.array([largest_escapable_h(Adam(lr, beta1), int(2 / lr) + 40, 3.0, 1e-3) for lr in lrs])


def h_star_sweep_default_beta(lrs, beta1=0.9):
    return np.array([largest_escapable_h(Adam(lr), int(2 / lr) + 40, 3.0, 1e-3 * lr) for lr in lrs])


def h_star_sweep_gd(lrs, beta1=0.9):
    return np.array([largest_escapable_h(GD(lr), int(2 / lr) + 40, 3.0, 1e-3 * lr) for lr in lrs])


def adam_law(lr, beta1=0.9):
    lr = np.asarray(lr, dtype=float)
    j = np.arange(1, 1000)
    C = np.maximum(0.0, 2 * beta1**j - 1).sum()
    return (lr * np.ceil(1 / lr) - 1) + C * lr


def adam_law_loop(lr, beta1=0.9):
    C, j = 0.0, 1
    while 2 * beta1**j > 1:  # the climb goes on while the average is still negative
        C += 2 * beta1**j - 1
        j += 1
    return np.asarray(lr) * np.ceil(1 / np.asarray(lr)) - 1 + C * np.asarray(lr)


def adam_law_geometric(lr, beta1=0.9):
    J = math.floor(math.log(2) / math.log(1 / beta1))  # the last j with 2 beta1^j > 1
    C = 2 * beta1 * (1 - beta1**J) / (1 - beta1) - J
    if np.ndim(lr) == 0:
        return lr * math.ceil(1 / lr) - 1 + C * lr
    return [v * math.ceil(1 / v) - 1 + C * v for v in lr]


def adam_law_no_overshoot(lr, beta1=0.9):
    j = np.arange(1, 1000)
    return np.maximum(0.0, 2 * beta1**j - 1).sum() * np.asarray(lr)


def adam_law_integral(lr, beta1=0.9):
    lr = np.asarray(lr, dtype=float)
    return lr * np.ceil(1 / lr) - 1 + (beta1 / (1 - beta1) - np.log(2) / np.log(1 / beta1)) * lr


def adam_law_from_zero(lr, beta1=0.9):
    lr = np.asarray(lr, dtype=float)
    j = np.arange(0, 1000)
    return lr * np.ceil(1 / lr) - 1 + np.maximum(0.0, 2 * beta1**j - 1).sum() * lr


def adam_law_upper(lr, beta1=0.9):
    lr = np.asarray(lr, dtype=float)
    return (1 + np.maximum(0.0, 2 * beta1 ** np.arange(1, 1000) - 1).sum()) * lr  # the top of the sawtooth


# ----------------------------------------------------------------------------- the graph

GRAPH = [("x", "input", ()), ("y", "input", ()), ("z", "input", ()), ("a", "*", ("x", "y")), ("c", "+", ("x", "z")),
         ("b", "+", ("a", "c")), ("s", "sigmoid", ("c",)), ("f", "*", ("b", "s"))]
OPS = {"*": (lambda u, v: u * v, lambda u, v: (v, u)), "+": (lambda u, v: u + v, lambda u, v: (1.0, 1.0)),
       "sigmoid": (lambda u: sigmoid(u), lambda u: (sigmoid(u) * (1 - sigmoid(u)),))}


def graph_labels(x, y, z):
    a, c = x * y, x + z
    b, s = a + c, sigmoid(c)
    f = b * s
    grad = dict.fromkeys("xyzacbsf", 0.0)
    grad["f"] = 1.0
    grad["b"] += grad["f"] * s
    grad["s"] += grad["f"] * b
    grad["c"] += grad["s"] * s * (1 - s)
    grad["a"] += grad["b"]
    grad["c"] += grad["b"]
    grad["x"] += grad["a"] * y
    grad["y"] += grad["a"] * x
    grad["x"] += grad["c"]
    grad["z"] += grad["c"]
    values = {"x": x, "y": y, "z": z, "a": a, "c": c, "b": b, "s": s, "f": f}
    return np.array([values[n] for n, _, _ in GRAPH]), np.array([grad[n] for n, _, _ in GRAPH])


def graph_labels_generic(x, y, z):
    """The forward pass and the reverse pass over GRAPH and OPS, as the notebook's text describes them."""
    val = {"x": x, "y": y, "z": z}
    for name, op, args in GRAPH[3:]:
        val[name] = OPS[op][0](*(val[a] for a in args))
    grad = {name: 0.0 for name, _, _ in GRAPH}
    grad["f"] = 1.0
    for name, op, args in reversed(GRAPH[3:]):
        for a, local in zip(args, OPS[op][1](*(val[v] for v in args))):
            grad[a] += grad[name] * local
    return {"values": [val[n] for n, _, _ in GRAPH], "grads": [grad[n] for n, _, _ in GRAPH]}


def graph_labels_chain_rule(x, y, z):
    """Every gradient written out as a sum over paths."""
    c = x + z
    s = sigmoid(c)
    b = x * y + c
    ds_dc = s * (1 - s)
    df_dc = s + b * ds_dc  # through b, and through s
    grads = (y * s + df_dc, x * s, df_dc, s, df_dc, s, b, 1.0)
    return (x, y, z, x * y, c, b, s, b * s), grads


def _graph_slip(x, y, z, slip):
    a, c = x * y, x + z
    b, s = a + c, sigmoid(c)
    df = 0.0 if slip == "seed" else 1.0
    db, ds = (df * b, df * s) if slip == "swap" else (df * s, df * b)
    dc = ds * (sigmoid(s) * (1 - sigmoid(s)) if slip == "at s" else s * (1 - s))
    dc = dc if slip == "assign" else dc + db
    da = db
    dx = dc if slip == "assign" else da * y + dc
    return np.array([x, y, z, a, c, b, s, b * s]), np.array([dx, da * x, dc, da, dc, db, ds, df])


# ----------------------------------------------------------------------------- the corpus

RIGHT = {
    "slope_from_h": [slope_from_h, lambda h: h - h**2, lambda h: np.multiply(h, 1 - h),
                     lambda h: np.array([v * (1 - v) for v in h.ravel()]).reshape(h.shape)],
    "chain_grad": [chain_grad, chain_grad_product, chain_grad_dict, chain_grad_list],
    "depth_grads": [depth_grads, depth_grads_preallocated, depth_grads_reverse],
    "log_depth_grads": [log_depth_grads, log_depth_grads_ln, log_depth_grads_stack],
    "chain_grad_skips": [chain_grad_skips, chain_grad_skips_factored, chain_grad_skips_dict],
    "skip_paths": [skip_paths, skip_paths_from_z, skip_paths_list],
    "fixed_slope_gain": [fixed_slope_gain, gain_ratio, gain_expanded, gain_loop],
    "train_deep": [train_deep, train_deep_recorder, train_deep_accuracy_in_callback],
    "bump_grad": [bump_grad, bump_grad_masks, bump_grad_where, bump_grad_loop],
    "gd_on_bump": [gd_on_bump, gd_on_bump_array, gd_on_bump_while],
    "adam_step": [adam_step, adam_step_lr_t, adam_step_dict, adam_step_list],
    "adam_on_bump": [adam_on_bump, adam_on_bump_array, adam_on_bump_inline],
    "largest_escapable_h": [largest_escapable_h, largest_escapable_h_recursive, largest_escapable_h_counted,
                            largest_escapable_h_own_run],
    "h_star_sweep": [h_star_sweep, h_star_sweep_comprehension, h_star_sweep_fine],
    "adam_law": [adam_law, adam_law_loop, adam_law_geometric],
    "graph_labels": [graph_labels, graph_labels_generic, graph_labels_chain_rule],
}

WRONG = {
    "slope_from_h": [
        (sigmoid_grad, "h is already sigma(z)"),
        (lambda h: 1 - h**2, "slope of tanh"),
        (lambda h: h * (1 + h), None),
        (lambda h: h, None),
        (lambda h: (h * (1 - h)).astype(np.float32), "float32"),
    ],
    "chain_grad": [
        (chain_grad_from_one, "starts at dy/dz5"),
        (chain_grad_sigma_of_h, "h_k is already sigma(z_k)"),
        (chain_grad_no_x, "the factor x"),
        (chain_grad_w5, None),
        (chain_grad_swapped, None),
    ],
    "depth_grads": [
        (depth_grads_no_last_slope, "slope of the last layer"),
        (depth_grads_no_x, "factor x"),
        (depth_grads_from_two, "depth 1"),
        (depth_grads_residual, "before the sigmoid"),
        (depth_grads_no_skips, "use the argument skips"),
    ],
    "log_depth_grads": [
        (log_depth_grads_of_product, "underflows"),
        (log_depth_grads_no_last_slope, None),
        (log_depth_grads_natural, None),
        (log_depth_grads_off_by_one, None),
    ],
    "chain_grad_skips": [
        (chain_grad_skips_plain_s4, "belongs to the plain chain"),
        (chain_grad_skips_one_path, "the skips add paths"),
        (chain_grad_skips_three_paths, "through both skips"),
        (chain_grad_skips_no_x, None),
    ],
    "skip_paths": [
        (skip_paths_plain_s4, "the two paths through layer 4"),
        (skip_paths_plain_slopes, "own pre-activations"),
        (skip_paths_no_ends, "x sigma'(z1) at its start"),
        (skip_paths_swapped, "the first skip jumps"),
    ],
    "fixed_slope_gain": [
        (lambda w, s2, s4: (1 + w**2 * s2) * (1 + w**2 * s4), "divide by the plain chain"),
        (lambda w, s2, s4: w**4 * s2 * s4 / ((1 + w**2 * s2) * (1 + w**2 * s4)), "its inverse"),
        (lambda w, s2, s4: 1 + 1 / (w**4 * s2 * s4), "count all four paths"),
        (lambda w, s2, s4: 2 + 1 / (w**2 * s2) + 1 / (w**2 * s4), "not their sum"),
    ],
    "train_deep": [
        (lambda *a: _train_deep_slip(*a, slip="no start"), "measure once before training"),
        (lambda *a: _train_deep_slip(*a, slip="W"), "the norms of the b gradients"),
        (lambda *a: _train_deep_slip(*a, slip="all"), "the fixed batch"),
        (lambda *a: _train_deep_slip(*a, slip="residual"), "pass residual"),
        (lambda *a: _train_deep_slip(*a, slip="batch"), None),
    ],
    "bump_grad": [
        (lambda x, h: np.where(np.abs(x) < 1 + h, 1.0, -1.0), "wrong sign"),
        (lambda x, h: np.where(x < 1, -1.0, 1.0), "endless bump"),
        (lambda x, h: np.select([x <= 1, x <= 1 + h, x <= 2 + 2 * h], [-1.0, 1.0, -1.0], 1.0), "at a kink"),
        (lambda x, h: np.where(x < 1 + h, bump_grad(x, h), -1.0), "has a floor"),
    ],
    "gd_on_bump": [
        (gd_on_bump_ascent, "goes against the slope"),
        (gd_on_bump_no_x0, "x0 first"),
        (gd_on_bump_from_zero, "start at the x0"),
        (gd_on_bump_source_slope, "wrong sign"),
        (gd_on_bump_multiples, None),
    ],
    "adam_step": [
        (lambda *a: _adam_step_slip(*a, slip="no correction"), "bias correction"),
        (lambda *a: _adam_step_slip(*a, slip="ascent"), "goes against the gradient"),
        (lambda *a: _adam_step_slip(*a, slip="printed"), "the source's printed line"),
        (lambda *a: _adam_step_slip(*a, slip="m"), "the bias-corrected average, not m"),
        (lambda *a: _adam_step_slip(*a, slip="multiply"), "divide by sqrt(v_hat), not multiply"),
    ],
    "adam_on_bump": [
        (lambda *a: _adam_on_bump_slip(*a, slip="t0"), "count t from 1"),
        (_adam_on_bump_t0_floats, "ZeroDivisionError"),
        (lambda *a: _adam_on_bump_slip(*a, slip="reset"), "carry m and v"),
        (lambda *a: _adam_on_bump_slip(*a, slip="no x0"), "x0 first"),
        (lambda *a: _adam_on_bump_slip(*a, slip="no correction"), "bias correction"),
    ],
    "largest_escapable_h": [
        (largest_escapable_h_swapped, "the halves are swapped"),
        (largest_escapable_h_fixed_args, "use the arguments"),
        (largest_escapable_h_scan, None),
        (largest_escapable_h_none, "returns None"),
    ],
    "h_star_sweep": [
        (h_star_sweep_100, "its own number of steps"),
        (h_star_sweep_fixed_tol, "the tolerance must shrink"),
        (h_star_sweep_default_beta, "the beta1 you are given"),
        (h_star_sweep_gd, None),
    ],
    "adam_law": [
        (adam_law_no_overshoot, "where the last downhill step lands"),
        (adam_law_integral, "whole steps"),
        (adam_law_from_zero, "start the sum at j = 1"),
        (adam_law_upper, None),
    ],
    "graph_labels": [
        (lambda *a: _graph_slip(*a, "assign"), "adds the gradients of its uses"),
        (lambda *a: _graph_slip(*a, "at s"), "taken at its input c"),
        (lambda *a: _graph_slip(*a, "seed"), "df/df = 1"),
        (lambda *a: _graph_slip(*a, "swap"), "the other factor"),
    ],
}
