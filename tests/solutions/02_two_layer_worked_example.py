"""Students' answers to notebook 02's exercises, right ones in several styles and wrong ones the way students
get them wrong (tests/test_solutions.py judges them: RIGHT must be correct to the check and to the hidden
tests, WRONG must be refused, naming the words given). theta = (w1, ..., w8, b1, b2), the biases shared."""

import numpy as np

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import numerical_gradient
from helpers.objectives import Objective
from helpers.optim import GD, minimize

# ----------------------------------------------------------------------------- shared pieces, as a student writes them


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _forward(theta, x, y):
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    h1, h2 = _sig(w1 * x[0] + w2 * x[1] + b1), _sig(w3 * x[0] + w4 * x[1] + b1)
    o1, o2 = w5 * h1 + w6 * h2 + b2, w7 * h1 + w8 * h2 + b2
    m = max(o1, o2)
    net1, net2 = np.exp(o1 - m) / (np.exp(o1 - m) + np.exp(o2 - m)), np.exp(o2 - m) / (np.exp(o1 - m) + np.exp(o2 - m))
    return np.array([h1, h2, o1, o2, net1, net2, 0.5 * ((y[0] - net1) ** 2 + (y[1] - net2) ** 2)])


def _deltas(theta, x, y, loss="squared error"):
    """h, delta_o, delta_h, delta_z in the column convention."""
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = _sig(W1 @ x + theta[8])
    p = softmax(W2 @ h + theta[9])
    J = np.diag(p) - np.outer(p, p)
    do = J @ (p - y) if loss == "squared error" else p - y
    dh = W2.T @ do
    return h, do, dh, dh * h * (1 - h)


def _grads(theta, x, y, loss="squared error"):
    h, do, _, dz = _deltas(theta, x, y, loss)
    return np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])


def _jac(o):
    p = softmax(o)
    return np.diag(p) - np.outer(p, p)


# ----------------------------------------------------------------------------- worked_forward


def forward_scalar(theta, x, y):
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    h1 = sigmoid(w1 * x[0] + w2 * x[1] + b1)
    h2 = sigmoid(w3 * x[0] + w4 * x[1] + b1)
    o1 = w5 * h1 + w6 * h2 + b2
    o2 = w7 * h1 + w8 * h2 + b2
    net = np.exp([o1, o2]) / np.sum(np.exp([o1, o2]))
    return np.array([h1, h2, o1, o2, net[0], net[1], 0.5 * np.sum((y - net) ** 2)])


def forward_matrices(theta, x, y):
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = 1 / (1 + np.exp(-(W1 @ x + theta[8])))
    o = W2 @ h + theta[9]
    net = softmax(o)
    return np.concatenate([h, o, net, [0.5 * np.dot(y - net, y - net)]])


def forward_list(theta, x, y):
    return list(_forward(theta, x, y))


def forward_two_way_sigmoid(theta, x, y):  # net1 = sigma(o1 - o2), net2 = 1 - net1
    h1, h2, o1, o2 = _forward(theta, x, y)[:4]
    net1 = 1 / (1 + np.exp(o2 - o1))
    return np.array([h1, h2, o1, o2, net1, 1 - net1, (y[0] - net1) ** 2 / 2 + (y[1] - 1 + net1) ** 2 / 2])


def forward_columns_swapped(theta, x, y):  # z1 = w1 x1 + w3 x2: the weights read down the columns
    t = np.asarray(theta)[[0, 2, 1, 3, 4, 6, 5, 7, 8, 9]]
    return _forward(t, x, y)


def forward_no_half(theta, x, y):
    out = _forward(theta, x, y)
    out[6] *= 2
    return out


def forward_no_output_bias(theta, x, y):  # b2 left out: softmax cannot see it, so only o1, o2 are wrong
    t = np.array(theta, dtype=float)
    t[9] = 0.0
    return _forward(t, x, y)


def forward_net_only(theta, x, y):
    return _forward(theta, x, y)[4:6]


def forward_no_return(theta, x, y):
    _forward(theta, x, y)


def forward_by_mlp(theta, x, y):  # hands the work to helpers.nn.MLP
    from helpers.nn import MLP

    params = {"W1": np.reshape(theta[:4], (2, 2)).T, "b1": np.full(2, theta[8]),
              "W2": np.reshape(theta[4:8], (2, 2)).T, "b2": np.full(2, theta[9])}
    zs, acts = MLP.from_params(params, hidden="sigmoid", output="softmax", loss="mse").forward_trace(np.array([x]))
    net = acts[2][0]
    return np.concatenate([acts[1][0], zs[1][0], net, [0.5 * np.sum((y - net) ** 2)]])


# ----------------------------------------------------------------------------- worked_softmax_jacobian


def jacobian_matrix(o):
    p = softmax(o)
    return np.diag(p) - np.outer(p, p)


def jacobian_loops(o):
    e = np.exp(np.asarray(o) - np.max(o))
    p = e / e.sum()
    n = len(p)
    J = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            J[i, j] = p[i] * (1 - p[i]) if i == j else -p[i] * p[j]
    return J


def jacobian_einsum(o):
    p = softmax(o)
    return np.einsum("i,ij->ij", p, np.eye(len(p)) - p[None, :])


def jacobian_nested_lists(o):
    p = list(softmax(o))
    return [[pi * ((i == j) - pj) for j, pj in enumerate(p)] for i, pi in enumerate(p)]


def jacobian_no_diagonal(o):
    p = softmax(o)
    return -np.outer(p, p)


def jacobian_only_diagonal(o):
    p = softmax(o)
    return np.diag(p * (1 - p))


def jacobian_of_logits(o):  # the logits where the probabilities belong
    o = np.asarray(o, dtype=float)
    return np.diag(o) - np.outer(o, o)


def jacobian_vector(o):
    p = softmax(o)
    return p * (1 - p)


# ----------------------------------------------------------------------------- worked_gradients


def ten_scalar(theta, x, y):
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    h1 = sigmoid(w1 * x[0] + w2 * x[1] + b1)
    h2 = sigmoid(w3 * x[0] + w4 * x[1] + b1)
    net1, net2 = softmax(np.array([w5 * h1 + w6 * h2 + b2, w7 * h1 + w8 * h2 + b2]))
    d_net1, d_net2 = net1 - y[0], net2 - y[1]
    d_o1 = d_net1 * net1 * (1 - net1) - d_net2 * net2 * net1
    d_o2 = -d_net1 * net1 * net2 + d_net2 * net2 * (1 - net2)
    d_h1, d_h2 = d_o1 * w5 + d_o2 * w7, d_o1 * w6 + d_o2 * w8
    d_z1, d_z2 = d_h1 * h1 * (1 - h1), d_h2 * h2 * (1 - h2)
    return np.array([d_z1 * x[0], d_z1 * x[1], d_z2 * x[0], d_z2 * x[1], d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2,
                     d_z1 + d_z2, d_o1 + d_o2])


def ten_matrices(theta, x, y):
    return _grads(np.asarray(theta, dtype=float), np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def ten_sigmoid_of_difference(theta, x, y):  # delta_o1 = -delta_o2 = (net1 - y1) net1 net2 * 2
    h1, h2, o1, o2, net1, net2, _ = _forward(theta, x, y)
    d_o1 = 2 * (net1 - y[0]) * net1 * net2
    d_o2 = -d_o1
    w5, w6, w7, w8 = theta[4:8]
    d_z1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)
    d_z2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)
    return (d_z1 * x[0], d_z1 * x[1], d_z2 * x[0], d_z2 * x[1], d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2,
            d_z1 + d_z2, 0.0)


def ten_sigma_twice(theta, x, y):  # the seed: sigma(h)(1 - sigma(h)) for the slope
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = _sig(W1 @ x + theta[8])
    p = softmax(W2 @ h + theta[9])
    do = _jac(W2 @ h + theta[9]) @ (p - y)
    dz = (W2.T @ do) * _sig(h) * (1 - _sig(h))
    return np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])


def ten_w7_for_w8(theta, x, y):
    t = np.asarray(theta, dtype=float)
    h, do, _, dz = _deltas(t, x, y)
    d_z2 = (do[0] * t[5] + do[1] * t[6]) * h[1] * (1 - h[1])  # w7 where w8 belongs in delta_h2
    g = _grads(t, x, y)
    g[2], g[3], g[8] = d_z2 * x[0], d_z2 * x[1], dz[0] + d_z2
    return g


def ten_w4_from_unit_1(theta, x, y):
    g = _grads(np.asarray(theta, dtype=float), x, y)
    g[3] = g[1]  # delta_z1 x2
    return g


def ten_no_bias_sum(theta, x, y):
    h, do, _, dz = _deltas(np.asarray(theta, dtype=float), x, y)
    g = _grads(np.asarray(theta, dtype=float), x, y)
    g[8], g[9] = dz[0], do[0]
    return g


def ten_no_diagonal(theta, x, y):
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = _sig(W1 @ x + theta[8])
    p = softmax(W2 @ h + theta[9])
    do = -np.outer(p, p) @ (p - y)
    dz = (W2.T @ do) * h * (1 - h)
    return np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])


def ten_no_slope(theta, x, y):
    h, do, dh, _ = _deltas(np.asarray(theta, dtype=float), x, y)
    return np.concatenate([np.outer(dh, x).ravel(), np.outer(do, h).ravel(), [dh.sum(), do.sum()]])


def ten_ascent(theta, x, y):  # y - net for the error's derivative
    return -_grads(np.asarray(theta, dtype=float), x, y)


# ----------------------------------------------------------------------------- worked_numerical


def numerical_copies(theta, x, y, eps):
    g = np.zeros(len(theta))
    for i in range(len(theta)):
        up, down = np.array(theta, dtype=float), np.array(theta, dtype=float)
        up[i] += eps
        down[i] -= eps
        g[i] = (_forward(up, x, y)[6] - _forward(down, x, y)[6]) / (2 * eps)
    return g


def numerical_unit_vectors(theta, x, y, eps):
    E = lambda t: _forward(t, x, y)[6]  # noqa: E731
    return np.array([(E(theta + eps * e) - E(theta - eps * e)) / (2 * eps) for e in np.eye(len(theta))])


def numerical_restored(theta, x, y, eps):
    t = np.array(theta, dtype=float)
    out = []
    for i in range(t.size):
        keep = t[i]
        t[i] = keep + eps
        up = _forward(t, x, y)[6]
        t[i] = keep - eps
        down = _forward(t, x, y)[6]
        t[i] = keep
        out.append((up - down) / (2 * eps))
    return out


def numerical_one_sided(theta, x, y, eps):
    E0 = _forward(theta, x, y)[6]
    return np.array([(_forward(theta + eps * e, x, y)[6] - E0) / eps for e in np.eye(len(theta))])


def numerical_half(theta, x, y, eps):
    return np.array([(_forward(theta + eps * e, x, y)[6] - _forward(theta - eps * e, x, y)[6]) / eps / 2 / 2
                     for e in np.eye(len(theta))])


def numerical_all_at_once(theta, x, y, eps):
    t = np.asarray(theta, dtype=float)
    d = (_forward(t + eps, x, y)[6] - _forward(t - eps, x, y)[6]) / (2 * eps)
    return np.full(t.size, d)


def numerical_not_restored(theta, x, y, eps):
    t = np.array(theta, dtype=float)
    g = np.zeros(t.size)
    for i in range(t.size):
        t[i] += eps
        up = _forward(t, x, y)[6]
        t[i] -= 2 * eps
        g[i] = (up - _forward(t, x, y)[6]) / (2 * eps)
    return g


def numerical_by_helpers(theta, x, y, eps):
    return numerical_gradient(lambda t: _forward(t, x, y)[6], theta, eps)


# ----------------------------------------------------------------------------- worked_forward_batch


def batch_forward_plain(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    return H, P, 0.5 * np.sum((P - Y) ** 2) / len(X)


def batch_forward_dict(X, Y, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    O = H @ W2 + b2
    E_ = np.exp(O - O.max(axis=1, keepdims=True))
    P = E_ / E_.sum(axis=1, keepdims=True)
    return {"E": np.mean(0.5 * np.sum((P - Y) ** 2, axis=1)), "P": P, "H": H}


def batch_forward_rows(X, Y, W1, b1, W2, b2):
    Hs, Ps, Es = [], [], []
    for xs, ys in zip(X, Y, strict=True):
        h = sigmoid(xs @ W1 + b1)
        p = softmax(h @ W2 + b2)
        Hs.append(h)
        Ps.append(p)
        Es.append(0.5 * np.sum((p - ys) ** 2))
    return [np.array(Hs), np.array(Ps), float(np.mean(Es))]


def batch_forward_axis0(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=0)
    return H, P, 0.5 * np.sum((P - Y) ** 2) / len(X)


def batch_forward_sum(X, Y, W1, b1, W2, b2):
    H, P, E = batch_forward_plain(X, Y, W1, b1, W2, b2)
    return H, P, E * len(X)


def batch_forward_no_half(X, Y, W1, b1, W2, b2):
    H, P, E = batch_forward_plain(X, Y, W1, b1, W2, b2)
    return H, P, 2 * E


def batch_forward_two_outputs(X, Y, W1, b1, W2, b2):
    H, P, _ = batch_forward_plain(X, Y, W1, b1, W2, b2)
    return H, P


# ----------------------------------------------------------------------------- worked_backward


def backward_notebook(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = P * (dP - np.sum(dP * P, axis=1, keepdims=True))
    dZ1 = (dO @ W2.T) * H * (1 - H)
    return np.concatenate([(X.T @ dZ1).ravel(), [dZ1.sum()], (H.T @ dO).ravel()])


def backward_per_sample(X, Y, W1, b1, W2, b2):
    dW1, db1, dW2 = np.zeros_like(W1), 0.0, np.zeros_like(W2)
    for xs, ys in zip(X, Y, strict=True):
        h = sigmoid(xs @ W1 + b1)
        o = h @ W2 + b2
        do = _jac(o) @ (softmax(o) - ys) / len(X)
        dz = (W2 @ do) * h * (1 - h)
        dW1 += np.outer(xs, dz)
        db1 += dz.sum()
        dW2 += np.outer(h, do)
    return [*dW1.ravel(), db1, *dW2.ravel()]


def backward_einsum(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    O = H @ W2 + b2
    P = softmax(O, axis=1)
    Js = np.einsum("si,ij->sij", P, np.eye(P.shape[1])) - np.einsum("si,sj->sij", P, P)
    dO = np.einsum("sij,sj->si", Js, P - Y) / len(X)
    dZ1 = dO @ W2.T * H * (1 - H)
    return np.hstack([np.einsum("si,sj->ij", X, dZ1).ravel(), dZ1.sum(), np.einsum("si,sj->ij", H, dO).ravel()])


def backward_no_unit_sum(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = P * (dP - np.sum(dP * P, axis=1, keepdims=True))
    dZ1 = (dO @ W2.T) * H * (1 - H)
    return np.concatenate([(X.T @ dZ1).ravel(), dZ1.sum(axis=0), (H.T @ dO).ravel()])


def backward_no_slope(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = P * (dP - np.sum(dP * P, axis=1, keepdims=True))
    dZ1 = dO @ W2.T
    return np.concatenate([(X.T @ dZ1).ravel(), [dZ1.sum()], (H.T @ dO).ravel()])


def backward_no_mean(X, Y, W1, b1, W2, b2):
    return np.asarray(backward_notebook(X, Y, W1, b1, W2, b2)) * len(X)


def backward_transposed(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = P * (dP - np.sum(dP * P, axis=1, keepdims=True))
    dZ1 = (dO @ W2.T) * H * (1 - H)
    return np.concatenate([(dZ1.T @ X).ravel(), [dZ1.sum()], (H.T @ dO).ravel()])


def backward_no_diagonal(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = -P * np.sum(dP * P, axis=1, keepdims=True)
    dZ1 = (dO @ W2.T) * H * (1 - H)
    return np.concatenate([(X.T @ dZ1).ravel(), [dZ1.sum()], (H.T @ dO).ravel()])


# ----------------------------------------------------------------------------- worked_train


def train_list(theta, x, y, lr, steps):
    path = [np.asarray(theta, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * _grads(path[-1], x, y))
    return np.array(path), np.array([_forward(t, x, y)[6] for t in path])


def train_preallocated(theta, x, y, lr, steps):
    path = np.zeros((steps + 1, len(theta)))
    errors = np.zeros(steps + 1)
    path[0] = theta
    errors[0] = _forward(path[0], x, y)[6]
    for k in range(1, steps + 1):
        path[k] = path[k - 1] - lr * ten_scalar(path[k - 1], x, y)
        errors[k] = _forward(path[k], x, y)[6]
    return path, errors


def train_dict(theta, x, y, lr, steps):
    t = np.array(theta, dtype=float)
    rows, errs = [t.copy()], [_forward(t, x, y)[6]]
    k = 0
    while k < steps:
        t -= lr * _grads(t, x, y)
        rows.append(t.copy())
        errs.append(_forward(t, x, y)[6])
        k += 1
    return {"errors": errs, "path": rows}


def train_ascent(theta, x, y, lr, steps):
    path = [np.asarray(theta, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + lr * _grads(path[-1], x, y))
    return np.array(path), np.array([_forward(t, x, y)[6] for t in path])


def train_not_kept(theta, x, y, lr, steps):
    t = np.asarray(theta, dtype=float)
    path = [t]
    for _ in range(steps):
        new = t - lr * _grads(t, x, y)  # noqa: F841  (computed, then lost)
        path.append(t)
    return np.array(path), np.array([_forward(p, x, y)[6] for p in path])


def train_aliased(theta, x, y, lr, steps):
    t = np.array(theta, dtype=float)
    path, errors = [t], [_forward(t, x, y)[6]]
    for _ in range(steps):
        t -= lr * _grads(t, x, y)  # the same array, changed in place, appended again
        path.append(t)
        errors.append(_forward(t, x, y)[6])
    return np.array(path), np.array(errors)


def train_no_start(theta, x, y, lr, steps):
    t, path = np.asarray(theta, dtype=float), []
    for _ in range(steps):
        t = t - lr * _grads(t, x, y)
        path.append(t)
    return np.array(path).reshape(-1, len(theta)), np.array([_forward(p, x, y)[6] for p in path])


def train_by_helpers(theta, x, y, lr, steps):
    path = minimize(Objective(lambda t: _forward(t, x, y)[6], lambda t: _grads(t, x, y)), theta, GD(lr), steps)
    return path, np.array([_forward(t, x, y)[6] for t in path])


# ----------------------------------------------------------------------------- worked_nodes


def nodes_dict(theta, x, y):
    W1 = np.reshape(theta[:4], (2, 2))
    h, do, dh, dz = _deltas(np.asarray(theta, dtype=float), x, y)
    p = _forward(theta, x, y)[4:6]
    dx = W1.T @ dz
    return {"x1": dx[0], "x2": dx[1], "z1": dz[0], "z2": dz[1], "h1": dh[0], "h2": dh[1], "o1": do[0], "o2": do[1],
            "net1": p[0] - y[0], "net2": p[1] - y[1]}


def nodes_tuple(theta, x, y):
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    h1, h2, _, _, net1, net2, _ = _forward(theta, x, y)
    d_n1, d_n2 = net1 - y[0], net2 - y[1]
    d_o1 = net1 * (d_n1 - (d_n1 * net1 + d_n2 * net2))
    d_o2 = net2 * (d_n2 - (d_n1 * net1 + d_n2 * net2))
    d_h1, d_h2 = d_o1 * w5 + d_o2 * w7, d_o1 * w6 + d_o2 * w8
    d_z1, d_z2 = d_h1 * h1 * (1 - h1), d_h2 * h2 * (1 - h2)
    return (d_z1 * w1 + d_z2 * w3, d_z1 * w2 + d_z2 * w4, d_z1, d_z2, d_h1, d_h2, d_o1, d_o2, d_n1, d_n2)


def nodes_list_of_arrays(theta, x, y):  # 0-d arrays and numpy floats are numbers too
    out = nodes_dict(theta, x, y)
    return [np.array(out[k]) for k in ("x1", "x2", "z1", "z2", "h1", "h2", "o1", "o2", "net1", "net2")]


def nodes_W1_not_transposed(theta, x, y):
    out = nodes_dict(theta, x, y)
    W1 = np.reshape(theta[:4], (2, 2))
    dx = W1 @ np.array([out["z1"], out["z2"]])
    out["x1"], out["x2"] = dx
    return out


def nodes_W2_not_transposed(theta, x, y):
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h, do, _, _ = _deltas(np.asarray(theta, dtype=float), x, y)
    dh = W2 @ do
    dz = dh * h * (1 - h)
    dx = W1.T @ dz
    p = _forward(theta, x, y)[4:6]
    return {"x1": dx[0], "x2": dx[1], "z1": dz[0], "z2": dz[1], "h1": dh[0], "h2": dh[1], "o1": do[0], "o2": do[1],
            "net1": p[0] - y[0], "net2": p[1] - y[1]}


def nodes_h_after_slope(theta, x, y):
    out = nodes_dict(theta, x, y)
    out["h1"], out["h2"] = out["z1"], out["z2"]
    return out


def nodes_sign(theta, x, y):
    return {k: -v for k, v in nodes_dict(theta, x, y).items()}


def nodes_missing_net(theta, x, y):
    out = nodes_dict(theta, x, y)
    del out["net1"], out["net2"]
    return out


# ----------------------------------------------------------------------------- worked_ce_gradients


def ce_scalar(theta, x, y):
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = theta
    h1 = sigmoid(w1 * x[0] + w2 * x[1] + b1)
    h2 = sigmoid(w3 * x[0] + w4 * x[1] + b1)
    net1, net2 = softmax(np.array([w5 * h1 + w6 * h2 + b2, w7 * h1 + w8 * h2 + b2]))
    d_o1, d_o2 = net1 - y[0], net2 - y[1]
    d_z1 = (d_o1 * w5 + d_o2 * w7) * h1 * (1 - h1)
    d_z2 = (d_o1 * w6 + d_o2 * w8) * h2 * (1 - h2)
    return np.array([d_z1 * x[0], d_z1 * x[1], d_z2 * x[0], d_z2 * x[1], d_o1 * h1, d_o1 * h2, d_o2 * h1, d_o2 * h2,
                     d_z1 + d_z2, d_o1 + d_o2])


def ce_matrices(theta, x, y):
    return _grads(np.asarray(theta, dtype=float), x, y, "cross-entropy")


def ce_through_the_jacobian(theta, x, y):  # dL/dnet = -y / net, then through J: the long way, same numbers
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = sigmoid(W1 @ x + theta[8])
    o = W2 @ h + theta[9]
    do = _jac(o) @ (-y / softmax(o))
    dz = (W2.T @ do) * h * (1 - h)
    return np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])


def ce_squared_errors(theta, x, y):
    return _grads(np.asarray(theta, dtype=float), x, y)


def ce_sign(theta, x, y):
    return -_grads(np.asarray(theta, dtype=float), x, y, "cross-entropy")


def ce_no_jacobian(theta, x, y):
    W1, W2 = np.reshape(theta[:4], (2, 2)), np.reshape(theta[4:8], (2, 2))
    h = sigmoid(W1 @ x + theta[8])
    do = -y / softmax(W2 @ h + theta[9])
    dz = (W2.T @ do) * h * (1 - h)
    return np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])


def ce_no_slope(theta, x, y):
    h, do, dh, _ = _deltas(np.asarray(theta, dtype=float), x, y, "cross-entropy")
    return np.concatenate([np.outer(dh, x).ravel(), np.outer(do, h).ravel(), [dh.sum(), do.sum()]])


def ce_no_bias_sum(theta, x, y):
    h, do, _, dz = _deltas(np.asarray(theta, dtype=float), x, y, "cross-entropy")
    g = _grads(np.asarray(theta, dtype=float), x, y, "cross-entropy")
    g[8], g[9] = dz[0], do[0]
    return g


# ----------------------------------------------------------------------------- worked_ratio


def ratio_nets(theta, x, y):
    net1, net2 = _forward(theta, x, y)[4:6]
    return 1 / (2 * net1 * net2)


def ratio_cosh(theta, x, y):  # net1 net2 = 1 / (2 + e^d + e^-d) with d = o1 - o2
    o1, o2 = _forward(theta, x, y)[2:4]
    return 1 + np.cosh(o1 - o2)


def ratio_of_norms(theta, x, y):
    return np.linalg.norm(ce_scalar(theta, x, y)) / np.linalg.norm(ten_scalar(theta, x, y))


def ratio_inverse(theta, x, y):
    net1, net2 = _forward(theta, x, y)[4:6]
    return 2 * net1 * net2


def ratio_no_two(theta, x, y):
    net1, net2 = _forward(theta, x, y)[4:6]
    return 1 / (net1 * net2)


def ratio_of_probabilities(theta, x, y):
    net1, net2 = _forward(theta, x, y)[4:6]
    return net2 / net1


def ratio_every_entry(theta, x, y):
    return ce_scalar(theta, x, y)[:9] / ten_scalar(theta, x, y)[:9]


# ----------------------------------------------------------------------------- worked_hessians


def hessians_numerical(o, y):
    def d_se(v):
        return _jac(v) @ (softmax(v) - y)

    eps = 1e-5
    H = np.array([(d_se(o + eps * e) - d_se(o - eps * e)) / (2 * eps) for e in np.eye(len(o))]).T
    return _jac(o), (H + H.T) / 2


def hessians_by_hand(o, y):  # d/do [J r] = J J + (terms from differentiating J itself), r = net - y
    p = softmax(o)
    J = _jac(o)
    r = p - y
    se = J @ J + np.diag(r) @ J - (p @ r) * J - np.outer(p, J @ r)
    return {"squared_error": se, "cross_entropy": J}


def hessians_raw_differences(o, y):  # no symmetrizing: the differences agree to about 1e-10 anyway
    d_ce = lambda v: softmax(v) - y  # noqa: E731
    d_se = lambda v: _jac(v) @ (softmax(v) - y)  # noqa: E731
    eps = 1e-5
    cols = [[(d(o + eps * e) - d(o - eps * e)) / (2 * eps) for e in np.eye(len(o))] for d in (d_ce, d_se)]
    return [np.array(c).T for c in cols]


def hessians_gauss_newton(o, y):
    J = _jac(o)
    return J, J.T @ J


def hessians_diagonal_only(o, y):
    p = softmax(o)
    return np.diag(p), hessians_numerical(o, y)[1]


def hessians_swapped(o, y):
    ce, se = hessians_numerical(o, y)
    return se, ce


def hessians_coarse_step(o, y):
    def d_se(v):
        return _jac(v) @ (softmax(v) - y)

    eps = 0.1
    H = np.array([(d_se(o + eps * e) - d_se(o - eps * e)) / (2 * eps) for e in np.eye(len(o))]).T
    return _jac(o), H


# ----------------------------------------------------------------------------- worked_rates


def rates_loops(theta, x, y, lrs, lr, steps):
    out = []
    for loss in ("squared error", "cross-entropy"):
        g = _grads(theta, x, y, loss)
        out.append(np.array([_forward(theta - r * g, x, y)[6] for r in lrs]))
    for loss in ("squared error", "cross-entropy"):
        t, errors = np.asarray(theta, dtype=float), [_forward(theta, x, y)[6]]
        for _ in range(steps):
            t = t - lr * _grads(t, x, y, loss)
            errors.append(_forward(t, x, y)[6])
        out.append(np.array(errors))
    return tuple(out)


def rates_dict(theta, x, y, lrs, lr, steps):
    def run(gradients):
        path = [np.asarray(theta, dtype=float)]
        for _ in range(steps):
            path.append(path[-1] - lr * gradients(path[-1], x, y))
        return [_forward(t, x, y)[6] for t in path]

    one = {name: [_forward(theta - r * f(theta, x, y), x, y)[6] for r in lrs]
           for name, f in (("one_step_squared_error", ten_scalar), ("one_step_cross_entropy", ce_scalar))}
    return {**one, "run_cross_entropy": run(ce_scalar), "run_squared_error": run(ten_scalar)}


def rates_with_train(theta, x, y, lrs, lr, steps):  # the squared-error run from train; cross-entropy's from a copy
    one_se = [_forward(theta - r * ten_scalar(theta, x, y), x, y)[6] for r in lrs]
    one_ce = [_forward(theta - r * ce_scalar(theta, x, y), x, y)[6] for r in lrs]
    run_se = train_list(theta, x, y, lr, steps)[1]
    t, run_ce = np.asarray(theta, dtype=float), []
    for _ in range(steps + 1):
        run_ce.append(_forward(t, x, y)[6])
        t = t - lr * ce_scalar(t, x, y)
    return one_se, one_ce, run_se, run_ce


def rates_one_gradient(theta, x, y, lrs, lr, steps):
    one = [_forward(theta - r * ten_scalar(theta, x, y), x, y)[6] for r in lrs]
    run = list(train_list(theta, x, y, lr, steps)[1])
    return one, one, run, run


def rates_measured_by_the_loss(theta, x, y, lrs, lr, steps):
    se, ce, run_se, _ = rates_loops(theta, x, y, lrs, lr, steps)
    t, run_ce = np.asarray(theta, dtype=float), []
    for _ in range(steps + 1):
        run_ce.append(-np.sum(y * np.log(_forward(t, x, y)[4:6])))
        t = t - lr * ce_scalar(t, x, y)
    return se, ce, run_se, np.array(run_ce)


def rates_chained(theta, x, y, lrs, lr, steps):
    _, _, run_se, run_ce = rates_loops(theta, x, y, lrs, lr, steps)
    one = []
    for f in (ten_scalar, ce_scalar):
        t, g, errs = np.asarray(theta, dtype=float), f(theta, x, y), []
        for r in lrs:
            t = t - r * g  # each rate's step taken from where the last one ended
            errs.append(_forward(t, x, y)[6])
        one.append(np.array(errs))
    return one[0], one[1], run_se, run_ce


def rates_no_start(theta, x, y, lrs, lr, steps):
    se, ce, run_se, run_ce = rates_loops(theta, x, y, lrs, lr, steps)
    return se, ce, run_se[1:], run_ce[1:]


def rates_by_helpers(theta, x, y, lrs, lr, steps):
    se, ce, _, _ = rates_loops(theta, x, y, lrs, lr, steps)
    runs = [minimize(Objective(lambda t: _forward(t, x, y)[6], lambda t, loss=loss: _grads(t, x, y, loss)), theta,
                     GD(lr), steps) for loss in ("squared error", "cross-entropy")]
    return se, ce, *[np.array([_forward(t, x, y)[6] for t in path]) for path in runs]


# ----------------------------------------------------------------------------- the catalogue

RIGHT = {
    "worked_forward": [forward_scalar, forward_matrices, forward_list, forward_two_way_sigmoid],
    "worked_softmax_jacobian": [jacobian_matrix, jacobian_loops, jacobian_einsum, jacobian_nested_lists],
    "worked_gradients": [ten_scalar, ten_matrices, ten_sigmoid_of_difference],
    "worked_numerical": [numerical_copies, numerical_unit_vectors, numerical_restored],
    "worked_forward_batch": [batch_forward_plain, batch_forward_dict, batch_forward_rows],
    "worked_backward": [backward_notebook, backward_per_sample, backward_einsum],
    "worked_train": [train_list, train_preallocated, train_dict],
    "worked_nodes": [nodes_dict, nodes_tuple, nodes_list_of_arrays],
    "worked_ce_gradients": [ce_scalar, ce_matrices, ce_through_the_jacobian],
    "worked_ratio": [ratio_nets, ratio_cosh, ratio_of_norms],
    "worked_hessians": [hessians_numerical, hessians_by_hand, hessians_raw_differences],
    "worked_rates": [rates_loops, rates_dict, rates_with_train],
}

WRONG = {
    "worked_forward": [
        (forward_columns_swapped, "row j of W holds the weights into unit j"),
        (forward_no_half, "the factor 1/2 is missing"),
        (forward_no_output_bias, None),
        (forward_net_only, "has shape (2,), expected (7,)"),
        (forward_no_return, "returns None"),
        (forward_by_mlp, "hands the work to helpers.nn.MLP"),
    ],
    "worked_softmax_jacobian": [
        (jacobian_no_diagonal, "the diagonal term is missing"),
        (jacobian_only_diagonal, "the off-diagonal entries"),
        (jacobian_of_logits, None),
        (jacobian_vector, "has shape"),
    ],
    "worked_gradients": [
        (ten_sigma_twice, "its slope is h1 (1 - h1), not sigma(h1)(1 - sigma(h1))"),
        (ten_w7_for_w8, "h2 reaches o2 through w8, not w7"),
        (ten_w4_from_unit_1, "w4 feeds hidden unit 2"),
        (ten_no_bias_sum, "a shared bias is used by both units"),
        (ten_no_diagonal, "diagonal term is missing"),
        (ten_no_slope, "miss the factor sigma'(z) = h (1 - h)"),
        (ten_ascent, "wrong sign"),
    ],
    "worked_numerical": [
        (numerical_one_sided, "is one-sided"),
        (numerical_half, "divide by the distance between the two points, 2 eps"),
        (numerical_all_at_once, "move one parameter at a time"),
        (numerical_not_restored, "put theta[i] back"),
        (numerical_by_helpers, "hands the work to helpers.gradcheck.numerical_gradient"),
    ],
    "worked_forward_batch": [
        (batch_forward_axis0, "softmax(O, axis=1)"),
        (batch_forward_sum, "divide the sum by S"),
        (batch_forward_no_half, "the output E"),
        (batch_forward_two_outputs, "returns 2 value(s)"),
    ],
    "worked_backward": [
        (backward_no_unit_sum, "sum its gradient over the units too"),
        (backward_no_slope, "misses the factor sigma'(Z1)"),
        (backward_no_mean, "divide dP = P - Y by S"),
        (backward_transposed, None),
        (backward_no_diagonal, "diagonal term is missing"),
    ],
    "worked_train": [
        (train_ascent, "a descent step goes against the gradient"),
        (train_not_kept, "the step is not kept"),
        (train_aliased, "every row of the path is the last theta"),
        (train_no_start, "steps + 1 rows"),
        (train_by_helpers, "hands the work to helpers.optim.minimize"),
    ],
    "worked_nodes": [
        (nodes_W1_not_transposed, "x1 feeds z1 through w1 and z2 through w3"),
        (nodes_W2_not_transposed, "h1 feeds o1 through w5 and o2 through w7"),
        (nodes_h_after_slope, "comes before the sigmoid's slope"),
        (nodes_sign, "the sign is flipped"),
        (nodes_missing_net, "returns a dict with keys"),
    ],
    "worked_ce_gradients": [
        (ce_squared_errors, "these are the squared error's gradients"),
        (ce_sign, "the sign is flipped"),
        (ce_no_jacobian, "still passes through the softmax"),
        (ce_no_slope, "miss the factor sigma'(z)"),
        (ce_no_bias_sum, "a shared bias is used by both units"),
    ],
    "worked_ratio": [
        (ratio_inverse, "that is the other way round"),
        (ratio_no_two, "the factor 2 comes from the two equal terms"),
        (ratio_of_probabilities, None),
        (ratio_every_entry, "has shape"),
    ],
    "worked_hessians": [
        (hessians_gauss_newton, "Gauss-Newton part"),
        (hessians_diagonal_only, "off-diagonal terms"),
        (hessians_swapped, None),
        (hessians_coarse_step, None),
    ],
    "worked_rates": [
        (rates_one_gradient, "step along your ce_gradients"),
        (rates_measured_by_the_loss, "measure both runs with E"),
        (rates_chained, "each one-step error starts from theta itself"),
        (rates_no_start, "a run has steps + 1 errors"),
        (rates_by_helpers, "hands the work to helpers.optim.minimize"),
    ],
}
