"""Exercises of notebook 01: the Rosenbrock gradient and Hessian, the level sets near x*, the seed's
route to the stationary points, pure Newton, classifying a stationary point, the plateau's gradient,
second-order directions (Newton, |H|, damped, negative curvature), gradient descent and its blow-up
rate, heavy-ball and Nesterov momentum, Newton with a backtracking line search, and the heavy-ball
rate and optimum on the quadratic model at x*."""

import numpy as np

from helpers.gradcheck import numerical_gradient, numerical_jacobian
from helpers.objectives import PLATEAU, ROSENBROCK, Objective
from helpers.optim import GD, Momentum, Newton, minimize

from ._registry import Mistake, exercise

NOTEBOOK = "01_rosenbrock"

#: the tasks of the source assignment (Assignment 03, exercise 1) that this notebook covers, numbered as
#: it numbers them; its part a) numbers three items and then treats the second function g unnumbered
#: ("1a.g"); exercise 1c (the 2-2-2 network) is notebook 02's
TASKS = {
    "1a.1": "compute the partial derivatives and the gradient of the Rosenbrock function f",
    "1a.2": "compute the Hessian of f, evaluate gradient and Hessian at x* = (1, 1), and show that x* is a minimum",
    "1a.3": "show that x* = (1, 1) is the only minimum of f",
    "1a.g": "for g with gradient (2 x1 + 8, -4 x2 + 12): find the stationary point, the Hessian, and what kind of "
            "point it is",
    "1b(a)": "explain the plateau (flat area) of an error surface and the problem it causes",
    "1b(b)": "explain what a Hessian with eigenvalues of large magnitude and negative sign means for "
             "second-order descent directions",
}

GRADIENTS = ("helpers.gradcheck.numerical_gradient", "helpers.gradcheck.numerical_jacobian")
RUNS = ("helpers.optim.minimize", "helpers.optim.minimize_run", "helpers.optim.descend")
X_STAR = np.array([1.0, 1.0])
X_START = np.array([-1.2, 1.0])
H_STAR = ROSENBROCK.hess(X_STAR)
f, grad, hess = ROSENBROCK.f, ROSENBROCK.grad, ROSENBROCK.hess


def _points(rng):
    """The classic start, the minimum (where many wrong formulas vanish too) and random points."""
    return [(np.array([-1.2, 1.0]),), (np.array([1.0, 1.0]),)] + [(p,) for p in rng.uniform(-2, 2, (4, 2))]


def _wrong_sign_grad(x):
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) + 2 * (1 - x1), 200 * (x2 - x1**2)])


@exercise("rosenbrock_grad", _points, numeric=lambda x: numerical_gradient(ROSENBROCK.f, x), points=2,
          forbid=("helpers.objectives.ROSENBROCK.grad",) + GRADIENTS,
          reveal="the gradient at x* = (1, 1) is (0, 0): x* is a stationary point", mistakes=[
    Mistake("the second term of df/dx1 has the wrong sign: d/dx1 (1 - x1)^2 = -2 (1 - x1)", _wrong_sign_grad),
    Mistake("df/dx1 misses the inner derivative -2 x1 of (x2 - x1^2) (chain rule)",
            lambda x: np.array([200 * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])),
])
def rosenbrock_grad(x):
    """Gradient (2,) of f(x) = 100 (x2 - x1^2)^2 + (1 - x1)^2 at x (2,)."""
    return ROSENBROCK.grad(np.asarray(x, dtype=float))


@exercise("rosenbrock_hess", _points, numeric=lambda x: numerical_jacobian(ROSENBROCK.grad, x), points=2,
          forbid=("helpers.objectives.ROSENBROCK.hess",) + GRADIENTS,
          reveal="the Hessian at x* = (1, 1) is [[802, -400], [-400, 200]]", mistakes=[
    Mistake("H11 misses the + 2 that (1 - x1)^2 contributes",
            lambda x: ROSENBROCK.hess(x) - np.array([[2.0, 0.0], [0.0, 0.0]])),
    Mistake("the mixed derivatives should be -400 x1, the derivative of 200 (x2 - x1^2) with respect to x1",
            lambda x: ROSENBROCK.hess(x) * np.array([[1, 0.5], [0.5, 1]])),
])
def rosenbrock_hess(x):
    """Hessian (2, 2) of the Rosenbrock function at x (2,)."""
    return ROSENBROCK.hess(np.asarray(x, dtype=float))


def _curvature_cases(rng):
    """H* and positive definite matrices of sizes 2 to 4, diagonal and rotated."""
    cases = [(H_STAR.copy(),), (np.diag([3.0, 0.5]),)]
    for n in (2, 3, 4):
        q = np.linalg.qr(rng.standard_normal((n, n)))[0]
        cases.append((q @ np.diag(rng.uniform(0.1, 10.0, n)) @ q.T,))
    return cases


def _curvature(H, minors="leading", order=1):
    H = np.asarray(H, dtype=float)
    n = len(H)
    if minors == "leading":
        m = np.array([np.linalg.det(H[:k, :k]) for k in range(1, n + 1)])
    else:  # the trailing ones, from the bottom right
        m = np.array([np.linalg.det(H[n - k:, n - k:]) for k in range(1, n + 1)])
    lam = np.linalg.eigvalsh(H)[::order]
    return m, lam, float(np.max(lam) / np.min(lam))


@exercise("curvature_numbers", _curvature_cases, points=1, returns=("minors", "eigenvalues", "condition"),
          reveal="at x*: minors 802 and 400, eigenvalues 0.3994 and 1001.6006, condition number 2508.0096", mistakes=[
    Mistake("the leading principal minors are the determinants of the top-left k x k blocks H[:k, :k], k = 1 ... n",
            lambda H: _curvature(H, minors="trailing")),
    Mistake("list the eigenvalues in ascending order (np.linalg.eigvalsh gives them so)",
            lambda H: _curvature(H, order=-1)),
])
def curvature_numbers(H):
    """(the leading principal minors (n,), the eigenvalues in ascending order (n,), the condition number
    lambda_max / lambda_min) of a symmetric positive definite H (n, n)."""
    return _curvature(H)


# ----------------------------------------------------------------------------- level sets near x*

def _eigvecs():
    lam, V = np.linalg.eigh(H_STAR)
    return V[:, 0] * np.sign(V[0, 0]), V[:, 1] * np.sign(V[0, 1])


def _level_cases(rng):
    """Along the flat and the steep eigenvector, both ways, at levels from 1e-8 to 1e-2, and random directions."""
    v_min, v_max = _eigvecs()
    cases = [(v_min, 1e-8), (-v_min, 1e-4), (v_max, 1e-6), (-v_max, 1e-2)]
    for c in (1e-6, 1e-3):
        d = rng.normal(size=2)
        cases.append((d / np.linalg.norm(d), c))
    return cases


def _bisect_level(direction, c, keep_low_half=False):
    lo, hi = 0.0, 1e-6
    while f(X_STAR + hi * direction) < c:
        hi *= 2
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        below = f(X_STAR + mid * direction) < c
        if below != keep_low_half:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@exercise("level_distance", _level_cases, points=2, rtol=1e-8, mistakes=[
    Mistake("return the distance t (a number), not the point x* + t d", lambda d, c: X_STAR + _bisect_level(d, c) * d),
    Mistake("the bisection keeps the wrong half: when f(x* + mid d) < c the crossing lies beyond mid (lo = mid)",
            lambda d, c: _bisect_level(d, c, keep_low_half=True)),
    Mistake("that is the quadratic model's distance sqrt(2c / d^T H* d); f itself differs from it by cubic and "
            "quartic terms: solve f(x* + t d) = c", lambda d, c: float(np.sqrt(2 * c / (d @ H_STAR @ d)))),
])
def level_distance(direction, c):
    """t > 0 with f(x* + t direction) = c, for a unit vector direction (2,) and a level c > 0 (full precision)."""
    return _bisect_level(np.asarray(direction, float), float(c))


def _axis_ratio(c, swap=False):
    v_min, v_max = _eigvecs()
    kappa = np.linalg.eigvalsh(H_STAR)[1] / np.linalg.eigvalsh(H_STAR)[0]
    along = _bisect_level(v_min, c), _bisect_level(-v_min, c)
    across = _bisect_level(v_max, c), _bisect_level(-v_max, c)
    ratio = (sum(across) / sum(along) if swap else sum(along) / sum(across)) / np.sqrt(kappa)
    return ratio, along[0] / along[1]


@exercise("axis_ratio", lambda rng: [(1e-8,), (1e-4,), (1e-2,), (1.0,), (float(10 ** rng.uniform(-7, 0)),)], points=1,
          returns=("ratio", "asymmetry"), rtol=1e-7, mistakes=[
    Mistake("the axis ratio is the length along the valley (v_min) over the length across it (v_max)",
            lambda c: _axis_ratio(c, swap=True)),
    Mistake("divide the axis ratio by sqrt(kappa), the model's ratio, so that 1 means 'an ellipse of the model'",
            lambda c: (_axis_ratio(c)[0] * np.sqrt(np.linalg.eigvalsh(H_STAR)[1] / np.linalg.eigvalsh(H_STAR)[0]),
                       _axis_ratio(c)[1])),
])
def axis_ratio(c):
    """(axis ratio of the level set f = c along v_min and across it, over sqrt(kappa); the asymmetry
    t(v_min) / t(-v_min)), with the lengths from level_distance both ways along each eigenvector of H*
    (v_min with a positive first entry)."""
    return _axis_ratio(float(c))


# ----------------------------------------------------------------------------- the stationary points

def _x1_cases(rng):
    """x1 = 1 (where the worked answer's slip hides), values of both signs, near zero and large."""
    signs = rng.choice([-1.0, 1.0], 6)
    return [(np.array([1.0, 0.5, -0.5, 2.0, -1.5]),), (signs * rng.uniform(0.05, 3.0, 6),),
            (np.array([0.01, -0.02, 10.0]),)]


@exercise("x2_where_df1_vanishes", _x1_cases, points=2,
          reveal="with x2 = x1^2 from df/dx2 = 0 it leaves x1^2 - x2 = (1 - x1) / (200 x1) = 0: x1 = 1", mistakes=[
    Mistake("the sign of x1 - 1 is flipped: 400 x1 x2 = 400 x1^3 + 2 x1 - 2 gives x2 = (200 x1^3 + x1 - 1) / (200 x1); "
            "the worked answer's (200 x1^3 - x1 + 1) / (200 x1) agrees only at x1 = 1",
            lambda x1: (200 * x1**3 - x1 + 1) / (200 * x1)),
    Mistake("x2 = x1^2 is where df/dx2 vanishes; here df/dx1 = 400 (x1^3 - x1 x2) + 2 x1 - 2 = 0 is solved for x2",
            lambda x1: x1**2),
    Mistake("dividing 400 x1 x2 = 400 x1^3 + 2 x1 - 2 by 400 x1 halves every term: (200 x1^3 + x1 - 1) / (200 x1)",
            lambda x1: (200 * x1**3 + 2 * x1 - 2) / (200 * x1)),
    Mistake("the constant - 2 of df/dx1 = 400 (x1^3 - x1 x2) + 2 x1 - 2 is missing",
            lambda x1: (200 * x1**3 + x1) / (200 * x1)),
])
def x2_where_df1_vanishes(x1):
    """x2 (n,) with df/dx1 (x1, x2) = 0, for x1 (n,) without zeros (the worked answer's route)."""
    x1 = np.asarray(x1, dtype=float)
    return (200 * x1**3 + x1 - 1) / (200 * x1)


def _newton(x0, steps, sign=-1.0, frozen=False):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    H0 = hess(x)
    for _ in range(steps):
        g, H = grad(x), H0 if frozen else hess(x)
        d = np.linalg.solve(H, g)
        x = x + sign * d
        path.append(x.copy())
    return np.array(path)


def _calm(path):
    """A path that stays in a sensible range and away from singular Hessians (round-off stays small)."""
    return (np.isfinite(path).all() and np.abs(path).max() < 20
            and all(abs(np.linalg.det(hess(p))) > 50 for p in path[:-1]))


def _newton_cases(rng):
    cases = [(X_START.copy(), 6)]
    while len(cases) < 4:
        x0 = rng.uniform([-2.0, -1.0], [2.0, 3.0])
        n = int(rng.integers(3, 8))
        if _calm(_newton(x0, n)):
            cases.append((x0, n))
    return cases


@exercise("newton_path", _newton_cases, points=2, forbid=("helpers.optim.Newton",) + RUNS, mistakes=[
    Mistake("the path starts with x0 itself: steps + 1 rows, x0 first", lambda x0, n: _newton(x0, n)[1:]),
    Mistake("a Newton step subtracts H^-1 grad f: x - H^-1 g, not x + H^-1 g", lambda x0, n: _newton(x0, n, sign=1.0)),
    Mistake("the Hessian changes from point to point: compute H(x) again at every step, not once at x0",
            lambda x0, n: _newton(x0, n, frozen=True)),
])
def newton_path(x0, steps):
    """The path (steps + 1, 2) of pure Newton steps x <- x - H(x)^-1 grad f(x) on Rosenbrock from x0."""
    return minimize(ROSENBROCK, x0, Newton(), steps)


def _rises(fv):
    return int(np.sum(np.diff(fv) > 1e-12))


def _summary(path, rises=_rises):
    path = np.asarray(path, dtype=float)
    fv, dist = f(path), np.linalg.norm(path - X_STAR, axis=1)
    first = [int(np.argmax(m)) if m.any() else -1 for m in (fv < 1e-8, dist < 1e-8)]
    return first[0], first[1], rises(fv), float(fv[-1])


def _summary_cases(rng):
    return [(minimize(ROSENBROCK, X_START, GD(1.5e-3), 40),), (minimize(ROSENBROCK, X_START, Newton(), 8),),
            (minimize(ROSENBROCK, X_START, GD(4e-3), 60),),
            (minimize(ROSENBROCK, X_START, GD(1e-2), 10, max_norm=1e6),),
            (minimize(ROSENBROCK, rng.uniform(-2, 2, 2), Newton(), 12),)]


@exercise("path_summary", _summary_cases, points=1, returns=("to_f", "to_x", "rises", "final_f"), mistakes=[
    Mistake("count the rises of f from one iterate to the next: f_{k+1} > f_k + 1e-12, not f_{k+1} < f_k",
            lambda p: _summary(p, rises=lambda fv: int(np.sum(np.diff(fv) < -1e-12)))),
    Mistake("-1 marks a path that never gets there; np.argmax of an all-False mask is 0, which reads as 'at once'",
            lambda p: (int(np.argmax(f(np.asarray(p)) < 1e-8)), int(np.argmax(np.linalg.norm(np.asarray(p) - X_STAR,
                                                                                           axis=1) < 1e-8)))
            + _summary(p)[2:]),
])
def path_summary(path):
    """(first k with f(x_k) < 1e-8, first k with |x_k - x*| < 1e-8, each -1 if there is none, the number of steps
    where f rises by more than 1e-12, f at the last iterate) for a path (k + 1, 2)."""
    return _summary(path)


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


# ----------------------------------------------------------------------------- the plateau

def _sig(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def _plateau_cases(rng):
    """The start of the runs (-6, -4), the minimum, the middle, a far-saturated unit and random points."""
    return [(np.array([-6.0, -4.0]),), (np.full(2, np.log(9.0)),), (np.zeros(2),), (np.array([-30.0, 2.0]),)] + [
        (p,) for p in rng.uniform(-8.0, 5.0, (3, 2))]


_G0 = PLATEAU.grad(np.array([-6.0, -4.0]))


@exercise("plateau_grad", _plateau_cases, numeric=lambda x: numerical_gradient(PLATEAU.f, x), points=2,
          forbid=("helpers.objectives.PLATEAU.grad",) + GRADIENTS,
          reveal=f"at (-6, -4), where p = {PLATEAU.f(np.array([-6.0, -4.0])):.2f}, the gradient is "
                 f"({_G0[0]:.1e}, {_G0[1]:.1e}): a step of size 1 moves x by less than 0.02", mistakes=[
    Mistake("the chain rule: the derivative of sigma(x_i), sigma(x_i) (1 - sigma(x_i)), multiplies (sigma(x_i) - 0.9)",
            lambda x: _sig(x) - 0.9),
    Mistake("sigma'(x) = sigma(x) (1 - sigma(x)), written with sigma(x), not x (1 - x)",
            lambda x: (_sig(x) - 0.9) * np.asarray(x) * (1 - np.asarray(x))),
    Mistake("the 1/2 in front cancels against the 2 that the square brings down: (sigma - 0.9) sigma', not half of it",
            lambda x: 0.5 * (_sig(x) - 0.9) * _sig(x) * (1 - _sig(x))),
])
def plateau_grad(x):
    """Gradient (2,) of p(x) = 1/2 sum_i (sigma(x_i) - 0.9)^2 at x (2,)."""
    return PLATEAU.grad(np.asarray(x, dtype=float))


PROBLEMS = {"plateau": (PLATEAU, (-6.0, -4.0)), "valley": (ROSENBROCK, (-1.2, 1.0))}


def _cure(problem, rule, steps, diverged=-2, goal=1e-6):
    objective, x0 = PROBLEMS[problem]
    path = minimize(objective, x0, rule, steps)
    below = np.flatnonzero(objective.f(path) < goal)
    return int(below[0]) if below.size else (diverged if len(path) < steps + 1 else -1)


def _cure_cases(rng):
    return [("plateau", GD(1.0), 1000), ("plateau", GD(10.0), 200), ("valley", GD(1.5e-2), 100),
            ("valley", Newton(), 20), ("plateau", Newton(), 20), ("valley", Momentum(1.5e-3, 0.9), 1000),
            ("plateau", Momentum(1.0, 0.9), 300)]


@exercise("cure_steps", _cure_cases, points=2, mistakes=[
    Mistake("a run that diverges stops early (its path is shorter than steps + 1): return -2 for it, -1 only for a "
            "run that ends without getting there", lambda pr, rule, n: _cure(pr, rule, n, diverged=-1)),
    Mistake("the goal is f < 1e-6 (1e-8 is the race's goal in section 7)",
            lambda pr, rule, n: _cure(pr, rule, n, goal=1e-8)),
])
def cure_steps(problem, rule, steps, ax=None):
    """The first k with f(x_k) < 1e-6 when `rule` runs (minimize) on problem "plateau" (PLATEAU from (-6, -4)) or
    "valley" (Rosenbrock from (-1.2, 1)) for at most `steps` steps; -2 if the run diverged first, -1 if it never
    got there; with ax, also draw the path."""
    return _cure(problem, rule, steps)


# ----------------------------------------------------------------------------- second-order directions

def _newton_dir_cases(rng):
    return [(ROSENBROCK.grad(x), ROSENBROCK.hess(x)) for x in rng.uniform(-2, 2, (4, 2))]


@exercise("newton_direction", _newton_dir_cases, forbid=("helpers.optim.Newton",), mistakes=[
    Mistake("the Newton step solves H d = -g; multiplying by H instead of solving with it goes the wrong way",
            lambda g, H: -H @ g),
    Mistake("the Newton direction is -H^-1 g: the minus sign is missing", lambda g, H: np.linalg.solve(H, g)),
])
def newton_direction(g, H):
    """The Newton direction d (2,) that solves H d = -g, for a gradient g (2,) and Hessian H (2, 2)."""
    return -np.linalg.solve(H, g)


def _modified(g, H, damping, absolute="eig", damp_sign=1.0, curvature="signed"):
    lam, V = np.linalg.eigh(H)
    if absolute == "eig":
        d_abs = -V @ ((V.T @ g) / np.abs(lam))
    else:
        d_abs = -np.linalg.solve(np.abs(H), g)
    d_damped = -np.linalg.solve(H + damp_sign * damping * np.eye(len(g)), g)
    v = V[:, 0]
    if curvature == "largest":
        v = V[:, -1] * (-1.0 if V[:, -1] @ g > 0 else 1.0)
    elif curvature == "signed":
        v = (v * (-1.0 if v @ g > 0 else 1.0)) if lam[0] < 0 else np.zeros_like(g)
    elif curvature == "always":
        v = v * (-1.0 if v @ g > 0 else 1.0)
    elif curvature == "raw":
        v = v if lam[0] < 0 else np.zeros_like(g)
    return d_abs, d_damped, v


def _direction_cases(rng):
    """(0, 1) and (0, 0.02) of the notebook, indefinite points with both orientations of eigh's eigenvector,
    and points below the valley floor (positive definite: no negative-curvature direction)."""
    cases = [(0.0, 1.0, 500.0), (0.0, 0.02, 10.0)]
    orient, pd = set(), 0
    while len(orient) < 2 or pd < 2:
        x = rng.uniform([-2.0, -1.0], [2.0, 3.0])
        g, H = grad(x), hess(x)
        lam, V = np.linalg.eigh(H)
        damping = float(rng.uniform(1.0, 600.0))
        if (abs(V[:, 0] @ g) < 1e-3 * np.linalg.norm(g) or np.min(np.abs(lam + damping)) < 1.0
                or np.min(np.abs(lam)) < 1.0):
            continue
        if lam[0] < 0 and (V[:, 0] @ g > 0) not in orient:
            orient.add(bool(V[:, 0] @ g > 0))
            cases.append((x[0], x[1], damping))
        elif lam[0] > 0 and pd < 2:
            pd += 1
            cases.append((x[0], x[1], damping))
    return [(grad(np.array([a, b])), hess(np.array([a, b])), mu) for a, b, mu in cases]


NAMES = ("absolute", "damped", "curvature")


@exercise("modified_directions", _direction_cases, points=3, returns=NAMES,
          reveal="at (0, 1) the negative-curvature direction is (1, 0): along it f falls from 101 to 0 at t = 1, "
                 "the minimum", mistakes=[
    Mistake("|H| means |eigenvalues|: V diag(|lambda_i|) V^T, not the absolute value of each entry of H",
            lambda g, H, mu: _modified(g, H, mu, absolute="entries")),
    Mistake("damping adds mu I to H (H + mu I), which lifts every eigenvalue by mu; H - mu I lowers them",
            lambda g, H, mu: _modified(g, H, mu, damp_sign=-1.0)),
    Mistake("the negative-curvature eigenvector must point downhill (g . d < 0); eigh returns it with either sign",
            lambda g, H, mu: _modified(g, H, mu, curvature="raw")),
    Mistake("the negative-curvature direction belongs to the smallest (most negative) eigenvalue, not the largest",
            lambda g, H, mu: _modified(g, H, mu, curvature="largest")),
    Mistake("where every eigenvalue is positive there is no negative-curvature direction: return zeros",
            lambda g, H, mu: _modified(g, H, mu, curvature="always")),
])
def modified_directions(g, H, damping):
    """For a gradient g (2,), a Hessian H (2, 2) and damping mu > 0: (-|H|^-1 g, -(H + mu I)^-1 g, and the unit
    eigenvector of the most negative eigenvalue pointing downhill, or zeros (2,) if H has no negative eigenvalue)."""
    return _modified(np.asarray(g, float), np.asarray(H, float), float(damping))


def _lowest(x, d, t_max, n=2000, normalise=True):
    t = np.linspace(0.0, t_max, n + 1)[1:]
    u = np.asarray(d, float) / (np.linalg.norm(d) if normalise else 1.0)
    return float(f(np.asarray(x, float) + t[:, None] * u).min())


def _lowest_cases(rng):
    cases = [(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 2.0),
             (np.array([0.0, 0.02]), -grad(np.array([0.0, 0.02])), 2.0),
             (X_START.copy(), grad(X_START), 0.05)]  # uphill: the lowest point of the grid is its first, above f(x)
    for _ in range(3):
        x = rng.uniform(-1.5, 1.5, 2)
        cases.append((x, -grad(x) * rng.uniform(0.01, 3.0), float(rng.uniform(0.1, 2.0))))
    return cases


@exercise("lowest_along", _lowest_cases, points=1, mistakes=[
    Mistake("t is a length along the unit vector d/|d|; stepping by t d goes |d| times as far",
            lambda x, d, t_max: _lowest(x, d, t_max, normalise=False)),
    Mistake("the grid has 2000 equal steps: t = t_max/2000, 2 t_max/2000, ..., t_max",
            lambda x, d, t_max: _lowest(x, d, t_max, 200)),
])
def lowest_along(x, d, t_max):
    """The lowest f on x + t d/|d| for t = t_max/2000, 2 t_max/2000, ..., t_max (a line search on a grid)."""
    return _lowest(x, d, t_max)


# ----------------------------------------------------------------------------- gradient descent

def _gd(x0, lr, steps, stop=True):
    x = np.array(x0, dtype=float)
    path = [x]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = x - lr * grad(x)
            path.append(x)
            if stop and np.linalg.norm(x) > 1e6:
                break
    return np.array(path)


def _descent_cases(rng):
    return [(np.array([-1.2, 1.0]), 1e-3, 5), (np.array([-1.2, 1.0]), 1e-2, 10)] + [
        (rng.uniform(-2, 2, 2), lr, n) for lr, n in ((2e-3, 3), (1e-4, 8))]


@exercise("gradient_descent", _descent_cases, points=2, forbid=RUNS + ("helpers.optim.GD",), mistakes=[
    Mistake("the path starts with x0 itself: steps + 1 rows, x0 first",
            lambda x0, lr, n: minimize(ROSENBROCK, x0, GD(lr), n, max_norm=1e6)[1:]),
    Mistake("a descent step goes against the gradient: x - lr * grad f(x)",
            lambda x0, lr, n: minimize(Objective(ROSENBROCK.f, lambda x: -ROSENBROCK.grad(x)), x0, GD(lr), n,
                                       max_norm=1e6)),
    Mistake("stop after the first iterate with |x| > 1e6: the run has blown up (left alone it overflows to inf "
            "and nan)",
            lambda x0, lr, n: _gd(x0, lr, n, stop=False)),
])
def gradient_descent(x0, lr, steps):
    """The path of gradient descent on Rosenbrock from x0 with learning rate lr: steps + 1 rows, or fewer when an
    iterate has |x| > 1e6 (a blow-up: that iterate is the last row)."""
    return minimize(ROSENBROCK, x0, GD(lr), steps, max_norm=1e6)


def _experiment(rates, steps, rises=_rises, run_len=lambda p: len(p) - 1):
    rows = []
    for lr in rates:
        p = minimize(ROSENBROCK, X_START, GD(lr), steps, max_norm=1e6)
        rows.append((run_len(p), f(p[-1]), rises(f(p))))
    return np.array(rows, dtype=float)


def _experiment_cases(rng):
    return [([1e-4, 1.5e-3, 4e-3, 1e-2], 200), ([2e-3, 5e-3], 150), (list(rng.uniform(5e-4, 8e-3, 3)), 100)]


@exercise("descent_experiment", _experiment_cases, points=2, mistakes=[
    Mistake("the steps run are the rows of the path minus one (x0 is row 0)",
            lambda r, n: _experiment(r, n, run_len=len)),
    Mistake("count the steps where f rises by more than 1e-12 (your path_summary's rises)",
            lambda r, n: _experiment(r, n, rises=lambda fv: int(np.sum(np.diff(fv) < -1e-12)))),
])
def descent_experiment(rates, steps, axes=None):
    """Gradient descent from (-1.2, 1) at each rate for `steps` steps: an array (len(rates), 3) of the steps run
    (fewer after a blow-up), f at the last iterate and the rises of f; with axes (two), draw the paths and f."""
    return _experiment(rates, steps)


def _blows_up(x0, lr, steps, until_nan=False):
    if until_nan:  # the whole run, then one test of the largest entry (nan > 1e6 is False)
        return bool(np.abs(_gd(x0, lr, steps, stop=False)).max() > 1e6)
    return bool(np.linalg.norm(_gd(x0, lr, steps)[-1]) > 1e6)


def _bisect_rate(x0, lo, hi, steps, tol, swap=False, until_nan=False):
    while hi - lo >= tol:
        mid = 0.5 * (lo + hi)
        if _blows_up(x0, mid, steps, until_nan) != swap:
            hi = mid
        else:
            lo = mid
    return lo, hi


def _rate_bracket_cases(rng):
    return [(X_START.copy(), 4e-3, 1e-2, 200, 1e-5), (X_START.copy(), 1e-3, 6.3e-3, 150, 1e-5),
            (np.array([0.0, 0.0]), 1e-3, 2e-2, 100, 1e-4)] + [
        (rng.uniform(-1.5, 1.5, 2), 1e-4, 2e-2, 100, 1e-4) for _ in range(2)]


@exercise("blowup_rate", _rate_bracket_cases, points=3, returns=("lo", "hi"), rtol=1e-9,
          reveal="from (-1.2, 1), with lo 4e-3, hi 1e-2 and 200 steps, the bracket is (0.0061526, 0.0061533): "
                 "3.1 times 2/lambda_max(x*) = 0.001997", mistakes=[
    Mistake("a rate at which the run blows up becomes the new upper end (hi = mid); one that stays bounded the "
            "new lower end", lambda *a: _bisect_rate(*a, swap=True)),
    Mistake("a run that overflows ends in inf and then nan, and nan > 1e6 is False: stop at the first iterate "
            "beyond 1e6 (or test np.isfinite too)", lambda *a: _bisect_rate(*a, until_nan=True)),
])
def blowup_rate(x0, lo, hi, steps, tol):
    """Bisection on the learning rate: (lo, hi) with hi - lo < tol, where gradient descent on Rosenbrock from
    x0 stays bounded for `steps` steps at lo and blows up (an iterate with |x| > 1e6, or not finite) at hi."""
    return _bisect_rate(np.asarray(x0, float), float(lo), float(hi), int(steps), float(tol))


# ----------------------------------------------------------------------------- momentum: heavy ball, Nesterov

def _momentum(x0, lr, beta, steps, nesterov, form="helpers", sign=1.0):
    """Heavy ball, or Nesterov in the form with the gradient at the iterate (form="lookahead": Sutskever's form,
    returning x_k where the gradient is taken at x_k + beta v_k; form="ema": v = beta v + (1 - beta) g)."""
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        if form == "lookahead" and nesterov:
            v = beta * v - lr * grad(x + beta * v)
            x = x + v
        elif form == "ema":
            g = grad(x)
            v = beta * v + (1 - beta) * g
            x = x - lr * (beta * v + (1 - beta) * g) if nesterov else x - lr * v
        else:
            g = grad(x)
            v = beta * v - sign * lr * g
            x = x + beta * v - lr * g if nesterov else x + v
        path.append(x.copy())
    return np.array(path)


def _momentum_cases(rng):
    cases = [(X_START.copy(), 1e-3, 0.9, 40, False), (X_START.copy(), 1e-3, 0.9, 40, True)]
    while len(cases) < 6:
        case = (rng.uniform(-1.5, 1.5, 2), float(rng.uniform(1e-4, 1e-3)), float(rng.uniform(0.3, 0.95)), 30,
                len(cases) % 2 == 1)
        if np.abs(_momentum(*case)).max() < 5:
            cases.append(case)
    return cases


@exercise("momentum_path", _momentum_cases, points=3, forbid=("helpers.optim.Momentum",) + RUNS, mistakes=[
    Mistake("with nesterov=True the step is x + beta v - lr g (it looks ahead along the new velocity); "
            "the path is heavy ball's in every case", lambda x0, lr, b, n, nest: _momentum(x0, lr, b, n, False)),
    Mistake("that is Nesterov in Sutskever's form, whose x_k is not where the gradient is taken: return the points "
            "y_k = x_k + beta v_k, which follow y <- y + beta v - lr grad f(y)",
            lambda x0, lr, b, n, nest: _momentum(x0, lr, b, n, nest, form="lookahead")),
    Mistake("the velocity goes against the gradient: v <- beta v - lr grad f(x)",
            lambda x0, lr, b, n, nest: _momentum(x0, lr, b, n, nest, sign=-1.0)),
    Mistake("v <- beta v + (1 - beta) g is an average of gradients (Adam's m), (1 - beta) times heavy ball's "
            "velocity: heavy ball adds the whole -lr g",
            lambda x0, lr, b, n, nest: _momentum(x0, lr, b, n, nest, form="ema")),
])
def momentum_path(x0, lr, beta, steps, nesterov):
    """The path (steps + 1, 2) of heavy-ball momentum (nesterov False) or Nesterov momentum (True) on Rosenbrock
    from x0, velocity 0 at the start."""
    return minimize(ROSENBROCK, x0, Momentum(lr, beta, nesterov=nesterov), steps)


# ----------------------------------------------------------------------------- Newton with a line search

def _line_search(x0, steps, fallback=True, c=1e-4):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        g, H = grad(x), hess(x)
        d = -np.linalg.solve(H, g)
        if fallback and g @ d >= 0:
            d = -g
        t = 1.0
        while f(x + t * d) > f(x) + c * t * (g @ d):
            t /= 2
        x = x + t * d
        path.append(x.copy())
    return np.array(path)


def _line_search_cases(rng):
    cases = [(X_START.copy(), 25), (np.array([0.0, 0.02]), 6)]
    while len(cases) < 4:
        x0 = rng.uniform([-2.0, -1.0], [2.0, 3.0])
        if x0[1] > x0[0] ** 2 + 0.1:  # indefinite: the fallback matters
            cases.append((x0, 10))
    return cases


@exercise("newton_line_search", _line_search_cases, points=3, forbid=("helpers.optim.Newton",) + RUNS, mistakes=[
    Mistake("that is pure Newton: halve t from 1 until f(x + t d) <= f(x) + 1e-4 t g.d, so that f never rises",
            lambda x0, n: _newton(x0, n)),
    Mistake("where the Newton direction is not a descent direction (g.d >= 0) no step along it lowers f: "
            "use d = -g there", lambda x0, n: _line_search(x0, n, fallback=False)),
])
def newton_line_search(x0, steps):
    """The path (steps + 1, 2) of Newton's method with a backtracking line search on Rosenbrock from x0: d = -H^-1 g
    (d = -g where g.d >= 0), t halved from 1 until f(x + t d) <= f(x) + 1e-4 t g.d, then x <- x + t d."""
    return _line_search(np.asarray(x0, float), int(steps))


def _race_paths(steps):
    return [minimize(ROSENBROCK, X_START, GD(1.5e-3), steps, max_norm=1e6),
            minimize(ROSENBROCK, X_START, Momentum(1e-3, 0.9), steps),
            minimize(ROSENBROCK, X_START, Momentum(1e-3, 0.9, nesterov=True), steps),
            minimize(ROSENBROCK, X_START, Newton(), 10), _line_search(X_START, 30)]


@exercise("race", lambda rng: [(200,), (300,), (450,)], points=2, mistakes=[
    Mistake("the rows go gradient descent, heavy ball, Nesterov, pure Newton, Newton with the line search",
            lambda n: np.array([_summary(p) for p in _race_paths(n)], dtype=float)[[0, 2, 1, 3, 4]]),
    Mistake("gradient descent runs at its good rate 1.5e-3; heavy ball and Nesterov at 1e-3 with beta 0.9",
            lambda n: np.array([_summary(minimize(ROSENBROCK, X_START, GD(1e-3), n))]
                               + [_summary(p) for p in _race_paths(n)[1:]], dtype=float)),
])
def race(steps, axes=None):
    """The five methods from (-1.2, 1): an array (5, 4) of path summaries (gradient descent at 1.5e-3, heavy ball and
    Nesterov at 1e-3 and 0.9, each `steps` steps; pure Newton 10 steps; Newton with the line search 30 steps)."""
    return np.array([_summary(p) for p in _race_paths(steps)], dtype=float)


# ----------------------------------------------------------------------------- the quadratic model at x*

def _rate_cases(rng):
    lam = np.linalg.eigvalsh(H_STAR)
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


def _optimum(lam_min, lam_max, eta_top=4.0, square=True):
    a, b = np.sqrt(lam_max), np.sqrt(lam_min)
    rate = (a - b) / (a + b)
    return eta_top / (a + b) ** 2, rate**2 if square else rate, rate


def _optimum_cases(rng):
    lam = np.linalg.eigvalsh(H_STAR)
    return [(lam[0], lam[1]), (1.0, 100.0), (0.5, 0.5)] + [tuple(np.sort(rng.uniform(0.01, 50.0, 2))) for _ in range(3)]


_OPT = _optimum(*np.linalg.eigvalsh(H_STAR))


@exercise("momentum_optimum", _optimum_cases, points=2, returns=("lr", "beta", "rate"),
          reveal=f"at x*: lr* = {_OPT[0]:.6f}, beta* = {_OPT[1]:.4f}, rate {_OPT[2]:.6f}", mistakes=[
    Mistake("beta* is the square of the rate: the two roots' product is beta, and both have modulus sqrt(beta)",
            lambda lo, hi: _optimum(lo, hi, square=False)),
    Mistake("subtracting the two edge conditions gives lr (lambda_max - lambda_min) = 4 sqrt(beta), adding them "
            "2 (1 + beta) - lr (lambda_max + lambda_min) = 0: together "
            "lr* = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2",
            lambda lo, hi: _optimum(lo, hi, eta_top=2.0)),
    Mistake("these are plain gradient descent's best settings (beta = 0, lr = 2 / (lambda_min + lambda_max)); "
            "with momentum both roots sit on the edge of the complex region",
            lambda lo, hi: (2 / (lo + hi), 0.0, (hi - lo) / (hi + lo))),
])
def momentum_optimum(lam_min, lam_max):
    """(lr*, beta*, rate*) of heavy ball on a quadratic whose Hessian has extreme eigenvalues lam_min <= lam_max."""
    return _optimum(float(lam_min), float(lam_max))


QUAD = Objective(lambda e: 0.5 * np.einsum("...i,ij,...j->...", e, H_STAR, e), lambda e: e @ H_STAR, lambda e: H_STAR)


def _measured(lr, beta, n, nesterov, exponent=None):
    path = minimize(QUAD, np.ones(2), Momentum(lr, beta, nesterov=nesterov), 2 * n, max_norm=np.inf)
    e = np.linalg.norm(path, axis=1)
    return float((e[2 * n] / e[n]) ** (1 / n if exponent is None else exponent))


def _measured_cases(rng):
    return [(_OPT[0], _OPT[1], 300, False), (1e-3, 0.9, 400, True), (2e-3, 0.0, 500, False),
            (1e-3, 0.9, 400, False)] + [
        (float(rng.uniform(5e-4, 1.3e-3)), float(rng.uniform(0.3, 0.95)), 200, bool(k)) for k in range(2)]


@exercise("measured_rate", _measured_cases, points=2, mistakes=[
    Mistake("the rate per step is (|e_2n| / |e_n|)^(1/n): the n-th root of the shrink over n steps",
            lambda lr, b, n, nest: _measured(lr, b, n, nest, exponent=1.0)),
    Mistake("with nesterov=True the step is e + beta v - lr g (your momentum_path's form)",
            lambda lr, b, n, nest: _measured(lr, b, n, False)),
])
def measured_rate(lr, beta, n, nesterov):
    """(|e_2n| / |e_n|)^(1/n) for heavy ball (or Nesterov) on the quadratic model q(e) = e^T H* e / 2 from
    e_0 = (1, 1)."""
    return _measured(lr, beta, n, nesterov)


def _map(etas, betas, lam=None):
    lam = np.linalg.eigvalsh(H_STAR) if lam is None else lam
    return np.array([[_radius(a, b, lam) for a in etas] for b in betas])


def _map_cases(rng):
    return [(np.linspace(2e-5, 4.2e-3, 6), 1 - np.geomspace(1.0, 0.005, 5)),
            (np.array([1e-3, 3.8e-3]), np.array([0.0, 0.9, 0.92])),
            (np.sort(rng.uniform(1e-5, 5e-3, 4)), np.sort(rng.uniform(0.0, 0.99, 3)))]


@exercise("rate_map", _map_cases, points=1, mistakes=[
    Mistake("rows go with betas, columns with etas: the array has shape (len(betas), len(etas))",
            lambda e, b: _map(e, b).T if len(e) != len(b) else _map(b, e)),
    Mistake("use the model's two eigenvalues, lambda_min and lambda_max of H*, not lambda_max alone",
            lambda e, b: _map(e, b, lam=np.linalg.eigvalsh(H_STAR)[1:])),
])
def rate_map(etas, betas, ax=None):
    """Heavy ball's rate on the quadratic model at x* for every (eta, beta): an array (len(betas), len(etas)); with ax,
    draw the steps per factor e as filled contours and the stability edge."""
    return _map(etas, betas)


def _nesterov_radius(lr, beta, lam, kind="nesterov", measure=np.abs):
    lam = np.asarray(lam, dtype=float)
    T = np.zeros((lam.size, 2, 2))
    if kind == "nesterov":
        T[:, 0, 0], T[:, 0, 1] = (1 + beta) * (1 - lr * lam), -beta * (1 - lr * lam)
    else:  # the beta term without its (1 - lr lam)
        T[:, 0, 0], T[:, 0, 1] = (1 + beta) * (1 - lr * lam), -beta
    T[:, 1, 0] = 1.0
    return float(measure(np.linalg.eigvals(T)).max())


def _nesterov_cases(rng):
    lam = np.linalg.eigvalsh(H_STAR)
    s3 = np.sqrt(3 * lam[1] / lam[0] + 1)
    return [(4 / (3 * lam[1] + lam[0]), (s3 - 2) / (s3 + 2), lam), (1e-3, 0.9, lam), (1.4e-3, 0.9, lam),
            (2e-3, 0.0, lam)] + [
        (float(rng.uniform(0.05, 1.0)), float(rng.uniform(0.0, 0.95)), rng.uniform(0.1, 5.0, n)) for n in (1, 3)]


@exercise("nesterov_rate", _nesterov_cases, points=2, mistakes=[
    Mistake("that is heavy ball's matrix; Nesterov's is [[(1 + beta)(1 - lr lam), -beta (1 - lr lam)], [1, 0]]",
            lambda lr, b, lam: _radius(lr, b, lam)),
    Mistake("the beta term carries the factor (1 - lr lam) too: e_{k+1} = (1 - lr lam)((1 + beta) e_k - beta e_{k-1})",
            lambda lr, b, lam: _nesterov_radius(lr, b, lam, kind="partial")),
    Mistake("the rate is the largest modulus |mu|; a complex pair's real part understates it",
            lambda lr, b, lam: _nesterov_radius(lr, b, lam, measure=np.real)),
])
def nesterov_rate(lr, beta, lam):
    """Spectral radius of Nesterov's momentum on a quadratic with Hessian eigenvalues lam (n,)."""
    return _nesterov_radius(lr, beta, lam)
