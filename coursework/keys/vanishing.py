"""Exercises of notebook 06: the sigmoid chain's derivative without and with skips, sigma' from
h, the bump's slope, one Adam step, and the largest escapable bump by bisection."""

import numpy as np

from helpers.activations import sigmoid, sigmoid_grad
from helpers.objectives import bump
from helpers.optim import GD, Adam, minimize
from helpers.sigmoid_chain import chain_backward, chain_forward

from ._registry import Mistake, exercise

NOTEBOOK = "06_vanishing_gradients"
CHAIN = ("helpers.sigmoid_chain.chain_backward", "helpers.gradcheck.numerical_gradient")

def _settings(rng):
    """(x, w1, b1, w, b): the notebook's setting, random scalars, arrays of four and of (2, 3) settings."""
    return [(1.0, 0.5, 0.1, 1.2, -0.4)] + [tuple(rng.uniform(-3, 3, (5,) + s)) for s in ((), (4,), (2, 3))]


def _cache(x, w1, b1, w, b, skips):
    return chain_forward(x, w, b, 5, skips, w1, b1)[1]


def _wrt(x, d):
    """(dy/dw1, dy/db1) from d = dy/db1: dz1/dw1 = x."""
    return x * d, d


def _slopes(p, skips, at="Z"):
    return sigmoid_grad(_cache(*p, skips)[at])


@exercise("chain_grad", _settings, points=2, returns=("dy_dw1", "dy_db1"), forbid=CHAIN, mistakes=[
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


def _blocks(p, s4):
    """dy*/db1 from the skip chain's slopes, with s4 in place of sigma'(z'_4): s1 s3 s5 (1 + w^2 s2)(1 + w^2 s4)."""
    s, w = _slopes(p, True), p[3]
    return s[0] * s[2] * s[4] * (1 + w**2 * s[1]) * (1 + w**2 * s4)


@exercise("chain_grad_skips", _settings, points=3, returns=("dy_dw1", "dy_db1"), forbid=CHAIN, mistakes=[
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


@exercise("slope_from_h", lambda rng: [(sigmoid(rng.normal(0, 3, s)),) for s in ((5,), (2, 3), (4, 1, 2))],
          forbid=("helpers.activations.sigmoid_grad",), mistakes=[
    Mistake("h is already sigma(z): the slope is h (1 - h), not sigma(h) (1 - sigma(h))", sigmoid_grad),
    Mistake("1 - h^2 is the slope of tanh; the sigmoid's is h (1 - h)", lambda h: 1 - h**2),
])
def slope_from_h(h):
    """sigma'(z) from h = sigma(z) alone, elementwise."""
    return h * (1 - h)


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


def _adam_cases(rng):
    """x, g, m, v (zeros at t = 1), t, lr, beta1, beta2, eps; gradients of very different sizes."""
    return [(rng.normal(size=s), k * rng.normal(size=s), (t > 1) * k * rng.normal(size=s),
             (t > 1) * k**2 * rng.uniform(0.5, 2, s), t, rng.uniform(0.05, 0.5), b1, b2, 1e-8)
            for s, t, k, b1, b2 in (((1,), 1, 1.0, 0.9, 0.999), ((3,), 2, 10.0, 0.9, 0.999),
                                    ((2, 3), 7, 0.1, 0.5, 0.99), ((4,), 1, 30.0, 0.8, 0.9))]


@exercise("adam_step", _adam_cases, points=2, returns=("x", "m", "v"), forbid=("helpers.optim.Adam",), mistakes=[
    Mistake("Adam divides m and v by (1 - beta1^t) and (1 - beta2^t) (bias correction): without it the first "
            "steps are too long", lambda *a: adam_step(*a, bias_correction=False)),
    Mistake("a descent step goes against the gradient: x - lr * m_hat / (sqrt(v_hat) + eps)",
            lambda *a: (lambda x, m, v: (2 * a[0] - x, m, v))(*adam_step(*a))),
    Mistake("the step is lr * m_hat / (sqrt(v_hat) + eps): divide by sqrt(v_hat), not multiply (the source's "
            "printed loop)", lambda x, g, m, v, t, lr, b1, b2, eps: (lambda _, m, v: (
                x - lr * m * np.sqrt(v / (1 - b2**t)), m, v))(*adam_step(x, g, m, v, t, lr, b1, b2, eps))),
])
def adam_step(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """Step t (1, 2, ...) of Adam at x with gradient g and moments m, v: returns the new (x, m, v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if bias_correction else (m, v)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def escapes(h, rule, steps=100):
    """Does the run of ``rule`` from x = 0 end beyond the peak 1 + h (in the lower valley) after ``steps`` steps?"""
    return bool(minimize(bump(h), [0.0], rule, steps)[-1, 0] > 1.0 + h)


def _bisection_cases(rng):
    """Every parameter varies: the rule, the steps (40 and 60 are fewer than it takes some runs), the
    upper end hi (0.3 is escaped: the answer is then hi itself) and the tolerance."""
    return [(Adam(0.3), 100, 3.0, 1e-3), (GD(0.3), 100, 3.0, 1e-3), (Adam(0.2, beta1=0.8), 60, 3.0, 1e-3),
            (Adam(0.3), 40, 1.0, 1e-3), (Adam(0.3), 100, 0.3, 1e-3), (Adam(0.5), 100, 2.0, 5e-3)]


@exercise("largest_escapable_h", _bisection_cases, rtol=0.0, atol=2e-3, points=2, time_limit=10.0, mistakes=[
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
