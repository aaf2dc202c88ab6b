"""Exercises of notebook 06: the sigmoid chain's derivative without and with skips (sigma' from h, the
reverse pass, the gradient at every depth and its logarithm far down, the four paths, the gain with the
slopes held), the gradient at every layer of a deep network during training, the bump's slope, gradient
descent and Adam on the bump, the largest escapable bump by bisection and against the learning rate, and
the labels of a computation graph.

gd_on_bump and adam_on_bump call the student's own bump_grad and adam_step, h_star_sweep the student's
largest_escapable_h: a slip there shows up here too."""

import numpy as np

from helpers.activations import sigmoid, sigmoid_grad
from helpers.nn import MLP
from helpers.objectives import bump
from helpers.optim import GD, Adam, Momentum, minimize
from helpers.sigmoid_chain import chain_backward, chain_forward, depth_profile
from helpers.train import fit

from ._registry import Mistake, exercise

NOTEBOOK = "06_vanishing_gradients"
CHAIN = ("helpers.sigmoid_chain.chain_backward", "helpers.sigmoid_chain.depth_profile",
         "helpers.gradcheck.numerical_gradient")
RUNNERS = ("helpers.optim.minimize", "helpers.optim.descend", "helpers.optim.GD", "helpers.optim.Adam",
           "helpers.objectives.bump")  # the loop is the exercise
TASKS = {
    "1.1": "the derivatives dy/dw1 and dy/db1 of the five-layer sigmoid chain (chain rule), and what the product "
           "of slopes does to them as the chain grows",
    "1.2": "the same derivatives with the skips z'_3 = w h2 + h1 + b and z'_5 = w h4 + h*_3 + b, and whether "
           "|dy/dw1| <= |dy*/dw1| and |dy/db1| <= |dy*/db1| can be concluded",
    "2.1": "gradient descent with learning rate 0.3 from x0 = 0 on the bump: where it goes, and why it stays",
    "2.2": "Adam (learning rate 0.3, beta1 0.9, beta2 0.999, bias correction): the largest bump height h it escapes",
    "3": "the computation graph: label every node (its operation, forward value and gradient)",
}


# ----------------------------------------------------------------------------- task 1.1: the plain chain

def _settings(rng):
    """(x, w1, b1, w, b): the notebook's setting, random scalars, arrays of four and of (2, 3) settings."""
    return [(1.0, 0.5, 0.1, 1.2, -0.4)] + [tuple(rng.uniform(-3, 3, (5,) + s)) for s in ((), (4,), (2, 3))]


def _cache(x, w1, b1, w, b, skips, depth=5):
    return chain_forward(x, w, b, depth, skips, w1, b1)[1]


def _wrt(x, d):
    """(dy/dw1, dy/db1) from d = dy/db1: dz1/dw1 = x."""
    return x * d, d


def _slopes(p, skips, at="Z"):
    return sigmoid_grad(_cache(*p, skips)[at])


@exercise("slope_from_h", lambda rng: [(sigmoid(rng.normal(0, 3, s)),) for s in ((5,), (2, 3), (4, 1, 2))],
          forbid=("helpers.activations.sigmoid_grad",), reveal="sigma'(z) = sigma(z) (1 - sigma(z)) = h (1 - h)",
          mistakes=[
    Mistake("h is already sigma(z): the slope is h (1 - h), not sigma(h) (1 - sigma(h))", sigmoid_grad),
    Mistake("1 - h^2 is the slope of tanh; the sigmoid's is h (1 - h)", lambda h: 1 - h**2),
])
def slope_from_h(h):
    """sigma'(z) from h = sigma(z) alone, elementwise."""
    return h * (1 - h)


@exercise("chain_grad", _settings, points=2, returns=("dy_dw1", "dy_db1"), forbid=CHAIN,
          reveal="dy/dw1 = x w^4 sigma'(z1) sigma'(z2) sigma'(z3) sigma'(z4) sigma'(z5), and dy/db1 the same without x",
          mistakes=[
    Mistake("the reverse pass starts at dy/dz5 = sigma'(z5), not at 1",
            lambda *p: _wrt(p[0], chain_grad(*p)[1] / _slopes(p, False)[4])),
    Mistake("h_k is already sigma(z_k): its slope is h_k (1 - h_k), not sigma(h_k) (1 - sigma(h_k))",
            lambda *p: _wrt(p[0], p[3] ** 4 * np.prod(_slopes(p, False, "H"), axis=0))),
    Mistake("dy/dw1 has the factor x = dz1/dw1 that dy/db1 has not", lambda *p: (chain_grad(*p)[1],) * 2),
])
def chain_grad(x, w1, b1, w, b):
    """(dy/dw1, dy/db1) of the five-layer chain without skips; inputs scalars or arrays of one shape."""
    g = chain_backward(_cache(x, w1, b1, w, b, False))
    return g["w1"], g["b1"]


def _tangents(x, w1, b1, w, b, L, skips, seed=None, residual=False):
    """dh_k/dw1 for k = 1..L by forward mode (seed: dz1/dw1, x unless given); ``residual`` puts the skip
    after the sigmoid, h_k = sigma(w h_(k-1) + b) + h_(k-2) (a catalogued slip)."""
    x, w1, b1, w, b = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (x, w1, b1, w, b)))
    h, t = [sigmoid(w1 * x + b1)], [sigmoid_grad(w1 * x + b1) * (x if seed is None else seed)]
    for k in range(2, L + 1):
        skip = skips and k >= 3 and k % 2 == 1
        z = w * h[-1] + b + (h[-2] if skip and not residual else 0.0)
        dz = w * t[-1] + (t[-2] if skip and not residual else 0.0)
        h.append(sigmoid(z) + (h[-2] if skip and residual else 0.0))
        t.append(sigmoid_grad(z) * dz + (t[-2] if skip and residual else 0.0))
    return np.array(t)


def _depth_cases(rng):
    """Depths 1 to 30, with and without skips, scalars and arrays of settings, pre-activations up to about
    15 in size (where h (1 - h) still keeps its digits), and a setting with x = 0."""
    out = [(1.0, 0.5, 0.1, 1.2, -0.4, 5, False), (*rng.uniform(-3, 3, 5), 1, False),
           (*rng.uniform(-3, 3, (5, 4)), 7, True), (*rng.uniform(-3, 3, (5, 2, 3)), 12, True),
           (1.0, 1.0, 0.0, 1.0, 0.0, 2, True), (1.5, 1.5, 0.8, 1.5, 0.8, 30, False)]
    x, w1, b1, w, b = rng.uniform(-2, 2, (5, 3))
    x[1] = 0.0
    return out + [(x, w1, b1, w, b, 9, True)]


@exercise("depth_grads", _depth_cases, points=2, atol=0.0, forbid=CHAIN,
          reveal="dy/dw1 of the chain of depth L is t_L, with t_1 = x sigma'(z1) and t_k = sigma'(z_k) (w t_(k-1) "
                 "+ [skip] t_(k-2)): without skips x w^(L-1) times the L slopes, so every layer adds a factor "
                 "w sigma'(z_k), at most |w|/4 in size", mistakes=[
    Mistake("y = h_L = sigma(z_L): dy/dw1 ends with the slope of the last layer, sigma'(z_L) (yours is dz_L/dw1)",
            lambda *a: _tangents(*a) / sigmoid_grad(chain_forward(a[0], a[3], a[4], a[5], a[6], a[1], a[2])[1]["Z"])),
    Mistake("dy/dw1 has the factor x = dz1/dw1 (yours is dy/db1)", lambda *a: _tangents(*a, seed=1.0)),
    Mistake("the first entry is the chain of depth 1 (y = h_1, dy/dw1 = x sigma'(z1)); yours starts at depth 2",
            lambda *a: _tangents(*a[:5], a[5] + 1, a[6])[1:]),
    Mistake("the skips enter before the sigmoid, z_k = w h_(k-1) + h_(k-2) + b for odd k >= 3, so sigma'(z_k) "
            "multiplies the skip's term too", lambda *a: _tangents(*a, residual=True)),
    Mistake("use the argument skips: with skips=True every odd layer k >= 3 also gets h_(k-2)",
            lambda *a: _tangents(*a[:6], False)),
    Mistake("use the argument skips: with skips=False the chain has no skips", lambda *a: _tangents(*a[:6], True)),
])
def depth_grads(x, w1, b1, w, b, L, skips=False):
    """dy/dw1 of the chain of every depth 1..L, shape (L, *S): row L-1 is the chain of depth L."""
    return depth_profile(x, w, b, L, skips, w1, b1)


def _log_grads(x, w1, b1, w, b, depths, direct=False):
    """log10 |dy/dw1| at the given depths, as a sum of logarithms (``direct``: the log of the product, a slip)."""
    if direct:
        with np.errstate(all="ignore"):
            return np.log10(np.abs(depth_profile(x, w, b, max(depths), False, w1, b1)[np.asarray(depths) - 1]))
    x, w1, b1, w, b = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (x, w1, b1, w, b)))
    z, acc, out = w1 * x + b1, np.log10(np.abs(x)), {}
    for k in range(1, max(depths) + 1):
        s = sigmoid_grad(z)
        out[k] = acc + np.log10(s)
        acc, z = acc + np.log10(np.abs(w) * s), w * sigmoid(z) + b
    return np.array([out[k] for k in depths])


def _log_cases(rng):
    """Shallow and deep (far past float64's smallest number), scalars and arrays, |w| < 10, x never 0."""
    x = rng.choice([-1, 1], 6) * rng.uniform(0.2, 3, 6)
    return [(1.0, 0.5, 0.1, 1.2, -0.4, [1, 5]), (x, *rng.uniform(-3, 3, (2, 6)), rng.uniform(-10, 10, 6),
                                                 rng.uniform(-3, 3, 6), [3, 60, 400]),
            (0.5, 6.0, -3.0, 6.0, -3.0, [10, 60]), (*rng.uniform(0.5, 2, 5), [1000])]


@exercise("log_depth_grads", _log_cases, forbid=CHAIN,
          reveal="log10 |dy/dw1| = log10 |x| + sum over k < L of log10 |w sigma'(z_k)| + log10 sigma'(z_L): a sum of "
                 "logarithms, finite where the product underflows", mistakes=[
    Mistake("the product underflows long before depth 400 (float64 ends near 1e-308): add the logarithms of the "
            "factors instead of taking the logarithm of the product", lambda *a: _log_grads(*a, direct=True)),
])
def log_depth_grads(x, w1, b1, w, b, depths):
    """log10 |dy/dw1| of the chain without skips at each depth in ``depths``: shape (len(depths), *S)."""
    return _log_grads(x, w1, b1, w, b, depths)


# ----------------------------------------------------------------------------- task 1.2: the skips

def _blocks(p, s4):
    """dy*/db1 from the skip chain's slopes, with s4 in place of sigma'(z'_4): s1 s3 s5 (1 + w^2 s2)(1 + w^2 s4)."""
    s, w = _slopes(p, True), p[3]
    return s[0] * s[2] * s[4] * (1 + w**2 * s[1]) * (1 + w**2 * s4)


@exercise("chain_grad_skips", _settings, points=3, returns=("dy_dw1", "dy_db1"), forbid=CHAIN,
          reveal="dy*/dw1 = x s1 s3 s5 (1 + w^2 s2)(1 + w^2 s4) with s_k = sigma'(z'_k), and dy*/db1 the same "
                 "without x", mistakes=[
    Mistake("sigma'(z4) belongs to the plain chain: with skips z'_4 = w h*_3 + b has a new input, so use "
            "sigma'(z'_4) (sigma'(z_2) is right: z'_2 = z_2)", lambda *p: _wrt(p[0], _blocks(p, _slopes(p, False)[3]))),
    Mistake("the skips add paths: sum the four paths from h1 to the output, not only the one through every layer",
            lambda *p: _wrt(p[0], p[3] ** 4 * np.prod(_slopes(p, True), axis=0))),
    Mistake("one path is missing: the one through both skips, x sigma'1 sigma'3 sigma'5, with no w at all",
            lambda *p: _wrt(p[0], _blocks(p, _slopes(p, True)[3]) - np.prod(_slopes(p, True)[::2], axis=0))),
])
def chain_grad_skips(x, w1, b1, w, b):
    """(dy*/dw1, dy*/db1) of the five-layer chain with z'_3 = w h2 + h1 + b and z'_5 = w h4 + h*_3 + b."""
    g = chain_backward(_cache(x, w1, b1, w, b, True))
    return g["w1"], g["b1"]


def _paths(x, w1, b1, w, b, plain4=False, slopes_of=True, ends=True):
    """The four paths' shares of dy*/dw1 (all layers, first skip, second skip, both skips), or a slip of them."""
    p = (x, w1, b1, w, b)
    s1, s2, s3, s4, s5 = _slopes(p, slopes_of)
    if plain4:
        s4 = _slopes(p, False)[3]
    end = x * s1 * s5 if ends else 1.0
    return end * w**4 * s2 * s3 * s4, end * w**2 * s3 * s4, end * w**2 * s2 * s3, end * s3


@exercise("skip_paths", _settings, points=2, returns=("all_layers", "first_skip", "second_skip", "both_skips"),
          forbid=CHAIN, reveal="x s1 s5 times w^4 s2 s3 s4, w^2 s3 s4, w^2 s2 s3 and s3 (s_k = sigma'(z'_k)): the "
                               "paths that cross layer 4 carry its slope, sigma'(z'_4), the other two skip it",
          mistakes=[
    Mistake("the two paths through layer 4 carry the skip chain's own slope there, sigma'(z'_4): z'_4 = w h*_3 + b "
            "has a new input (the source's sigma'(z_4) is the plain chain's)", lambda *p: _paths(*p, plain4=True)),
    Mistake("take the slopes at the skip chain's own pre-activations z'_k: from layer 3 on they differ from the "
            "plain chain's", lambda *p: _paths(*p, slopes_of=False)),
    Mistake("every path starts at w1 and ends at y: each carries x sigma'(z1) at its start and sigma'(z'5) at "
            "its end", lambda *p: _paths(*p, ends=False)),
    Mistake("the first skip jumps from h1 to z'_3, so its path skips layer 2 (no sigma'(z2)) and crosses layer 4; "
            "the second skip jumps over layer 4", lambda *p: (lambda a, f, s, b: (a, s, f, b))(*_paths(*p))),
])
def skip_paths(x, w1, b1, w, b):
    """The shares of dy*/dw1 of the four paths: through every layer, the first skip, the second, both."""
    return _paths(x, w1, b1, w, b)


def _gain_cases(rng):
    """(w, s2, s4): scalars and arrays, w of both signs, slopes in (0, 1/4]."""
    return [(1.2, 0.2, 0.15), (-2.0, 0.25, 0.25)] + [
        (rng.choice([-1, 1], s) * rng.uniform(0.2, 5, s), rng.uniform(0.01, 0.25, s), rng.uniform(0.01, 0.25, s))
        for s in ((5,), (2, 3))]


@exercise("fixed_slope_gain", _gain_cases,
          reveal="(1 + 1/(w^2 s2)) (1 + 1/(w^2 s4)), more than 1 for every w and every slope: with the slopes held, "
                 "the skips only add", mistakes=[
    Mistake("the gain is the ratio of the two derivatives: divide by the plain chain's w^4 s2 s4 as well",
            lambda w, s2, s4: (1 + w**2 * s2) * (1 + w**2 * s4)),
    Mistake("that is the plain chain's share of the skip chain's derivative: the gain is its inverse",
            lambda w, s2, s4: w**4 * s2 * s4 / ((1 + w**2 * s2) * (1 + w**2 * s4))),
    Mistake("count all four paths, not only the one through both skips: (1 + 1/(w^2 s2))(1 + 1/(w^2 s4))",
            lambda w, s2, s4: 1 + 1 / (w**4 * s2 * s4)),
    Mistake("the paths multiply block by block: (1 + 1/(w^2 s2)) times (1 + 1/(w^2 s4)), not their sum",
            lambda w, s2, s4: 2 + 1 / (w**2 * s2) + 1 / (w**2 * s4)),
])
def fixed_slope_gain(w, s2, s4):
    """dy*/dw1 over dy/dw1 when both chains have the same slopes s1..s5 (s2, s4 those of layers 2 and 4)."""
    return (1 + 1 / (w**2 * s2)) * (1 + 1 / (w**2 * s4))


# ----------------------------------------------------------------------------- the ten-layer network

def _deep(sizes, hidden, init, residual, epochs, data, slip=None):
    X, y, X_fixed, y_fixed, X_test, y_test = data
    model = MLP(sizes, hidden=hidden, init=init, residual=residual and slip != "residual", seed=0)
    norms = []

    def record(epoch, history):
        Xm, ym = (X, y) if slip == "all" else (X_fixed, y_fixed)
        grads = model.loss_and_grads(Xm, ym)[1]
        norms.append([np.linalg.norm(grads[f"{'W' if slip == 'W' else 'b'}{l}"]) for l in range(1, model.n_layers + 1)])

    if slip != "no start":
        record(0, None)
    acc0 = model.accuracy(X, y)
    history = fit(model, X, y, epochs=epochs, batch_size=32, rule=Momentum(0.02, 0.9), progress=False, callback=record)
    return np.array(norms), np.array([acc0] + list(history.train_acc)), model.accuracy(X_test, y_test)


def _deep_cases(rng):
    """Small deep networks on small data: sigmoid and ReLU, N(0, s^2) and He, with and without residual skips."""
    out = []
    for sizes, hidden, init, residual, epochs in (([6, 5, 5, 5, 3], "sigmoid", 0.1, False, 2),
                                                  ([6, 8, 8, 3], "relu", "he", False, 3),
                                                  ([6, 5, 5, 5, 3], "sigmoid", 0.5, True, 2)):
        y = rng.permutation(np.arange(40) % 3)
        X = rng.normal(size=(3, 6))[y] + 0.8 * rng.normal(size=(40, 6))
        y_test = rng.permutation(np.arange(12) % 3)
        X_test = rng.normal(size=(3, 6))[y_test] + 0.8 * rng.normal(size=(12, 6))
        out.append((sizes, hidden, init, residual, epochs, (X, y, X[:10], y[:10], X_test, y_test)))
    return out


@exercise("train_deep", _deep_cases, points=2, returns=("norms", "train_acc", "test_acc"), time_limit=20.0,
          mistakes=[
    Mistake("measure once before training too: norms has epochs + 1 rows, the first at the start",
            lambda *a: _deep(*a, slip="no start")),
    Mistake("what reaches the pre-activations of layer l is dL/db_l (the sum of dL/dZ_l over the batch): take the "
            "norms of the b gradients, not the W gradients", lambda *a: _deep(*a, slip="W")),
    Mistake("measure on the fixed batch (X_fixed, y_fixed), the same images every epoch",
            lambda *a: _deep(*a, slip="all")),
    Mistake("pass residual to MLP: MLP(sizes, hidden=hidden, init=init, residual=residual, seed=0)",
            lambda *a: _deep(*a, slip="residual")),
])
def train_deep(sizes, hidden, init, residual, epochs, data):
    """The gradient norms at every layer (epochs + 1, layers), the training accuracies (epochs + 1,) and the
    test accuracy of the network trained as the notebook says."""
    return _deep(sizes, hidden, init, residual, epochs, data)


# ----------------------------------------------------------------------------- task 2: the bump

@exercise("bump_grad", lambda rng: [(np.r_[1, 1 + h, 2 + 2 * h, 0, -1.2, 5.5, rng.uniform(-1, 3 + 2 * h, 6)], h)
                                    for h in (0.5, 0.41, 1.3)], forbid=("helpers.objectives.bump",), mistakes=[
    Mistake("left of the local minimum x = 1 the landscape falls: its slope there is -1 (the source's "
            "g = +1 for |x| < 1 + h has the wrong sign)", lambda x, h: np.where(np.abs(x) < 1 + h, 1.0, -1.0)),
    Mistake("past the peak 1 + h the landscape falls again (slope -1): +1 for every x >= 1, as in the source's "
            "Adam loop, is an endless bump", lambda x, h: np.where(x < 1, -1.0, 1.0)),
    Mistake("at a kink take the slope of the piece on its right: f'(1) = +1, f'(1 + h) = -1, f'(2 + 2h) = +1",
            lambda x, h: np.select([x <= 1, x <= 1 + h, x <= 2 + 2 * h], [-1.0, 1.0, -1.0], 1.0)),
    Mistake("the lower valley has a floor: from x = 2 + 2h on the slope is +1",
            lambda x, h: np.where(x < 1 + h, bump_grad(x, h), -1.0)),
])
def bump_grad(x, h):
    """The slope f'(x) of the bump landscape of height h at every point of x (n,)."""
    return bump(h).grad(np.asarray(x, dtype=float)[:, None])[:, 0]


def _slope_at(x, h):
    return float(bump_grad(np.array([x]), h)[0])


def _gd(h, lr, steps, x0=0.0, sign=1.0, slope=_slope_at, first=True):
    path = [float(x0)]
    for _ in range(steps):
        path.append(path[-1] - sign * lr * slope(path[-1], h))
    return np.array(path if first else path[1:])


def _gd_cases(rng):
    """The assignment's run, one that escapes (h < 0.2), lr 0.1 (whose tenth step lands just short of 1),
    other starts, heights and step counts, and no step at all."""
    return [(0.5, 0.3, 12, 0.0), (0.1, 0.3, 10, 0.0), (0.5, 0.1, 15, 0.0), (1.0, 0.7, 8, -0.5),
            (float(rng.uniform(0.3, 1.5)), 0.25, 20, 2.0 + float(rng.uniform(0, 0.2))), (0.5, 0.3, 0, 0.4)]


@exercise("gd_on_bump", _gd_cases, forbid=RUNNERS, reveal="from x0 = 0 at learning rate 0.3: 0.3, 0.6, 0.9, 1.2, "
          "0.9, 1.2, ...: on every bump higher than 0.2 it bounces between 0.9 and 1.2 for ever", mistakes=[
    Mistake("a descent step goes against the slope: x - lr f'(x), not x + lr f'(x)",
            lambda h, lr, steps, x0=0.0: _gd(h, lr, steps, x0, sign=-1.0)),
    Mistake("return steps + 1 iterates, x0 first (yours has no x0)",
            lambda h, lr, steps, x0=0.0: _gd(h, lr, steps, x0, first=False)),
    Mistake("start at the x0 you are given", lambda h, lr, steps, x0=0.0: _gd(h, lr, steps, 0.0)),
    Mistake("the slope left of x = 1 is -1 (the source's g = +1 for |x| < 1 + h has the wrong sign): check "
            "bump_grad first", lambda h, lr, steps, x0=0.0: _gd(h, lr, steps, x0, slope=lambda x, h: 1.0
                                                                if abs(x) < 1 + h else -1.0)),
])
def gd_on_bump(h, lr, steps, x0=0.0):
    """The iterates of gradient descent on the bump of height h from x0: shape (steps + 1,), x0 first."""
    return _gd(h, lr, steps, x0)


def _adam_cases(rng):
    """x, g, m, v (zeros at t = 1), t, lr, beta1, beta2, eps; gradients of very different sizes."""
    return [(rng.normal(size=s), k * rng.normal(size=s), (t > 1) * k * rng.normal(size=s),
             (t > 1) * k**2 * rng.uniform(0.5, 2, s), t, rng.uniform(0.05, 0.5), b1, b2, 1e-8)
            for s, t, k, b1, b2 in (((1,), 1, 1.0, 0.9, 0.999), ((3,), 2, 10.0, 0.9, 0.999),
                                    ((2, 3), 7, 0.1, 0.5, 0.99), ((4,), 1, 30.0, 0.8, 0.9))]


def _adam_slip(x, g, m, v, t, lr, b1, b2, eps, corrected_m=True, divide=True):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g**2
    m_used, root = (m / (1 - b1**t) if corrected_m else m), np.sqrt(v / (1 - b2**t))
    return (x - lr * m_used / (root + eps) if divide else x - lr * m_used * root), m, v


@exercise("adam_step", _adam_cases, points=2, returns=("x", "m", "v"), forbid=("helpers.optim.Adam",),
          reveal="m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2, m_hat = m / (1 - beta1^t), "
                 "v_hat = v / (1 - beta2^t), x - lr m_hat / (sqrt(v_hat) + eps)", mistakes=[
    Mistake("Adam divides m and v by (1 - beta1^t) and (1 - beta2^t) (bias correction): without it the first "
            "steps are too long", lambda *a: adam_step(*a, bias_correction=False)),
    Mistake("a descent step goes against the gradient: x - lr * m_hat / (sqrt(v_hat) + eps)",
            lambda *a: (lambda x, m, v: (2 * a[0] - x, m, v))(*adam_step(*a))),
    Mistake("the step uses m_hat = m / (1 - beta1^t), the bias-corrected average, and divides by sqrt(v_hat) + eps: "
            "the source's printed line, x - lr * m * sqrt(v_hat), has m where m_hat belongs and multiplies",
            lambda *a: _adam_slip(*a, corrected_m=False, divide=False)),
    Mistake("the step uses m_hat = m / (1 - beta1^t), the bias-corrected average, not m",
            lambda *a: _adam_slip(*a, corrected_m=False)),
    Mistake("the step is lr * m_hat / (sqrt(v_hat) + eps): divide by sqrt(v_hat), not multiply",
            lambda *a: _adam_slip(*a, divide=False)),
])
def adam_step(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """Step t (1, 2, ...) of Adam at x with gradient g and moments m, v: returns the new (x, m, v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_run(h, lr, beta1, beta2, steps, x0=0.0, t0=1, keep=True, bias_correction=True, first=True):
    x, m, v, path = float(x0), np.float64(0.0), np.float64(0.0), [float(x0)]
    for t in range(t0, t0 + steps):
        if not keep:
            m = v = np.float64(0.0)
        x, m, v = adam_step(x, _slope_at(x, h), m, v, t, lr, beta1, beta2, 1e-8, bias_correction)
        path.append(float(x))
    return np.array(path if first else path[1:])


def _adam_run_cases(rng):
    """The assignment's run (high and low bump), one that escapes, other betas, starts and step counts; no
    iterate comes within 1e-6 of a kink, where the last bits of a step could decide the side."""
    return [(0.5, 0.3, 0.9, 0.999, 8, 0.0), (5.0, 0.3, 0.9, 0.999, 14, 0.0), (0.3, 0.3, 0.9, 0.999, 30, 0.0),
            (0.5, 0.2, 0.5, 0.99, 20, -0.45), (1.0, 0.7, 0.95, 0.9, 25, 0.0),
            (float(rng.uniform(0.2, 0.6)), 0.13, 0.8, 0.999, 40, float(rng.uniform(-0.4, 0.4)) + 0.015)]


@exercise("adam_on_bump", _adam_run_cases, points=2, forbid=RUNNERS, time_limit=10.0,
          reveal="at learning rate 0.3 from x0 = 0: 0, 0.3, 0.6, 0.9, 1.2, 1.3535, 1.4102, 1.3985, 1.3362 "
                 "(the source's printed sequence)", mistakes=[
    Mistake("count t from 1: at t = 0 the bias correction divides by 1 - beta^0 = 0",
            lambda *a: _adam_run(*a, t0=0)),
    Mistake("carry m and v from step to step: set them to 0 once, before the loop (yours forgets the past, and "
            "every step is +-lr)", lambda *a: _adam_run(*a, keep=False)),
    Mistake("return steps + 1 iterates, x0 first (yours has no x0)", lambda *a: _adam_run(*a, first=False)),
    Mistake("Adam divides m and v by (1 - beta1^t) and (1 - beta2^t) (bias correction): check adam_step first",
            lambda *a: _adam_run(*a, bias_correction=False)),
])
def adam_on_bump(h, lr, beta1, beta2, steps, x0=0.0):
    """The iterates of Adam (eps = 1e-8) on the bump of height h from x0: shape (steps + 1,), x0 first."""
    return _adam_run(h, lr, beta1, beta2, steps, x0)


def escapes(h, rule, steps=100):
    """Does the run of ``rule`` from x = 0 end beyond the peak 1 + h (in the lower valley) after ``steps`` steps?"""
    return bool(minimize(bump(h), [0.0], rule, steps)[-1, 0] > 1.0 + h)


def _bisection_cases(rng):
    """Every parameter varies: the rule, the steps (40 and 60 are fewer than it takes some runs), the
    upper end hi (0.3 is escaped: the answer is then hi itself) and the tolerance."""
    return [(Adam(0.3), 100, 3.0, 1e-3), (GD(0.3), 100, 3.0, 1e-3), (Adam(0.2, beta1=0.8), 60, 3.0, 1e-3),
            (Adam(0.3), 40, 1.0, 1e-3), (Adam(0.3), 100, 0.3, 1e-3), (Adam(0.5), 100, 2.0, 5e-3)]


@exercise("largest_escapable_h", _bisection_cases, rtol=0.0, atol=2e-3, points=2, time_limit=10.0,
          reveal="Adam at learning rate 0.3 escapes every bump lower than h* = 0.4102, gradient descent every bump "
                 "lower than 0.2", mistakes=[
    Mistake("the halves are swapped: when mid escapes, the largest escapable h is above mid, so lo = mid",
            lambda rule, steps, hi, tol: hi),
    Mistake("use the arguments: run `steps` steps (not always 100) and search [0, hi] (not always [0, 3])",
            lambda rule, steps, hi, tol: largest_escapable_h(rule, 100, 3.0, tol)),
])
def largest_escapable_h(rule, steps=100, hi=3.0, tol=1e-4):
    """The largest bump height in [0, hi] that ``rule`` escapes from x = 0 in ``steps`` steps, by bisection
    (hi itself when even hi is escaped)."""
    if escapes(hi, rule, steps):
        return hi
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if escapes(mid, rule, steps) else (lo, mid)
    return lo


def _sweep(lrs, beta1=0.9, steps=None, tol=None):
    return np.array([largest_escapable_h(Adam(lr, beta1), int(2 / lr) + 40 if steps is None else steps, 3.0,
                                         1e-3 * lr if tol is None else tol) for lr in lrs])


def _sweep_cases(rng):
    """Learning rates from 0.008 to 1 (a list, an array), beta1 from 0.8 to 0.95."""
    return [([0.3], 0.9), (np.array([0.008, 0.5]), 0.9), ([float(np.round(rng.uniform(0.05, 0.15), 3)), 1.0], 0.8),
            (np.array([float(np.round(rng.uniform(0.2, 0.4), 3))]), 0.95)]


@exercise("h_star_sweep", _sweep_cases, points=2, rtol=1.5e-3, atol=0.0, time_limit=20.0,
          reveal="h*/lr is 3.43 at lr 0.01, 3.03 at 0.03, 2.64 at 0.1, 1.37 at 0.3 and 1.26 at 1", mistakes=[
    Mistake("give each learning rate its own number of steps, N = int(2 / lr) + 40: a run at lr 0.008 needs 125 "
            "steps just to reach x = 1", lambda lrs, beta1=0.9: _sweep(lrs, beta1, steps=100)),
    Mistake("the tolerance must shrink with the learning rate, tol = 1e-3 * lr: a fixed 1e-3 is 4% of h* at "
            "lr = 0.008", lambda lrs, beta1=0.9: _sweep(lrs, beta1, tol=1e-3)),
    Mistake("use the beta1 you are given (Adam(lr, beta1))", lambda lrs, beta1=0.9: _sweep(lrs)),
])
def h_star_sweep(lrs, beta1=0.9):
    """h* of Adam(lr, beta1) for each lr of ``lrs`` (int(2 / lr) + 40 steps, tol 1e-3 lr): an array (len(lrs),)."""
    return _sweep(lrs, beta1)


def _law_c(beta1):
    j = np.arange(1, 2000)
    return np.maximum(0.0, 2 * beta1**j - 1).sum()


def _law_cases(rng):
    """Small learning rates (1/lr never a whole number, where the last bits decide), arrays and scalars, and
    beta1 from 0.5 to 0.95."""
    lrs = rng.uniform(0.002, 0.05, 6)
    return [(np.array([0.0103, 0.03, 0.013]), 0.9), (lrs, 0.8), (0.0071, 0.95), (np.array([0.045, 0.021]), 0.5)]


@exercise("adam_law", _law_cases,
          reveal="h* = (lr ceil(1/lr) - 1) + C lr with C = sum over j >= 1 of max(0, 2 beta1^j - 1), "
                 "2.4341 at beta1 = 0.9",
          mistakes=[
    Mistake("add where the last downhill step lands: it stands lr ceil(1/lr) - 1 past x = 1 when the climb starts",
            lambda lr, beta1=0.9: _law_c(beta1) * np.asarray(lr)),
    Mistake("the climb goes in whole steps: C = sum over j >= 1 of max(0, 2 beta1^j - 1), not the integral "
            "beta1 / (1 - beta1) - ln 2 / ln(1 / beta1)",
            lambda lr, beta1=0.9: adam_law(lr, beta1) + (beta1 / (1 - beta1) - np.log(2) / np.log(1 / beta1)
                                                         - _law_c(beta1)) * np.asarray(lr)),
    Mistake("the first uphill step is j = 1 (after it m_hat is 1 - 2 beta1 + ...): start the sum at j = 1, not 0",
            lambda lr, beta1=0.9: adam_law(lr, beta1) + np.asarray(lr)),
])
def adam_law(lr, beta1=0.9):
    """The small-step law for Adam's largest escapable bump, for each learning rate of lr."""
    lr = np.asarray(lr, dtype=float)
    return (lr * np.ceil(1 / lr) - 1) + _law_c(beta1) * lr


# ----------------------------------------------------------------------------- task 3: the graph

def _graph(x, y, z, repeat=True, s_slope="c", seed=1.0, swap=False):
    """(values, grads) of f = (x y + c) sigma(c), c = x + z, nodes in the order x, y, z, a, c, b, s, f;
    the keywords code catalogued slips."""
    a, c = x * y, x + z
    b, s = a + c, sigmoid(c)
    f = b * s
    df = seed
    db, ds = (df * b, df * s) if swap else (df * s, df * b)
    local = sigmoid_grad(c) if s_slope == "c" else sigmoid_grad(s)
    dc = db + ds * local if repeat else ds * local  # c feeds b and s
    da = db
    dx = da * y + dc if repeat else dc  # x feeds a and c
    dy, dz = da * x, dc
    return np.array([x, y, z, a, c, b, s, f], dtype=float), np.array([dx, dy, dz, da, dc, db, ds, df], dtype=float)


def _graph_cases(rng):
    return [(1.5, -1.0, 0.5), (0.0, 2.0, -1.0), (-2.0, 3.0, 12.0)] + [tuple(rng.uniform(-3, 3, 3)) for _ in range(2)]


@exercise("graph_labels", _graph_cases, points=2, returns=("values", "grads"),
          forbid=("helpers.gradcheck.numerical_gradient",),
          reveal="at x = 1.5, y = -1, z = 0.5: f = 0.4404, and the gradients x 0.0525, y 1.3212, z 0.9333, a 0.8808, "
                 "c 0.9333, b 0.8808, s 0.5000, f 1", mistakes=[
    Mistake("c feeds both b and s, and x feeds both a and c: a node used twice adds the gradients of its uses "
            "(+=, not =)", lambda *a: _graph(*a, repeat=False)),
    Mistake("the local derivative of s = sigma(c) is sigma'(c) = s (1 - s), taken at its input c, not sigma'(s)",
            lambda *a: _graph(*a, s_slope="s")),
    Mistake("the reverse pass starts with df/df = 1", lambda *a: _graph(*a, seed=0.0)),
    Mistake("for f = b s, df/db is the other factor, s, and df/ds is b", lambda *a: _graph(*a, swap=True)),
])
def graph_labels(x, y, z):
    """The forward value and the gradient df/dnode of every node, in the order x, y, z, a, c, b, s, f."""
    return _graph(x, y, z)
