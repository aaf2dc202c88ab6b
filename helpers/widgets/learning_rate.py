"""Explorer of notebook 02: how the learning rate of gradient descent changes the error."""

import functools

import numpy as np

from ..objectives import Objective
from ..optim import GD, minimize
from ..plots import PATH_COLORS
from .base import Explorer, int_slider, log_slider

__all__ = ["LearningRateExplorer"]


def _gd_step(theta, g, lr):
    """theta after one step of helpers.optim.GD(lr) with gradient g (theta is not changed)."""
    theta = theta.copy()
    GD(lr).step({"x": theta}, {"x": g})
    return theta


class LearningRateExplorer(Explorer):
    """The learning rate (log slider) against the error, after one gradient step and after ``steps``.

    runs : dict label -> callable theta -> (loss, grad), one gradient-descent run each from theta0 (P,)
    error : callable theta -> float measured on every run (comparable when the losses differ);
        None uses each run's own loss
    ``results`` : label -> (k + 1,) errors at the iterates of the last update (k < steps if it diverged),
        new arrays at each update; the last ``CACHE`` settings are kept: settings seen again are not run again
    """

    CACHE = 64  # (lr, steps) -> the runs' errors, a few KB

    def __init__(self, theta0, runs, error=None, lr=0.5, steps=50, lr_range=(-2, 2),
                 max_steps=200, error_label="E", error_floor=1e-10, error_ceiling=1.0):
        super().__init__()
        if not runs:
            raise ValueError("LearningRateExplorer needs at least one run (label -> loss_and_grad)")
        self.theta0 = np.array(theta0, dtype=np.float64)
        self.objectives = {label: Objective(lambda th, fn=fn: fn(th)[0], lambda th, fn=fn: fn(th)[1], name=label,
                                            value_and_grad=fn) for label, fn in runs.items()}
        self.error = error
        self._runs = functools.lru_cache(maxsize=self.CACHE)(self._run)
        self.ax_one, self.ax_many = self.fig.subplots(1, 2)
        colors = [PATH_COLORS[i % len(PATH_COLORS)] for i in range(len(runs))]
        # static: the one-step sweep, computed once (one gradient per run, then only errors)
        self.sweep_lrs = np.logspace(lr_range[0], lr_range[1], 121)
        self.sweep = {}
        for color, (label, obj) in zip(colors, self.objectives.items()):
            g0 = obj.grad(self.theta0)
            with np.errstate(over="ignore", invalid="ignore"):
                self.sweep[label] = np.array([self._measure(obj, _gd_step(self.theta0, g0, a)) for a in self.sweep_lrs])
            self.ax_one.plot(self.sweep_lrs, self.sweep[label], color=color, label=label)
        self.ax_one.axhline(self._measure(next(iter(self.objectives.values())), self.theta0), color="0.5",
                            linestyle="--", linewidth=1, label="before the step")
        self.ax_one.set(xscale="log", xlabel=r"learning rate $\eta$", ylabel=f"{error_label} after one step",
                        title="One gradient step")
        self.ax_one.legend(fontsize=8, loc="upper left")
        self.lr_line = self.dynamic(self.ax_one.axvline(lr, color="k", linewidth=1))
        self.markers, self.curves = {}, {}
        for color, label in zip(colors, self.objectives):
            self.markers[label] = self._line(self.ax_one, "o", color=color, markersize=6)
            self.curves[label] = self._line(self.ax_many, color=color, label=label)
        self.ax_many.set(yscale="log", ylim=(error_floor, error_ceiling), xlabel="step", ylabel=error_label,
                         title="Many steps at this learning rate")
        self.ax_many.legend(fontsize=8, loc="lower left")
        self.status = self._note(self.ax_many, fontsize=8)
        self._start({"lr": log_slider("learning rate", lr, *lr_range),
                     "steps": int_slider("steps", steps, 1, max_steps, widen="max_steps")})

    def _measure(self, obj, theta):
        return float(obj.f(theta) if self.error is None else self.error(theta))

    def _run(self, lr, steps):
        """label -> the errors at the iterates of gradient descent at ``lr`` (up to the first that is not finite)."""
        results = {}
        for label, obj in self.objectives.items():
            with np.errstate(over="ignore", invalid="ignore"):
                errs = np.array([self._measure(obj, th) for th in minimize(obj, self.theta0, GD(lr), steps)])
            results[label] = errs[:np.argmin(np.isfinite(errs))] if not np.isfinite(errs).all() else errs
        return results

    def update(self):
        v = self.values()
        lr, steps = v["lr"], v["steps"]
        self.lr_line.set_xdata([lr, lr])
        self.results = {label: errs.copy() for label, errs in self._runs(lr, steps).items()}  # the kept stay as run
        lines = []
        for label, errs in self.results.items():
            self.curves[label].set_data(np.arange(len(errs)), errs)
            one = errs[1] if len(errs) > 1 else np.nan
            self.markers[label].set_data([lr], [one])
            lines.append(f"{label}: {one:.5f} after 1, {errs[-1]:.3g} after {len(errs) - 1}")
        self.set_limits(self.ax_many, xlim=(0, steps))
        self.status.set_text("\n".join(lines))
