"""Students' answers to notebook 01's exercises, right ones in several styles and wrong ones the way students
get them wrong (tests/test_solutions.py judges them: RIGHT must be correct to the check and to the hidden
tests, WRONG must be refused, naming the words given)."""

import math

import numpy as np

# ----------------------------------------------------------------------------- shared pieces, as a student writes them


def _f(x):
    return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2


def _g(x):
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) - 2 * (1 - x1), 200 * (x2 - x1**2)])


def _H(x):
    x1, x2 = x
    return np.array([[1200 * x1**2 - 400 * x2 + 2, -400 * x1], [-400 * x1, 200.0]])


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- rosenbrock_grad


def grad_expanded(x):
    x1, x2 = float(x[0]), float(x[1])
    return np.array([400 * x1**3 - 400 * x1 * x2 + 2 * x1 - 2, 200 * x2 - 200 * x1**2])


def grad_with_r(x):
    r = x[1] - x[0] ** 2
    return np.array([200 * r * (-2 * x[0]) - 2 * (1 - x[0]), 200 * r])


def grad_as_list(x):
    x1, x2 = x
    return [-400 * x1 * (x2 - x1 * x1) - 2 * (1 - x1), 200 * (x2 - x1 * x1)]


def grad_seed_slip(x):  # + 2 (1 - x1)
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) + 2 * (1 - x1), 200 * (x2 - x1**2)])


def grad_no_chain(x):  # forgets the -2 x1 of the inner derivative
    x1, x2 = x
    return np.array([200 * (x2 - x1**2) - 2 * (1 - x1), 200 * (x2 - x1**2)])


def grad_factor_2(x):  # 100 instead of 200 in df/dx2
    x1, x2 = x
    return np.array([-400 * x1 * (x2 - x1**2) - 2 * (1 - x1), 100 * (x2 - x1**2)])


def grad_swapped(x):
    x1, x2 = x
    return np.array([200 * (x2 - x1**2), -400 * x1 * (x2 - x1**2) - 2 * (1 - x1)])


def grad_handed_over(x):
    from helpers.objectives import ROSENBROCK

    return ROSENBROCK.grad(x)


# ----------------------------------------------------------------------------- rosenbrock_hess


def hess_expanded(x):
    x1, x2 = x
    h12 = -400.0 * x1
    return np.array([[1200.0 * x1 * x1 - 400.0 * x2 + 2.0, h12], [h12, 200.0]])


def hess_by_rows(x):
    x1, x2 = float(x[0]), float(x[1])
    rows = [[-400 * (x2 - 3 * x1**2) + 2, -400 * x1], [-400 * x1, 200]]
    return np.array(rows, dtype=float)


def hess_filled(x):
    H = np.empty((2, 2))
    H[0, 0] = 1200 * x[0] ** 2 - 400 * x[1] + 2
    H[0, 1] = H[1, 0] = -400 * x[0]
    H[1, 1] = 200
    return H


def hess_no_two(x):
    x1, x2 = x
    return np.array([[1200 * x1**2 - 400 * x2, -400 * x1], [-400 * x1, 200.0]])


def hess_half_mixed(x):
    x1, x2 = x
    return np.array([[1200 * x1**2 - 400 * x2 + 2, -200 * x1], [-200 * x1, 200.0]])


def hess_wrong_power(x):  # 400 x1^2 instead of 1200 x1^2 (forgot the 3 of x1^3)
    x1, x2 = x
    return np.array([[400 * x1**2 - 400 * x2 + 2, -400 * x1], [-400 * x1, 200.0]])


def hess_numerical(x):
    from helpers.gradcheck import numerical_jacobian
    from helpers.objectives import ROSENBROCK

    return numerical_jacobian(ROSENBROCK.grad, x)


# ----------------------------------------------------------------------------- level_distance


def level_bisection(direction, c):
    x_star = np.array([1.0, 1.0])
    lo, hi = 0.0, 1e-6
    while _f(x_star + hi * direction) < c:
        hi *= 2
    while hi - lo > 1e-15 * hi:
        mid = (lo + hi) / 2
        if _f(x_star + mid * direction) < c:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def level_fixed_bracket(direction, c):
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _f(np.array([1.0 + mid * direction[0], 1.0 + mid * direction[1]])) - c < 0:
            lo = mid
        else:
            hi = mid
    return lo


def level_newton_polish(direction, c):
    """Bisection to a bracket, then Newton's method on phi(t) = f(x* + t d) - c."""
    d = np.asarray(direction, float)
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _f(1 + mid * d) < c else (lo, mid)
    t = (lo + hi) / 2
    for _ in range(20):
        phi = _f(1 + t * d) - c
        dphi = _g(1 + t * d) @ d
        t -= phi / dphi
    return t


def level_quadratic(direction, c):
    H = np.array([[802.0, -400.0], [-400.0, 200.0]])
    return math.sqrt(2 * c / (direction @ H @ direction))


def level_point(direction, c):
    return np.array([1.0, 1.0]) + level_bisection(direction, c) * np.asarray(direction)


def level_few_halvings(direction, c):  # 20 halvings: about 6 digits
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _f(1 + mid * direction) < c else (lo, mid)
    return (lo + hi) / 2


def level_squared(direction, c):  # solves f = c^2
    return level_bisection(direction, c * c)


# ----------------------------------------------------------------------------- x2_where_df1_vanishes


def x2_formula(x1):
    return (200 * x1**3 + x1 - 1) / (200 * x1)


def x2_split(x1):
    x1 = np.asarray(x1, dtype=float)
    return x1**2 + (x1 - 1) / (200 * x1)


def x2_loop(x1):
    return np.array([(400 * a**3 + 2 * a - 2) / (400 * a) for a in x1])


def x2_seed(x1):
    return (200 * x1**3 - x1 + 1) / (200 * x1)


def x2_parabola(x1):
    return x1**2


def x2_not_halved(x1):
    return (200 * x1**3 + 2 * x1 - 2) / (200 * x1)


def x2_no_constant(x1):
    return (200 * x1**3 + x1) / (200 * x1)


def x2_divided_400(x1):
    return (400 * x1**3 + 2 * x1 - 2) / (200 * x1)


# ----------------------------------------------------------------------------- newton_path


def newton_solve(x0, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - np.linalg.solve(_H(x), _g(x))
        path.append(x)
    return np.array(path)


def newton_prealloc(x0, steps):
    path = np.zeros((steps + 1, 2))
    path[0] = x0
    for k in range(steps):
        path[k + 1] = path[k] + np.linalg.solve(_H(path[k]), -_g(path[k]))
    return path


def newton_inverse_list(x0, steps):
    x = list(map(float, x0))
    out = [x]
    for _ in range(steps):
        step = np.linalg.inv(_H(x)) @ _g(x)
        x = [x[0] - step[0], x[1] - step[1]]
        out.append(x)
    return out


def newton_plus(x0, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x + np.linalg.solve(_H(x), _g(x))
        path.append(x)
    return np.array(path)


def newton_no_start(x0, steps):
    return newton_solve(x0, steps)[1:]


def newton_frozen_hessian(x0, steps):
    x = np.array(x0, dtype=float)
    H = _H(x)
    path = [x]
    for _ in range(steps):
        x = x - np.linalg.solve(H, _g(x))
        path.append(x)
    return np.array(path)


def newton_one_step_short(x0, steps):
    return newton_solve(x0, steps - 1)


def newton_library(x0, steps):
    from helpers.objectives import ROSENBROCK
    from helpers.optim import Newton, minimize

    return minimize(ROSENBROCK, x0, Newton(), steps)


# ----------------------------------------------------------------------------- classify


def classify_eig(H):
    lam = np.linalg.eigvalsh(H)
    tol = 1e-9 * max(1.0, np.abs(lam).max())
    pos, neg = (lam > tol).sum(), (lam < -tol).sum()
    if pos and neg:
        return "saddle"
    if pos + neg < len(lam):
        return "degenerate"
    return "minimum" if pos else "maximum"


def classify_sorted(H):
    lam = np.sort(np.linalg.eigvals(np.asarray(H, float)).real)
    scale = max(1.0, abs(lam).max())
    if lam[0] < -1e-9 * scale and lam[-1] > 1e-9 * scale:
        return "saddle"
    if np.any(abs(lam) <= 1e-9 * scale):
        return "degenerate"
    return "minimum" if lam[0] > 0 else "maximum"


def classify_upper(H):
    kind = classify_eig(H)
    return kind.upper()  # the check reads words case-blind


def classify_det_only(H):
    if np.linalg.det(H) > 0:
        return "minimum"
    return classify_eig(H)


def classify_diagonal(H):
    return classify_eig(np.diag(np.diag(H)))


def classify_zero_first(H):
    lam = np.linalg.eigvalsh(H)
    if np.isclose(lam, 0, atol=1e-9).any():
        return "degenerate"
    return classify_eig(H)


def classify_numbers(H):
    return np.linalg.eigvalsh(H)


def classify_no_degenerate(H):
    lam = np.linalg.eigvalsh(H)
    if (lam >= 0).all():
        return "minimum"
    if (lam <= 0).all():
        return "maximum"
    return "saddle"


# ----------------------------------------------------------------------------- plateau_grad


def plateau_direct(x):
    s = _sigmoid(np.asarray(x, float))
    return (s - 0.9) * s * (1 - s)


def plateau_tanh(x):
    s = 0.5 * (1 + np.tanh(np.asarray(x, float) / 2))
    return (s - 0.9) * s * (1 - s)


def plateau_loop(x):
    out = []
    for xi in x:
        s = 1.0 / (1.0 + math.exp(-xi))
        out.append((s - 0.9) * s * (1.0 - s))
    return out


def plateau_no_chain(x):
    return _sigmoid(np.asarray(x, float)) - 0.9


def plateau_x_not_sigma(x):
    x = np.asarray(x, float)
    return (_sigmoid(x) - 0.9) * x * (1 - x)


def plateau_half(x):
    s = _sigmoid(np.asarray(x, float))
    return 0.5 * (s - 0.9) * s * (1 - s)


def plateau_sign(x):
    s = _sigmoid(np.asarray(x, float))
    return (0.9 - s) * s * (1 - s)


def plateau_sum(x):
    s = _sigmoid(np.asarray(x, float))
    return np.sum((s - 0.9) * s * (1 - s))


# ----------------------------------------------------------------------------- newton_direction


def newton_dir_solve(g, H):
    return -np.linalg.solve(H, g)


def newton_dir_inv(g, H):
    return -(np.linalg.inv(H) @ g)


def newton_dir_cramer(g, H):
    (a, b), (c, d) = H
    det = a * d - b * c
    return [-(d * g[0] - b * g[1]) / det, -(-c * g[0] + a * g[1]) / det]


def newton_dir_multiply(g, H):
    return -H @ g


def newton_dir_plus(g, H):
    return np.linalg.solve(H, g)


def newton_dir_transposed_solve(g, H):
    return -np.linalg.solve(H, g)[::-1]


def newton_dir_gradient(g, H):
    return -np.asarray(g)


# ----------------------------------------------------------------------------- modified_directions


def modified_eigh(g, H, damping):
    lam, V = np.linalg.eigh(H)
    d_abs = -V @ np.diag(1 / np.abs(lam)) @ V.T @ g
    d_damped = -np.linalg.solve(H + damping * np.eye(2), g)
    if lam[0] < 0:
        v = V[:, 0]
        d_neg = -v if g @ v > 0 else v
    else:
        d_neg = np.zeros(2)
    return d_abs, d_damped, d_neg


def modified_dict(g, H, damping):
    lam, V = np.linalg.eigh(H)
    absH = V @ np.diag(np.abs(lam)) @ V.T
    v = V[:, np.argmin(lam)]
    return {
        "curvature": (-np.sign(g @ v) * v) if lam.min() < 0 else np.zeros_like(g),
        "damped": np.linalg.solve(H + damping * np.eye(len(g)), -g),
        "absolute": np.linalg.solve(absH, -g),
    }


def modified_list(g, H, damping):
    lam, V = np.linalg.eigh(H)
    coeff = (V.T @ g) / np.abs(lam)
    d_abs = -(coeff[0] * V[:, 0] + coeff[1] * V[:, 1])
    d_damp = -np.linalg.inv(H + np.diag([damping, damping])) @ g
    neg = np.zeros(2)
    if lam[0] < 0:
        neg = V[:, 0] / np.linalg.norm(V[:, 0])
        if neg @ g > 0:
            neg = -neg
    return [d_abs, d_damp, neg]


def modified_abs_entries(g, H, damping):
    d_abs, d_damped, d_neg = modified_eigh(g, H, damping)
    return -np.linalg.solve(np.abs(H), g), d_damped, d_neg


def modified_minus_damping(g, H, damping):
    d_abs, _, d_neg = modified_eigh(g, H, damping)
    return d_abs, -np.linalg.solve(H - damping * np.eye(2), g), d_neg


def modified_unsigned(g, H, damping):
    lam, V = np.linalg.eigh(H)
    d_abs, d_damped, _ = modified_eigh(g, H, damping)
    return d_abs, d_damped, V[:, 0] if lam[0] < 0 else np.zeros(2)


def modified_always(g, H, damping):
    lam, V = np.linalg.eigh(H)
    d_abs, d_damped, _ = modified_eigh(g, H, damping)
    v = V[:, 0]
    return d_abs, d_damped, -v if g @ v > 0 else v


def modified_newton_for_abs(g, H, damping):
    _, d_damped, d_neg = modified_eigh(g, H, damping)
    return -np.linalg.solve(H, g), d_damped, d_neg


# ----------------------------------------------------------------------------- gradient_descent


def gd_loop(x0, lr, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * _g(path[-1]))
        if np.linalg.norm(path[-1]) > 1e6:
            break
    return np.array(path)


def gd_prealloc(x0, lr, steps):
    path = np.empty((steps + 1, 2))
    path[0] = x0
    for k in range(steps):
        path[k + 1] = path[k] - lr * _g(path[k])
        if math.hypot(*path[k + 1]) > 1e6:
            return path[: k + 2]
    return path


def gd_tuples(x0, lr, steps):
    x1, x2 = x0
    out = [(x1, x2)]
    for _ in range(steps):
        d1, d2 = _g((x1, x2))
        x1, x2 = x1 - lr * d1, x2 - lr * d2
        out.append((x1, x2))
        if x1 * x1 + x2 * x2 > 1e12:
            break
    return out


def gd_no_start(x0, lr, steps):
    return gd_loop(x0, lr, steps)[1:]


def gd_ascent(x0, lr, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + lr * _g(path[-1]))
        if np.linalg.norm(path[-1]) > 1e6:
            break
    return np.array(path)


def gd_in_place(x0, lr, steps):  # every row is the same array: the last iterate
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= lr * _g(x)
        path.append(x)
        if np.linalg.norm(x) > 1e6:
            break
    return np.array(path)


def gd_never_stops(x0, lr, steps):
    path = [np.array(x0, dtype=float)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            path.append(path[-1] - lr * _g(path[-1]))
    return np.array(path)


def gd_stops_before(x0, lr, steps):  # leaves the iterate beyond 1e6 out
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        x = path[-1] - lr * _g(path[-1])
        if np.linalg.norm(x) > 1e6:
            break
        path.append(x)
    return np.array(path)


def gd_library(x0, lr, steps):
    from helpers.objectives import ROSENBROCK
    from helpers.optim import GD, minimize

    return minimize(ROSENBROCK, x0, GD(lr), steps)


# ----------------------------------------------------------------------------- blowup_rate


def _blows(x0, lr, steps):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - lr * _g(x)
        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e6:
            return True
    return False


def blowup_bisection(x0, lo, hi, steps, tol):
    while hi - lo >= tol:
        mid = (lo + hi) / 2
        if _blows(x0, mid, steps):
            hi = mid
        else:
            lo = mid
    return lo, hi


def blowup_max_abs(x0, lo, hi, steps, tol):
    def blows(lr):
        x = np.array(x0, dtype=float)
        for _ in range(steps):
            x = x - lr * _g(x)
            if np.abs(x).max() > 1e6:
                return True
        return False

    while not hi - lo < tol:
        mid = lo + (hi - lo) / 2
        lo, hi = (lo, mid) if blows(mid) else (mid, hi)
    return [lo, hi]


def blowup_dict(x0, lo, hi, steps, tol):
    bracket = {"lo": lo, "hi": hi}
    while bracket["hi"] - bracket["lo"] >= tol:
        mid = 0.5 * (bracket["lo"] + bracket["hi"])
        bracket["hi" if _blows(x0, mid, steps) else "lo"] = mid
    return bracket


def blowup_swapped(x0, lo, hi, steps, tol):
    while hi - lo >= tol:
        mid = (lo + hi) / 2
        if _blows(x0, mid, steps):
            lo = mid
        else:
            hi = mid
    return lo, hi


def blowup_nan_blind(x0, lo, hi, steps, tol):
    def blows(lr):
        x = np.array(x0, dtype=float)
        path = [x]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                x = x - lr * _g(x)
                path.append(x)
        return np.abs(np.array(path)).max() > 1e6

    while hi - lo >= tol:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if blows(mid) else (mid, hi)
    return lo, hi


def blowup_midpoint(x0, lo, hi, steps, tol):
    lo, hi = blowup_bisection(x0, lo, hi, steps, tol)
    return (lo + hi) / 2


def blowup_fixed_iterations(x0, lo, hi, steps, tol):  # 8 halvings whatever tol says
    for _ in range(8):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _blows(x0, mid, steps) else (mid, hi)
    return lo, hi


def blowup_forever(x0, lo, hi, steps, tol):  # no way out of the loop
    while True:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _blows(x0, mid, steps) else (mid, hi)


# ----------------------------------------------------------------------------- momentum_path


def momentum_loop(x0, lr, beta, steps, nesterov):
    x = np.array(x0, dtype=float)
    v = np.zeros(2)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        v = beta * v - lr * g
        x = x + beta * v - lr * g if nesterov else x + v
        path.append(x)
    return np.array(path)


def momentum_previous(x0, lr, beta, steps, nesterov):
    """Heavy ball as x_{k+1} = x_k - lr g + beta (x_k - x_{k-1}); Nesterov with its own velocity."""
    path = np.zeros((steps + 1, 2))
    path[0] = x0
    v = np.zeros(2)
    for k in range(steps):
        g = _g(path[k])
        if nesterov:
            v = beta * v - lr * g
            path[k + 1] = path[k] - lr * g + beta * v
        else:
            prev = path[k - 1] if k > 0 else path[0]
            path[k + 1] = path[k] - lr * g + beta * (path[k] - prev)
    return path


def momentum_two_branches(x0, lr, beta, steps, nesterov):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    out = [x.tolist()]
    for _ in range(steps):
        grad = _g(x)
        v_new = beta * v - lr * grad
        if nesterov:
            x = x - lr * grad + beta * v_new
        else:
            x = x + v_new
        v = v_new
        out.append(x.tolist())
    return out


def momentum_ignores_flag(x0, lr, beta, steps, nesterov):
    return momentum_loop(x0, lr, beta, steps, False)


def momentum_sutskever(x0, lr, beta, steps, nesterov):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        g = _g(x + beta * v) if nesterov else _g(x)
        v = beta * v - lr * g
        x = x + v
        path.append(x)
    return np.array(path)


def momentum_uphill(x0, lr, beta, steps, nesterov):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        v = beta * v + lr * g
        x = x + beta * v - lr * g if nesterov else x + v
        path.append(x)
    return np.array(path)


def momentum_ema(x0, lr, beta, steps, nesterov):
    x, m = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        m = beta * m + (1 - beta) * g
        x = x - lr * (beta * m + (1 - beta) * g) if nesterov else x - lr * m
        path.append(x)
    return np.array(path)


def momentum_first_step_velocity(x0, lr, beta, steps, nesterov):  # v starts at -lr g(x0): the first step counts twice
    x = np.array(x0, dtype=float)
    v = -lr * _g(x)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        v = beta * v - lr * g
        x = x + beta * v - lr * g if nesterov else x + v
        path.append(x)
    return np.array(path)


def momentum_library(x0, lr, beta, steps, nesterov):
    from helpers.objectives import ROSENBROCK
    from helpers.optim import Momentum, minimize

    return minimize(ROSENBROCK, x0, Momentum(lr, beta, nesterov=nesterov), steps)


# ----------------------------------------------------------------------------- newton_line_search


def line_search_loop(x0, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        d = -np.linalg.solve(_H(x), g)
        if g @ d >= 0:
            d = -g
        t = 1.0
        while _f(x + t * d) > _f(x) + 1e-4 * t * (g @ d):
            t = t / 2
        x = x + t * d
        path.append(x)
    return np.array(path)


def line_search_helpers(x0, steps):
    def direction(x):
        g = _g(x)
        d = np.linalg.solve(_H(x), -g)
        return (d if g @ d < 0 else -g), g

    def backtrack(x, d, g):
        t, fx, slope = 1.0, _f(x), g @ d
        while _f(x + t * d) > fx + 1e-4 * t * slope:
            t *= 0.5
        return t

    out = np.zeros((steps + 1, 2))
    out[0] = x0
    for k in range(steps):
        d, g = direction(out[k])
        out[k + 1] = out[k] + backtrack(out[k], d, g) * d
    return out


def line_search_armijo_fn(x0, steps):
    def armijo(x, t, d, g):
        return _f(x + t * d) <= _f(x) + 1e-4 * t * np.dot(g, d)

    x = np.asarray(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        g = _g(x)
        d = -np.linalg.inv(_H(x)) @ g
        if np.dot(g, d) >= 0:
            d = -g
        t = 1.0
        while not armijo(x, t, d, g):
            t /= 2
        x = x + t * d
        path.append(x.copy())
    return path


def line_search_none(x0, steps):
    return newton_solve(x0, steps)


def line_search_no_fallback(x0, steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        d = -np.linalg.solve(_H(x), g)
        t = 1.0
        while _f(x + t * d) > _f(x) + 1e-4 * t * (g @ d):
            t /= 2
        x = x + t * d
        path.append(x)
    return np.array(path)


def line_search_t_forgotten(x0, steps):  # finds t, then steps by d
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        g = _g(x)
        d = -np.linalg.solve(_H(x), g)
        if g @ d >= 0:
            d = -g
        t = 1.0
        while _f(x + t * d) > _f(x) + 1e-4 * t * (g @ d):
            t /= 2
        x = x + d
        path.append(x)
    return np.array(path)


def line_search_t_carried(x0, steps):  # t is not reset to 1 at each step
    x = np.array(x0, dtype=float)
    path = [x]
    t = 1.0
    for _ in range(steps):
        g = _g(x)
        d = -np.linalg.solve(_H(x), g)
        if g @ d >= 0:
            d = -g
        while _f(x + t * d) > _f(x) + 1e-4 * t * (g @ d):
            t /= 2
        x = x + t * d
        path.append(x)
    return np.array(path)


# ----------------------------------------------------------------------------- heavy_ball_rate


def rate_cases(lr, beta, lam):
    rates = []
    for lam_i in np.atleast_1d(lam):
        a = 1 + beta - lr * lam_i
        disc = a * a - 4 * beta
        rates.append((abs(a) + math.sqrt(disc)) / 2 if disc >= 0 else math.sqrt(beta))
    return float(max(rates))


def rate_matrix(lr, beta, lam):
    return max(np.abs(np.linalg.eigvals(np.array([[1 + beta - lr * l, -beta], [1.0, 0.0]]))).max() for l in lam)


def rate_roots(lr, beta, lam):
    return float(max(np.abs(np.roots([1.0, -(1 + beta - lr * l), beta])).max() for l in np.ravel(lam)))


def rate_no_beta_top(lr, beta, lam):
    return max(np.abs(np.linalg.eigvals(np.array([[1 - lr * l, -beta], [1.0, 0.0]]))).max() for l in lam)


def rate_real_part(lr, beta, lam):
    return max(np.real(np.linalg.eigvals(np.array([[1 + beta - lr * l, -beta], [1.0, 0.0]]))).max() for l in lam)


def rate_gd(lr, beta, lam):
    return float(np.abs(1 - lr * np.asarray(lam)).max())


def rate_smallest_only(lr, beta, lam):
    return rate_matrix(lr, beta, [np.min(lam)])


# ----------------------------------------------------------------------------- momentum_optimum


def optimum_sqrt(lam_min, lam_max):
    s = math.sqrt(lam_max) + math.sqrt(lam_min)
    rate = (math.sqrt(lam_max) - math.sqrt(lam_min)) / s
    return 4 / s**2, rate**2, rate


def optimum_kappa(lam_min, lam_max):
    k = math.sqrt(lam_max / lam_min)
    rho = (k - 1) / (k + 1)
    return {"rate": rho, "beta": rho * rho, "lr": 4 / (lam_min * (k + 1) ** 2)}


def optimum_solved(lam_min, lam_max):
    """Solve 1 + b - lr lam_min = 2 sqrt(b) and 1 + b - lr lam_max = -2 sqrt(b) for s = sqrt(b) and lr."""
    s = (math.sqrt(lam_max) - math.sqrt(lam_min)) / (math.sqrt(lam_max) + math.sqrt(lam_min))
    lr = (1 + s) ** 2 / lam_max
    return [lr, s**2, s]


def optimum_beta_is_rate(lam_min, lam_max):
    lr, _, rate = optimum_sqrt(lam_min, lam_max)
    return lr, rate, rate


def optimum_two_over(lam_min, lam_max):
    s = math.sqrt(lam_max) + math.sqrt(lam_min)
    rate = (math.sqrt(lam_max) - math.sqrt(lam_min)) / s
    return 2 / s**2, rate**2, rate


def optimum_gd(lam_min, lam_max):
    return 2 / (lam_min + lam_max), 0.0, (lam_max - lam_min) / (lam_max + lam_min)


def optimum_swapped(lam_min, lam_max):
    return optimum_sqrt(lam_max, lam_min)


# ----------------------------------------------------------------------------- curvature_numbers


def curvature_loops(H):
    H = np.asarray(H, dtype=float)
    minors = [np.linalg.det(H[:k, :k]) for k in range(1, H.shape[0] + 1)]
    lam = np.sort(np.linalg.eigvals(H).real)
    return np.array(minors), lam, lam[-1] / lam[0]


def curvature_dict(H):
    lam = np.linalg.eigvalsh(H)
    return {"condition": lam.max() / lam.min(), "eigenvalues": lam,
            "minors": np.array([np.linalg.det(H[:k, :k]) for k in range(1, len(H) + 1)])}


def curvature_cond(H):
    H = np.asarray(H, dtype=float)
    return [np.linalg.det(H[: k + 1, : k + 1]) for k in range(len(H))], list(np.linalg.eigvalsh(H)), np.linalg.cond(H)


def curvature_trailing(H):
    n = len(H)
    return ([np.linalg.det(H[n - k:, n - k:]) for k in range(1, n + 1)], np.linalg.eigvalsh(H),
            np.linalg.eigvalsh(H)[-1] / np.linalg.eigvalsh(H)[0])


def curvature_descending(H):
    m, lam, c = curvature_loops(H)
    return m, lam[::-1], c


def curvature_inverse_condition(H):
    m, lam, c = curvature_loops(H)
    return m, lam, 1 / c


def curvature_zero_based(H):  # k from 0: the first "minor" is the determinant of an empty block, 1
    H = np.asarray(H, dtype=float)
    m, lam, c = curvature_loops(H)
    return np.array([np.linalg.det(H[:k, :k]) if k else 1.0 for k in range(len(H))]), lam, c


# ----------------------------------------------------------------------------- path_summary


def summary_masks(path):
    path = np.asarray(path, dtype=float)
    fv = np.array([_f(p) for p in path])
    dist = np.linalg.norm(path - 1.0, axis=1)
    to_f = int(np.argmax(fv < 1e-8)) if np.any(fv < 1e-8) else -1
    to_x = int(np.argmax(dist < 1e-8)) if np.any(dist < 1e-8) else -1
    return to_f, to_x, int((np.diff(fv) > 1e-12).sum()), fv[-1]


def summary_loop(path):
    to_f = to_x = -1
    rises, previous = 0, None
    for k, p in enumerate(path):
        value = _f(p)
        if to_f < 0 and value < 1e-8:
            to_f = k
        if to_x < 0 and math.hypot(p[0] - 1, p[1] - 1) < 1e-8:
            to_x = k
        if previous is not None and value > previous + 1e-12:
            rises += 1
        previous = value
    return [to_f, to_x, rises, value]


def summary_dict(path):
    path = np.asarray(path, dtype=float)
    fv = 100 * (path[:, 1] - path[:, 0] ** 2) ** 2 + (1 - path[:, 0]) ** 2
    hits_f, hits_x = np.flatnonzero(fv < 1e-8), np.flatnonzero(np.linalg.norm(path - 1, axis=1) < 1e-8)
    return {"to_f": hits_f[0] if hits_f.size else -1, "to_x": hits_x[0] if hits_x.size else -1,
            "rises": np.count_nonzero(fv[1:] - fv[:-1] > 1e-12), "final_f": fv[-1]}


def summary_argmax_only(path):
    path = np.asarray(path, dtype=float)
    fv = np.array([_f(p) for p in path])
    return (int(np.argmax(fv < 1e-8)), int(np.argmax(np.linalg.norm(path - 1, axis=1) < 1e-8)),
            int((np.diff(fv) > 1e-12).sum()), fv[-1])


def summary_falls(path):
    to_f, to_x, _, last = summary_masks(path)
    fv = np.array([_f(p) for p in path])
    return to_f, to_x, int((np.diff(fv) < -1e-12).sum()), last


def summary_first_f(path):
    to_f, to_x, rises, _ = summary_masks(path)
    return to_f, to_x, rises, _f(path[0])


def summary_three(path):
    return summary_masks(path)[:3]


# ----------------------------------------------------------------------------- cure_steps


def _start(problem):
    from helpers.objectives import PLATEAU, ROSENBROCK

    return {"plateau": (PLATEAU, np.array([-6.0, -4.0])), "valley": (ROSENBROCK, np.array([-1.2, 1.0]))}[problem]


def cure_flatnonzero(problem, rule, steps):
    from helpers.optim import minimize

    objective, x0 = _start(problem)
    path = minimize(objective, x0, rule, steps)
    hits = np.flatnonzero(objective.f(path) < 1e-6)
    if hits.size:
        return int(hits[0])
    return -2 if len(path) <= steps else -1


def cure_loop(problem, rule, steps):
    from helpers.optim import minimize

    objective, x0 = _start(problem)
    path = minimize(objective, x0, rule, steps)
    for k, p in enumerate(path):
        if objective.f(p) < 1e-6:
            return k
    return -1 if len(path) == steps + 1 else -2


def cure_run(problem, rule, steps):
    from helpers.optim import minimize_run

    objective, x0 = _start(problem)
    path, run = minimize_run(objective, x0, rule, steps)
    below = objective.f(path) < 1e-6
    return int(np.argmax(below)) if below.any() else (-2 if run.stopped else -1)


def cure_no_divergence(problem, rule, steps):
    return max(cure_flatnonzero(problem, rule, steps), -1)


def cure_goal_8(problem, rule, steps):
    from helpers.optim import minimize

    objective, x0 = _start(problem)
    path = minimize(objective, x0, rule, steps)
    hits = np.flatnonzero(objective.f(path) < 1e-8)
    return int(hits[0]) if hits.size else (-2 if len(path) <= steps else -1)


def cure_steps_count(problem, rule, steps):  # the number of iterates below the goal, not the first one
    from helpers.optim import minimize

    objective, x0 = _start(problem)
    path = minimize(objective, x0, rule, steps)
    n = int(np.sum(objective.f(path) < 1e-6))
    return n if n else (-2 if len(path) <= steps else -1)


def cure_wrong_start(problem, rule, steps):  # the valley from (-1.2, 1) for both
    from helpers.objectives import PLATEAU, ROSENBROCK
    from helpers.optim import minimize

    objective = PLATEAU if problem == "plateau" else ROSENBROCK
    path = minimize(objective, np.array([-1.2, 1.0]), rule, steps)
    hits = np.flatnonzero(objective.f(path) < 1e-6)
    return int(hits[0]) if hits.size else (-2 if len(path) <= steps else -1)


# ----------------------------------------------------------------------------- descent_experiment


def experiment_rows(rates, steps, axes=None):
    rows = []
    for lr in rates:
        p = gd_loop(np.array([-1.2, 1.0]), lr, steps)
        fv = np.array([_f(x) for x in p])
        rows.append([len(p) - 1, fv[-1], np.sum(np.diff(fv) > 1e-12)])
    return np.array(rows, dtype=float)


def experiment_summary(rates, steps, axes=None):
    out = np.zeros((len(rates), 3))
    for i, lr in enumerate(rates):
        p = gd_prealloc(np.array([-1.2, 1.0]), lr, steps)
        _, _, rises, last = summary_masks(p)
        out[i] = len(p) - 1, last, rises
    return out


def experiment_lists(rates, steps, axes=None):
    table = []
    for lr in rates:
        p = np.asarray(gd_tuples((-1.2, 1.0), lr, steps))
        values = [_f(x) for x in p]
        table.append([p.shape[0] - 1, values[-1], sum(b > a + 1e-12 for a, b in zip(values, values[1:]))])
    return table


def experiment_rows_len(rates, steps, axes=None):
    out = experiment_rows(rates, steps)
    out[:, 0] += 1
    return out


def experiment_falls(rates, steps, axes=None):
    rows = []
    for lr in rates:
        fv = np.array([_f(x) for x in gd_loop(np.array([-1.2, 1.0]), lr, steps)])
        rows.append([len(fv) - 1, fv[-1], np.sum(np.diff(fv) < -1e-12)])
    return np.array(rows, dtype=float)


def experiment_transposed(rates, steps, axes=None):
    return experiment_rows(rates, steps).T


def experiment_first_f(rates, steps, axes=None):
    out = experiment_rows(rates, steps)
    out[:, 1] = 24.2
    return out


# ----------------------------------------------------------------------------- race


def race_rows(steps, axes=None):
    x0 = np.array([-1.2, 1.0])
    paths = [gd_loop(x0, 1.5e-3, steps), momentum_loop(x0, 1e-3, 0.9, steps, False),
             momentum_loop(x0, 1e-3, 0.9, steps, True), newton_solve(x0, 10), line_search_loop(x0, 30)]
    return np.array([summary_masks(p) for p in paths], dtype=float)


def race_other_styles(steps, axes=None):
    x0 = [-1.2, 1.0]
    paths = [gd_prealloc(x0, 1.5e-3, steps), momentum_previous(x0, 1e-3, 0.9, steps, False),
             momentum_two_branches(x0, 1e-3, 0.9, steps, True), newton_prealloc(x0, 10), line_search_helpers(x0, 30)]
    return [list(summary_loop(p)) for p in paths]


def race_dicts(steps, axes=None):
    x0 = np.array([-1.2, 1.0])
    runs = {"gd": gd_tuples(x0, 1.5e-3, steps), "heavy": momentum_loop(x0, 1e-3, 0.9, steps, False),
            "nesterov": momentum_loop(x0, 1e-3, 0.9, steps, True), "newton": newton_inverse_list(x0, 10),
            "searched": line_search_armijo_fn(x0, 30)}
    return np.array([list(summary_dict(p).values()) for p in runs.values()], dtype=float)


def race_swapped(steps, axes=None):
    return race_rows(steps)[[0, 2, 1, 3, 4]]


def race_gd_slow(steps, axes=None):
    rows = race_rows(steps)
    rows[0] = summary_masks(gd_loop(np.array([-1.2, 1.0]), 1e-3, steps))
    return rows


def race_heavy_only(steps, axes=None):
    rows = race_rows(steps)
    rows[2] = rows[1]
    return rows


def race_pure_newton_twice(steps, axes=None):
    rows = race_rows(steps)
    rows[4] = summary_masks(newton_solve(np.array([-1.2, 1.0]), 30))
    return rows


# ----------------------------------------------------------------------------- measured_rate

_HQ = np.array([[802.0, -400.0], [-400.0, 200.0]])


def measured_loop(lr, beta, n, nesterov):
    e, v = np.ones(2), np.zeros(2)
    size = {}
    for k in range(1, 2 * n + 1):
        g = _HQ @ e
        v = beta * v - lr * g
        e = e + beta * v - lr * g if nesterov else e + v
        size[k] = np.linalg.norm(e)
    return (size[2 * n] / size[n]) ** (1 / n)


def measured_path(lr, beta, n, nesterov):
    path = np.zeros((2 * n + 1, 2))
    path[0] = 1.0
    v = np.zeros(2)
    for k in range(2 * n):
        g = path[k] @ _HQ
        v = beta * v - lr * g
        path[k + 1] = path[k] - lr * g + beta * v if nesterov else path[k] + v
    norms = np.sqrt((path**2).sum(axis=1))
    return float(np.exp((np.log(norms[2 * n]) - np.log(norms[n])) / n))


def measured_library(lr, beta, n, nesterov):
    from helpers.objectives import Objective
    from helpers.optim import Momentum, minimize

    quad = Objective(lambda e: 0.5 * e @ _HQ @ e, lambda e: _HQ @ e)
    path = minimize(quad, np.ones(2), Momentum(lr, beta, nesterov=nesterov), 2 * n, max_norm=np.inf)
    e = np.linalg.norm(path, axis=1)
    return (e[-1] / e[n]) ** (1.0 / n)


def measured_no_root(lr, beta, n, nesterov):
    return measured_loop(lr, beta, n, nesterov) ** n


def measured_heavy_only(lr, beta, n, nesterov):
    return measured_loop(lr, beta, n, False)


def measured_from_start(lr, beta, n, nesterov):  # over all 2n steps, from e_0
    e, v = np.ones(2), np.zeros(2)
    for _ in range(2 * n):
        g = _HQ @ e
        v = beta * v - lr * g
        e = e + beta * v - lr * g if nesterov else e + v
    return (np.linalg.norm(e) / np.linalg.norm(np.ones(2))) ** (1 / (2 * n))


def measured_predicted(lr, beta, n, nesterov):  # the prediction, not a measurement
    return rate_cases(lr, beta, np.linalg.eigvalsh(_HQ))


# ----------------------------------------------------------------------------- rate_map


def map_loops(etas, betas, ax=None):
    lam = np.linalg.eigvalsh(_HQ)
    return np.array([[rate_cases(a, b, lam) for a in etas] for b in betas])


def map_vectorized(etas, betas, ax=None):
    lam = np.linalg.eigvalsh(_HQ)
    E, B = np.meshgrid(etas, betas)
    out = np.zeros(E.shape)
    for l in lam:
        a = 1 + B - E * l
        disc = a * a - 4 * B
        r = np.where(disc >= 0, (np.abs(a) + np.sqrt(np.maximum(disc, 0))) / 2, np.sqrt(B))
        out = np.maximum(out, r)
    return out


def map_matrix(etas, betas, ax=None):
    return np.array([[rate_matrix(a, b, np.linalg.eigvalsh(_HQ)) for a in etas] for b in betas])


def map_transposed(etas, betas, ax=None):
    return map_loops(etas, betas).T


def map_lambda_max(etas, betas, ax=None):
    lam = np.linalg.eigvalsh(_HQ)[1:]
    return np.array([[rate_cases(a, b, lam) for a in etas] for b in betas])


def map_gd(etas, betas, ax=None):
    lam = np.linalg.eigvalsh(_HQ)
    return np.array([[rate_gd(a, b, lam) for a in etas] for b in betas])


def map_steps(etas, betas, ax=None):  # steps per e instead of the rate
    return -1 / np.log(np.minimum(map_loops(etas, betas), 1 - 1e-15))


# ----------------------------------------------------------------------------- axis_ratio

_V = np.linalg.eigh(_HQ)[1]
_VMIN, _VMAX = _V[:, 0] * np.sign(_V[0, 0]), _V[:, 1]
_KAPPA = np.linalg.eigvalsh(_HQ)[1] / np.linalg.eigvalsh(_HQ)[0]


def ratio_tuple(c):
    along = level_bisection(_VMIN, c), level_bisection(-_VMIN, c)
    across = level_bisection(_VMAX, c), level_bisection(-_VMAX, c)
    return (along[0] + along[1]) / (across[0] + across[1]) / math.sqrt(_KAPPA), along[0] / along[1]


def ratio_dict(c):
    t = {(i, s): level_fixed_bracket(s * v, c) for i, v in enumerate((_VMIN, _VMAX)) for s in (1, -1)}
    return {"asymmetry": t[0, 1] / t[0, -1], "ratio": (t[0, 1] + t[0, -1]) / (t[1, 1] + t[1, -1]) / math.sqrt(_KAPPA)}


def ratio_list(c):
    lengths = [level_newton_polish(d, c) for d in (_VMIN, -_VMIN, _VMAX, -_VMAX)]
    return [sum(lengths[:2]) / sum(lengths[2:]) / np.sqrt(_KAPPA), lengths[0] / lengths[1]]


def ratio_swapped(c):
    r, a = ratio_tuple(c)
    return 1 / (r * _KAPPA), a


def ratio_raw(c):
    r, a = ratio_tuple(c)
    return r * math.sqrt(_KAPPA), a


def ratio_one_side(c):  # one side each way: the asymmetry leaks into the ratio
    return level_bisection(_VMIN, c) / level_bisection(_VMAX, c) / math.sqrt(_KAPPA), ratio_tuple(c)[1]


def ratio_quadratic(c):  # the model's lengths: always 1 and 1
    return 1.0, 1.0


# ----------------------------------------------------------------------------- lowest_along


def lowest_grid(x, d, t_max):
    t = np.linspace(0, t_max, 2001)[1:]
    u = np.asarray(d, float) / np.linalg.norm(d)
    return min(_f(np.asarray(x) + ti * u) for ti in t)


def lowest_arange(x, d, t_max):
    u = np.asarray(d, float) / math.hypot(*d)
    k = np.arange(1, 2001)
    pts = np.asarray(x, float) + (t_max * k / 2000)[:, None] * u
    return float(np.min(100 * (pts[:, 1] - pts[:, 0] ** 2) ** 2 + (1 - pts[:, 0]) ** 2))


def lowest_loop(x, d, t_max):
    best = np.inf
    unit = np.asarray(d, float) / np.linalg.norm(d)
    for k in range(1, 2001):
        best = min(best, _f(np.asarray(x, float) + k * t_max / 2000 * unit))
    return best


def lowest_not_unit(x, d, t_max):
    t = np.linspace(0, t_max, 2001)[1:]
    return float(min(_f(np.asarray(x) + ti * np.asarray(d)) for ti in t))


def lowest_coarse(x, d, t_max):
    t = np.linspace(0, t_max, 201)[1:]
    u = np.asarray(d, float) / np.linalg.norm(d)
    return float(min(_f(np.asarray(x) + ti * u) for ti in t))


def lowest_with_start(x, d, t_max):  # t = 0 included: never above f(x)
    t = np.linspace(0, t_max, 2001)
    u = np.asarray(d, float) / np.linalg.norm(d)
    return float(min(_f(np.asarray(x) + ti * u) for ti in t))


def lowest_argmin(x, d, t_max):  # the best t, not the lowest f
    t = np.linspace(0, t_max, 2001)[1:]
    u = np.asarray(d, float) / np.linalg.norm(d)
    return float(t[np.argmin([_f(np.asarray(x) + ti * u) for ti in t])])


# ----------------------------------------------------------------------------- nesterov_rate


def nesterov_matrix(lr, beta, lam):
    return max(np.abs(np.linalg.eigvals([[(1 + beta) * (1 - lr * l), -beta * (1 - lr * l)], [1, 0]])).max()
               for l in lam)


def nesterov_roots(lr, beta, lam):
    out = 0.0
    for l in np.ravel(lam):
        c = 1 - lr * l
        out = max(out, float(np.abs(np.roots([1.0, -(1 + beta) * c, beta * c])).max()))
    return out


def nesterov_closed(lr, beta, lam):
    rates = []
    for l in np.atleast_1d(lam):
        a, b = (1 + beta) * (1 - lr * l), beta * (1 - lr * l)
        disc = a * a - 4 * b
        rates.append((abs(a) + math.sqrt(disc)) / 2 if disc >= 0 else math.sqrt(b))
    return max(rates)


def nesterov_heavy(lr, beta, lam):
    return rate_matrix(lr, beta, lam)


def nesterov_partial(lr, beta, lam):
    return max(np.abs(np.linalg.eigvals([[(1 + beta) * (1 - lr * l), -beta], [1, 0]])).max() for l in lam)


def nesterov_real(lr, beta, lam):
    return max(np.real(np.linalg.eigvals([[(1 + beta) * (1 - lr * l), -beta * (1 - lr * l)], [1, 0]])).max()
               for l in lam)


def nesterov_smallest(lr, beta, lam):
    return nesterov_matrix(lr, beta, [min(lam)])


RIGHT = {
    "rosenbrock_grad": [grad_expanded, grad_with_r, grad_as_list],
    "rosenbrock_hess": [hess_expanded, hess_by_rows, hess_filled],
    "level_distance": [level_bisection, level_fixed_bracket, level_newton_polish],
    "x2_where_df1_vanishes": [x2_formula, x2_split, x2_loop],
    "newton_path": [newton_solve, newton_prealloc, newton_inverse_list],
    "classify": [classify_eig, classify_sorted, classify_upper],
    "plateau_grad": [plateau_direct, plateau_tanh, plateau_loop],
    "newton_direction": [newton_dir_solve, newton_dir_inv, newton_dir_cramer],
    "modified_directions": [modified_eigh, modified_dict, modified_list],
    "gradient_descent": [gd_loop, gd_prealloc, gd_tuples],
    "blowup_rate": [blowup_bisection, blowup_max_abs, blowup_dict],
    "momentum_path": [momentum_loop, momentum_previous, momentum_two_branches],
    "newton_line_search": [line_search_loop, line_search_helpers, line_search_armijo_fn],
    "heavy_ball_rate": [rate_cases, rate_matrix, rate_roots],
    "momentum_optimum": [optimum_sqrt, optimum_kappa, optimum_solved],
    "curvature_numbers": [curvature_loops, curvature_dict, curvature_cond],
    "path_summary": [summary_masks, summary_loop, summary_dict],
    "cure_steps": [cure_flatnonzero, cure_loop, cure_run],
    "descent_experiment": [experiment_rows, experiment_summary, experiment_lists],
    "race": [race_rows, race_other_styles, race_dicts],
    "measured_rate": [measured_loop, measured_path, measured_library],
    "rate_map": [map_loops, map_vectorized, map_matrix],
    "axis_ratio": [ratio_tuple, ratio_dict, ratio_list],
    "lowest_along": [lowest_grid, lowest_arange, lowest_loop],
    "nesterov_rate": [nesterov_matrix, nesterov_roots, nesterov_closed],
}

WRONG = {
    "rosenbrock_grad": [
        (grad_seed_slip, "the second term of df/dx1 has the wrong sign"),
        (grad_no_chain, "inner derivative"),
        (grad_factor_2, "where"),
        (grad_swapped, None),
        (grad_handed_over, "hands the work to helpers.objectives.ROSENBROCK.grad"),
    ],
    "rosenbrock_hess": [
        (hess_no_two, "misses the + 2"),
        (hess_half_mixed, "mixed derivatives"),
        (hess_wrong_power, "where"),
        (hess_numerical, "hands the work to helpers"),
    ],
    "level_distance": [
        (level_quadratic, "quadratic model"),
        (level_point, "not the point"),
        (level_few_halvings, None),
        (level_squared, None),
    ],
    "x2_where_df1_vanishes": [
        (x2_seed, "the worked answer's"),
        (x2_parabola, "df/dx2"),
        (x2_not_halved, "halves every term"),
        (x2_no_constant, "the constant - 2"),
        (x2_divided_400, "times the right one"),
    ],
    "newton_path": [
        (newton_plus, "not x + H^-1 g"),
        (newton_no_start, "x0 first"),
        (newton_frozen_hessian, "at every step"),
        (newton_one_step_short, "shape"),
        (newton_library, "hands the work to helpers.optim"),
    ],
    "classify": [
        (classify_det_only, "det H > 0 alone"),
        (classify_diagonal, "diagonal entries"),
        (classify_zero_first, "whatever the rest"),
        (classify_numbers, "where the answer is a word"),
        (classify_no_degenerate, None),
    ],
    "plateau_grad": [
        (plateau_no_chain, "chain rule"),
        (plateau_x_not_sigma, "not x (1 - x)"),
        (plateau_half, "1/2 in front cancels"),
        (plateau_sign, "wrong sign"),
        (plateau_sum, "shape"),
    ],
    "newton_direction": [
        (newton_dir_multiply, "multiplying by H"),
        (newton_dir_plus, "the minus sign is missing"),
        (newton_dir_transposed_solve, None),
        (newton_dir_gradient, None),
    ],
    "modified_directions": [
        (modified_abs_entries, "not the absolute value of each entry"),
        (modified_minus_damping, "H - mu I lowers them"),
        (modified_unsigned, "must point downhill"),
        (modified_always, "return zeros"),
        (modified_newton_for_abs, None),
    ],
    "gradient_descent": [
        (gd_no_start, "x0 first"),
        (gd_ascent, "against the gradient"),
        (gd_in_place, None),
        (gd_never_stops, "stop after the first iterate"),
        (gd_stops_before, None),
        (gd_library, "hands the work to helpers.optim"),
    ],
    "curvature_numbers": [
        (curvature_trailing, "top-left k x k blocks"),
        (curvature_descending, "ascending order"),
        (curvature_inverse_condition, None),
        (curvature_zero_based, None),
    ],
    "path_summary": [
        (summary_argmax_only, "np.argmax of an all-False mask is 0"),
        (summary_falls, "count the rises"),
        (summary_first_f, None),
        (summary_three, "the exercise expects 4"),
    ],
    "cure_steps": [
        (cure_no_divergence, "return -2 for it"),
        (cure_goal_8, "the goal is f < 1e-6"),
        (cure_steps_count, None),
        (cure_wrong_start, None),
    ],
    "descent_experiment": [
        (experiment_rows_len, "minus one"),
        (experiment_falls, "rises by more than 1e-12"),
        (experiment_transposed, "shape"),
        (experiment_first_f, None),
    ],
    "race": [
        (race_swapped, "the rows go"),
        (race_gd_slow, "its good rate 1.5e-3"),
        (race_heavy_only, None),
        (race_pure_newton_twice, None),
    ],
    "measured_rate": [
        (measured_no_root, "the n-th root"),
        (measured_heavy_only, "with nesterov=True"),
        (measured_from_start, None),
        (measured_predicted, None),
    ],
    "axis_ratio": [
        (ratio_swapped, "over the length across it"),
        (ratio_raw, "divide the axis ratio by sqrt(kappa)"),
        (ratio_one_side, None),
        (ratio_quadratic, None),
    ],
    "lowest_along": [
        (lowest_not_unit, "along the unit vector"),
        (lowest_coarse, "2000 equal steps"),
        (lowest_with_start, None),
        (lowest_argmin, None),
    ],
    "nesterov_rate": [
        (nesterov_heavy, "that is heavy ball's matrix"),
        (nesterov_partial, "carries the factor (1 - lr lam) too"),
        (nesterov_real, "largest modulus"),
        (nesterov_smallest, None),
    ],
    "rate_map": [
        (map_transposed, "rows go with betas"),
        (map_lambda_max, "not lambda_max alone"),
        (map_gd, None),
        (map_steps, None),
    ],
    "blowup_rate": [
        (blowup_swapped, "new upper end"),
        (blowup_nan_blind, "nan > 1e6 is False"),
        (blowup_midpoint, "expects 2 values"),
        (blowup_fixed_iterations, None),
        (blowup_forever, "time limit"),
    ],
    "momentum_path": [
        (momentum_ignores_flag, "nesterov=True"),
        (momentum_sutskever, "Sutskever's form"),
        (momentum_uphill, "against the gradient"),
        (momentum_ema, "average of gradients"),
        (momentum_first_step_velocity, None),
        (momentum_library, "hands the work to helpers.optim"),
    ],
    "newton_line_search": [
        (line_search_none, "that is pure Newton"),
        (line_search_no_fallback, "use d = -g there"),
        (line_search_t_forgotten, None),
        (line_search_t_carried, None),
    ],
    "heavy_ball_rate": [
        (rate_no_beta_top, "1 + beta - lr*lam"),
        (rate_real_part, "largest modulus"),
        (rate_gd, "beta is missing"),
        (rate_smallest_only, "worst over all eigenvalues"),
    ],
    "momentum_optimum": [
        (optimum_beta_is_rate, "the square of the rate"),
        (optimum_two_over, "lr* = 4"),
        (optimum_gd, "plain gradient descent"),
        (optimum_swapped, None),
    ],
}
