r"""Update rules, and the one loop that drives them.

The contract every iterative method here shares::

    loss, grads = loss_and_grads(batch)      # grads: dict keyed like params
    rule.step(params, grads, scale)          # params updated in place

``params`` is a dict name -> array (``model.params`` of an MLP, or ``{"x": x}`` for a point
of an :class:`helpers.objectives.Objective`). A rule keeps its state (velocities, moments)
in a dict keyed the same way, so one rule object can train any set of arrays. ``scale``
multiplies the learning rate for one step: schedules are functions passed to the loop,
never a change made to the rule. :func:`descend` is the loop; :func:`minimize` (paths on
objectives) and :func:`helpers.train.fit` (networks) are built on it. A new update rule is
one subclass of :class:`Rule` and one entry in ``RULES``.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Rule", "GD", "Momentum", "Adam", "Newton", "RULES", "make_rule", "descend", "Run", "minimize",
           "cosine", "minimize_run"]


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


class Rule:
    """Base of the update rules: ``step(params, grads, scale=1.0)``.

    A subclass sets ``lr`` and implements ``_update(name, p, g, lr, state)``, which changes
    the array p in place; ``state`` is this parameter's list of arrays, made by ``_new_state``
    the first time the name is seen.
    """

    lr = 1.0

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.state = {}
        self.t = 0

    def attach(self, problem):
        """Called by :func:`descend` before the first step with what it minimizes."""

    def _new_state(self, p):
        return []

    def step(self, params, grads, scale=1.0):
        """One update of every array in ``params`` from ``grads`` (same keys and shapes; never
        modified); ``scale`` multiplies the learning rate for this step only."""
        self.t += 1
        lr = self.lr * scale
        for name, p in params.items():
            g = grads.get(name)
            if g is None or g.shape != p.shape:
                got = "nothing" if g is None else f"shape {g.shape}"
                raise ValueError(f"gradient for {name!r}: expected shape {p.shape}, got {got}")
            state = self.state.get(name)
            if state is None or (state and state[0].shape != p.shape):
                state = self.state[name] = self._new_state(p)
            self._update(name, p, g, lr, state)

    def __repr__(self):
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items() if isinstance(v, float))
        return f"{type(self).__name__}({args})"


class GD(Rule):
    r"""Gradient descent: :math:`x \leftarrow x - \eta\, g`."""

    def __init__(self, lr):
        self.lr = _positive("lr", lr)
        super().__init__()

    def _update(self, name, p, g, lr, state):
        p -= lr * g  # a fresh temporary reuses memory just freed: warmer in cache than a scratch array


class Momentum(Rule):
    r"""Heavy-ball momentum: :math:`v \leftarrow \beta v - \eta g,\; x \leftarrow x + v`.

    ``nesterov=True`` looks ahead along the new velocity: :math:`x \leftarrow x + \beta v - \eta g`.
    With beta = 0 both are exactly gradient descent.
    """

    def __init__(self, lr, beta=0.9, nesterov=False):
        self.lr = _positive("lr", lr)
        self.beta = _fraction("beta", beta)
        self.nesterov = bool(nesterov)
        super().__init__()

    def _new_state(self, p):
        return [np.zeros_like(p), np.zeros_like(p)]  # a scratch array, the velocity v

    def _update(self, name, p, g, lr, state):
        scratch, v = state
        np.multiply(g, lr, out=scratch)  # scratch = lr g
        if self.beta == 0:  # v = -lr g: the same bits as gradient descent, two operations fewer
            np.negative(scratch, out=v)
            p -= scratch
            return
        v *= self.beta
        v -= scratch
        if self.nesterov:
            p -= scratch
            np.multiply(v, self.beta, out=scratch)
            p += scratch
        else:
            p += v


class Adam(Rule):
    r"""Adam (Kingma and Ba, 2015).

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
        \hat m = m / (1-\beta_1^t), \quad \hat v = v / (1-\beta_2^t), \quad
        x \leftarrow x - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    ``bias_correction=False`` drops the two divisions (a common mistake the notebooks show).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        self.lr = _positive("lr", lr)
        self.beta1 = _fraction("beta1", beta1)
        self.beta2 = _fraction("beta2", beta2)
        self.eps = _positive("eps", eps)
        self.bias_correction = bool(bias_correction)
        super().__init__()

    def _new_state(self, p):
        return [np.zeros_like(p) for _ in range(3)]  # a scratch array, the moments m and v

    def _update(self, name, p, g, lr, state):
        scratch, m, v = state
        c1 = 1.0 - self.beta1**self.t if self.bias_correction else 1.0
        c2 = 1.0 - self.beta2**self.t if self.bias_correction else 1.0
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.beta2
        v += scratch
        np.divide(v, c2, out=scratch)  # scratch = sqrt(v_hat) + eps, then the step
        np.sqrt(scratch, out=scratch)
        scratch += self.eps
        np.divide(m, scratch, out=scratch)
        scratch *= lr / c1
        p -= scratch


class Newton(Rule):
    r"""Newton's method: :math:`x \leftarrow x - \text{scale}\,(H + \lambda I)^{-1} g`.

    ``damping`` :math:`\lambda \ge 0` is added to the Hessian's diagonal (0: pure Newton). The
    Hessian comes from what :func:`descend` minimizes (``attach``): its ``hessians(params)``,
    one (n, n) matrix per parameter array of n numbers.
    """

    def __init__(self, damping=0.0):
        damping = float(damping)
        if not np.isfinite(damping) or damping < 0:
            raise ValueError(f"damping must be a finite number >= 0, got {damping}")
        self.damping = damping
        self._hessians = None
        super().__init__()

    def attach(self, problem):
        self._hessians = getattr(problem, "hessians", None)
        if self._hessians is None:
            raise ValueError("Newton needs second derivatives, which helpers.objectives objectives provide; "
                             "use it with minimize(objective, x0, Newton(), steps)")

    def step(self, params, grads, scale=1.0):
        self._H = self._hessians(params)
        super().step(params, grads, scale)

    def _update(self, name, p, g, lr, state):
        n = p.size
        H = np.asarray(self._H[name], dtype=np.float64).reshape(n, n) + self.damping * np.eye(n)
        try:
            d = np.linalg.solve(H, g.reshape(n))
        except np.linalg.LinAlgError:
            raise ValueError("the Hessian is singular here, so the Newton step is undefined; "
                             "use Newton(damping=...) with a small positive damping") from None
        p -= lr * d.reshape(p.shape)


#: rule name -> factory (lr, beta, beta2) -> Rule; the command line's --rule and the
#: explorers' rule menus offer these names
RULES = {
    "gd": lambda lr, beta, beta2: GD(lr),
    "momentum": lambda lr, beta, beta2: Momentum(lr, beta),  # beta = 0: gradient descent
    "nesterov": lambda lr, beta, beta2: Momentum(lr, beta, nesterov=True),
    "adam": lambda lr, beta, beta2: Adam(lr, beta1=beta, beta2=beta2),
}


def make_rule(name="momentum", lr=0.01, beta=0.9, beta2=0.999):
    """The update rule ``name`` of ``RULES`` with these settings (beta is Adam's beta1)."""
    if name not in RULES:
        raise ValueError(f"unknown update rule {name!r}; choose one of {', '.join(RULES)}")
    return RULES[name](lr, beta, beta2)


def cosine(epoch, epochs):
    """Learning-rate factor for ``epoch`` (0-based) of ``epochs``: from 1 down along half a cosine."""
    return 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


@dataclass
class Run:
    """How :func:`descend` ended: ``steps`` taken, ``epochs`` completed, and ``stopped``
    (None when it ran to the end, else the reason in one sentence)."""

    steps: int = 0
    epochs: int = 0
    stopped: str | None = None


def descend(loss_and_grads, params, rule, batches, *, epochs=1, schedule=None, on_step=None, on_epoch=None,
            max_growth=None):
    """The loop every iterative method runs: compute, check, step, report; returns a :class:`Run`.

    loss_and_grads: batch -> (loss, grads keyed like ``params``); for Newton also an object
        with ``hessians(params)`` (see ``Rule.attach``).
    params: dict name -> array, updated in place; rule: a :class:`Rule` (its state carries over).
    batches: an iterable of one epoch's batches (anything loss_and_grads accepts), or a
        callable epoch -> iterable (a new shuffle per epoch).
    schedule: optional (epoch, epochs) -> factor on that epoch's learning rate (e.g. :func:`cosine`).
    on_step (step, loss) and on_epoch (epoch, 1-based): optional callbacks; a returned string
        stops the loop with that reason.
    max_growth: stop when a loss exceeds this factor times the first one (None: unchecked).
        A loss that is not finite always stops the run.
    """
    rule.attach(loss_and_grads)
    run = Run()
    first = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is caught, not warned
        for epoch in range(epochs):
            scale = 1.0 if schedule is None else float(schedule(epoch, epochs))
            for batch in batches(epoch) if callable(batches) else batches:
                loss, grads = loss_and_grads(batch)
                if first is None:
                    first = abs(loss)
                if not math.isfinite(loss):
                    run.stopped = f"diverged at step {run.steps + 1}: the loss is no longer finite"
                elif max_growth is not None and loss > max_growth * max(first, 1e-12):
                    run.stopped = (f"diverged at step {run.steps + 1}: the loss grew to {loss:.3g}, "
                                   f"more than {max_growth:g} times its first value {first:.3g}")
                if run.stopped:
                    return run
                rule.step(params, grads, scale)
                run.steps += 1
                if on_step is not None and (reason := on_step(run.steps, loss)):
                    run.stopped = reason
                    return run
            run.epochs += 1
            if on_epoch is not None and (reason := on_epoch(run.epochs)):
                run.stopped = reason
                return run
    return run


class _Point:
    """An objective seen by :func:`descend` at the point ``{"x": x}``. With ``value_and_grad``
    the loop watches f; otherwise |grad f|^2, which costs no evaluation of f."""

    def __init__(self, objective, x):
        self.objective, self.x = objective, x

    def __call__(self, _step):
        obj, x = self.objective, self.x
        if obj.value_and_grad is not None:
            value, grad = obj.value_and_grad(x)
            grad = np.asarray(grad, dtype=np.float64).reshape(x.shape)
        else:
            grad = obj.grad(x)
            if grad.shape != x.shape or grad.dtype != np.float64:
                grad = np.asarray(grad, dtype=np.float64).reshape(x.shape)
            value = grad @ grad
        return float(value), {"x": grad}

    def hessians(self, params):
        if self.objective.hess is None:
            raise ValueError(f"Newton needs the Hessian; the objective {self.objective.name!r} has none (hess=None)")
        return {"x": self.objective.hess(params["x"])}


def minimize(objective, x0, rule, steps, max_norm=1e8):
    """Run ``rule`` (reset first) on ``objective`` from ``x0`` for ``steps`` steps; returns the
    path, a (k + 1, dim) float64 array of iterates, x0 first.

    k = steps, unless the run diverged: it stops cleanly once an iterate leaves the ball of
    radius ``max_norm`` or stops being finite, and the path ends at the last finite iterate
    (:func:`minimize_run` also says why).
    """
    return minimize_run(objective, x0, rule, steps, max_norm)[0]


def minimize_run(objective, x0, rule, steps, max_norm=1e8):
    """:func:`minimize`, returning ``(path, run)``: ``run.stopped`` says why a run ended early."""
    x = np.array(x0, dtype=np.float64).reshape(-1)
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite, got {x0}")
    max_norm = float(max_norm)
    if not max_norm > 0:  # also rejects NaN, which would switch the check off
        raise ValueError(f"max_norm must be a positive number, got {max_norm}")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    rule.reset()
    path = np.empty((steps + 1, x.size))
    path[0] = x
    last = [0]  # index of the last finite iterate stored in path

    def record(k, _loss):
        norm = math.sqrt(x @ x)
        if not math.isfinite(norm):
            return f"diverged at step {k}: the iterate is no longer finite"
        path[k] = x
        last[0] = k
        if norm > max_norm:
            return f"diverged at step {k}: the iterate left the ball of radius {max_norm:g}"

    run = descend(_Point(objective, x), {"x": x}, rule, range(steps), on_step=record)
    if run.stopped and objective.value_and_grad is None:
        run.stopped = run.stopped.replace("the loss is", "the gradient is")
    return path[:last[0] + 1], run
