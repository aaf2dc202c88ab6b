"""Explorers of notebooks 01 and 03: a descent path drawn over the contours of a 2-D objective."""

import functools

import numpy as np

from ..objectives import ROSENBROCK
from ..optim import RULES, make_rule, minimize_run
from ..plots import contour_background
from .base import Explorer, dropdown, int_slider, linear_slider, log_slider, snap

__all__ = ["DescentExplorer", "RosenbrockExplorer"]


class DescentExplorer(Explorer):
    """An update rule (any of ``helpers.optim.RULES``; beta is Adam's beta1) on a 2-D objective:
    the path of ``helpers.optim.minimize_run`` over the contours, and f along it.

    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    f_offset : subtracted from f in the f panel (log scale: f - offset > 0); None: linear scale
    f_limits : fixed y-limits of the f panel; None follows f in whole decades (blocks if linear)
    contour_kw : passed to helpers.plots.contour_background
    The last ``CACHE`` runs are kept by their settings: settings seen again (a slider dragged back)
    are drawn without descending again; ``path`` is a copy.
    """

    CACHE = 32  # runs kept: a path of 3000 steps and its f values are 72 KB

    def __init__(self, objective, lr=1e-3, beta=0.0, steps=200, start=(-1.2, 1.0), rule="momentum",
                 lr_range=(-5, -1), max_steps=2000, f_offset=0.0, f_limits=None, contour_kw=None):
        super().__init__()
        self.objective, self.f_offset, self.f_limits = objective, f_offset, f_limits
        self._descend = functools.lru_cache(maxsize=self.CACHE)(self._run)
        self.ax, self.ax_f = self.fig.subplots(1, 2, width_ratios=[1.15, 1])
        contour_background(objective, ax=self.ax, **{"levels": 20, **(contour_kw or {})})  # 20: frames < 40 KB
        self.line = self._line(self.ax, "o-", color="tab:red", markersize=2.5, linewidth=1.2)
        self.start_marker = self._line(self.ax, "s", color="k", markersize=6)
        self.curve = self._line(self.ax_f, color="tab:red")
        self.status = self._note(self.ax_f, fontsize=9)
        self.ax_f.set(xlabel="iteration", ylabel="f(x)" if not f_offset else f"f(x) - {f_offset:g}",
                      yscale="linear" if f_offset is None else "log")
        if f_limits is not None:
            self.ax_f.set_ylim(*f_limits)
        (a, b), (c, d) = objective.bounds
        self._start({
            "rule": dropdown("update rule", rule, RULES),
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta": linear_slider("beta", beta, 0.0, 0.99, 0.01),
            # a new step count moves the f panel's x-axis, i.e. a background redraw: on release
            "steps": int_slider("steps", steps, 1, max_steps, continuous_update=False, widen="max_steps"),
            "x0": linear_slider("start x1", start[0], a, b, (b - a) / 200),
            "y0": linear_slider("start x2", start[1], c, d, (d - c) / 200),
        })

    def _run(self, rule, lr, beta, steps, x0, y0):
        """The path from (x0, y0), why it stopped, and f along it as the f panel draws it."""
        path, run = minimize_run(self.objective, np.array([x0, y0]), make_rule(rule, lr, beta), steps)
        fvals = self.objective.f(path) - (self.f_offset or 0.0)
        return path, run, fvals if self.f_offset is None else np.maximum(fvals, 1e-16)

    def update(self):
        v = self.values()
        path, run, fvals = self._descend(v["rule"], v["lr"], v["beta"], v["steps"], v["x0"], v["y0"])
        self.path = path.copy()  # the kept run stays as it was computed
        self.line.set_data(path[:, 0], path[:, 1])
        self.start_marker.set_data([v["x0"]], [v["y0"]])
        log = self.f_offset is not None
        self.curve.set_data(np.arange(len(fvals)), fvals)
        ylim = self.f_limits
        if ylim is None:
            ylim = snap(fvals, 1.0 if log else 10.0 ** np.floor(np.log10(max(np.ptp(fvals), 1e-12))), log=log)
        self.set_limits(self.ax_f, (0, max(v["steps"], 1)), ylim)
        end = self.path[-1]
        self.status.set_text(f"diverged after {len(self.path) - 1} steps" if run.stopped
                             else f"end ({end[0]:.3f}, {end[1]:.3f})  f = {self.objective.f(end):.3g}")


class RosenbrockExplorer(DescentExplorer):
    """:class:`DescentExplorer` on the Rosenbrock function, with a fixed f panel to compare runs by eye.

    Its limits hold the start f(-1.2, 1) = 24.2 and the default run (gradient descent at
    1.5e-3 for 3000 steps, down to about 6e-3); a diverging run leaves at the top.
    """

    def __init__(self, objective=ROSENBROCK, f_limits=(1e-10, 1e2), **kwargs):
        kwargs = {"lr_range": (-5, -1.5), "lr": 1.5e-3, "steps": 3000, "max_steps": 5000, **kwargs}
        super().__init__(objective, f_offset=0.0, f_limits=f_limits, **kwargs)
