"""Explorer of notebook 02: how the learning rate of gradient descent changes the error.

The explorer does not know the network: it gets a start vector ``theta0`` and, per
training run, a function ``theta -> (loss, grad)`` (notebook 02 passes the 2-2-2 network
trained with squared error and with cross-entropy). Every run is measured with the same
``error`` function, so the curves are comparable even when the losses differ.
"""

import numpy as np

from ..optim import GD
from ..plots import PATH_COLORS
from . import Explorer, int_slider, log_slider

__all__ = ["EtaExplorer", "descent_errors"]


def descent_errors(loss_and_grad, theta0, eta, steps, error=None):
    """Run gradient descent and return the error after each step.

    Parameters
    ----------
    loss_and_grad : callable theta (P,) -> (loss, grad (P,))
    theta0 : (P,) start (never modified)
    eta : learning rate
    steps : number of steps
    error : callable theta -> float measured along the way; None measures the loss itself

    Returns
    -------
    errors : (steps + 1,) float64 array, errors[0] at theta0; stops early (shorter array)
        if the error stops being finite
    theta : (P,) the last parameters
    """
    theta = np.array(theta0, dtype=np.float64)
    rule = GD(eta)
    out = np.empty(int(steps) + 1)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run ends quietly, not with warnings
        for k in range(int(steps) + 1):
            if error is None or k < steps:  # the last point needs no gradient
                loss, grad = loss_and_grad(theta)
            out[k] = loss if error is None else error(theta)
            if not np.isfinite(out[k]):
                return out[:k], theta
            if k < steps:
                rule.step([theta], [np.asarray(grad, dtype=np.float64)])
    return out, theta


class EtaExplorer(Explorer):
    """The learning rate eta (log slider) against the error, after one step and after many.

    Left: the error after ONE gradient step as a function of eta, for every run (drawn once
    from a sweep over the slider's range), with the current eta marked. Right: the error
    over ``steps`` steps at the current eta, one curve per run, on a fixed log scale from
    ``error_floor`` to ``error_ceiling`` (fixed limits keep a slider move cheap: only the
    curves are redrawn; the background is redrawn only when the number of steps changes).

    Parameters
    ----------
    theta0 : (P,) start parameters
    runs : dict label -> callable theta -> (loss, grad); one training run each
    error : callable theta -> float plotted for every run; None uses each run's own loss
    eta, steps : initial values of the sliders
    eta_range : (min_exp, max_exp): the slider moves from 10**min_exp to 10**max_exp
    max_steps : upper end of the steps slider
    error_label : y-axis label
    error_floor, error_ceiling : y-limits of the right panel
    """

    figsize = (9.6, 4.0)

    def __init__(self, theta0, runs, error=None, eta=0.5, steps=50, eta_range=(-2, 2),
                 max_steps=200, error_label="E", error_floor=1e-10, error_ceiling=1.0):
        super().__init__()
        if not runs:
            raise ValueError("EtaExplorer needs at least one run (label -> loss_and_grad)")
        self.theta0 = np.array(theta0, dtype=np.float64)
        self.runs = dict(runs)
        self.error = error
        self.ax_one, self.ax_many = self.fig.subplots(1, 2)
        e0 = self._measure(next(iter(self.runs.values())), self.theta0)

        # static: the one-step sweep, computed once (one gradient per run, then only errors)
        self.sweep_etas = np.logspace(eta_range[0], eta_range[1], 121)
        self.sweep = {}
        for i, (label, fn) in enumerate(self.runs.items()):
            _, g0 = fn(self.theta0)
            g0 = np.asarray(g0, dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                vals = np.array([self._measure(fn, self.theta0 - a * g0) for a in self.sweep_etas])
            self.sweep[label] = vals
            self.ax_one.plot(self.sweep_etas, vals, color=PATH_COLORS[i % len(PATH_COLORS)], label=label)
        self.ax_one.axhline(e0, color="0.5", linestyle="--", linewidth=1, label="before the step")
        self.ax_one.set_xscale("log")
        self.ax_one.set(xlabel=r"learning rate $\eta$", ylabel=f"{error_label} after one step",
                        title="One gradient step")
        self.ax_one.legend(fontsize=8, loc="upper left")

        # dynamic: current-eta marker (left), error curves (right)
        self.eta_line = self.dynamic(self.ax_one.axvline(eta, color="k", linewidth=1))
        self.markers = {}
        self.curves = {}
        for i, label in enumerate(self.runs):
            color = PATH_COLORS[i % len(PATH_COLORS)]
            self.markers[label] = self.dynamic(self.ax_one.plot([], [], "o", color=color, markersize=6)[0])
            self.curves[label] = self.dynamic(self.ax_many.plot([], [], color=color, label=label)[0])
        self.ax_many.set_yscale("log")
        self.ax_many.set_ylim(error_floor, error_ceiling)
        self._xmax = None
        self.ax_many.set(xlabel="step", ylabel=error_label, title="Many steps at this learning rate")
        self.ax_many.legend(fontsize=8, loc="lower left")
        self.status = self.dynamic(self.ax_many.text(0.98, 0.97, "", transform=self.ax_many.transAxes,
                                                     ha="right", va="top", fontsize=8))
        self.fig.tight_layout()
        self.controls = {
            "eta": log_slider("learning rate", eta, *eta_range),
            "steps": int_slider("steps", steps, 1, max_steps),
        }
        self._start()

    def _measure(self, fn, theta):
        return float(fn(theta)[0] if self.error is None else self.error(theta))

    def update(self):
        v = self.values()
        eta, steps = v["eta"], v["steps"]
        self.eta_line.set_xdata([eta, eta])
        self.results = {}
        lines = []
        for label, fn in self.runs.items():
            errs, _ = descent_errors(fn, self.theta0, eta, steps, self.error)
            self.results[label] = errs
            self.curves[label].set_data(np.arange(len(errs)), errs)
            one = errs[1] if len(errs) > 1 else np.nan
            self.markers[label].set_data([eta], [one])
            lines.append(f"{label}: {one:.5f} after 1, {errs[-1]:.3g} after {len(errs) - 1}")
        if steps != self._xmax:  # new x-limits: the cached background is stale
            self._xmax = steps
            self.ax_many.set_xlim(0, steps)
            self.invalidate()
        self.status.set_text("\n".join(lines))
