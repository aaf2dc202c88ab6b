"""Exercises of notebook 01: the Rosenbrock gradient and Hessian, classifying a stationary
point, a gradient-descent path and the Newton direction."""

import numpy as np

from helpers.gradcheck import numerical_gradient, numerical_jacobian
from helpers.objectives import ROSENBROCK, Objective
from helpers.optim import GD, minimize

from ._registry import Mistake, exercise

NOTEBOOK = "01_rosenbrock"
GRADIENTS = ("helpers.gradcheck.numerical_gradient", "helpers.gradcheck.numerical_jacobian")

def _points(rng):
    """The classic start, the minimum (where many wrong formulas vanish too) and random points."""
    return [(np.array([-1.2, 1.0]),), (np.array([1.0, 1.0]),)] + [(p,) for p in rng.uniform(-2, 2, (4, 2))]


def _wrong_sign_grad(x):
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) + 2 * (1 - x1), 200 * (x2 - x1**2)])


@exercise("rosenbrock_grad", _points, numeric=lambda x: numerical_gradient(ROSENBROCK.f, x), points=2,
          forbid=("helpers.objectives.ROSENBROCK.grad",) + GRADIENTS, mistakes=[
    Mistake("the second term of df/dx1 has the wrong sign: d/dx1 (1 - x1)^2 = -2 (1 - x1)", _wrong_sign_grad),
    Mistake("df/dx1 misses the inner derivative -2 x1 of (x2 - x1^2) (chain rule)",
            lambda x: np.array([200 * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])),
])
def rosenbrock_grad(x):
    """Gradient (2,) of f(x) = 100 (x2 - x1^2)^2 + (1 - x1)^2 at x (2,)."""
    return ROSENBROCK.grad(np.asarray(x, dtype=float))


@exercise("rosenbrock_hess", _points, numeric=lambda x: numerical_jacobian(ROSENBROCK.grad, x), points=2,
          forbid=("helpers.objectives.ROSENBROCK.hess",) + GRADIENTS, mistakes=[
    Mistake("H11 misses the + 2 that (1 - x1)^2 contributes",
            lambda x: ROSENBROCK.hess(x) - np.array([[2.0, 0.0], [0.0, 0.0]])),
    Mistake("the mixed derivatives should be -400 x1, the derivative of 200 (x2 - x1^2) with respect to x1",
            lambda x: ROSENBROCK.hess(x) * np.array([[1, 0.5], [0.5, 1]])),
])
def rosenbrock_hess(x):
    """Hessian (2, 2) of the Rosenbrock function at x (2,)."""
    return ROSENBROCK.hess(np.asarray(x, dtype=float))


def _symmetric(rng):
    """2 x 2 and 3 x 3 Hessians of every kind, diagonal and rotated; with both signs and a zero, a saddle."""
    diag = [np.diag(d) for d in ([2.0, 3.0], [-1.0, -5.0], [2.0, -4.0], [-3.0, 1.0], [0.0, 2.0], [0.0, -1.0],
                                 [1.0, 2.0, 3.0], [2.0, -1.0, 0.0], [0.0, 0.0, 3.0], [-1.0, -2.0, -0.5])]
    rotated = []
    for H in diag:
        q = np.linalg.qr(rng.standard_normal(H.shape))[0]
        rotated.append(q @ H @ q.T)
    return [(H,) for H in diag + rotated] + [(np.array([[802.0, -400.0], [-400.0, 200.0]]),)]


def _kind(lam):
    """Both signs: a saddle, zero or not (the two curvatures already disagree); else a zero eigenvalue
    leaves the second derivatives undecided."""
    lam = np.asarray(lam, dtype=float)
    zero = np.isclose(lam, 0, atol=1e-9 * max(1.0, np.abs(lam).max()))
    if (lam[~zero] > 0).any() and (lam[~zero] < 0).any():
        return "saddle"
    if zero.any():
        return "degenerate"
    return "minimum" if (lam > 0).all() else "maximum"


@exercise("classify", _symmetric, points=2, mistakes=[
    Mistake("det H > 0 alone does not make a minimum: a maximum has det H > 0 too; look at H11 (or both eigenvalues)",
            lambda H: _kind(np.linalg.eigvalsh(H)) if np.linalg.det(H) <= 0 else "minimum"),
    Mistake("the diagonal entries of H are its eigenvalues only when H is diagonal; use np.linalg.eigvalsh",
            lambda H: _kind(np.diag(H).astype(float))),
    Mistake("a zero eigenvalue leaves the kind undecided only when the others agree in sign: with one positive "
            "and one negative eigenvalue the point is a saddle, whatever the rest",
            lambda H: "degenerate" if np.isclose(np.linalg.eigvalsh(H), 0, atol=1e-9).any()
            else _kind(np.linalg.eigvalsh(H))),
])
def classify(H):
    """'minimum', 'maximum', 'saddle' or 'degenerate' (a zero eigenvalue) for a stationary point with Hessian H."""
    return _kind(np.linalg.eigvalsh(H))


def _descent_cases(rng):
    return [(np.array([-1.2, 1.0]), 1e-3, 5)] + [(rng.uniform(-2, 2, 2), lr, n) for lr, n in ((2e-3, 3), (1e-4, 8))]


@exercise("gradient_descent", _descent_cases, points=2,
          forbid=("helpers.optim.minimize", "helpers.optim.minimize_run", "helpers.optim.descend", "helpers.optim.GD"),
          mistakes=[
    Mistake("the path starts with x0 itself: steps + 1 rows, x0 first",
            lambda x0, lr, n: minimize(ROSENBROCK, x0, GD(lr), n)[1:]),
    Mistake("a descent step goes against the gradient: x - lr * grad f(x)",
            lambda x0, lr, n: minimize(Objective(ROSENBROCK.f, lambda x: -ROSENBROCK.grad(x)), x0, GD(lr), n)),
])
def gradient_descent(x0, lr, steps):
    """The path (steps + 1, 2) of gradient descent on Rosenbrock from x0 with learning rate lr."""
    return minimize(ROSENBROCK, x0, GD(lr), steps)


def _newton_cases(rng):
    return [(ROSENBROCK.grad(x), ROSENBROCK.hess(x)) for x in rng.uniform(-2, 2, (4, 2))]


@exercise("newton_direction", _newton_cases, forbid=("helpers.optim.Newton",), mistakes=[
    Mistake("the Newton step solves H d = -g; multiplying by H instead of solving with it goes the wrong way",
            lambda g, H: -H @ g),
    Mistake("the Newton direction is -H^-1 g: the minus sign is missing", lambda g, H: np.linalg.solve(H, g)),
])
def newton_direction(g, H):
    """The Newton direction d (2,) that solves H d = -g, for a gradient g (2,) and Hessian H (2, 2)."""
    return -np.linalg.solve(H, g)


def _rate_cases(rng):
    lam = np.linalg.eigvalsh(ROSENBROCK.hess(np.array([1.0, 1.0])))
    return [(1e-3, 0.9, lam), (3.8e-3, 0.92, lam), (1.5e-3, 0.0, lam), (3e-3, 0.2, lam), (4.1e-3, 0.99, lam)] + \
        [(rng.uniform(0.05, 1.0), rng.uniform(0.0, 0.95), rng.uniform(0.1, 5.0, n)) for n in (1, 3, 4)]


def _radius(lr, beta, lam, top=lambda lr, beta, lam: 1 + beta - lr * lam, measure=np.abs):
    """max over lam of the largest measure(eigenvalue) of [[top, -beta], [1, 0]]."""
    lam = np.asarray(lam, dtype=float)
    T = np.zeros((lam.size, 2, 2))
    T[:, 0, 0], T[:, 0, 1], T[:, 1, 0] = top(lr, beta, lam), -beta, 1.0
    return float(measure(np.linalg.eigvals(T)).max())


@exercise("heavy_ball_rate", _rate_cases, points=3, mistakes=[
    Mistake("the top-left entry of the iteration matrix is 1 + beta - lr*lam (x_k - x_{k-1} adds beta x_k), "
            "not 1 - lr*lam", lambda lr, beta, lam: _radius(lr, beta, lam, lambda lr, beta, lam: 1 - lr * lam)),
    Mistake("the rate is the largest modulus |mu| of the eigenvalues; a complex pair has |mu| = sqrt(beta), "
            "which its real part understates", lambda lr, beta, lam: _radius(lr, beta, lam, measure=np.real)),
    Mistake("beta is missing: max |1 - lr*lam| is plain gradient descent's rate",
            lambda lr, beta, lam: float(np.abs(1 - lr * np.asarray(lam)).max())),
    Mistake("the rate is the worst over all eigenvalues (np.max), not that of the smallest one alone",
            lambda lr, beta, lam: _radius(lr, beta, np.min(lam))),
])
def heavy_ball_rate(lr, beta, lam):
    """Spectral radius of heavy-ball momentum on a quadratic with Hessian eigenvalues lam (n,)."""
    return _radius(lr, beta, lam)
