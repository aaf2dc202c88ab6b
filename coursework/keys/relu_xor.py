"""Exercises of notebook 03: the ReLU network (its picture, its forward pass), the valley (its
gradient, its contours, gradient descent and momentum written out, a few runs of each), backprop
of the 2-H-1 network, grad_f, the XOR data, the fits by gradient descent and momentum, and the
decision boundary.

Inputs are continuous random numbers, so no ReLU pre-activation sits at its kink (where
central differences and relu'(0) = 0 disagree), and every label set holds both classes (the
seed's (1 - y)/y_hat typo is right on class-1 samples, wrong on class 0). The descent exercises
use the student's own ``valley_grad`` (their default ``grad``): a right one and the reference
agree to round-off, which the runs here (a few dozen steps, or a blow-up within a few) keep small.
"""

import numpy as np

from helpers.activations import relu, relu_grad, sigmoid
from helpers.gradcheck import numerical_gradient
from helpers.losses import binary_cross_entropy_with_logits
from helpers.nn import MLP, dense_backward, dense_forward
from helpers.objectives import VALLEY, Objective
from helpers.optim import GD, Momentum, minimize

from ._registry import Mistake, exercise

NOTEBOOK = "03_relu_xor"

#: the tasks of the source assignment (ANLY-590 Assignment 2), numbered as it numbers them
TASKS = {
    "1.1": "draw a network with 2 inputs, one hidden layer of 4 ReLU units and one output",
    "1.2": "write out the equations for the output of the network",
    "1.3": "write the forward pass in Python, ff_nn_ReLu(...)",
    "1.4": "the class probabilities of the three given samples with the given weights",
    "2.1": "the partial derivatives of f(x, y) = (3 - x^3) + 50 (2y^2 - x)^2",
    "2.2": "a visualization of the contours of f",
    "2.3": "gradient descent for the minimum of f, visualized with a few learning rates",
    "2.4": "gradient descent with momentum, visualized with a few settings of its hyperparameters",
    "3.1": "the gradient of the loss with respect to each parameter of the Part 1 network",
    "3.2": "grad_f(...): the gradient of the loss at a vector of weights",
    "3.3": "a synthetic XOR data set",
    "3.4": "fit the network by gradient descent, the loss at each iteration plotted",
    "3.5": "the same with momentum, and whether it converges more efficiently",
    "3.6": "the final decision boundary, with the data points on top",
}

NUMERIC = ("helpers.gradcheck.numerical_gradient", "helpers.gradcheck.numerical_jacobian")
LOOPS = ("helpers.optim.minimize", "helpers.optim.minimize_run", "helpers.optim.descend", "helpers.optim.GD",
         "helpers.optim.Momentum")
PART1 = (np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]]), np.array([0.0, 0.0, 1.0, 0.0]),
         np.array([1.0, 0.0, -1.0, 1.0]), 1.0)  # the assignment's W (2, 4) (rows = inputs), b, V, c
MAX_NORM = 1e8  # a run stops once it leaves this ball (helpers.optim.minimize's default)
CORNERS = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])  # blob k of the XOR data


def _labels(rng, S):
    return rng.permutation(np.arange(S) % 2)


def _nets(rng):
    """(X, y, W, b, V, c): the assignment's weights on random inputs, then other sizes (S, D inputs, H units)."""
    return [(rng.normal(size=(5, 2)), _labels(rng, 5)) + PART1] + [
        (rng.normal(size=(S, D)), _labels(rng, S), rng.normal(size=(D, H)), rng.normal(size=H), rng.normal(size=H),
         float(rng.normal())) for S, D, H in ((8, 2, 4), (6, 3, 5), (9, 2, 2))]


def _loss(X, y, W, b, V, c):
    net = MLP.from_params({"W1": W, "b1": b, "W2": np.reshape(V, (-1, 1)), "b2": np.reshape(c, (1,))},
                          hidden="relu", output="sigmoid")
    return net.loss_and_grads(X, y)[0]


def _unflat(w):
    """(W (2, 4), b, V, c) from the flat weights of the 2-4-1 network (MLP.get_flat's layout)."""
    w = np.asarray(w, dtype=float)
    return w[:8].reshape(2, 4), w[8:12], w[12:16], w[16]


# ----------------------------------------------------------------------------- Part 1

def _shapes(rng):
    """The given network, then networks with D inputs and H hidden units (the counts depend on both)."""
    return [PART1] + [(rng.normal(size=(D, H)), rng.normal(size=H), rng.normal(size=H), float(rng.normal()))
                      for D, H in ((3, 5), (2, 2), (4, 3), (1, 6))]


@exercise("relu_draw_network", _shapes, returns=("weights", "biases"), forbid=("helpers.nn.MLP",),
          reveal="the 2-4-1 network has 8 + 4 = 12 weights, one per edge, and 4 + 1 = 5 biases: 17 parameters",
          mistakes=[
    Mistake("the edges into the output carry weights too (V): D H + H weights in all",
            lambda W, b, V, c: (np.size(W), np.size(b) + 1)),
    Mistake("the output unit has a bias too (c): H + 1 biases",
            lambda W, b, V, c: (np.size(W) + np.size(V), np.size(b))),
    Mistake("a weight sits on every edge, from each unit of one layer to each of the next: D H + H, not D + H + 1",
            lambda W, b, V, c: (np.shape(W)[0] + np.size(V) + 1, np.size(b) + 1)),
    Mistake("inputs have no bias: only the hidden units and the output do (H + 1 biases)",
            lambda W, b, V, c: (np.size(W) + np.size(V), np.shape(W)[0] + np.size(b) + 1)),
])
def draw_network(W, b, V, c, ax=None):
    """(number of weights, number of biases) of the D-H-1 network; draws nothing without ax."""
    return np.size(W) + np.size(V), np.size(b) + np.size(c)


@exercise("ff_nn_relu", lambda rng: [(np.array([[1.0, -1.0], [0.0, -1.0], [0.0, 1.0]]),) + PART1]
          + [c[:1] + c[2:] for c in _nets(rng)], points=2, forbid=("helpers.nn.MLP",),
          reveal="on the given network the three samples get P(class 1) = 0.8176, 0.6225, 0.6225", mistakes=[
    Mistake("the hidden units are ReLUs: h = max(0, a), applied before the output layer",
            lambda X, W, b, V, c: sigmoid((X @ W + b) @ V + c)),
    Mistake("the output is a probability: apply the sigmoid to u = h V + c",
            lambda X, W, b, V, c: relu(X @ W + b) @ V + c),
    Mistake("that is P(class 0) = sigma(-u): the sign of u is flipped",
            lambda X, W, b, V, c: sigmoid(-(relu(X @ W + b) @ V + c))),
])
def ff_nn_relu(X, W, b, V, c):
    """Class-1 probabilities (S,) of the ReLU/sigmoid network for the rows of X (S, D); W (D, H), b, V (H,), c."""
    return MLP.from_params({"W1": W, "b1": b, "W2": np.reshape(V, (-1, 1)), "b2": np.reshape(c, (1,))},
                           hidden="relu", output="sigmoid").forward(X)[:, 0]


# ----------------------------------------------------------------------------- Part 2

def _valley(p, inner_x=-1.0, chain_y=True, k=100.0):  # the gradient with one of the slips below
    r = 2 * p[1] ** 2 - p[0]
    return np.array([-3 * p[0] ** 2 + k * r * inner_x, k * r * (4 * p[1] if chain_y else 1.0)])


@exercise("valley_grad", lambda rng:
          [(np.array([1.0, 0.5]),), (np.zeros(2),)] + [(p,) for p in rng.uniform(-2, 3, (4, 2))],
          numeric=lambda p: numerical_gradient(VALLEY.f, p), points=2,
          forbid=("helpers.objectives.VALLEY.grad",) + NUMERIC,
          reveal="df/dx = -3x^2 - 100 (2y^2 - x), df/dy = 400 y (2y^2 - x)", mistakes=[
    Mistake("d/dx (3 - x^3) = -3x^2: the sign of that term is flipped", lambda p: _valley(p) + [6 * p[0] ** 2, 0]),
    Mistake("df/dx: the inner derivative of (2y^2 - x) with respect to x is -1, so the term is -100 (2y^2 - x)",
            lambda p: _valley(p, inner_x=1.0)),
    Mistake("df/dy misses the inner derivative 4y of (2y^2 - x) (chain rule)", lambda p: _valley(p, chain_y=False)),
    Mistake("the square's derivative brings a factor 2: 50 (2y^2 - x)^2 gives 100 (2y^2 - x) times the inner one",
            lambda p: _valley(p, k=50.0)),
])
def valley_grad(p):
    """Gradient (2,) of f(x, y) = (3 - x^3) + 50 (2y^2 - x)^2 at p = (x, y)."""
    return VALLEY.grad(np.asarray(p, dtype=float))


def _grid(xs, ys, f):
    G1, G2 = np.meshgrid(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    return f(G1, G2)


def _grids(rng):
    """Grids with more columns than rows and the other way round (a transposed F has the wrong shape), a square one."""
    return [(np.linspace(-1.5, 3.0, 7), np.linspace(-1.5, 1.5, 5)),
            (np.sort(rng.uniform(-2, 3, 4)), np.sort(rng.uniform(-1.5, 1.5, 6))),
            (np.linspace(-1.0, 1.0, 3), np.linspace(-0.5, 1.5, 3))]


@exercise("valley_contours", _grids, forbid=("helpers.objectives.VALLEY.f",), mistakes=[
    Mistake("F[i, j] is f at (xs[j], ys[i]): rows go with y, columns with x (np.meshgrid(xs, ys)), the layout "
            "ax.contour(xs, ys, F) expects", lambda xs, ys: valley_contours(xs, ys).T),
    Mistake("f's first argument is x (the columns of the grid), its second y (the rows)",
            lambda xs, ys: _grid(xs, ys, lambda x, y: VALLEY.f(np.stack([y, x], -1)))),
    Mistake("the first term of f is 3 - x^3, not (3 - x)^3",
            lambda xs, ys: _grid(xs, ys, lambda x, y: (3 - x) ** 3 + 50 * (2 * y**2 - x) ** 2)),
    Mistake("the second term of f is 50 (2y^2 - x)^2: y is squared inside the bracket",
            lambda xs, ys: _grid(xs, ys, lambda x, y: 3 - x**3 + 50 * (2 * y - x) ** 2)),
])
def valley_contours(xs, ys, ax=None):
    """F (len(ys), len(xs)) with F[i, j] = f(xs[j], ys[i]); draws nothing without ax."""
    return _grid(xs, ys, lambda x, y: VALLEY.f(np.stack([x, y], -1)))


def _descent(x0, lr, beta, steps, grad=_valley, sign=-1.0, old_v=False, damp=False, stop=True, keep_out=True):
    """Heavy-ball momentum (beta = 0: gradient descent), and the slips the hints below name (the default
    gradient in numpy floats: a run that does not stop overflows to inf, where VALLEY.grad's Python floats raise)."""
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        g = grad(x)
        v_new = beta * v + sign * (1 - beta if damp else 1.0) * lr * g
        x = x + (v if old_v else v_new)
        v = v_new
        if stop and np.linalg.norm(x) > MAX_NORM:
            if keep_out:
                path.append(x)
            break
        path.append(x)
    return np.array(path)


HINT_BALL = ("stop once the point leaves the ball |x| <= 1e8, and keep that point as the path's last row "
             "(a run that blows up would otherwise end in inf and nan)")
HINT_OUT = "keep the first point outside the ball |x| <= 1e8 as the path's last row: it shows where the run left"
HINT_X0 = "the path starts with x0: steps + 1 rows, x0 and then one row per step"


def _gd_cases(rng):
    """A blow-up at step 5 (lr 5e-3), the notebook's start and rates, a random start, and steps = 0. The blow-up comes
    first: a wrong path of another length there is named by its shape before any value is compared."""
    return [(np.array([1.0, 0.5]), 5e-3, 30), ((1.0, 0.5), 1e-3, 40), (np.array([-1.0, 1.0]), 3e-4, 25),
            (rng.uniform([0.2, -0.8], [2.0, 0.8]), 2e-3, 15), (np.array([2.0, 1.0]), 1e-4, 0)]


@exercise("valley_gd", _gd_cases, points=2, forbid=LOOPS, mistakes=[
    Mistake("gradient descent steps against the gradient: x <- x - lr grad(x)",
            lambda x0, lr, steps: _descent(x0, lr, 0.0, steps, sign=1.0)),
    Mistake(HINT_X0, lambda x0, lr, steps: _descent(x0, lr, 0.0, steps)[1:]),
    Mistake(HINT_BALL, lambda x0, lr, steps: _descent(x0, lr, 0.0, steps, stop=False)),
    Mistake(HINT_OUT, lambda x0, lr, steps: _descent(x0, lr, 0.0, steps, keep_out=False)),
])
def gradient_descent(x0, lr, steps, grad=VALLEY.grad):
    """The path (k + 1, 2) of gradient descent from x0; k = steps unless it left the ball first."""
    return _descent(x0, lr, 0.0, steps, grad)


def _momentum_cases(rng):
    """A blow-up at step 7 (first, as in _gd_cases), both the notebook's betas, beta = 0 (gradient descent), a random
    start, steps = 0."""
    return [(np.array([1.0, 0.5]), 4e-3, 0.9, 30), ((1.0, 0.5), 1e-4, 0.9, 60), (np.array([-1.0, 1.0]), 3e-4, 0.5, 30),
            ((1.0, 0.5), 1e-3, 0.0, 20), (rng.uniform([0.2, -0.8], [2.0, 0.8]), 2e-4, 0.7, 25),
            (np.array([2.0, 1.0]), 1e-4, 0.9, 0)]


@exercise("valley_momentum", _momentum_cases, points=2, forbid=LOOPS, mistakes=[
    Mistake("the velocity goes against the gradient: v <- beta v - lr grad(x)",
            lambda x0, lr, beta, steps: _descent(x0, lr, beta, steps, sign=1.0)),
    Mistake("x moves by the new velocity: first v <- beta v - lr grad(x), then x <- x + v",
            lambda x0, lr, beta, steps: _descent(x0, lr, beta, steps, old_v=True)),
    Mistake("heavy-ball momentum here is v <- beta v - lr grad(x), without a factor (1 - beta) on the gradient",
            lambda x0, lr, beta, steps: _descent(x0, lr, beta, steps, damp=True)),
    Mistake(HINT_BALL, lambda x0, lr, beta, steps: _descent(x0, lr, beta, steps, stop=False)),
])
def momentum_descent(x0, lr, beta, steps, grad=VALLEY.grad):
    """The path (k + 1, 2) of heavy-ball momentum from x0 (v = 0 at the start); k = steps unless it left the ball."""
    return _descent(x0, lr, beta, steps, grad)


def _runs_cases(rng):
    """Settings with beta = 0 and beta > 0, starts as tuples and as arrays (an array updated in place carries one
    run's end into the next run's start), and runs short enough to stay inside the ball (paths of one length)."""
    return [([(1e-3, 0.0), (1e-4, 0.9)], (1.0, 0.5), 30),
            ([(3e-4, 0.0), (5e-4, 0.5), (1e-5, 0.0)], np.array([-1.0, 1.0]), 20),
            ([(3e-4, 0.9), (1e-3, 0.0)], rng.uniform([0.2, 0.2], [1.5, 0.8]), 12)]


@exercise("valley_runs", _runs_cases, points=2, forbid=LOOPS, mistakes=[
    Mistake("each setting is a pair (lr, beta): a run with beta > 0 is momentum, not plain gradient descent",
            lambda settings, start, steps: [_descent(start, lr, 0.0, steps) for lr, _ in settings]),
    Mistake("every run starts at start; here a run began where the one before it ended (an array changed in place? "
            "copy it: np.array(start, dtype=float))",
            lambda settings, start, steps: _chained(settings, start, steps)),
    Mistake("every run starts at start, the function's argument, not at a fixed point",
            lambda settings, start, steps: [_descent((1.0, 0.5), lr, b, steps) for lr, b in settings]),
])
def descent_runs(settings, start, steps, axes=None):
    """One path per (lr, beta) in settings, each from start; draws nothing without axes."""
    return [minimize(VALLEY, start, Momentum(lr, beta) if beta else GD(lr), steps) for lr, beta in settings]


def _chained(settings, start, steps):
    """A start array changed in place: each run after the first begins where the one before it ended."""
    paths, x = [], start
    for lr, beta in settings:
        paths.append(_descent(x, lr, beta, steps))
        x = paths[-1][-1] if isinstance(start, np.ndarray) else start
    return paths


def lam_floor(x):
    """The largest Hessian eigenvalue at the floor point (x, sqrt(x / 2)), where trace = 100 + 794x, det = -4800x^2."""
    return (100 + 794 * x + np.sqrt((100 - 806 * x) ** 2 + 320000 * x)) / 2


def x_star(eta, beta, approx=False, gd_limit=False):
    """Where lam_floor reaches 2 (1 + beta) / eta: the positive root of 4800x^2 + 794 L x - (L^2 - 100 L) = 0."""
    L = 2 / eta if gd_limit else 2 * (1 + beta) / eta
    if approx:  # the slip: lam_floor taken as 100 + 800x
        return (L - 100) / 800
    return (-794 * L + np.sqrt(649636 * L * L - 1920000 * L)) / 9600


def _blowup(runs, start, max_steps, approx=False, gd_limit=False, left_len=False):
    stars, passed, left = [], [], []
    for eta, beta in runs:
        path = _descent(start, eta, beta, max_steps)
        stars.append(x_star(eta, beta, approx, gd_limit))
        beyond = np.flatnonzero(path[:, 0] >= stars[-1])
        passed.append(int(beyond[0]) if beyond.size else -1)
        out = np.linalg.norm(path[-1]) > MAX_NORM
        left.append((len(path) if left_len else len(path) - 1) if out else -1)
    return np.array(stars), np.array(passed), np.array(left)


#: the runs of the notebook's table (2.7): gradient descent, and momentum from beta 0.95 down to 0.5
RUNS = [(1e-3, 0.0), (1e-4, 0.9), (2e-4, 0.9), (3e-4, 0.9), (5e-4, 0.0), (2e-3, 0.0), (5e-3, 0.0),
        (5e-4, 0.95), (5e-4, 0.9), (5e-4, 0.7), (5e-4, 0.5)]


@exercise("valley_blowup", lambda rng: [(RUNS, (1.0, 0.5), 1000),
                                        ([(2e-3, 0.5), (1e-3, 0.95), (1e-5, 0.0)], np.array([-1.0, 1.0]), 300),
                                        ([(float(rng.uniform(2e-4, 6e-4)), 0.8)], rng.uniform([0.8, 0.4], [1.2, 0.6]),
                                         600)],
          points=2, returns=("x_star", "passed", "left"), time_limit=10.0,
          reveal="on the floor the Hessian has trace 100 + 794x and determinant -4800x^2, so lambda_max = "
                 "2(1 + beta)/eta "
                 "is a quadratic in x: 4800x^2 + 794 L x - (L^2 - 100 L) = 0 with L = 2(1 + beta)/eta", mistakes=[
    Mistake("with momentum the limit across the valley is eta lambda < 2 (1 + beta), not 2: x* is where lambda_max "
            "on the floor reaches 2 (1 + beta) / eta",
            lambda runs, start, max_steps: _blowup(runs, start, max_steps, gd_limit=True)),
    Mistake("100 + 800x is only an approximation of lambda_max on the floor: use the largest eigenvalue of the Hessian "
            "there (np.linalg.eigvalsh), to many digits",
            lambda runs, start, max_steps: _blowup(runs, start, max_steps, approx=True)),
    Mistake("the step at which a run left the ball is the index of its last point, len(path) - 1",
            lambda runs, start, max_steps: _blowup(runs, start, max_steps, left_len=True)),
])
def blowup_runs(runs, start, max_steps, axes=None):
    """(x_star, passed, left), one entry per (eta, beta): x* on the floor, the first step at or past it (-1: never), the
    step at which the run left the ball |x| <= 1e8 (-1: it did not within max_steps); draws nothing without axes."""
    return _blowup(runs, start, max_steps)


def _reach(etas, beta, start, level, max_steps, plus_one=False, count=False, plain=False):
    out = []
    for eta in etas:
        f = VALLEY.f(_descent(start, eta, 0.0 if plain else beta, max_steps))
        below = np.flatnonzero(f < level)
        out.append(int(below.size) if count else (int(below[0]) + plus_one if below.size else -1))
    return np.array(out)


@exercise("valley_reach", lambda rng: [(np.geomspace(1e-5, 3e-3, 8), beta, (1.0, 0.5), -20.0, 600)
                                       for beta in (0.0, 0.9)]
          + [(np.sort(rng.uniform(1e-4, 2e-3, 4)), 0.5, np.array([-1.0, 1.0]), 0.0, 400)],
          points=2, time_limit=10.0, mistakes=[
    Mistake("the step is the index of the first point with f < level: the start is step 0 (no + 1)",
            lambda etas, beta, start, level, max_steps: _reach(etas, beta, start, level, max_steps, plus_one=True)),
    Mistake("the first step with f < level, not how many points of the run are below it",
            lambda etas, beta, start, level, max_steps: _reach(etas, beta, start, level, max_steps, count=True)),
    Mistake("use beta: the runs are momentum runs (beta = 0 is gradient descent)",
            lambda etas, beta, start, level, max_steps: _reach(etas, beta, start, level, max_steps, plain=True)),
])
def steps_to_reach(etas, beta, start, level, max_steps, ax=None):
    """For each eta: the first step at which the run from start has f < level, or -1 if none within max_steps (the
    point that leaves the ball, if any, is the run's last); draws nothing without ax."""
    return _reach(etas, beta, start, level, max_steps)


# ----------------------------------------------------------------------------- Part 3

SLIPS = {  # dL/du per sample, before the mean's 1/S, from y_hat = p and the labels t: right, and the seed's slips
    "right": lambda p, t: p - t,
    "sigmoid factor missing": lambda p, t: -(t / p - (1 - t) / (1 - p)),
    "(1-y)/y_hat typo": lambda p, t: -(t / p - (1 - t) / p) * p * (1 - p),
}
HINT_SIGMOID = ("dL/dy_hat = -(y/y_hat - (1-y)/(1-y_hat)) still needs dy_hat/du = y_hat (1 - y_hat), "
                "the sigmoid's derivative: dL/du = (y_hat - y)/S")
HINT_TYPO = "the second term of dL/dy_hat is (1 - y)/(1 - y_hat), not (1 - y)/y_hat (the seed's typo)"
HINT_MEAN = "L is the mean over the S samples: divide by S"


@exercise("bce_output_grad", lambda rng: [(rng.normal(scale=2, size=S), _labels(rng, S)) for S in (4, 7, 12)],
          numeric=lambda u, y: numerical_gradient(lambda v: binary_cross_entropy_with_logits(v, y)[0], u), points=2,
          forbid=("helpers.losses.binary_cross_entropy_with_logits",) + NUMERIC, mistakes=[
    Mistake(HINT_SIGMOID, lambda u, y: SLIPS["sigmoid factor missing"](sigmoid(u), y) / len(u)),
    Mistake(HINT_TYPO, lambda u, y: SLIPS["(1-y)/y_hat typo"](sigmoid(u), y) / len(u)),
    Mistake(HINT_MEAN, lambda u, y: sigmoid(u) - y),
    Mistake("dL/du = (y_hat - y)/S: the sign is flipped", lambda u, y: (y - sigmoid(u)) / len(u)),
])
def bce_output_grad(u, y):
    """dL/du (S,) for L = mean binary cross-entropy of y_hat = sigmoid(u) against labels y (S,)."""
    return binary_cross_entropy_with_logits(u, y)[1]


def backprop(X, y, W, b, V, c, slip="right"):
    """(dW, db, dV, dc) by the layer kernels, with dL/du from SLIPS[slip] ("no ReLU mask": relu' left out)."""
    A, cache1 = dense_forward(X, W, b)
    u, cache2 = dense_forward(relu(A), np.reshape(V, (-1, 1)), np.reshape(c, (1,)))
    dH, dV, dc = dense_backward(SLIPS.get(slip, SLIPS["right"])(sigmoid(u[:, 0]), y)[:, None] / len(X), cache2)
    _, dW, db = dense_backward(dH if slip == "no ReLU mask" else dH * relu_grad(A), cache1, need_dX=False)
    return dict(dW=dW, db=db, dV=dV[:, 0], dc=dc[0])


def _numeric(X, y, W, b, V, c):
    params = (W, b, V, c)
    loss = [lambda v, i=i: _loss(X, y, *(v if j == i else q for j, q in enumerate(params))) for i in range(4)]
    return dict(zip(("dW", "db", "dV", "dc"), (numerical_gradient(f, p) for f, p in zip(loss, params))))


@exercise("relu_net_grads", _nets, numeric=_numeric, points=3, returns=("dW", "db", "dV", "dc"),
          forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake(HINT_SIGMOID, lambda *a: backprop(*a, slip="sigmoid factor missing")),
    Mistake(HINT_TYPO, lambda *a: backprop(*a, slip="(1-y)/y_hat typo")),
    Mistake("dW has the shape of W, (D, H): rows are inputs here, so dW = X^T dA, not dA^T X",
            lambda *a: dict(backprop(*a), dW=backprop(*a)["dW"].T)),
    Mistake("backprop through ReLU multiplies by its derivative 1[a > 0]: dA = (du V^T) * (A > 0)",
            lambda *a: backprop(*a, slip="no ReLU mask")),
    Mistake("c is shared by every sample: dc sums du over the samples",
            lambda X, y, *p: dict(backprop(X, y, *p), dc=(ff_nn_relu(X, *p) - y) / len(X))),
])
def relu_net_grads(X, y, W, b, V, c):
    """(dW, db, dV, dc) of the mean binary cross-entropy of the network at (W, b, V, c)."""
    return backprop(X, y, W, b, V, c)


def _flat(w, X, y, slip="right", order="C"):  # grad_f, by backprop; order "F" unpacks and packs W column by column
    g = backprop(X, y, w[:8].reshape((2, 4), order=order), w[8:12], w[12:16], w[16], slip)
    return np.concatenate([g["dW"].ravel(order=order), g["db"], g["dV"], [g["dc"]]])


@exercise("grad_f", lambda rng: [(rng.normal(size=17), rng.normal(size=(S, 2)), _labels(rng, S)) for S in (6, 10, 15)],
          numeric=lambda w, X, y: numerical_gradient(
              lambda v: _loss(X, y, v[:8].reshape(2, 4), v[8:12], v[12:16], v[16]), w), points=2,
          forbid=("helpers.nn.MLP",) + NUMERIC, mistakes=[
    Mistake("w[:8] is W (2, 4) row by row (rows are inputs): w[:8].reshape(2, 4), and dW.ravel() in the same order",
            lambda w, X, y: _flat(w, X, y, order="F")),
    Mistake(HINT_SIGMOID, lambda w, X, y: _flat(w, X, y, "sigmoid factor missing")),
    Mistake(HINT_TYPO, lambda w, X, y: _flat(w, X, y, "(1-y)/y_hat typo")),
    Mistake(HINT_MEAN, lambda w, X, y: _flat(w, X, y) * len(X)),
])
def grad_f(w, X, y):
    """Gradient (17,) of the mean cross-entropy of the 2-4-1 network at the flat weights w (MLP.get_flat layout)."""
    return _flat(np.asarray(w, dtype=float), X, y)


def _xor(blob, Z, noise, corners=CORNERS, by_blob=False, flip=False):
    X = corners[np.asarray(blob)] + noise * np.asarray(Z, dtype=float)
    y = np.isin(blob, (1, 3)) if by_blob else X[:, 0] * X[:, 1] < 0
    return X, (~y if flip else y).astype(np.int64)


def _xor_cases(rng):
    """The notebook's recipe (make_xor's draws: blobs of a permutation, then the noise), smaller sets, noise 0."""
    out = []
    for n, noise in ((40, 0.5), (12, 1.0), (8, 0.0)):
        blob = np.repeat(np.arange(4), n // 4)[rng.permutation(n)]
        out.append((blob, rng.standard_normal((n, 2)), noise))
    return out


@exercise("xor_data", _xor_cases, returns=("X", "y"), forbid=("helpers.data.make_xor",), mistakes=[
    Mistake("label each point by the signs of its own coordinates, x1 x2 < 0: a noisy point can cross an axis "
            "into a quadrant of the other class", lambda blob, Z, noise: _xor(blob, Z, noise, by_blob=True)),
    Mistake("class 1 is where x1 and x2 have opposite signs (x1 x2 < 0)",
            lambda blob, Z, noise: _xor(blob, Z, noise, flip=True)),
    Mistake("the draws Z have standard deviation 1: multiply them by noise", lambda blob, Z, noise: _xor(blob, Z, 1.0)),
    Mistake("blob k is centred at the k-th corner of (1, 1), (-1, 1), (-1, -1), (1, -1), in that order",
            lambda blob, Z, noise: _xor(blob, Z, noise, corners=CORNERS[[0, 3, 2, 1]])),
])
def xor_data(blob, Z, noise, ax=None):
    """(X (n, 2), y (n,)): blob k's corner plus noise * Z, labelled 1 where x1 x2 < 0; draws nothing without ax."""
    return _xor(blob, Z, noise)


def _fit(X, y, w0, lr, beta, iterations, drop_first=False, total=False, plain=False, start=False):
    def loss_and_grad(w):
        W, b, V, c = _unflat(w)
        L, g = _loss(X, y, W, b, V, c), _flat(w, X, y)
        return L * (len(X) if total else 1.0), g

    loss = Objective(lambda w: loss_and_grad(w)[0], lambda w: loss_and_grad(w)[1], value_and_grad=loss_and_grad)
    path = minimize(loss, w0, Momentum(lr, beta) if beta and not plain else GD(lr), iterations)
    losses = np.array([loss_and_grad(w)[0] for w in path])
    return (path[0] if start else path[-1]), (losses[1:] if drop_first else losses)


#: near the network that is exactly right on XOR (units max(0, +-(x1 - x2)), max(0, +-(x1 + x2)), output weights
#: 10 (1, 1, -1, -1)): its u = -20 sign(x1 x2) min(|x1|, |x2|) is right everywhere and above 37 at the first two points,
#: where sigma(u) rounds to 1 and y log(y_hat) + (1 - y) log(1 - y_hat) is 0 * log 0 = nan
IDEAL = np.concatenate([[1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0], np.zeros(4), [10.0, 10.0, -10.0, -10.0], [0.0]])
CONFIDENT = np.array([[2.5, -2.2], [-2.1, 2.4], [0.3, -1.2], [-0.8, 0.5], [1.5, 1.7], [-1.1, -0.4], [0.2, 0.9],
                      [-2.0, -2.3]])


def _xor_labels(X):
    return (X[:, 0] * X[:, 1] < 0).astype(np.int64)


def _fit_cases(rng):
    """Gradient descent and momentum from one start, other sizes and rates, iterations = 0, and a net so confident
    that sigma(u) rounds to 1 (the loss must come from u, or from a clipped y_hat)."""
    def data(S):
        X = rng.normal(size=(S, 2)) + rng.choice([-1.0, 1.0], size=(S, 2))
        return X, _xor_labels(X)

    X1, y1 = data(40)
    w1 = rng.normal(scale=0.7, size=17)
    return [(X1, y1, w1, 0.1, 0.0, 30), (X1, y1, w1, 0.1, 0.9, 30),
            data(24) + (rng.normal(scale=0.7, size=17), 0.5, 0.5, 20), data(12) + (rng.normal(size=17), 1.0, 0.0, 0),
            (CONFIDENT, _xor_labels(CONFIDENT), IDEAL + rng.normal(scale=0.05, size=17), 0.05, 0.9, 5)]


@exercise("xor_fit", _fit_cases, points=2, returns=("w", "losses"),
          forbid=LOOPS + ("helpers.nn.MLP", "helpers.train.fit"), time_limit=10.0, mistakes=[
    Mistake("losses holds the loss at every iterate, the start included: iterations + 1 values",
            lambda *a: _fit(*a, drop_first=True)),
    Mistake("L is the mean cross-entropy over the samples, not the sum", lambda *a: _fit(*a, total=True)),
    Mistake("use beta: momentum with beta > 0 (your momentum_descent), plain gradient descent only for beta = 0",
            lambda *a: _fit(*a, plain=True)),
    Mistake("return the final weights, the last iterate, not the start", lambda *a: _fit(*a, start=True)),
])
def fit_xor(X, y, w0, lr, beta, iterations, ax=None):
    """(w, losses): the weights after `iterations` full-batch steps from w0 (momentum; beta = 0: gradient descent)
    and the loss at every iterate (iterations + 1,); draws nothing without ax."""
    return _fit(X, y, w0, lr, beta, iterations)


def sweep(X, y, inits, etas, beta, iterations, threshold=0.1, miss=np.inf, transpose=False, from_one=False,
          plain=False):
    """The first iterate with L < threshold for each (eta, start), all networks trained at once (3.1, one more axis)."""
    inits = np.asarray(inits, dtype=float)
    etas = np.asarray(etas, dtype=float)
    w = np.tile(inits, (len(etas), 1))  # network k: rate etas[k // n], start inits[k % n]
    eta = np.repeat(etas, len(inits))[:, None]
    t = np.asarray(y, dtype=float)[:, None]
    v, losses = np.zeros_like(w), []
    for step in range(iterations + 1):
        W, b, V, c = w[:, :8].reshape(-1, 2, 4), w[:, 8:12], w[:, 12:16], w[:, 16]
        A = np.tensordot(X, W, axes=([1], [1])) + b  # (S, K, H)
        H = relu(A)
        u = np.einsum("skj,kj->sk", H, V) + c  # (S, K)
        losses.append(np.mean(np.maximum(u, 0) - t * u + np.log1p(np.exp(-np.abs(u))), axis=0))
        if step == iterations:
            break
        du = (sigmoid(u) - t) / len(X)
        dA = du[:, :, None] * V * (A > 0)
        g = np.concatenate([np.tensordot(X, dA, axes=([0], [0])).transpose(1, 0, 2).reshape(-1, 8), dA.sum(0),
                            np.einsum("skj,sk->kj", H, du), du.sum(0)[:, None]], axis=1)
        v = (0.0 if plain else beta) * v - eta * g
        w = w + v
    below = np.array(losses) < threshold  # (iterations + 1, K)
    first = np.where(below.any(0), below.argmax(0) + from_one, miss).reshape(len(etas), len(inits))
    return first.T if transpose else first


def _sweep_cases(rng):
    X = rng.normal(size=(40, 2)) + rng.choice([-1.0, 1.0], size=(40, 2))
    y = _xor_labels(X)
    inits = rng.normal(scale=0.8, size=(3, 17))
    return [(X, y, inits, np.array([0.3, 1.0, 3.0]), 0.0, 60, 0.3), (X, y, inits, np.array([0.03, 0.3]), 0.9, 60, 0.3),
            (X[:24], y[:24], inits[:2], np.array([0.5]), 0.5, 0, 0.3)]


@exercise("xor_sweep", _sweep_cases, points=2, forbid=("helpers.train.fit",), time_limit=10.0, mistakes=[
    Mistake("a start that never gets below the threshold counts as np.inf (never), not -1 or the number of iterations",
            lambda *a: sweep(*a, miss=-1.0)),
    Mistake("a start that never gets below the threshold counts as np.inf (never), not -1 or the number of iterations",
            lambda X, y, inits, etas, beta, iterations, threshold: sweep(X, y, inits, etas, beta, iterations, threshold,
                                                                        miss=float(iterations))),
    Mistake("rows are learning rates, columns starts: the result has shape (len(etas), len(inits))",
            lambda *a: sweep(*a, transpose=True)),
    Mistake("the count is the index of the first iterate with L < threshold, the start being iterate 0 (no + 1)",
            lambda *a: sweep(*a, from_one=True)),
    Mistake("use beta: momentum with beta > 0, plain gradient descent only for beta = 0",
            lambda *a: sweep(*a, plain=True)),
])
def sweep_iterations(X, y, inits, etas, beta, iterations, threshold=0.1, ax=None):
    """(len(etas), len(inits)): for every learning rate and start, the first iterate k <= iterations of full-batch
    momentum (beta = 0: gradient descent) with L(w_k) < threshold, np.inf if none; draws nothing without ax."""
    return sweep(X, y, inits, etas, beta, iterations, threshold)


def _proba_grid(w, xs, ys, order="C", labels=False, flip=False, transpose=False):
    _, b, V, c = _unflat(w)
    W = np.asarray(w, dtype=float)[:8].reshape((2, 4), order=order)
    G1, G2 = np.meshgrid(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    P = sigmoid(relu(np.column_stack([G1.ravel(), G2.ravel()]) @ W + b) @ V + c).reshape(G1.shape)
    P = 1 - P if flip else P
    P = (P > 0.5).astype(float) if labels else P
    return P.T if transpose else P


def _boundary_cases(rng):
    return [(rng.normal(size=17), np.linspace(-2.0, 2.0, 5), np.linspace(-1.5, 1.5, 4)),
            (rng.normal(scale=2, size=17), np.sort(rng.uniform(-3, 3, 3)), np.sort(rng.uniform(-3, 3, 6))),
            (rng.normal(size=17), np.linspace(-1.0, 1.0, 4), np.linspace(-1.0, 1.0, 4))]


@exercise("xor_decision_grid", _boundary_cases, points=2, forbid=("helpers.nn.MLP", "helpers.plots.decision_boundary"),
          mistakes=[
    Mistake("P[i, j] is the probability at (xs[j], ys[i]): rows go with y, columns with x (np.meshgrid(xs, ys))",
            lambda w, xs, ys: _proba_grid(w, xs, ys, transpose=True)),
    Mistake("w[:8] is W (2, 4) row by row (rows are inputs): w[:8].reshape(2, 4)",
            lambda w, xs, ys: _proba_grid(w, xs, ys, order="F")),
    Mistake("return the probabilities P(class 1), not the predicted labels: the 0.5 level is drawn from them",
            lambda w, xs, ys: _proba_grid(w, xs, ys, labels=True)),
    Mistake("P(class 1) is sigmoid(u), not 1 - sigmoid(u)", lambda w, xs, ys: _proba_grid(w, xs, ys, flip=True)),
])
def decision_grid(w, xs, ys, X=None, y=None, ax=None):
    """P (len(ys), len(xs)): P(class 1) at (xs[j], ys[i]) for the flat weights w; draws nothing without ax."""
    return _proba_grid(w, xs, ys)
