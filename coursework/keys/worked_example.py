"""Exercises of notebook 02: the 2-2-2 network's forward pass, the softmax Jacobian, the ten
gradients (scalar), the batch backward pass with shared biases, and one gradient step.

theta = (w1, ..., w8, b1, b2); z = W x + b with W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]]
(row j: the weights into unit j); b1 and b2 are each one number shared by a whole layer.
"""

import numpy as np

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import numerical_gradient, numerical_jacobian
from helpers.nn import MLP, OUTPUTS

from ._registry import Mistake, exercise

NOTEBOOK = "02_two_layer_worked_example"
FORBID = ("helpers.nn.MLP", "helpers.nn.OUTPUTS", "helpers.gradcheck.numerical_gradient",
          "helpers.gradcheck.numerical_jacobian")
THETA0 = np.array([0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.3, 0.6])
X0, Y0 = np.array([0.1, 0.4]), np.array([0.1, 0.9])


def _net(W1, b1, W2, b2):
    """The MLP (rows are samples) of column-convention weights W (fan_out, fan_in) and shared scalar biases."""
    params = {"W1": W1.T, "b1": np.full(len(W1), float(b1)), "W2": W2.T, "b2": np.full(len(W2), float(b2))}
    return MLP.from_params(params, hidden="sigmoid", output="softmax", loss="mse")


def _theta_net(theta):
    w = np.asarray(theta, dtype=float)
    return _net(w[:4].reshape(2, 2), w[8], w[4:8].reshape(2, 2), w[9])


def _cases(rng):
    """The assignment's numbers, then random parameters, inputs and targets (y sums to 1)."""
    return [(THETA0, X0, Y0)] + [(rng.normal(size=10), rng.normal(size=2), rng.dirichlet([1, 1])) for _ in range(4)]


def _forward(theta, x, y):
    zs, acts = _theta_net(theta).forward_trace(np.asarray(x, float)[None])
    return np.concatenate([acts[1][0], zs[1][0], acts[2][0], [0.5 * np.sum((y - acts[2][0]) ** 2)]])


@exercise("worked_forward", _cases, function="forward_pass", points=2, forbid=FORBID, mistakes=[
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
          function="softmax_jacobian", points=2, forbid=FORBID, mistakes=[
    Mistake("the diagonal term is missing: dp_i/do_i = p_i (1 - p_i), so J = diag(p) - p p^T",
            lambda o: -np.outer(softmax(o), softmax(o))),
    Mistake("the off-diagonal entries dp_i/do_j = -p_i p_j are missing: every output depends on every logit",
            lambda o: np.diag(softmax(o) * (1 - softmax(o)))),
])
def worked_softmax_jacobian(o):
    """J (n, n), J[i, j] = d softmax(o)_i / d o_j, for logits o (n,)."""
    p = softmax(o)
    return OUTPUTS["softmax"][1](np.tile(p, (len(p), 1)), np.eye(len(p)))  # helpers' J-product on each e_j


def _grads(theta, x, y, slip=""):
    """The ten gradients by the chain rule, with one of the catalogued slips (for the mistakes only)."""
    w = np.asarray(theta, dtype=float)
    W1, W2 = w[:4].reshape(2, 2), w[4:8].reshape(2, 2)
    h = sigmoid(W1 @ x + w[8])
    p = softmax(W2 @ h + w[9])
    J = np.diag(p) * (slip != "diagonal") - np.outer(p, p)
    do = J @ (p - y)
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
    return g


def _e_of(theta, x, y):
    return _theta_net(theta).loss_and_grads(np.asarray(x, float)[None], np.asarray(y, float)[None])[0]


def _slip(hint, slip):
    return Mistake(hint, lambda t, x, y: _grads(t, x, y, slip))


@exercise("worked_gradients", _cases, mistakes=[
    _slip("h1 is already sigma(z1): its slope is h1 (1 - h1), not sigma(h1)(1 - sigma(h1))", "sigma twice"),
    _slip("h2 reaches o2 through w8, not w7: delta_h2 = delta_o1 w6 + delta_o2 w8", "w7 for w8"),
    _slip("y1 and y2 are mixed up: each delta_net_k = net_k - y_k carries its own index", "y mixed"),
    _slip("dE/dw4: the bracket must hold both paths into o1, (dE/dnet1 dnet1/do1 + dE/dnet2 dnet2/do1), before "
          "the factor w6 sigma'(z2) x2; the source closes it after the first term", "w4 bracket"),
    _slip("b1's gradient uses d o_j / d h_k = w_(2+2i+j) (the output index i): it is w_(2+2j+k)", "b1 index"),
    _slip("a shared bias is used by both units: its gradient is the sum delta_z1 + delta_z2 (delta_o1 + delta_o2)",
          "no sum"),
    _slip("the softmax Jacobian's diagonal term is missing: dnet_i/do_i = net_i (1 - net_i)", "diagonal"),
    _slip("the hidden gradients miss the factor sigma'(z) = h (1 - h)", "no sigma'"),
], numeric=lambda t, x, y: numerical_gradient(lambda v: _e_of(v, x, y), t), function="ten_gradients", points=3,
   forbid=FORBID)
def worked_gradients(theta, x, y):
    """dE/d(w1, ..., w8, b1, b2), an array (10,), with the shared biases' gradients summed over their uses."""
    g = _theta_net(theta).loss_and_grads(np.asarray(x, float)[None], np.asarray(y, float)[None])[1]
    return np.concatenate([g["W1"].T.ravel(), g["W2"].T.ravel(), [g["b1"].sum(), g["b2"].sum()]])


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


def _step_cases(rng):
    return [(THETA0, X0, Y0, 0.5)] + [c + (lr,) for c, lr in zip(_cases(rng)[1:], (0.1, 1.0, 3.0), strict=False)]


@exercise("worked_step", _step_cases, function="gradient_step", forbid=FORBID, mistakes=[
    Mistake("a descent step goes against the gradient: theta - lr * grad E",
            lambda t, x, y, lr: t + lr * worked_gradients(t, x, y)),
    Mistake("b1 moves by the sum of its two uses' gradients", lambda t, x, y, lr: t - lr * _grads(t, x, y, "no sum")),
])
def worked_step(theta, x, y, lr):
    """theta (10,) after one gradient-descent step with learning rate lr."""
    return np.asarray(theta, dtype=float) - lr * worked_gradients(theta, x, y)
