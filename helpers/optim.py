"""Update rules, one implementation each, shared by 2-D paths and networks.

Every rule has ``step(params, grads)``: ``params`` is a list of arrays updated in place,
``grads`` a list of arrays of the same shapes (never modified). A rule keeps its state
(velocity, moments) per position in that list; ``reset()`` forgets it.
:func:`minimize` runs a rule on an :class:`helpers.objectives.Objective` and returns the
path.
"""

import numpy as np

__all__ = ["GD", "Momentum", "Adam", "Newton", "minimize"]


class _Rule:
    needs_hessian = False

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self._state = None
        self.t = 0

    def _init_state(self, params, n):
        """Allocate ``n`` zero arrays per parameter the first time, then reuse them."""
        if self._state is None or len(self._state) != len(params) or any(
            s[0].shape != p.shape for s, p in zip(self._state, params)
        ):
            self._state = [[np.zeros_like(p) for _ in range(n)] for p in params]
        return self._state

    @staticmethod
    def _pairs(params, grads):
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} parameter arrays but {len(grads)} gradients")
        for p, g in zip(params, grads):
            if p.shape != g.shape:
                raise ValueError(f"gradient shape {g.shape} does not match parameter shape {p.shape}")
        return zip(params, grads)


def _positive(name, value):
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def _fraction(name, value):
    value = float(value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class GD(_Rule):
    r"""Gradient descent: :math:`x \leftarrow x - \eta\, g`."""

    def __init__(self, lr):
        self.lr = _positive("lr", lr)
        super().__init__()

    def step(self, params, grads):
        self.t += 1
        for (p, g), (scratch,) in zip(self._pairs(params, grads), self._init_state(params, 1)):
            np.multiply(g, self.lr, out=scratch)
            p -= scratch

    def __repr__(self):
        return f"GD(lr={self.lr:g})"


class Momentum(_Rule):
    r"""Heavy-ball momentum: :math:`v \leftarrow \beta v - \eta g,\; x \leftarrow x + v`.

    With ``nesterov=True`` the step looks ahead along the new velocity:
    :math:`x \leftarrow x + \beta v - \eta g` (the same v update). With beta = 0 both
    are exactly gradient descent.
    """

    def __init__(self, lr, beta=0.9, nesterov=False):
        self.lr = _positive("lr", lr)
        self.beta = _fraction("beta", beta)
        self.nesterov = bool(nesterov)
        super().__init__()

    def step(self, params, grads):
        self.t += 1
        for (p, g), (v, scratch) in zip(self._pairs(params, grads), self._init_state(params, 2)):
            np.multiply(g, self.lr, out=scratch)  # scratch = lr g
            v *= self.beta
            v -= scratch
            if self.nesterov:
                p -= scratch
                scratch[...] = v
                scratch *= self.beta
                p += scratch
            else:
                p += v

    def __repr__(self):
        return f"Momentum(lr={self.lr:g}, beta={self.beta:g}, nesterov={self.nesterov})"


class Adam(_Rule):
    r"""Adam (Kingma and Ba, 2015).

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
        \hat m = m / (1-\beta_1^t), \quad \hat v = v / (1-\beta_2^t), \quad
        x \leftarrow x - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    ``bias_correction=False`` drops the two divisions (a common mistake, kept so the
    notebooks can show what it does).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        self.lr = _positive("lr", lr)
        self.beta1 = _fraction("beta1", beta1)
        self.beta2 = _fraction("beta2", beta2)
        self.eps = _positive("eps", eps)
        self.bias_correction = bool(bias_correction)
        super().__init__()

    def step(self, params, grads):
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t if self.bias_correction else 1.0
        c2 = 1.0 - self.beta2 ** self.t if self.bias_correction else 1.0
        for (p, g), (m, v, scratch) in zip(self._pairs(params, grads), self._init_state(params, 3)):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            np.multiply(g, g, out=scratch)
            scratch *= 1.0 - self.beta2
            v += scratch
            # scratch = sqrt(v_hat) + eps, then the step lr * m_hat / scratch
            np.divide(v, c2, out=scratch)
            np.sqrt(scratch, out=scratch)
            scratch += self.eps
            np.divide(m, scratch, out=scratch)
            scratch *= self.lr / c1
            p -= scratch

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g})"


class Newton(_Rule):
    r"""Newton's method: :math:`x \leftarrow x - (H + \lambda I)^{-1} g`.

    ``damping`` :math:`\lambda \ge 0` is added to the Hessian's diagonal (0: pure
    Newton, which solves a quadratic in one step). ``step`` takes the Hessians as a
    third argument, one (n, n) matrix per parameter vector of length n.
    """

    needs_hessian = True

    def __init__(self, damping=0.0):
        damping = float(damping)
        if not np.isfinite(damping) or damping < 0:
            raise ValueError(f"damping must be a finite number >= 0, got {damping}")
        self.damping = damping
        super().__init__()

    def step(self, params, grads, hessians):
        self.t += 1
        for (p, g), H in zip(self._pairs(params, grads), hessians):
            n = p.size
            H = np.asarray(H, dtype=np.float64).reshape(n, n) + self.damping * np.eye(n)
            try:
                d = np.linalg.solve(H, g.reshape(n))
            except np.linalg.LinAlgError:
                raise ValueError(
                    "the Hessian is singular here, so the Newton step is undefined; "
                    "use Newton(damping=...) with a small positive damping"
                ) from None
            p -= d.reshape(p.shape)

    def __repr__(self):
        return f"Newton(damping={self.damping:g})"


def minimize(objective, x0, rule, steps, max_norm=1e8):
    """Run ``rule`` on ``objective`` from ``x0`` and return every iterate.

    Parameters
    ----------
    objective : helpers.objectives.Objective (uses .grad, and .hess for Newton)
    x0 : (dim,) start point
    rule : GD, Momentum, Adam or Newton; reset before the run
    steps : int >= 0
    max_norm : a run stops early, cleanly, once an iterate leaves the ball of this
        radius or a gradient is not finite (divergence)

    Returns
    -------
    path : (k + 1, dim) float64 array of iterates, x0 first; k = steps unless the run
        diverged, in which case the path ends at the last finite iterate
    """
    x = np.array(x0, dtype=np.float64).reshape(-1)
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite, got {x0}")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    rule.reset()
    path = np.empty((steps + 1, x.size))
    path[0] = x
    limit = max_norm * max_norm
    # overflow on the way out is expected and caught below, not a warning
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            g = np.asarray(objective.grad(x), dtype=np.float64).reshape(x.shape)
            if not np.isfinite(g).all():
                return path[:k]
            if rule.needs_hessian:
                rule.step([x], [g], [objective.hess(x)])
            else:
                rule.step([x], [g])
            norm2 = float(x @ x)
            if not np.isfinite(norm2):
                return path[:k]
            path[k] = x
            if norm2 > limit:
                return path[:k + 1]
    return path
