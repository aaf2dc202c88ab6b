"""Students' answers to the exercises of notebook 03, as the checks must judge them.

RIGHT: answers in different styles (loops or vectorized, lists, tuples or dicts where the contract allows, other but
equal formulas, a batched trainer or a loop over the student's own fit). WRONG: the ways students get them wrong, each
with words the verdict must contain (None: refused, whatever the reason). The functions of one exercise call the
student's own functions of earlier exercises, as in the notebook: the right ones defined at the top of this module.
"""

import numpy as np

from helpers.activations import relu, sigmoid
from helpers.objectives import VALLEY

CORNERS = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])


# ----------------------------------------------------------------------------- the student's earlier functions

def valley_grad(p):
    x, y = p
    r = 2 * y**2 - x
    return np.array([-3 * x**2 - 100 * r, 400 * y * r])


def ff_nn_relu(X, W, b, V, c):
    return sigmoid(relu(X @ W + b) @ V + c)


def relu_net_grads(X, y, W, b, V, c):
    A = X @ W + b
    H = relu(A)
    du = (sigmoid(H @ V + c) - y) / len(X)
    dA = np.outer(du, V) * (A > 0)
    return X.T @ dA, dA.sum(axis=0), H.T @ du, du.sum()


def grad_f(w, X, y):
    dW, db, dV, dc = relu_net_grads(X, y, w[:8].reshape(2, 4), w[8:12], w[12:16], w[16])
    return np.concatenate([dW.ravel(), db, dV, [dc]])


def momentum_descent(x0, lr, beta, steps, grad=valley_grad):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x]
    for _ in range(steps):
        v = beta * v - lr * grad(x)
        x = x + v
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def _loss(w, X, y):
    u = relu(X @ w[:8].reshape(2, 4) + w[8:12]) @ w[12:16] + w[16]
    return np.mean(np.logaddexp(0, u) - y * u)


def fit_xor(X, y, w0, lr, beta, iterations, ax=None):
    path = momentum_descent(w0, lr, beta, iterations, grad=lambda w: grad_f(w, X, y))
    return path[-1], np.array([_loss(w, X, y) for w in path])


# ----------------------------------------------------------------------------- 1.1 relu_draw_network

def draw_shapes(W, b, V, c, ax=None):
    D, H = np.shape(W)
    return D * H + H, H + 1


def draw_sizes(W, b, V, c, ax=None):
    return [np.size(W) + np.size(V), np.size(b) + np.size(c)]


def draw_dict(W, b, V, c, ax=None):
    return {"biases": len(b) + 1, "weights": W.shape[0] * W.shape[1] + len(V)}


def draw_first_layer_only(W, b, V, c, ax=None):
    return W.size, b.size + 1


def draw_no_output_bias(W, b, V, c, ax=None):
    return W.size + V.size, b.size


def draw_units_not_edges(W, b, V, c, ax=None):
    D, H = W.shape
    return D + H + 1, H + 1


def draw_inputs_with_bias(W, b, V, c, ax=None):
    D, H = W.shape
    return D * H + H, D + H + 1


def draw_total(W, b, V, c, ax=None):
    return W.size + V.size + b.size + 1


# ----------------------------------------------------------------------------- 1.3 ff_nn_relu

def ff_matrix(X, W, b, V, c):
    return 1 / (1 + np.exp(-(np.maximum(0, X @ W + b) @ V + c)))


def ff_loops(X, W, b, V, c):
    out = []
    for x in X:
        u = c
        for j in range(W.shape[1]):
            a = sum(x[i] * W[i, j] for i in range(W.shape[0])) + b[j]
            u += V[j] * max(0.0, a)
        out.append(1 / (1 + np.exp(-u)))
    return np.array(out)


def ff_tanh_sigmoid(X, W, b, V, c):
    u = relu(X @ W + b) @ V + c
    return 0.5 * (1 + np.tanh(u / 2))


def ff_no_relu(X, W, b, V, c):
    return sigmoid((X @ W + b) @ V + c)


def ff_no_sigmoid(X, W, b, V, c):
    return relu(X @ W + b) @ V + c


def ff_class_zero(X, W, b, V, c):
    return 1 - sigmoid(relu(X @ W + b) @ V + c)


def ff_column_layout(X, W, b, V, c):
    return sigmoid(relu(X @ W.T + b) @ V + c)


def ff_tanh_hidden(X, W, b, V, c):
    return sigmoid(np.tanh(X @ W + b) @ V + c)


# ----------------------------------------------------------------------------- 2.1 valley_grad

def grad_expanded(p):
    x, y = p
    return np.array([-3 * x**2 + 100 * x - 200 * y**2, 800 * y**3 - 400 * x * y])


def grad_floats(p):
    x, y = float(p[0]), float(p[1])
    return [-3 * x * x + 100 * (x - 2 * y * y), 400 * y * (2 * y * y - x)]


def grad_r_form(p):
    r = 2 * p[1] ** 2 - p[0]
    return np.array([-3 * p[0] ** 2 - 100 * r, 400 * p[1] * r])


def grad_sign_cubic(p):
    x, y = p
    return np.array([3 * x**2 - 100 * (2 * y**2 - x), 400 * y * (2 * y**2 - x)])


def grad_inner_plus(p):
    x, y = p
    return np.array([-3 * x**2 + 100 * (2 * y**2 - x), 400 * y * (2 * y**2 - x)])


def grad_no_chain_y(p):
    x, y = p
    return np.array([-3 * x**2 - 100 * (2 * y**2 - x), 100 * (2 * y**2 - x)])


def grad_no_factor_two(p):
    x, y = p
    return np.array([-3 * x**2 - 50 * (2 * y**2 - x), 200 * y * (2 * y**2 - x)])


def grad_none(p):
    x, y = p
    np.array([-3 * x**2 - 100 * (2 * y**2 - x), 400 * y * (2 * y**2 - x)])


# ----------------------------------------------------------------------------- 2.2 valley_contours

def contours_meshgrid(xs, ys, ax=None):
    x, y = np.meshgrid(xs, ys)
    return (3 - x**3) + 50 * (2 * y**2 - x) ** 2


def contours_broadcast(xs, ys, ax=None):
    x, y = np.asarray(xs)[None, :], np.asarray(ys)[:, None]
    return 3 - x**3 + 50 * (2 * y * y - x) ** 2


def contours_loops(xs, ys, ax=None):
    F = np.zeros((len(ys), len(xs)))
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            F[i, j] = 3 - x**3 + 50 * (2 * y**2 - x) ** 2
    return F


def contours_ij(xs, ys, ax=None):
    x, y = np.meshgrid(xs, ys, indexing="ij")
    return (3 - x**3) + 50 * (2 * y**2 - x) ** 2


def contours_swapped(xs, ys, ax=None):
    y, x = np.meshgrid(xs, ys)
    return (3 - x**3) + 50 * (2 * y**2 - x) ** 2


def contours_cube_of_difference(xs, ys, ax=None):
    x, y = np.meshgrid(xs, ys)
    return (3 - x) ** 3 + 50 * (2 * y**2 - x) ** 2


def contours_y_not_squared(xs, ys, ax=None):
    x, y = np.meshgrid(xs, ys)
    return (3 - x**3) + 50 * (2 * y - x) ** 2


# ----------------------------------------------------------------------------- 2.4 valley_gd

def gd_list(x0, lr, steps, grad=valley_grad):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def gd_preallocated(x0, lr, steps, grad=valley_grad):
    path = np.empty((steps + 1, len(x0)))
    path[0] = x0
    for k in range(steps):
        path[k + 1] = path[k] - lr * np.asarray(grad(path[k]))
        if np.sqrt(path[k + 1] @ path[k + 1]) > 1e8:
            return path[: k + 2]
    return path


def gd_while(x0, lr, steps, grad=grad_expanded):
    points = [np.asarray(x0, dtype=float)]
    while len(points) <= steps and np.linalg.norm(points[-1]) <= 1e8:
        points.append(points[-1] - lr * grad(points[-1]))
    return np.stack(points)


def gd_ascent(x0, lr, steps, grad=valley_grad):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x + lr * grad(x)
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def gd_without_start(x0, lr, steps, grad=valley_grad):
    x, path = np.array(x0, dtype=float), []
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path).reshape(-1, 2)


def gd_never_stops(x0, lr, steps, grad=valley_grad):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)


def gd_drops_the_last(x0, lr, steps, grad=valley_grad):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        if np.linalg.norm(x) > 1e8:
            break
        path.append(x)
    return np.array(path)


def gd_one_step_short(x0, lr, steps, grad=valley_grad):
    return gd_list(x0, lr, max(steps - 1, 0), grad)


# ----------------------------------------------------------------------------- 2.5 valley_momentum

def momentum_velocity(x0, lr, beta, steps, grad=valley_grad):
    return momentum_descent(x0, lr, beta, steps, grad)


def momentum_two_points(x0, lr, beta, steps, grad=grad_expanded):
    """x_{k+1} = x_k - lr g(x_k) + beta (x_k - x_{k-1}): the same heavy ball without a velocity variable."""
    prev = x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        prev, x = x, x - lr * grad(x) + beta * (x - prev)
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def momentum_preallocated(x0, lr, beta, steps, grad=valley_grad):
    path, v = np.zeros((steps + 1, 2)), np.zeros(2)
    path[0] = x0
    for k in range(steps):
        v = beta * v - lr * grad(path[k])
        path[k + 1] = path[k] + v
        if np.hypot(*path[k + 1]) > 1e8:
            return path[: k + 2]
    return path


def momentum_plus_gradient(x0, lr, beta, steps, grad=valley_grad):
    return momentum_descent(x0, -lr, beta, steps, grad)


def momentum_old_velocity(x0, lr, beta, steps, grad=valley_grad):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        x = x + v
        v = beta * v - lr * grad(path[-1])
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def momentum_damped(x0, lr, beta, steps, grad=valley_grad):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        v = beta * v - (1 - beta) * lr * grad(x)
        x = x + v
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def momentum_never_stops(x0, lr, beta, steps, grad=valley_grad):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        v = beta * v - lr * grad(x)
        x = x + v
        path.append(x)
    return np.array(path)


def momentum_nesterov(x0, lr, beta, steps, grad=valley_grad):
    x, v = np.array(x0, dtype=float), np.zeros(2)
    path = [x]
    for _ in range(steps):
        v = beta * v - lr * grad(x + beta * v)
        x = x + v
        path.append(x)
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


# ----------------------------------------------------------------------------- 2.6 valley_runs

def runs_comprehension(settings, start, steps, axes=None):
    return [momentum_descent(start, lr, beta, steps) for lr, beta in settings]


def runs_tuple(settings, start, steps, axes=None):
    paths = ()
    for setting in settings:
        lr, beta = setting
        paths += (momentum_two_points(start, lr, beta, steps),)
    return paths


def runs_gd_for_beta_zero(settings, start, steps, axes=None):
    return [gd_list(start, lr, steps) if beta == 0 else momentum_preallocated(start, lr, beta, steps)
            for lr, beta in settings]


def runs_ignore_beta(settings, start, steps, axes=None):
    return [gd_list(start, lr, steps) for lr, _ in settings]


def _momentum_in_place(x0, lr, beta, steps, grad=valley_grad):
    x = np.asarray(x0, dtype=float)  # no copy for a float array: x0 moves with the run
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = beta * v - lr * grad(x)
        x += v
        path.append(x.copy())
        if np.linalg.norm(x) > 1e8:
            break
    return np.array(path)


def runs_start_moved(settings, start, steps, axes=None):
    return [_momentum_in_place(start, lr, beta, steps) for lr, beta in settings]


def runs_fixed_start(settings, start, steps, axes=None):
    return [momentum_descent((1.0, 0.5), lr, beta, steps) for lr, beta in settings]


def runs_last_points(settings, start, steps, axes=None):
    return np.array([momentum_descent(start, lr, beta, steps)[-1] for lr, beta in settings])


# ----------------------------------------------------------------------------- 2.7 valley_blowup

def _lam_eig(x):
    y = np.sqrt(x / 2)
    return np.linalg.eigvalsh(np.array([[100 - 6 * x, -400 * y], [-400 * y, 400 * (6 * y**2 - x)]]))[-1]


def _bisect(fn, target):
    lo, hi = 0.0, 1.0
    while fn(hi) < target:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fn(mid) < target else (lo, mid)
    return (lo + hi) / 2


def _blowup_with(x_star_of, runs, start, max_steps, left_len=False):
    stars, passed, left = [], [], []
    for eta, beta in runs:
        path = momentum_descent(start, eta, beta, max_steps)
        stars.append(x_star_of(eta, beta))
        beyond = np.flatnonzero(path[:, 0] >= stars[-1])
        passed.append(int(beyond[0]) if beyond.size else -1)
        out = np.linalg.norm(path[-1]) > 1e8
        left.append((len(path) if left_len else len(path) - 1) if out else -1)
    return stars, passed, left


def blowup_bisection(runs, start, max_steps, axes=None):
    return _blowup_with(lambda eta, beta: _bisect(_lam_eig, 2 * (1 + beta) / eta), runs, start, max_steps)


def blowup_quadratic(runs, start, max_steps, axes=None):
    def x_star(eta, beta):
        L = 2 * (1 + beta) / eta
        return (-794 * L + np.sqrt(649636 * L * L - 1920000 * L)) / 9600

    stars, passed, left = _blowup_with(x_star, runs, start, max_steps)
    return {"left": np.array(left), "x_star": np.array(stars), "passed": np.array(passed)}


def blowup_closed_form_bisection(runs, start, max_steps, axes=None):
    lam = lambda x: (100 + 794 * x + np.sqrt((100 - 806 * x) ** 2 + 320000 * x)) / 2
    return tuple(np.array(v) for v in _blowup_with(lambda e, b: _bisect(lam, 2 * (1 + b) / e), runs, start, max_steps))


def blowup_gd_limit(runs, start, max_steps, axes=None):
    return _blowup_with(lambda eta, beta: _bisect(_lam_eig, 2 / eta), runs, start, max_steps)


def blowup_linear_lambda(runs, start, max_steps, axes=None):
    return _blowup_with(lambda eta, beta: (2 * (1 + beta) / eta - 100) / 800, runs, start, max_steps)


def blowup_interpolated(runs, start, max_steps, axes=None):
    xs = np.geomspace(0.1, 100, 400)
    lam = np.array([_lam_eig(x) for x in xs])
    return _blowup_with(lambda eta, beta: float(np.interp(2 * (1 + beta) / eta, lam, xs)), runs, start, max_steps)


def blowup_length_not_index(runs, start, max_steps, axes=None):
    return _blowup_with(lambda eta, beta: _bisect(_lam_eig, 2 * (1 + beta) / eta), runs, start, max_steps,
                        left_len=True)


# ----------------------------------------------------------------------------- 2.8 valley_reach

def reach_flatnonzero(etas, beta, start, level, max_steps, ax=None):
    out = []
    for eta in etas:
        below = np.flatnonzero(VALLEY.f(momentum_descent(start, eta, beta, max_steps)) < level)
        out.append(below[0] if below.size else -1)
    return out


def reach_own_f(etas, beta, start, level, max_steps, ax=None):
    def f(p):
        return (3 - p[:, 0] ** 3) + 50 * (2 * p[:, 1] ** 2 - p[:, 0]) ** 2

    counts = np.full(len(etas), -1)
    for i, eta in enumerate(etas):
        hits = np.where(f(momentum_two_points(start, eta, beta, max_steps)) < level)[0]
        if len(hits):
            counts[i] = hits[0]
    return counts


def reach_argmax(etas, beta, start, level, max_steps, ax=None):
    below = [VALLEY.f(momentum_preallocated(start, eta, beta, max_steps)) < level for eta in etas]
    return np.array([int(np.argmax(b)) if b.any() else -1 for b in below])


def reach_plus_one(etas, beta, start, level, max_steps, ax=None):
    return [k + 1 if k >= 0 else -1 for k in reach_flatnonzero(etas, beta, start, level, max_steps)]


def reach_count(etas, beta, start, level, max_steps, ax=None):
    return [int(np.sum(VALLEY.f(momentum_descent(start, eta, beta, max_steps)) < level)) for eta in etas]


def reach_ignore_beta(etas, beta, start, level, max_steps, ax=None):
    return reach_flatnonzero(etas, 0.0, start, level, max_steps)


def reach_none_for_never(etas, beta, start, level, max_steps, ax=None):
    return [k if k >= 0 else None for k in reach_flatnonzero(etas, beta, start, level, max_steps)]


def reach_max_steps_for_never(etas, beta, start, level, max_steps, ax=None):
    return [k if k >= 0 else max_steps for k in reach_flatnonzero(etas, beta, start, level, max_steps)]


# ----------------------------------------------------------------------------- 3.1 bce_output_grad

def bce_simplified(u, y):
    return (sigmoid(u) - y) / len(u)


def bce_chain_rule(u, y):
    p = 1 / (1 + np.exp(-u))
    return (-y / p + (1 - y) / (1 - p)) * p * (1 - p) / u.size


def bce_mean(u, y):
    return (np.tanh(u / 2) / 2 + 0.5 - y) / np.shape(u)[0]


def bce_no_sigmoid_factor(u, y):
    p = sigmoid(u)
    return -(y / p - (1 - y) / (1 - p)) / len(u)


def bce_seed_typo(u, y):
    p = sigmoid(u)
    return -(y / p - (1 - y) / p) * p * (1 - p) / len(u)


def bce_sum(u, y):
    return sigmoid(u) - y


def bce_flipped(u, y):
    return (y - sigmoid(u)) / len(u)


# ----------------------------------------------------------------------------- 3.1 relu_net_grads

def grads_matrix(X, y, W, b, V, c):
    return relu_net_grads(X, y, W, b, V, c)


def grads_per_sample(X, y, W, b, V, c):
    dW, db, dV, dc = np.zeros_like(W), np.zeros_like(b), np.zeros_like(V), 0.0
    for x, t in zip(X, y):
        a = x @ W + b
        h = np.maximum(a, 0)
        du = (1 / (1 + np.exp(-(h @ V + c))) - t) / len(X)
        da = du * V * (a > 0)
        dW += np.outer(x, da)
        db += da
        dV += du * h
        dc += du
    return [dW, db, dV, dc]


def grads_dict(X, y, W, b, V, c):
    dW, db, dV, dc = relu_net_grads(X, y, W, b, V, c)
    return {"dc": dc, "dV": dV, "dW": dW, "db": db}


def _grads_with(X, y, W, b, V, c, du_of, mask=True):
    A = X @ W + b
    H = relu(A)
    p = sigmoid(H @ V + c)
    du = du_of(p, y) / len(X)
    dA = np.outer(du, V) * ((A > 0) if mask else 1.0)
    return X.T @ dA, dA.sum(0), H.T @ du, du.sum()


def grads_no_sigmoid_factor(X, y, W, b, V, c):
    return _grads_with(X, y, W, b, V, c, lambda p, t: -(t / p - (1 - t) / (1 - p)))


def grads_seed_typo(X, y, W, b, V, c):
    return _grads_with(X, y, W, b, V, c, lambda p, t: -(t / p - (1 - t) / p) * p * (1 - p))


def grads_transposed_dW(X, y, W, b, V, c):
    dW, db, dV, dc = relu_net_grads(X, y, W, b, V, c)
    return dW.T, db, dV, dc


def grads_no_relu_mask(X, y, W, b, V, c):
    return _grads_with(X, y, W, b, V, c, lambda p, t: p - t, mask=False)


def grads_dc_per_sample(X, y, W, b, V, c):
    dW, db, dV, _ = relu_net_grads(X, y, W, b, V, c)
    return dW, db, dV, (ff_nn_relu(X, W, b, V, c) - y) / len(X)


# ----------------------------------------------------------------------------- 3.2 grad_f

def flat_via_grads(w, X, y):
    return grad_f(w, X, y)


def flat_inline(w, X, y):
    W, b, V, c = w[:8].reshape(2, 4), w[8:12], w[12:16], w[16]
    A = X @ W + b
    du = (sigmoid(relu(A) @ V + c) - y) / len(X)
    dA = np.outer(du, V) * (A > 0)
    return np.hstack([(X.T @ dA).flatten(), dA.sum(0), relu(A).T @ du, du.sum()])


def flat_from_dict(w, X, y):
    g = grads_dict(X, y, np.reshape(w[:8], (2, 4)), w[8:12], w[12:16], w[16])
    return np.concatenate([g[k].ravel() for k in ("dW", "db", "dV")] + [np.atleast_1d(g["dc"])])


def flat_column_major(w, X, y):
    dW, db, dV, dc = relu_net_grads(X, y, w[:8].reshape(2, 4, order="F"), w[8:12], w[12:16], w[16])
    return np.concatenate([dW.ravel(order="F"), db, dV, [dc]])


def flat_no_sigmoid_factor(w, X, y):
    dW, db, dV, dc = grads_no_sigmoid_factor(X, y, w[:8].reshape(2, 4), w[8:12], w[12:16], w[16])
    return np.concatenate([dW.ravel(), db, dV, [dc]])


def flat_summed(w, X, y):
    return grad_f(w, X, y) * len(X)


def flat_only_dW(w, X, y):
    return relu_net_grads(X, y, w[:8].reshape(2, 4), w[8:12], w[12:16], w[16])[0].ravel()


# ----------------------------------------------------------------------------- 3.3 xor_data

def xor_indexing(blob, Z, noise, ax=None):
    X = CORNERS[blob] + noise * Z
    return X, (X[:, 0] * X[:, 1] < 0).astype(int)


def xor_signs(blob, Z, noise, ax=None):
    sx = np.where((blob == 0) | (blob == 3), 1.0, -1.0)
    sy = np.where(blob <= 1, 1.0, -1.0)
    X = np.column_stack([sx, sy]) + noise * Z
    return [X, np.sign(X[:, 0]) != np.sign(X[:, 1])]


def xor_loop(blob, Z, noise, ax=None):
    X, y = np.zeros((len(blob), 2)), np.zeros(len(blob), dtype=int)
    for k, (j, z) in enumerate(zip(blob, Z)):
        X[k] = CORNERS[j] + noise * z
        y[k] = 1 if X[k, 0] * X[k, 1] < 0 else 0
    return {"y": y, "X": X}


def xor_by_blob(blob, Z, noise, ax=None):
    return CORNERS[blob] + noise * Z, np.isin(blob, [1, 3]).astype(int)


def xor_flipped(blob, Z, noise, ax=None):
    X = CORNERS[blob] + noise * Z
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def xor_unscaled(blob, Z, noise, ax=None):
    X = CORNERS[blob] + Z
    return X, (X[:, 0] * X[:, 1] < 0).astype(int)


def xor_corners_in_another_order(blob, Z, noise, ax=None):
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0]])[blob] + noise * Z
    return X, (X[:, 0] * X[:, 1] < 0).astype(int)


# ----------------------------------------------------------------------------- 3.4 xor_fit

def fit_logaddexp(X, y, w0, lr, beta, iterations, ax=None):
    return fit_xor(X, y, w0, lr, beta, iterations)


def fit_clipped_log(X, y, w0, lr, beta, iterations, ax=None):
    w, v = np.array(w0, dtype=float), np.zeros(17)
    losses = []
    for k in range(iterations + 1):
        p = np.clip(ff_nn_relu(X, w[:8].reshape(2, 4), w[8:12], w[12:16], w[16]), 1e-12, 1 - 1e-12)
        losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        if k < iterations:
            v = beta * v - lr * grad_f(w, X, y)
            w = w + v
    return w, losses


def fit_stable_by_hand(X, y, w0, lr, beta, iterations, ax=None):
    def loss(w):
        u = relu(X @ w[:8].reshape(2, 4) + w[8:12]) @ w[12:16] + w[16]
        return np.mean(np.maximum(u, 0) - y * u + np.log1p(np.exp(-np.abs(u))))

    path = momentum_two_points(w0, lr, beta, iterations, grad=lambda w: grad_f(w, X, y))
    return {"losses": [loss(w) for w in path], "w": path[-1]}


def fit_naive_log(X, y, w0, lr, beta, iterations, ax=None):
    path = momentum_descent(w0, lr, beta, iterations, grad=lambda w: grad_f(w, X, y))
    losses = []
    for w in path:
        p = ff_nn_relu(X, w[:8].reshape(2, 4), w[8:12], w[12:16], w[16])
        losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return path[-1], np.array(losses)


def fit_summed_loss(X, y, w0, lr, beta, iterations, ax=None):
    w, losses = fit_xor(X, y, w0, lr, beta, iterations)
    return w, losses * len(X)


def fit_plain_descent(X, y, w0, lr, beta, iterations, ax=None):
    return fit_xor(X, y, w0, lr, 0.0, iterations)


def fit_losses_after_each_step(X, y, w0, lr, beta, iterations, ax=None):
    w, losses = fit_xor(X, y, w0, lr, beta, iterations)
    return w, losses[1:]


def fit_returns_start(X, y, w0, lr, beta, iterations, ax=None):
    return w0, fit_xor(X, y, w0, lr, beta, iterations)[1]


# ----------------------------------------------------------------------------- 3.5 xor_sweep

def _first(losses, threshold):
    below = np.flatnonzero(np.asarray(losses) < threshold)
    return below[0] if below.size else np.inf


def sweep_loops(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    return np.array([[_first(fit_xor(X, y, w0, eta, beta, iterations)[1], threshold) for w0 in inits] for eta in etas])


def sweep_lists(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    table = []
    for eta in etas:
        row = []
        for w0 in inits:
            losses = fit_stable_by_hand(X, y, w0, eta, beta, iterations)["losses"]
            hit = [k for k, L in enumerate(losses) if L < threshold]
            row.append(hit[0] if hit else float("inf"))
        table.append(row)
    return table


def sweep_batched(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    """All networks at once, a for loop over the hidden units instead of einsum."""
    K, n = len(etas) * len(inits), len(inits)
    w = np.array([w0 for _ in etas for w0 in inits], dtype=float)
    eta = np.repeat(etas, n)[:, None]
    v, hist = np.zeros_like(w), []
    for step in range(iterations + 1):
        A = X @ w[:, :8].reshape(K, 2, 4) + w[:, None, 8:12]  # (K, S, 4)
        H = np.maximum(A, 0)
        u = (H @ w[:, 12:16, None])[..., 0] + w[:, 16:17]  # (K, S)
        hist.append(np.mean(np.logaddexp(0, u) - y * u, axis=1))
        if step == iterations:
            break
        du = (1 / (1 + np.exp(-u)) - y) / len(X)
        dA = du[..., None] * w[:, None, 12:16] * (A > 0)
        g = np.concatenate([(X.T @ dA).reshape(K, 8), dA.sum(1), np.einsum("ksj,ks->kj", H, du), du.sum(1)[:, None]],
                           axis=1)
        v = beta * v - eta * g
        w = w + v
    hist = np.array(hist)
    return np.array([_first(hist[:, k], threshold) for k in range(K)]).reshape(len(etas), n)


def sweep_minus_one(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    out = sweep_loops(X, y, inits, etas, beta, iterations, threshold)
    return np.where(np.isinf(out), -1, out)


def sweep_transposed(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    return sweep_loops(X, y, inits, etas, beta, iterations, threshold).T


def sweep_counted_from_one(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    return sweep_loops(X, y, inits, etas, beta, iterations, threshold) + 1


def sweep_ignores_beta(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    return sweep_loops(X, y, inits, etas, 0.0, iterations, threshold)


def sweep_fixed_threshold(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    return sweep_loops(X, y, inits, etas, beta, iterations, 0.1)


# ----------------------------------------------------------------------------- 3.6 xor_decision_grid

def grid_meshgrid(w, xs, ys, X=None, y=None, ax=None):
    g1, g2 = np.meshgrid(xs, ys)
    P = ff_nn_relu(np.column_stack([g1.ravel(), g2.ravel()]), w[:8].reshape(2, 4), w[8:12], w[12:16], w[16])
    return P.reshape(g1.shape)


def grid_loops(w, xs, ys, X=None, y=None, ax=None):
    W, b, V, c = w[:8].reshape(2, 4), w[8:12], w[12:16], w[16]
    return np.array([[ff_nn_relu(np.array([[x1, x2]]), W, b, V, c)[0] for x1 in xs] for x2 in ys])


def grid_broadcast(w, xs, ys, X=None, y=None, ax=None):
    W, b, V, c = w[:8].reshape(2, 4), w[8:12], w[12:16], w[16]
    A = np.asarray(xs)[None, :, None] * W[0] + np.asarray(ys)[:, None, None] * W[1] + b  # (len(ys), len(xs), 4)
    return sigmoid(relu(A) @ V + c)


def grid_transposed(w, xs, ys, X=None, y=None, ax=None):
    return grid_meshgrid(w, xs, ys).T


def grid_column_major(w, xs, ys, X=None, y=None, ax=None):
    g1, g2 = np.meshgrid(xs, ys)
    W = w[:8].reshape(2, 4, order="F")
    return ff_nn_relu(np.column_stack([g1.ravel(), g2.ravel()]), W, w[8:12], w[12:16], w[16]).reshape(g1.shape)


def grid_labels(w, xs, ys, X=None, y=None, ax=None):
    return (grid_meshgrid(w, xs, ys) > 0.5).astype(float)


def grid_class_zero(w, xs, ys, X=None, y=None, ax=None):
    return 1 - grid_meshgrid(w, xs, ys)


RIGHT = {
    "relu_draw_network": [draw_shapes, draw_sizes, draw_dict],
    "ff_nn_relu": [ff_matrix, ff_loops, ff_tanh_sigmoid],
    "valley_grad": [grad_expanded, grad_floats, grad_r_form],
    "valley_contours": [contours_meshgrid, contours_broadcast, contours_loops],
    "valley_gd": [gd_list, gd_preallocated, gd_while],
    "valley_momentum": [momentum_velocity, momentum_two_points, momentum_preallocated],
    "valley_runs": [runs_comprehension, runs_tuple, runs_gd_for_beta_zero],
    "valley_blowup": [blowup_bisection, blowup_quadratic, blowup_closed_form_bisection],
    "valley_reach": [reach_flatnonzero, reach_own_f, reach_argmax],
    "bce_output_grad": [bce_simplified, bce_chain_rule, bce_mean],
    "relu_net_grads": [grads_matrix, grads_per_sample, grads_dict],
    "grad_f": [flat_via_grads, flat_inline, flat_from_dict],
    "xor_data": [xor_indexing, xor_signs, xor_loop],
    "xor_fit": [fit_logaddexp, fit_clipped_log, fit_stable_by_hand],
    "xor_sweep": [sweep_loops, sweep_lists, sweep_batched],
    "xor_decision_grid": [grid_meshgrid, grid_loops, grid_broadcast],
}

WRONG = {
    "relu_draw_network": [
        (draw_first_layer_only, "the edges into the output carry weights too"),
        (draw_no_output_bias, "the output unit has a bias too"),
        (draw_units_not_edges, "a weight sits on every edge"),
        (draw_inputs_with_bias, "inputs have no bias"),
        (draw_total, "expects 2 values"),
    ],
    "ff_nn_relu": [
        (ff_no_relu, "the hidden units are ReLUs"),
        (ff_no_sigmoid, "apply the sigmoid"),
        (ff_class_zero, "P(class 0)"),
        (ff_column_layout, None),
        (ff_tanh_hidden, "not right yet"),
    ],
    "valley_grad": [
        (grad_sign_cubic, "the sign of that term is flipped"),
        (grad_inner_plus, "the inner derivative of (2y^2 - x) with respect to x is -1"),
        (grad_no_chain_y, "misses the inner derivative 4y"),
        (grad_no_factor_two, "brings a factor 2"),
        (grad_none, "returns None"),
    ],
    "valley_contours": [
        (contours_ij, "rows go with y"),
        (contours_swapped, "f's first argument is x"),
        (contours_cube_of_difference, "3 - x^3, not (3 - x)^3"),
        (contours_y_not_squared, "y is squared inside the bracket"),
    ],
    "valley_gd": [
        (gd_ascent, "steps against the gradient"),
        (gd_without_start, "the path starts with x0"),
        (gd_never_stops, "stop once the point leaves the ball"),
        (gd_drops_the_last, "keep the first point outside the ball"),
        (gd_one_step_short, "has shape"),
    ],
    "valley_momentum": [
        (momentum_plus_gradient, "the velocity goes against the gradient"),
        (momentum_old_velocity, "x moves by the new velocity"),
        (momentum_damped, "without a factor (1 - beta)"),
        (momentum_never_stops, "stop once the point leaves the ball"),
        (momentum_nesterov, "not right yet"),
    ],
    "valley_runs": [
        (runs_ignore_beta, "a run with beta > 0 is momentum"),
        (runs_start_moved, "a run began where the one before it ended"),
        (runs_fixed_start, "not at a fixed point"),
        (runs_last_points, "has shape"),
    ],
    "valley_blowup": [
        (blowup_gd_limit, "not 2"),
        (blowup_linear_lambda, "only an approximation"),
        (blowup_length_not_index, "len(path) - 1"),
        (blowup_interpolated, "not right yet"),
    ],
    "valley_reach": [
        (reach_plus_one, "the start is step 0"),
        (reach_count, "not how many points"),
        (reach_ignore_beta, "use beta"),
        (reach_none_for_never, "not a number or a regular array"),
        (reach_max_steps_for_never, "not right yet"),
    ],
    "bce_output_grad": [
        (bce_no_sigmoid_factor, "the sigmoid's derivative"),
        (bce_seed_typo, "the seed's typo"),
        (bce_sum, "divide by S"),
        (bce_flipped, "the sign is flipped"),
    ],
    "relu_net_grads": [
        (grads_no_sigmoid_factor, "the sigmoid's derivative"),
        (grads_seed_typo, "the seed's typo"),
        (grads_transposed_dW, "dW has the shape of W"),
        (grads_no_relu_mask, "multiplies by its derivative 1[a > 0]"),
        (grads_dc_per_sample, "dc sums du over the samples"),
    ],
    "grad_f": [
        (flat_column_major, "row by row"),
        (flat_no_sigmoid_factor, "the sigmoid's derivative"),
        (flat_summed, "divide by S"),
        (flat_only_dW, "has shape"),
    ],
    "xor_data": [
        (xor_by_blob, "the signs of its own coordinates"),
        (xor_flipped, "opposite signs"),
        (xor_unscaled, "multiply them by noise"),
        (xor_corners_in_another_order, "in that order"),
    ],
    "xor_fit": [
        (fit_naive_log, "inf or nan"),
        (fit_summed_loss, "not the sum"),
        (fit_plain_descent, "use beta"),
        (fit_losses_after_each_step, "the start included"),
        (fit_returns_start, "not the start"),
    ],
    "xor_sweep": [
        (sweep_minus_one, "counts as np.inf"),
        (sweep_transposed, "rows are learning rates"),
        (sweep_counted_from_one, "no + 1"),
        (sweep_ignores_beta, "use beta"),
        (sweep_fixed_threshold, "not right yet"),
    ],
    "xor_decision_grid": [
        (grid_transposed, "rows go with y"),
        (grid_column_major, "row by row"),
        (grid_labels, "not the predicted labels"),
        (grid_class_zero, "not 1 - sigmoid(u)"),
    ],
}
