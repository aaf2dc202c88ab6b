r"""Update rules, and the one loop that drives them.

A *problem* is what the loop minimizes: ``problem.params`` (dict name -> array, changed in place)
and ``problem.loss_and_grads(batch) -> (loss, grads keyed like params)``; for Newton also
``problem.hessians(params)``. An objective at a point (``Objective.at(x)``) and a network with its
data (``MLP.problem(X, y, l2)``) are problems. A rule has named hyperparameters (``rule.hyper``)
and, per parameter array, named state (``rule.state[name]["v"]``); ``rule.step(params, grads,
scale)`` updates in place, ``scale`` multiplying the learning rate for that step only (schedules
are passed to the loop, never written into the rule). :func:`descend` is the loop; it ends early
with a :class:`Stop`, a value. A new update rule is one subclass of :class:`Rule` (or one
:class:`FunctionRule`) and one entry in ``RULES``.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Rule", "FunctionRule", "GD", "Momentum", "Adam", "Newton", "RULES", "make_rule", "Stop", "Run",
           "descend", "minimize", "minimize_run", "cosine"]


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
    """Base of the update rules: ``step(params, grads, scale=1.0, problem=None)``.

    A subclass names its hyperparameters in ``HYPER`` (its constructor's arguments, kept as
    attributes of the same names; ``MENU``: those the menu's beta and beta2 set, see
    :func:`make_rule`) and its state arrays in ``SLOTS``, and implements ``update(p, g, lr,
    state)``: one array p changed in place from its gradient g, with ``state`` its dict slot ->
    array (zeros at first) and ``self.t`` the step count.
    """

    HYPER, MENU, SLOTS = ("lr",), (), ()
    lr = 1.0

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.state, self.t, self._scratch = {}, 0, {}

    @property
    def hyper(self):
        """The hyperparameters by name: ``make_rule(name, **rule.hyper)`` makes the same rule."""
        return {k: getattr(self, k) for k in self.HYPER}

    def _buffer(self, p):
        """A scratch array like p (shared by the arrays of one shape and dtype)."""
        key = (p.shape, p.dtype.char)  # its type code: a fifth of the time of its name, dtype.str
        if key not in self._scratch:
            self._scratch[key] = np.empty_like(p)
        return self._scratch[key]

    def _arrays(self, params, grads):
        """(name, p, g, state) for every array of params, after checking its gradient."""
        for name, p in params.items():
            g = grads.get(name)
            if g is None or g.shape != p.shape:
                got = "nothing" if g is None else f"shape {g.shape}"
                raise ValueError(f"gradient for {name!r}: expected shape {p.shape}, got {got}")
            state = self.state.get(name)
            if state is None or [s for s in state.values() if s.shape != p.shape]:  # a list: any() costs more
                state = self.state[name] = {slot: np.zeros_like(p) for slot in self.SLOTS}
            yield name, p, g, state

    def step(self, params, grads, scale=1.0, problem=None):
        """One update of every array in ``params`` from ``grads`` (same keys and shapes; never
        modified); ``problem``: what is minimized (Newton asks it for the Hessian)."""
        self.t += 1
        lr = self.lr * scale
        for _, p, g, state in self._arrays(params, grads):
            self.update(p, g, lr, state)

    def __repr__(self):
        args = ", ".join(f"{k}={v:g}" for k, v in self.hyper.items() if isinstance(v, float))
        return f"{type(self).__name__}({args})"


class FunctionRule(Rule):
    """A rule written as a function ``update(p, g, lr, state, t) -> new p`` (or None when it changed
    p in place); ``state``: dict slot -> array for the names in ``slots``, zeros at first."""

    def __init__(self, update, lr=1.0, slots=()):
        self.fn, self.lr, self.SLOTS = update, _positive("lr", lr), tuple(slots)
        super().__init__()

    def update(self, p, g, lr, state):
        new = self.fn(p, g, lr, state, self.t)
        if new is not None:
            p[...] = new


class GD(Rule):
    r"""Gradient descent: :math:`x \leftarrow x - \eta\, g`."""

    def __init__(self, lr):
        self.lr = _positive("lr", lr)
        super().__init__()

    def update(self, p, g, lr, state):
        p -= np.multiply(g, lr, out=self._buffer(p))


class Momentum(Rule):
    r"""Heavy-ball momentum: :math:`v \leftarrow \beta v - \eta g,\; x \leftarrow x + v`.

    ``nesterov=True`` looks ahead along the new velocity: :math:`x \leftarrow x + \beta v - \eta g`.
    With beta = 0 both are exactly gradient descent.
    """

    HYPER, MENU, SLOTS = ("lr", "beta", "nesterov"), ("beta",), ("v",)

    def __init__(self, lr, beta=0.9, nesterov=False):
        self.lr = _positive("lr", lr)
        self.beta = _fraction("beta", beta)
        self.nesterov = bool(nesterov)
        super().__init__()

    def update(self, p, g, lr, state):
        v, scratch = state["v"], np.multiply(g, lr, out=self._buffer(p))  # scratch = lr g
        if self.beta == 0:  # v = -lr g: the same bits as gradient descent, two operations fewer
            np.negative(scratch, out=v)
            p -= scratch
            return
        v *= self.beta
        v -= scratch
        if self.nesterov:
            p -= scratch
            p += np.multiply(v, self.beta, out=scratch)
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

    HYPER, MENU, SLOTS = ("lr", "beta1", "beta2", "eps", "bias_correction"), ("beta1", "beta2"), ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        self.lr = _positive("lr", lr)
        self.beta1 = _fraction("beta1", beta1)
        self.beta2 = _fraction("beta2", beta2)
        self.eps = _positive("eps", eps)
        self.bias_correction = bool(bias_correction)
        super().__init__()

    def update(self, p, g, lr, state):
        m, v, scratch = state["m"], state["v"], self._buffer(p)
        c1 = 1.0 - self.beta1**self.t if self.bias_correction else 1.0
        c2 = 1.0 - self.beta2**self.t if self.bias_correction else 1.0
        m *= self.beta1
        m += np.multiply(g, 1.0 - self.beta1, out=scratch)  # no temporary of g's size
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
    Hessians come from the problem: ``problem.hessians(params)``, one (n, n) matrix per
    parameter array of n numbers.
    """

    HYPER = ("damping",)

    def __init__(self, damping=0.0):
        damping = float(damping)
        if not np.isfinite(damping) or damping < 0:
            raise ValueError(f"damping must be a finite number >= 0, got {damping}")
        self.damping = damping
        super().__init__()

    def step(self, params, grads, scale=1.0, problem=None):
        if getattr(problem, "hessians", None) is None:
            raise ValueError("Newton needs second derivatives, which helpers.objectives objectives provide; "
                             "use it with minimize(objective, x0, Newton(), steps)")
        hessians = problem.hessians(params)
        self.t += 1
        for name, p, g, _ in self._arrays(params, grads):
            n = p.size
            H = np.asarray(hessians[name], dtype=np.float64).reshape(n, n) + self.damping * np.eye(n)
            try:
                d = np.linalg.solve(H, g.reshape(n))
            except np.linalg.LinAlgError:
                raise ValueError("the Hessian is singular here, so the Newton step is undefined; "
                                 "use Newton(damping=...) with a small positive damping") from None
            p -= scale * d.reshape(p.shape)


#: the update rules by name: the command line's --rule and the explorers' rule menus offer these
RULES = {"gd": GD, "momentum": Momentum, "nesterov": functools.partial(Momentum, nesterov=True), "adam": Adam}


def make_rule(name="momentum", lr=0.01, *menu, **hyper):
    """The update rule ``name`` of ``RULES``: ``make_rule("adam", lr=1e-3, beta1=0.9)``.

    Keywords are the rule's hyperparameters by its own names; positional values after lr are the
    menu's beta and beta2 (beta is momentum's beta and Adam's beta1; gradient descent has none).
    """
    if name not in RULES:
        raise ValueError(f"unknown update rule {name!r}; choose one of {', '.join(RULES)}")
    factory = RULES[name]
    cls = getattr(factory, "func", factory)
    unknown = sorted(set(hyper) - set(cls.HYPER))
    if unknown:
        raise ValueError(f"the update rule {name!r} has no setting {unknown[0]!r}; "
                         f"its settings are {', '.join(cls.HYPER)}")
    return factory(lr=lr, **{**dict(zip(cls.MENU, menu)), **hyper})


def cosine(epoch, epochs):
    """Learning-rate factor for ``epoch`` (0-based) of ``epochs``: from 1 down along half a cosine."""
    return 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


@dataclass(frozen=True)
class Stop:
    """Why a loop ended early: ``kind`` ("not finite", "grew", "left the ball" or "callback"), at
    ``step`` (1-based), and ``why``, a sentence for humans."""

    kind: str
    step: int
    why: str

    @property
    def diverged(self):
        return self.kind != "callback"

    def __str__(self):
        return f"diverged at step {self.step}: {self.why}" if self.diverged else self.why


def _as_stop(value, step):
    """What a callback returned as a :class:`Stop` (None: go on; a Stop as it is; else stopped by it)."""
    if not value or isinstance(value, Stop):
        return value or None
    return Stop("callback", step, value if isinstance(value, str) else "stopped by the callback")


@dataclass
class Run:
    """How :func:`descend` ended: ``steps`` taken, ``epochs`` completed, ``stop`` (None when it ran
    to the end, else a :class:`Stop`); ``stopped``: that reason as a sentence, or None."""

    steps: int = 0
    epochs: int = 0
    stop: Stop | None = None

    @property
    def stopped(self):
        return None if self.stop is None else str(self.stop)


def _growth(loss, first, max_growth, step, watched):
    """A Stop when the loss is not finite or grew past max_growth times the first one, else None."""
    if not math.isfinite(loss):
        return Stop("not finite", step, f"the {watched} is no longer finite")
    if max_growth is not None and loss > max_growth * max(first, 1e-12):
        return Stop("grew", step, f"the {watched} grew to {loss:.3g}, more than {max_growth:g} times its "
                                  f"first value {first:.3g}")
    return None


def descend(problem, rule, batches, *, epochs=1, schedule=None, on_step=None, on_epoch=None, max_growth=None):
    """The loop every iterative method runs: compute, check, step, report; returns a :class:`Run`.

    problem: ``.params`` (updated in place) and ``.loss_and_grads(batch)`` (see the module);
    its ``watched`` names the loss in a Stop's sentence (default "loss").
    rule: a :class:`Rule` (its state carries over).
    batches: an iterable of one epoch's batches (anything loss_and_grads accepts), or a
        callable epoch -> iterable (a new shuffle per epoch).
    schedule: optional (epoch, epochs) -> factor on that epoch's learning rate (e.g. :func:`cosine`).
    on_step (step, loss, batch) and on_epoch (epoch, 1-based): optional callbacks; a returned
        :class:`Stop` (or any true value: "stopped by the callback") ends the run.
    max_growth: stop when a loss exceeds this factor times the first one (None: unchecked).
        A loss that is not finite always stops the run.
    """
    params, compute, watched = problem.params, problem.loss_and_grads, getattr(problem, "watched", "loss")
    run, first, limit, step = Run(), None, math.inf, rule.step
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is caught, not warned
        for epoch in range(epochs):
            scale = 1.0 if schedule is None else float(schedule(epoch, epochs))
            for batch in batches(epoch) if callable(batches) else batches:
                loss, grads = compute(batch)
                if first is None:
                    first = abs(loss)
                    limit = math.inf if max_growth is None else max_growth * max(first, 1e-12)
                # one comparison passes the common case (finite, within the limit); _growth says why not
                if not -math.inf < loss < limit and (stop := _growth(loss, first, max_growth, run.steps + 1, watched)):
                    run.stop = stop
                    return run
                step(params, grads, scale, problem)
                run.steps += 1
                if on_step is not None and (stop := on_step(run.steps, loss, batch)):
                    run.stop = _as_stop(stop, run.steps)
                    return run
            run.epochs += 1
            if on_epoch is not None and (stop := _as_stop(on_epoch(run.epochs), run.steps)):
                run.stop = stop
                return run
    return run


def minimize(objective, x0, rule, steps, max_norm=1e8):
    """Run ``rule`` (reset first) on ``objective`` from ``x0`` for ``steps`` steps; returns the
    path, a (k + 1, dim) float64 array of iterates, x0 first.

    k = steps, unless the run diverged: it stops cleanly once an iterate leaves the ball of
    radius ``max_norm`` or stops being finite, and the path ends at the last finite iterate
    (:func:`minimize_run` also says why).
    """
    return minimize_run(objective, x0, rule, steps, max_norm)[0]


def minimize_run(objective, x0, rule, steps, max_norm=1e8):
    """:func:`minimize`, returning ``(path, run)``: ``run.stop`` says why a run ended early."""
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

    def record(k, _loss, _batch):
        norm = math.sqrt(x.dot(x))  # the bits of x @ x, in half its time
        if not math.isfinite(norm):
            return Stop("not finite", k, "the iterate is no longer finite")
        path[k] = x
        last[0] = k
        if norm > max_norm:
            return Stop("left the ball", k, f"the iterate left the ball of radius {max_norm:g}")

    run = descend(objective.at(x), rule, range(steps), on_step=record)
    return path[:last[0] + 1], run
