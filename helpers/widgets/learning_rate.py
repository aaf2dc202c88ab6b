"""Explorer of notebook 02: how the learning rate of gradient descent changes the error.

The explorer does not know the network: it gets a start vector ``theta0`` and, per
training run, a function ``theta -> (loss, grad)`` (notebook 02 passes the 2-2-2 network
trained with squared error and with cross-entropy). Every run is measured with the same
``error`` function, so the curves are comparable even when the losses differ.
"""

import numpy as np

from ..objectives import Objective
from ..optim import GD, minimize
from ..plots import PATH_COLORS
from .base import Explorer, int_slider, log_slider

__all__ = ["LearningRateExplorer"]


class LearningRateExplorer(Explorer):
    """The learning rate (log slider) against the error, after one step and after many.

    Left: the error after ONE gradient step as a function of the learning rate, for every
    run (drawn once from a sweep over the slider's range), with the current rate marked.
    Right: the error over ``steps`` steps of gradient descent (``helpers.optim.minimize``)
    at the current rate, one curve per run, on a fixed log scale from ``error_floor`` to
    ``error_ceiling`` (fixed limits keep a slider move cheap: only the curves are redrawn).

    Parameters
    ----------
    theta0 : (P,) start parameters
    runs : dict label -> callable theta -> (loss, grad); one training run each
    error : callable theta -> float plotted for every run; None uses each run's own loss
    lr, steps : initial values of the sliders
    lr_range : (min_exp, max_exp): the slider moves from 10**min_exp to 10**max_exp
    max_steps : upper end of the steps slider
    error_label : y-axis label
    error_floor, error_ceiling : y-limits of the right panel

    Attributes
    ----------
    results : dict label -> (k + 1,) errors at the iterates of the last update (shorter
        than steps + 1 when the run diverged)
    """

    figsize = (9.6, 4.0)

    def __init__(self, theta0, runs, error=None, lr=0.5, steps=50, lr_range=(-2, 2),
                 max_steps=200, error_label="E", error_floor=1e-10, error_ceiling=1.0):
        super().__init__()
        if not runs:
            raise ValueError("LearningRateExplorer needs at least one run (label -> loss_and_grad)")
        self.theta0 = np.array(theta0, dtype=np.float64)
        self.objectives = {label: Objective(lambda th, fn=fn: fn(th)[0], lambda th, fn=fn: fn(th)[1], name=label,
                                            value_and_grad=fn) for label, fn in runs.items()}
        self.error = error
        self.ax_one, self.ax_many = self.fig.subplots(1, 2)
        first = next(iter(self.objectives.values()))

        # static: the one-step sweep, computed once (one gradient per run, then only errors)
        self.sweep_lrs = np.logspace(lr_range[0], lr_range[1], 121)
        self.sweep = {}
        for i, (label, obj) in enumerate(self.objectives.items()):
            g0 = obj.grad(self.theta0)
            with np.errstate(over="ignore", invalid="ignore"):
                self.sweep[label] = np.array([self._measure(obj, self.theta0 - a * g0) for a in self.sweep_lrs])
            self.ax_one.plot(self.sweep_lrs, self.sweep[label], color=PATH_COLORS[i % len(PATH_COLORS)], label=label)
        self.ax_one.axhline(self._measure(first, self.theta0), color="0.5", linestyle="--", linewidth=1,
                            label="before the step")
        self.ax_one.set_xscale("log")
        self.ax_one.set(xlabel=r"learning rate $\eta$", ylabel=f"{error_label} after one step",
                        title="One gradient step")
        self.ax_one.legend(fontsize=8, loc="upper left")

        # dynamic: current-rate marker (left), error curves (right)
        self.lr_line = self.dynamic(self.ax_one.axvline(lr, color="k", linewidth=1))
        self.markers, self.curves = {}, {}
        for i, label in enumerate(self.objectives):
            color = PATH_COLORS[i % len(PATH_COLORS)]
            self.markers[label] = self.dynamic(self.ax_one.plot([], [], "o", color=color, markersize=6)[0])
            self.curves[label] = self.dynamic(self.ax_many.plot([], [], color=color, label=label)[0])
        self.ax_many.set_yscale("log")
        self.ax_many.set_ylim(error_floor, error_ceiling)
        self.ax_many.set(xlabel="step", ylabel=error_label, title="Many steps at this learning rate")
        self.ax_many.legend(fontsize=8, loc="lower left")
        self.status = self.dynamic(self.ax_many.text(0.98, 0.97, "", transform=self.ax_many.transAxes,
                                                     ha="right", va="top", fontsize=8))
        self.fig.tight_layout()
        self.controls = {
            "lr": log_slider("learning rate", lr, *lr_range),
            "steps": int_slider("steps", steps, 1, max_steps),
        }
        self._start()

    def _measure(self, obj, theta):
        return float(obj.f(theta) if self.error is None else self.error(theta))

    def update(self):
        v = self.values()
        lr, steps = v["lr"], v["steps"]
        self.lr_line.set_xdata([lr, lr])
        self.results = {}
        lines = []
        for label, obj in self.objectives.items():
            with np.errstate(over="ignore", invalid="ignore"):
                errs = np.array([self._measure(obj, th) for th in minimize(obj, self.theta0, GD(lr), steps)])
            errs = errs[:np.argmin(np.isfinite(errs))] if not np.isfinite(errs).all() else errs
            self.results[label] = errs
            self.curves[label].set_data(np.arange(len(errs)), errs)
            one = errs[1] if len(errs) > 1 else np.nan
            self.markers[label].set_data([lr], [one])
            lines.append(f"{label}: {one:.5f} after 1, {errs[-1]:.3g} after {len(errs) - 1}")
        self.set_limits(self.ax_many, xlim=(0, steps))
        self.status.set_text("\n".join(lines))
