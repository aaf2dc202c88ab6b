"""Exercises of notebook 02, in its order: the 2-2-2 network's forward pass, the softmax Jacobian,
the ten gradients (scalar) and central differences, the batch forward and backward passes with shared
biases, gradient descent (one step, then more), the gradient at every node, cross-entropy's ten
gradients and their ratio to the squared error's, both losses' Hessians in the logits, and the
learning-rate experiment.

theta = (w1, ..., w8, b1, b2); z = W x + b with W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]]
(row j: the weights into unit j); b1 and b2 are each one number shared by a whole layer.
"""

import numpy as np

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import numerical_gradient, numerical_jacobian
from helpers.nn import MLP, OUTPUTS, dense_backward, dense_forward
from helpers.objectives import Objective
from helpers.optim import GD, minimize

from ._registry import Mistake, exercise

NOTEBOOK = "02_two_layer_worked_example"
#: the network part of the source assignment (its part c; parts a and b are notebook 01's)
TASKS = {
    "1c.1": "compute the forward pass for the input x = (0.1, 0.4) and the targets y = (0.1, 0.9)",
    "1c.2": "compute the gradient of the error and update the weights with it (eta = 0.5)",
    "1c.3": "recompute the forward pass with the updated weights",
}
FORBID = ("helpers.nn.MLP", "helpers.nn.OUTPUTS", "helpers.gradcheck.numerical_gradient",
          "helpers.gradcheck.numerical_jacobian")
LOOPS = ("helpers.optim.minimize", "helpers.optim.descend")
THETA0 = np.array([0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.3, 0.6])
X0, Y0 = np.array([0.1, 0.4]), np.array([0.1, 0.9])


def _net(W1, b1, W2, b2, loss="mse"):
    """The MLP (rows are samples) of column-convention weights W (fan_out, fan_in) and shared scalar biases."""
    params = {"W1": W1.T, "b1": np.full(len(W1), float(b1)), "W2": W2.T, "b2": np.full(len(W2), float(b2))}
    return MLP.from_params(params, hidden="sigmoid", output="softmax", loss=loss)


def _theta_net(theta, loss="mse"):
    w = np.asarray(theta, dtype=float)
    return _net(w[:4].reshape(2, 2), w[8], w[4:8].reshape(2, 2), w[9], loss)


def _cases(rng):
    """The assignment's numbers, then random parameters, inputs and targets (y sums to 1)."""
    return [(THETA0, X0, Y0)] + [(rng.normal(size=10), rng.normal(size=2), rng.dirichlet([1, 1])) for _ in range(4)]


def _forward(theta, x, y):
    zs, acts = _theta_net(theta).forward_trace(np.asarray(x, float)[None])
    return np.concatenate([acts[1][0], zs[1][0], acts[2][0], [0.5 * np.sum((y - acts[2][0]) ** 2)]])


@exercise("worked_forward", _cases, function="forward_pass", points=2, forbid=FORBID,
          reveal="the assignment's forward pass: h = (0.5963, 0.6083), o = (1.1426, 1.2631), "
                 "net = (0.4699, 0.5301), E = 0.1368", mistakes=[
    Mistake("row j of W holds the weights into unit j: z1 = w1 x1 + w2 x2 + b1 (and o1 = w5 h1 + w6 h2 + b2)",
            lambda t, x, y: _forward(np.asarray(t)[[0, 2, 1, 3, 4, 6, 5, 7, 8, 9]], x, y)),
    Mistake("E = 1/2 sum (y - net)^2: the factor 1/2 is missing",
            lambda t, x, y: _forward(t, x, y) * [1, 1, 1, 1, 1, 1, 2]),
])
def worked_forward(theta, x, y):
    """(h1, h2, o1, o2, net1, net2, E), an array (7,), for theta (10,), input x (2,), target y (2,)."""
    return _forward(theta, x, y)


def _logits(rng):
    return [(np.array([1.1426, 1.2631]),), (rng.normal(size=3),), (3 * rng.normal(size=5),), (np.zeros(4),)]


@exercise("worked_softmax_jacobian", _logits, numeric=lambda o: numerical_jacobian(softmax, o),
          function="softmax_jacobian", points=2, forbid=FORBID, reveal="J = diag(p) - p p^T", mistakes=[
    Mistake("the diagonal term is missing: dp_i/do_i = p_i (1 - p_i), so J = diag(p) - p p^T",
            lambda o: -np.outer(softmax(o), softmax(o))),
    Mistake("the off-diagonal entries dp_i/do_j = -p_i p_j are missing: every output depends on every logit",
            lambda o: np.diag(softmax(o) * (1 - softmax(o)))),
])
def worked_softmax_jacobian(o):
    """J (n, n), J[i, j] = d softmax(o)_i / d o_j, for logits o (n,)."""
    p = softmax(o)
    return OUTPUTS["softmax"].backward(np.tile(p, (len(p), 1)), np.eye(len(p)))  # helpers' J-product on each e_j


def _grads(theta, x, y, slip="", loss="mse"):
    """The ten gradients by the chain rule, with one of the catalogued slips (for the mistakes only);
    loss "mse" is E = 1/2 sum (y - net)^2, "cross_entropy" is L = -sum y log net."""
    w = np.asarray(theta, dtype=float)
    W1, W2 = w[:4].reshape(2, 2), w[4:8].reshape(2, 2)
    h = sigmoid(W1 @ x + w[8])
    p = softmax(W2 @ h + w[9])
    J = np.diag(p) * (slip != "diagonal") - np.outer(p, p)
    if loss == "mse":
        do = J @ (p - y)
    else:  # dL/do = J (-y / p) = p sum(y) - y; "no Jacobian": -y / p passed to the logits as it is
        do = {"no Jacobian": -y / p, "squared error's": J @ (p - y), "sign": y - p * y.sum()}.get(slip, p * y.sum() - y)
    do_h = J @ p - y * J.sum(axis=0) if slip == "y mixed" else do  # net_k paired with y_j instead of y_k
    W2h = W2.copy()
    if slip == "w7 for w8":
        W2h[1, 1] = W2[1, 0]
    dh = W2h.T @ do_h
    slope = {"sigma twice": sigmoid(h) * (1 - sigmoid(h)), "no sigma'": 1.0}.get(slip, h * (1 - h))
    dz = dh * slope
    g = np.concatenate([np.outer(dz, x).ravel(), np.outer(do, h).ravel(), [dz.sum(), do.sum()]])
    if slip == "b1 index":  # d o_j / d h_k written w_{2+2i+j} (i the output) instead of w_{2+2j+k}
        g[8] = np.sum((p - y)[:, None] * J * W2) * np.sum(h * (1 - h))
    if slip == "no sum":
        g[8:] = dz[0], do[0]
    if slip == "w4 bracket":  # the source's bracket closes too early: its first term misses w6 sigma'(z2) x2
        first = (p[0] - y[0]) * p[0] * (1 - p[0])
        g[3] = first + ((do[0] - first) * W2[0, 1] + do[1] * W2[1, 1]) * h[1] * (1 - h[1]) * x[1]
    if slip == "w4 from unit 1":  # dE/dw4 taken from hidden unit 1: delta_z1 x2, which is dE/dw2
        g[3] = g[1]
    return g


def _e_of(theta, x, y, loss="mse"):
    net = _theta_net(theta, loss)
    return net.loss_and_grads(np.asarray(x, float)[None], np.asarray(y, float)[None])[0]


def _slip(hint, slip, loss="mse"):
    return Mistake(hint, lambda t, x, y: _grads(t, x, y, slip, loss))


def _ten(theta, x, y, loss="mse"):
    g = _theta_net(theta, loss).loss_and_grads(np.asarray(x, float)[None], np.asarray(y, float)[None])[1]
    return np.concatenate([g["W1"].T.ravel(), g["W2"].T.ravel(), [g["b1"].sum(), g["b2"].sum()]])


@exercise("worked_gradients", _cases, mistakes=[
    _slip("h1 is already sigma(z1): its slope is h1 (1 - h1), not sigma(h1)(1 - sigma(h1))", "sigma twice"),
    _slip("h2 reaches o2 through w8, not w7: delta_h2 = delta_o1 w6 + delta_o2 w8", "w7 for w8"),
    _slip("y1 and y2 are mixed up: each delta_net_k = net_k - y_k carries its own index", "y mixed"),
    _slip("dE/dw4: the bracket must hold both paths into o1, (dE/dnet1 dnet1/do1 + dE/dnet2 dnet2/do1), before "
          "the factor w6 sigma'(z2) x2; the source closes it after the first term", "w4 bracket"),
    _slip("w4 feeds hidden unit 2: dE/dw4 = delta_z2 x2; delta_z1 x2 is dE/dw2 (the source's 0.00177 for w4 is "
          "that number)", "w4 from unit 1"),
    _slip("b1's gradient uses d o_j / d h_k = w_(2+2i+j) (the output index i): it is w_(2+2j+k)", "b1 index"),
    _slip("a shared bias is used by both units: its gradient is the sum delta_z1 + delta_z2 (delta_o1 + delta_o2)",
          "no sum"),
    _slip("the softmax Jacobian's diagonal term is missing: dnet_i/do_i = net_i (1 - net_i)", "diagonal"),
    _slip("the hidden gradients miss the factor sigma'(z) = h (1 - h)", "no sigma'"),
], numeric=lambda t, x, y: numerical_gradient(lambda v: _e_of(v, x, y), t), function="ten_gradients", points=3,
   forbid=FORBID, reveal="at the assignment's numbers dE/d(w1, ..., w8, b1, b2) = (-0.00044, -0.00177, -0.00044, "
                         "-0.00176, 0.10989, 0.11210, -0.10989, -0.11210, -0.00883, 0)")
def worked_gradients(theta, x, y):
    """dE/d(w1, ..., w8, b1, b2), an array (10,), with the shared biases' gradients summed over their uses."""
    return _ten(theta, x, y)


def _eps_cases(rng):
    """Every step size from round-off-limited to coarse, where one-sided differences show."""
    return [(THETA0, X0, Y0, 1e-6)] + [c + (eps,) for c, eps in zip(_cases(rng)[1:], (1e-4, 1e-3, 1e-2, 1e-5),
                                                                    strict=True)]


def _differences(theta, x, y, eps, slip=""):
    t = np.array(theta, dtype=float)
    g = np.zeros(t.size)
    for i in range(t.size):
        up, down = t.copy(), t.copy()
        up[i] += eps
        down[i] -= eps
        if slip == "one-sided":
            g[i] = (_e_of(up, x, y) - _e_of(t, x, y)) / eps
        elif slip == "all at once":
            g[i] = (_e_of(t + eps, x, y) - _e_of(t - eps, x, y)) / (2 * eps)
        elif slip == "not restored":  # theta[i] += eps, theta[i] -= 2 eps, and never put back
            t[i] -= eps
            g[i] = (_e_of(up, x, y) - _e_of(t, x, y)) / (2 * eps)
        else:
            g[i] = (_e_of(up, x, y) - _e_of(down, x, y)) / (2 * eps)
    return g / 2 if slip == "half" else g


def _diff_slip(hint, slip):
    return Mistake(hint, lambda t, x, y, eps: _differences(t, x, y, eps, slip))


@exercise("worked_numerical", _eps_cases, function="numerical_gradients", points=2, atol=1e-8,
          forbid=FORBID + ("helpers.gradcheck.check_gradients",), mistakes=[
    _diff_slip("(E(theta + eps e_i) - E(theta)) / eps is one-sided: its error shrinks like eps, central differences' "
               "(E(theta + eps e_i) - E(theta - eps e_i)) / (2 eps) like eps^2", "one-sided"),
    _diff_slip("central differences divide by the distance between the two points, 2 eps", "half"),
    _diff_slip("move one parameter at a time: theta + eps e_i changes only entry i", "all at once"),
    _diff_slip("put theta[i] back after each pair (or perturb a copy): the later entries are taken at a moved theta",
               "not restored"),
])
def worked_numerical(theta, x, y, eps):
    """The ten central differences (E(theta + eps e_i) - E(theta - eps e_i)) / (2 eps), an array (10,)."""
    return numerical_gradient(lambda v: _e_of(v, x, y), np.asarray(theta, dtype=float), eps)


def _batch_cases(rng):
    def one(S, n_in, n_h, n_out):
        return (rng.normal(size=(S, n_in)), rng.dirichlet(np.ones(n_out), S), rng.normal(size=(n_in, n_h)),
                rng.normal(), rng.normal(size=(n_h, n_out)), rng.normal())
    w = THETA0
    return [(X0[None], Y0[None], w[:4].reshape(2, 2).T, w[8], w[4:8].reshape(2, 2).T, w[9])] + \
        [one(*s) for s in ((3, 3, 4, 5), (5, 2, 3, 2), (4, 4, 2, 3))]


def _backward(X, Y, W1, b1, W2, b2, slip=""):
    g = _net(W1.T, b1, W2.T, b2).loss_and_grads(X, Y)[1]
    return np.concatenate([g["W1"].ravel(), g["b1"] if slip == "no sum" else [g["b1"].sum()], g["W2"].ravel()])


def _backward_slip(X, Y, W1, b1, W2, b2, slip):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=1)
    dP = (P - Y) / len(X)
    dO = P * ((slip != "diagonal") * dP - np.sum(dP * P, axis=1, keepdims=True))
    dZ = dO @ W2.T * (1.0 if slip == "no sigma'" else H * (1 - H))
    dW1 = dZ.T @ X if slip == "transpose" else X.T @ dZ
    return np.concatenate([dW1.ravel(), [dZ.sum()], (H.T @ dO).ravel()])


def _batch_numeric(X, Y, W1, b1, W2, b2):
    sizes = [W1.size, 1, W2.size, 1]

    def loss(v):
        a, b, c, _ = np.cumsum(sizes)
        return _net(v[:a].reshape(W1.shape).T, v[a], v[b:c].reshape(W2.shape).T, v[c]).loss_and_grads(X, Y)[0]
    g = numerical_gradient(loss, np.concatenate([W1.ravel(), [b1], W2.ravel(), [b2]]))
    return g[:-1]  # dW1, db1, dW2 (b2 last, left out)


def _forward_batch(X, Y, W1, b1, W2, b2, slip=""):
    H = sigmoid(X @ W1 + b1)
    P = softmax(H @ W2 + b2, axis=0 if slip == "axis" else 1)
    E = 0.5 * np.sum((P - Y) ** 2) / (1 if slip == "sum" else len(X))
    return H, P, E


def _fb_slip(hint, slip):
    return Mistake(hint, lambda *a: _forward_batch(*a, slip=slip))


@exercise("worked_forward_batch", _batch_cases, function="forward_batch", returns=("H", "P", "E"), points=2,
          forbid=FORBID, mistakes=[
    _fb_slip("softmax normalizes each sample's logits, a row of O: softmax(O, axis=1), not down the columns", "axis"),
    _fb_slip("E is the mean over the S samples of 1/2 |P_s - Y_s|^2: divide the sum by S", "sum"),
])
def worked_forward_batch(X, Y, W1, b1, W2, b2):
    """H = sigmoid(X W1 + b1) (S, n_h), P = softmax(H W2 + b2) row by row (S, n_o), and E, the mean over the
    samples of 1/2 |P_s - Y_s|^2, for X (S, n_in), Y (S, n_o) and the shared scalar biases b1, b2."""
    net = _net(W1.T, b1, W2.T, b2)
    zs, acts = net.forward_trace(X)
    return acts[1], acts[2], net.loss_and_grads(X, Y)[0]


@exercise("worked_backward", _batch_cases, numeric=_batch_numeric, function="backward_batch", points=3,
          forbid=FORBID, mistakes=[
    Mistake("a shared bias is one number: sum its gradient over the units too, not only over the samples",
            lambda *a: _backward(*a, slip="no sum")),
    Mistake("dZ1 misses the factor sigma'(Z1) = H (1 - H)", lambda *a: _backward_slip(*a, "no sigma'")),
    Mistake("the softmax Jacobian's diagonal term is missing: dO = P * (dP - sum(dP * P))",
            lambda *a: _backward_slip(*a, "diagonal")),
    Mistake("E is averaged over the S samples: divide dP = P - Y by S", lambda X, *a: _backward(X, *a) * len(X)),
    Mistake("dE/dW1 = X^T dZ1 has the shape of W1, (n_in, n_h); dZ1^T X is its transpose",
            lambda *a: _backward_slip(*a, "transpose")),
])
def worked_backward(X, Y, W1, b1, W2, b2):
    """One array: dE/dW1 (n_in, n_h) raveled, dE/db1, dE/dW2 (n_h, n_out) raveled, for a batch X (S, n_in),
    Y (S, n_out), rows are samples; E is the mean over samples of 1/2 sum (y - net)^2 (dE/db2 is 0 for softmax)."""
    return _backward(X, Y, W1, b1, W2, b2)


def _train_cases(rng):
    """The assignment's step, then random nets with every kind of run: no step at all, a few, many."""
    runs = ((0.1, 3), (1.0, 0), (3.0, 10), (0.5, 25))
    return [(THETA0, X0, Y0, 0.5, 1)] + [c + r for c, r in zip(_cases(rng)[1:], runs, strict=True)]


def _train(theta, x, y, lr, steps, slip=""):
    t = np.asarray(theta, dtype=float).copy()
    path = [t]
    for _ in range(steps):
        g = _grads(t, x, y, "no sum") if slip == "no sum" else worked_gradients(t, x, y)
        t = {"ascent": t + lr * g, "not kept": t}.get(slip, t - lr * g)
        path.append(t)
    errors = np.array([_e_of(p, x, y) for p in path])
    path = np.array(path)
    if slip == "aliased":  # path.append(theta) after theta -= ...: every row is the one array, at its last value
        path = np.tile(path[-1], (len(path), 1))
    if slip == "no start":
        path, errors = path[1:], errors[1:]
    return path, errors


def _train_slip(hint, slip):
    return Mistake(hint, lambda t, x, y, lr, steps: _train(t, x, y, lr, steps, slip))


@exercise("worked_train", _train_cases, function="train", returns=("path", "errors"), points=2,
          forbid=FORBID + LOOPS, reveal="one step with eta = 0.5 from the assignment's numbers gives "
          "w1, ..., w8, b1, b2 = 0.1002, 0.2009, 0.2002, 0.3009, 0.3451, 0.4440, 0.5549, 0.6560, 0.3044, 0.6, "
          "and E falls from 0.1368 to 0.11335", mistakes=[
    _train_slip("a descent step goes against the gradient: theta - lr * grad E", "ascent"),
    _train_slip("the step is not kept: theta = theta - lr * grad E, then the next step starts from there", "not kept"),
    _train_slip("every row of the path is the last theta: `theta -= ...` changes the one array the path holds "
                "again and again; `theta = theta - lr * g` makes a new one", "aliased"),
    _train_slip("the path starts with the given theta (row 0, with its E), so it has steps + 1 rows", "no start"),
    _train_slip("b1 moves by the sum of its two uses' gradients", "no sum"),
])
def worked_train(theta, x, y, lr, steps):
    """Gradient descent on E from theta (10,): the path (steps + 1, 10), row k after k steps, and E at each row."""
    path = minimize(Objective(lambda t: _e_of(t, x, y), lambda t: worked_gradients(t, x, y)),
                    np.asarray(theta, dtype=float), GD(lr), steps, max_norm=np.inf)
    return path, np.array([_e_of(p, x, y) for p in path])


NODES = ("x1", "x2", "z1", "z2", "h1", "h2", "o1", "o2", "net1", "net2")


def _node_grads(theta, x, y, slip=""):
    """dE/d(node) for the inputs and every intermediate node, by helpers' layer kernels (the column layout's
    W is the transpose of the kernels'); slips for the mistakes."""
    w = np.asarray(theta, dtype=float)
    P = {"W1": w[:4].reshape(2, 2).T, "b1": np.full(2, w[8]), "W2": w[4:8].reshape(2, 2).T, "b2": np.full(2, w[9])}
    Z1, c1 = dense_forward(np.asarray(x, float)[None], P["W1"], P["b1"])
    H = sigmoid(Z1)
    O, c2 = dense_forward(H, P["W2"], P["b2"])
    NET = softmax(O, axis=1)
    dNET = (y - NET) if slip == "sign" else NET - y
    dO = dNET if slip == "no Jacobian" else OUTPUTS["softmax"].backward(NET, dNET)
    dH = dO @ P["W2"] if slip == "W2 not transposed" else dense_backward(dO, c2)[0]
    dZ1 = dH * H * (1 - H)
    dX = dZ1 @ P["W1"] if slip == "W1 not transposed" else dense_backward(dZ1, c1)[0]
    if slip == "h after slope":
        dH = dZ1
    return tuple(float(v) for v in np.concatenate([dX[0], dZ1[0], dH[0], dO[0], dNET[0]]))


def _node_numeric(theta, x, y):
    """Each node's gradient by central differences of E as a function of that layer's values."""
    w = np.asarray(theta, dtype=float)
    W1, b1, W2, b2 = w[:4].reshape(2, 2), w[8], w[4:8].reshape(2, 2), w[9]
    from_net = lambda net: 0.5 * np.sum((y - net) ** 2)  # noqa: E731
    from_o = lambda o: from_net(softmax(o))  # noqa: E731
    from_h = lambda h: from_o(W2 @ h + b2)  # noqa: E731
    from_z = lambda z: from_h(sigmoid(z))  # noqa: E731
    from_x = lambda v: from_z(W1 @ v + b1)  # noqa: E731
    z = W1 @ np.asarray(x, float) + b1
    h = sigmoid(z)
    o = W2 @ h + b2
    layers = [(from_x, np.asarray(x, float)), (from_z, z), (from_h, h), (from_o, o), (from_net, softmax(o))]
    return tuple(float(v) for f, at in layers for v in numerical_gradient(f, at))


def _node_slip(hint, slip):
    return Mistake(hint, lambda t, x, y: _node_grads(t, x, y, slip))


@exercise("worked_nodes", _cases, function="node_gradients", returns=NODES, points=2, forbid=FORBID,
          numeric=_node_numeric, mistakes=[
    _node_slip("x1 feeds z1 through w1 and z2 through w3: dE/dx1 = delta_z1 w1 + delta_z2 w3 (W1 transposed)",
               "W1 not transposed"),
    _node_slip("h1 feeds o1 through w5 and o2 through w7: delta_h1 = delta_o1 w5 + delta_o2 w7 (W2 transposed)",
               "W2 not transposed"),
    _node_slip("dE/dh_j comes before the sigmoid's slope: delta_h1 = delta_o1 w5 + delta_o2 w7, and only "
               "delta_z1 = delta_h1 h1 (1 - h1)", "h after slope"),
    _node_slip("the softmax sits between o and net: delta_o = J delta_net, not delta_net", "no Jacobian"),
    _node_slip("dE/dnet_k = net_k - y_k (the sign is flipped)", "sign"),
])
def worked_nodes(theta, x, y):
    """dE/d(x1, x2, z1, z2, h1, h2, o1, o2, net1, net2): the inputs and every intermediate node."""
    return _node_grads(theta, x, y)


def _ce_slip(hint, slip):
    return _slip(hint, slip, loss="cross_entropy")


@exercise("worked_ce_gradients", _cases, function="ce_gradients", points=2, forbid=FORBID,
          numeric=lambda t, x, y: numerical_gradient(lambda v: _e_of(v, x, y, "cross_entropy"), t),
          reveal="dL/do = net - y; at the assignment's numbers dL/d(w5, w6) = (0.22058, 0.22501)", mistakes=[
    _ce_slip("these are the squared error's gradients: for L = -sum y log net the softmax Jacobian cancels, "
             "delta_o = net - y", "squared error's"),
    _ce_slip("the sign is flipped: L = -sum y log net, so delta_o = net - y (not y - net)", "sign"),
    _ce_slip("dL/dnet = -y / net still passes through the softmax: delta_o = J (-y / net) = net - y", "no Jacobian"),
    _ce_slip("the hidden gradients miss the factor sigma'(z) = h (1 - h)", "no sigma'"),
    _ce_slip("a shared bias is used by both units: its gradient is the sum delta_z1 + delta_z2 (delta_o1 + delta_o2)",
             "no sum"),
])
def worked_ce_gradients(theta, x, y):
    """dL/d(w1, ..., w8, b1, b2), an array (10,), for the cross-entropy L = -sum y log net (y sums to 1)."""
    return _ten(theta, x, y, "cross_entropy")


def _ratio(theta, x, y, slip=""):
    net = _forward(theta, x, y)[4:6]
    product = net[0] * net[1]
    return {"inverse": 2 * product, "no 2": 1 / product}.get(slip, 1 / (2 * product))


@exercise("worked_ratio", _cases, function="gradient_ratio", points=1, forbid=FORBID,
          reveal="at the assignment's numbers 2.0073: grad L = 2.0073 grad E", mistakes=[
    Mistake("that is the other way round: grad E = 2 net1 net2 grad L, so grad L is grad E divided by 2 net1 net2",
            lambda t, x, y: _ratio(t, x, y, "inverse")),
    Mistake("J (net - y) = 2 net1 net2 (net - y) for two outputs: the factor 2 comes from the two equal terms",
            lambda t, x, y: _ratio(t, x, y, "no 2")),
])
def worked_ratio(theta, x, y):
    """The factor r with grad L = r grad E (two outputs): cross-entropy's gradient over the squared error's."""
    return _ratio(theta, x, y)


def _logit_cases(rng):
    """The assignment's logits, the best logits (net = y), random logits and targets, three and four classes."""
    o0 = np.array([1.1426, 1.2631])
    return [(o0, Y0), (np.array([0.0, np.log(9.0)]), Y0)] + \
        [(3 * rng.normal(size=n), rng.dirichlet(np.ones(n))) for n in (2, 3, 4)]


def _hessians(o, y, slip=""):
    o, y = np.asarray(o, float), np.asarray(y, float)
    p = softmax(o)
    J = np.diag(p) - np.outer(p, p)
    se = numerical_jacobian(lambda v: OUTPUTS["softmax"].backward(softmax(v)[None], (softmax(v) - y)[None])[0], o)
    return (np.diag(p) if slip == "diag" else J), (J @ J if slip == "gauss-newton" else (se + se.T) / 2)


@exercise("worked_hessians", _logit_cases, function="logit_hessians", returns=("cross_entropy", "squared_error"),
          points=2, atol=1e-8, forbid=FORBID,
          reveal="at the best logits (net = y) the nonzero eigenvalues are 0.18 for cross-entropy and 0.0324 for "
                 "squared error", mistakes=[
    Mistake("J^T J is only the Gauss-Newton part of the squared error's Hessian: away from net = y the residual term "
            "sum_k (net_k - y_k) d^2 net_k / do^2 adds to it; differentiate delta_o = J (net - y) as a whole",
            lambda o, y: _hessians(o, y, "gauss-newton")),
    Mistake("cross-entropy's delta_o = net - y has the derivative J = diag(net) - net net^T, off-diagonal terms "
            "included",
            lambda o, y: _hessians(o, y, "diag")),
])
def worked_hessians(o, y):
    """The Hessians (n, n) in the logits o (n,) of L = -sum y log softmax(o) and of E = 1/2 |softmax(o) - y|^2."""
    return _hessians(o, y)


def _one_step_e(theta, x, y, loss, lrs):
    """E after one step of each rate in lrs along the gradient of loss ("mse" or "cross_entropy"), all rates at once
    (rows are the stepped parameter vectors)."""
    g = _ten(theta, x, y, loss)
    T = np.asarray(theta, float) - np.asarray(lrs, float)[:, None] * g
    H = sigmoid(np.einsum("sij,j->si", T[:, :4].reshape(-1, 2, 2), np.asarray(x, float)) + T[:, 8:9])
    NET = softmax(np.einsum("sij,sj->si", T[:, 4:8].reshape(-1, 2, 2), H) + T[:, 9:10], axis=1)
    return 0.5 * np.sum((np.asarray(y, float) - NET) ** 2, axis=1)


def _run_e(theta, x, y, loss, lr, steps, slip=""):
    """E at each of the steps + 1 points of gradient descent along the gradient of loss."""
    t, out = np.asarray(theta, dtype=float), []
    for _ in range(steps):
        out.append(_e_of(t, x, y, loss if slip == "measured by the loss" else "mse"))
        t = t - lr * (_ten(t, x, y) if slip == "one gradient" else _ten(t, x, y, loss))
    out.append(_e_of(t, x, y, loss if slip == "measured by the loss" else "mse"))
    return np.array(out)


def _rates_cases(rng):
    """The assignment's numbers, then random nets, targets, rates, step sizes and numbers of steps (0 included)."""
    first = (THETA0, X0, Y0, np.logspace(-2, 2, 9), 0.5, 5)
    return [first] + [c + (np.sort(rng.uniform(0.01, 20, n)), lr, steps) for c, n, lr, steps in
                      zip(_cases(rng)[1:], (5, 12, 1, 7), (0.1, 1.0, 3.0, 0.5), (3, 0, 10, 25), strict=True)]


def _rates(theta, x, y, lrs, lr, steps, slip=""):
    one = [_one_step_e(theta, x, y, "mse" if slip == "one gradient" else loss, lrs)
           for loss in ("mse", "cross_entropy")]
    if slip == "chained":  # each rate's step taken from the point the previous rate reached
        reached = [np.asarray(theta, float) - np.cumsum(lrs)[:, None] * _ten(theta, x, y, loss)
                   for loss in ("mse", "cross_entropy")]
        one = [np.array([_e_of(t, x, y) for t in ts]) for ts in reached]
    runs = [_run_e(theta, x, y, loss, lr, steps, slip) for loss in ("mse", "cross_entropy")]
    if slip == "no start":
        runs = [r[1:] for r in runs]
    return (*one, *runs)


def _rates_slip(hint, slip):
    return Mistake(hint, lambda *a: _rates(*a, slip=slip))


@exercise("worked_rates", _rates_cases, function="learning_rates", points=3, forbid=FORBID + LOOPS,
          returns=("one_step_squared_error", "one_step_cross_entropy", "run_squared_error", "run_cross_entropy"),
          reveal="at the assignment's numbers the best single step is eta = 7.54 for squared "
                 "error and 3.76 for cross-entropy", mistakes=[
    _rates_slip("the cross-entropy curves step along your ce_gradients, not ten_gradients", "one gradient"),
    _rates_slip("measure both runs with E = 1/2 sum (y - net)^2, whatever loss the steps descend, so that they compare",
                "measured by the loss"),
    _rates_slip("each one-step error starts from theta itself: theta - lr * grad, for every rate on its own",
                "chained"),
    _rates_slip("a run has steps + 1 errors: E at the start, then after each step", "no start"),
])
def worked_rates(theta, x, y, lrs, lr, steps):
    """E after one step from theta at each rate in lrs, along the squared error's and along cross-entropy's gradient,
    then E over `steps` steps of gradient descent with rate lr along each (steps + 1 values)."""
    return _rates(theta, x, y, lrs, lr, steps)
