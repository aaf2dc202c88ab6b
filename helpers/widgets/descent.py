"""Explorers of notebooks 01 and 03: a descent path drawn over the contours of a 2-D objective."""

import ipywidgets as W
import numpy as np

from ..objectives import ROSENBROCK
from ..optim import RULES, make_rule, minimize_run
from ..plots import contour_background
from .base import Explorer, int_slider, linear_slider, log_slider, snap

__all__ = ["DescentExplorer", "RosenbrockExplorer"]


class DescentExplorer(Explorer):
    """An update rule on a 2-D objective: the path over the contours, f along the path.

    Controls: the rule (gradient descent, momentum, Nesterov, Adam: every rule of
    ``helpers.optim.RULES``), the learning rate (log scale), beta (momentum's beta, Adam's
    beta1; 0 with momentum is plain gradient descent), the number of steps and the start.
    The contours are drawn once; a change recomputes the path with
    ``helpers.optim.minimize_run`` and moves the line, the start marker and the f curve.
    The f panel belongs to the cached background: its limits are fixed (``f_limits``) or
    follow the data in whole decades (blocks, on a linear scale), so most slider moves
    redraw only the moving artists.

    Parameters
    ----------
    objective : helpers.objectives.Objective (2-D)
    lr, beta, steps, start, rule : initial values
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    max_steps : upper end of the steps slider
    f_offset : subtracted from f in the right-hand panel (log scale needs f - offset > 0);
        None puts that panel on a linear scale
    f_limits : fixed (low, high) y-limits of the f panel; None follows the data
    contour_kw : passed to helpers.plots.contour_background
    """

    figsize = (9.6, 4.0)

    def __init__(self, objective, lr=1e-3, beta=0.0, steps=200, start=(-1.2, 1.0), rule="momentum",
                 lr_range=(-5, -1), max_steps=2000, f_offset=0.0, f_limits=None, contour_kw=None):
        super().__init__()
        self.objective = objective
        self.ax, self.ax_f = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        contour_background(objective, ax=self.ax, **{"levels": 20, **(contour_kw or {})})  # 20: frames < 40 KB
        self.line = self.dynamic(self.ax.plot([], [], "o-", color="tab:red", markersize=2.5, linewidth=1.2)[0])
        self.start_marker = self.dynamic(self.ax.plot([], [], "s", color="k", markersize=6)[0])
        self.f_offset, self.f_limits = f_offset, f_limits
        self.curve = self.dynamic(self.ax_f.plot([], [], color="tab:red")[0])
        self.status = self.dynamic(self.ax_f.text(0.98, 0.97, "", transform=self.ax_f.transAxes,
                                                  ha="right", va="top", fontsize=9))
        self.ax_f.set_xlabel("iteration")
        self.ax_f.set_ylabel("f(x)" if not f_offset else f"f(x) - {f_offset:g}")
        if f_offset is not None:
            self.ax_f.set_yscale("log")
        if f_limits is not None:
            self.ax_f.set_ylim(*f_limits)
        self.fig.tight_layout()
        (a, b), (c, d) = objective.bounds
        self.controls = {
            "rule": W.Dropdown(options=list(RULES), value=rule, description="update rule",
                               layout=W.Layout(width="340px"), style={"description_width": "110px"}),
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta": linear_slider("beta", beta, 0.0, 0.99, 0.01),
            # a new step count moves the f panel's x-axis, i.e. a background redraw: on release
            "steps": int_slider("steps", steps, 1, max_steps, continuous_update=False),
            "x0": linear_slider("start x1", start[0], a, b, (b - a) / 200),
            "y0": linear_slider("start x2", start[1], c, d, (d - c) / 200),
        }
        self._start()

    def update(self):
        v = self.values()
        x0 = np.array([v["x0"], v["y0"]])
        self.path, run = minimize_run(self.objective, x0, make_rule(v["rule"], v["lr"], v["beta"]), v["steps"])
        self.line.set_data(self.path[:, 0], self.path[:, 1])
        self.start_marker.set_data([x0[0]], [x0[1]])
        fvals = self.objective.f(self.path) - (self.f_offset or 0.0)
        log = self.f_offset is not None
        if log:
            fvals = np.maximum(fvals, 1e-16)
        self.curve.set_data(np.arange(len(fvals)), fvals)
        ylim = self.f_limits
        if ylim is None:
            step = 1.0 if log else 10.0 ** np.floor(np.log10(max(np.ptp(fvals), 1e-12)))
            ylim = snap(fvals, step, log=log)
        self.set_limits(self.ax_f, (0, max(v["steps"], 1)), ylim)
        end = self.path[-1]
        self.status.set_text(f"diverged after {len(self.path) - 1} steps" if run.stopped
                             else f"end ({end[0]:.3f}, {end[1]:.3f})  f = {self.objective.f(end):.3g}")


class RosenbrockExplorer(DescentExplorer):
    """:class:`DescentExplorer` on the Rosenbrock function, with a fixed f panel.

    The f panel (log scale) keeps fixed limits ``f_limits``, so the curves of different
    settings can be compared by eye and a slider move redraws only the path, the curve
    and the text. The limits (1e-10 to 1e2) hold the start f(-1.2, 1) = 24.2 and the
    default run (gradient descent at the good rate 1.5e-3 for 3000 steps, down to about
    6e-3: its crawl fills a third of the panel); a diverging run leaves at the top, a
    converging momentum run at the bottom.
    """

    def __init__(self, objective=ROSENBROCK, f_limits=(1e-10, 1e2), **kwargs):
        for key, value in (("lr_range", (-5, -1.5)), ("lr", 1.5e-3), ("steps", 3000), ("max_steps", 5000)):
            kwargs.setdefault(key, value)
        super().__init__(objective, f_offset=0.0, f_limits=f_limits, **kwargs)
