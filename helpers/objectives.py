"""Test functions for the optimization notebooks.

An :class:`Objective` bundles f, its gradient and Hessian. Points hold their coordinates on the last
axis, so ``f`` evaluates a whole meshgrid at once: ``f(np.stack([X1, X2], axis=-1))``. ``grad``
returns its input's shape; ``hess`` takes one point (dim,) and returns (dim, dim).
"""

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

__all__ = ["Objective", "ROSENBROCK", "SADDLE", "PLATEAU", "VALLEY", "BUMP", "bump", "grid_2d"]


def grid_2d(bounds, n=200):
    """An n x n grid over ``bounds = ((lo1, hi1), (lo2, hi2))``: X1, X2 (n, n) from ``np.meshgrid``
    (X1 varies along columns), and points (n * n, 2), the same points as rows."""
    (a, b), (c, d) = bounds
    X1, X2 = np.meshgrid(np.linspace(a, b, n), np.linspace(c, d, n))
    return X1, X2, np.column_stack([X1.ravel(), X2.ravel()])


@dataclass(frozen=True)
class Objective:
    """A function to minimize, its derivatives (hess: for Newton only) and what is known about it.

    bounds: ((lo, hi), ...), the window the notebooks plot. value_and_grad: optional x -> (f(x), grad(x))
    computing both at once (a network's loss_and_grads), which the descent loop then calls instead.
    """

    f: callable
    grad: callable
    hess: callable = None
    name: str = "f"
    bounds: tuple = ()
    minima: tuple = ()
    value_and_grad: callable = None

    def __call__(self, x):
        return self.f(x)

    def grid(self, n=200):
        """X1, X2, F: f on an n x n grid over ``bounds`` (2-D objectives), ready for ``ax.contour(X1, X2, F)``."""
        if len(self.bounds) != 2:
            raise ValueError(f"grid() needs a 2-D objective; {self.name} has {len(self.bounds)} coordinate(s)")
        X1, X2, _ = grid_2d(self.bounds, n)
        return X1, X2, self.f(np.stack([X1, X2], axis=-1))

    def at(self, x):
        """This objective at the point ``{"x": x}``, a problem for :func:`helpers.optim.descend`."""
        return _Point(self, x)


class _Point:
    """An objective at the point ``params = {"x": x}``. With ``value_and_grad`` the loop watches f;
    otherwise |grad f|^2, which costs no evaluation of f."""

    def __init__(self, objective, x):
        self.objective, self.params = objective, {"x": x}
        self.watched = "loss" if objective.value_and_grad is not None else "gradient"

    def loss_and_grads(self, _batch):
        obj, x = self.objective, self.params["x"]
        value, grad = (None, obj.grad(x)) if obj.value_and_grad is None else obj.value_and_grad(x)
        if not (isinstance(grad, np.ndarray) and grad.shape == x.shape and grad.dtype == np.float64):
            grad = np.asarray(grad, dtype=np.float64).reshape(x.shape)
        return float(grad.dot(grad) if value is None else value), {"x": grad}  # .dot: grad @ grad, faster

    def hessians(self, params):
        if self.objective.hess is None:
            raise ValueError(f"Newton needs the Hessian; the objective {self.objective.name!r} has none (hess=None)")
        return {"x": self.objective.hess(params["x"])}


def _points_2d(name, *fns):
    """fns of points x (..., 2) that refuse any other shape in one ValueError line naming the objective."""
    def checked(fn):
        def of_points(x):
            x = np.asarray(x, dtype=np.float64)
            if x.ndim == 0 or x.shape[-1] != 2:
                raise ValueError(f"{name} is a function of 2 coordinates: pass a point of shape (2,) or points "
                                 f"(..., 2), got shape {x.shape}")
            return fn(x)
        return of_points
    return tuple(map(checked, fns))


def _of_xy(name, *fns):
    """fn(x1, x2) for each fn as functions of points (..., 2), checked as in _points_2d."""
    def of_xy(fn):  # one point: plain floats, several times faster than 0-d arrays (descent paths)
        return lambda x: fn(*x.tolist()) if x.ndim == 1 else fn(x[..., 0], x[..., 1])
    return _points_2d(name, *map(of_xy, fns))


def _pair(a, b):
    """Two coordinate arrays (or numbers) as points (..., 2); np.array is cheaper than np.stack for one point."""
    return np.array((a, b)) if isinstance(a, float) else np.stack((a, b), axis=-1)


# f(x) = 100 (x2 - x1^2)^2 + (1 - x1)^2, minimum 0 at (1, 1)
ROSENBROCK = Objective(*_of_xy(
    "Rosenbrock",
    lambda x1, x2: 100.0 * (x2 - x1**2) ** 2 + (1.0 - x1) ** 2,
    lambda x1, x2: _pair(-400.0 * x1 * (x2 - x1 * x1) - 2.0 * (1.0 - x1), 200.0 * (x2 - x1 * x1)),
    lambda x1, x2: np.array([[1200.0 * x1**2 - 400.0 * x2 + 2.0, -400.0 * x1], [-400.0 * x1, 200.0]])),
    "Rosenbrock", bounds=((-2.0, 2.0), (-1.0, 3.0)), minima=((1.0, 1.0),))

# the saddle g(x) = x1^2 + 8 x1 - 2 x2^2 + 12 x2, grad (2 x1 + 8, -4 x2 + 12)
SADDLE = Objective(*_of_xy(
    "saddle g",
    lambda x1, x2: x1**2 + 8.0 * x1 - 2.0 * x2**2 + 12.0 * x2,
    lambda x1, x2: _pair(2.0 * x1 + 8.0, -4.0 * x2 + 12.0)),
    lambda x: np.array([[2.0, 0.0], [0.0, -4.0]]),  # constant: any x, even None (notebook 01 solves with it)
    "saddle g", bounds=((-9.0, 1.0), (-2.0, 8.0)))


def _plateau_grad(x):
    s = sigmoid(x)
    return (s - 0.9) * s * (1.0 - s)


def _plateau_hess(x):
    s = sigmoid(x)
    d = s * (1.0 - s)  # sigma', and sigma'' = sigma' (1 - 2 sigma)
    return np.diag(d * d + (s - 0.9) * d * (1.0 - 2.0 * s))


# a plateau: two sigmoid units asked for 0.9 each, f(x) = 1/2 sum_i (sigma(x_i) - 0.9)^2. Saturated
# (x_i << 0) the gradient is about -0.9 e^{x_i}; the minimum (ln 9, ln 9) is round, H = 0.0081 I.
PLATEAU = Objective(*_points_2d("plateau", lambda x: 0.5 * np.sum((sigmoid(x) - 0.9) ** 2, axis=-1), _plateau_grad,
                               _plateau_hess), "plateau (two saturated units)", bounds=((-8.0, 5.0), (-8.0, 5.0)),
                    minima=((np.log(9.0), np.log(9.0)),))

# the ReLU notebook's valley f(x, y) = (3 - x^3) + 50 (2 y^2 - x)^2: no minimum at all
VALLEY = Objective(*_of_xy(
    "valley f",
    lambda x, y: (3.0 - x**3) + 50.0 * (2.0 * y**2 - x) ** 2,
    lambda x, y: _pair(-3.0 * x**2 - 100.0 * (2.0 * y**2 - x), 400.0 * y * (2.0 * y**2 - x)),
    lambda x, y: np.array([[100.0 - 6.0 * x, -400.0 * y], [-400.0 * y, 400.0 * (6.0 * y**2 - x)]])),
    "valley f", bounds=((-1.5, 3.0), (-1.5, 1.5)))


def bump(h=0.5):
    """Piecewise-linear 1-D landscape (the Adam question) with a local minimum at x = 1 and a bump of height h.

    f(x) = 1 - x             for x < 1           (slope -1 down to the local minimum, f = 0)
         = x - 1             for 1 <= x < 1 + h  (slope +1 up the bump)
         = 2h + 1 - x        for 1 + h <= x < 2 + 2h  (slope -1 down into the lower valley)
         = x - 3 - 2h        for x >= 2 + 2h     (the valley floor, f = -1, at x = 2 + 2h)

    At a kink the gradient is that of the piece to the right. Points have shape (..., 1).
    """
    h = float(h)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"the bump height h must be a positive number, got {h}")
    peak, floor = 1.0 + h, 2.0 + 2.0 * h

    def f(x):
        x = np.asarray(x, dtype=np.float64)[..., 0]
        # nested where: np.select's choice (the first true condition; NaN to the last) at half its cost a step
        return np.where(x < 1.0, 1.0 - x,
                        np.where(x < peak, x - 1.0, np.where(x < floor, 2.0 * h + 1.0 - x, x - 3.0 - 2.0 * h)))

    def grad(x):  # + 0 x: NaN and inf give NaN
        x = np.asarray(x, dtype=np.float64)
        if x.shape == (1,):  # one point, a descent's step: plain floats, several times faster than where()
            s = float(x[0])
            return np.array([(-1.0 if s < 1.0 else 1.0 if s < peak else -1.0 if s < floor else 1.0) + 0.0 * s])
        s = x[..., 0]
        return np.where(s < 1.0, -1.0, np.where(s < peak, 1.0, np.where(s < floor, -1.0, 1.0)))[..., None] + 0.0 * x

    return Objective(f, grad, lambda x: np.zeros((1, 1)), f"bump(h={h:g})", bounds=((-0.5, floor + 1.0),),
                     minima=((floor,),))


BUMP = bump(0.5)
