"""Explorer of notebook 06: gradient descent and Adam on the 1-D bump landscape."""

import numpy as np

from ..objectives import bump
from ..optim import GD, Adam, minimize
from ..plots import PATH_COLORS
from .base import Explorer, linear_slider, log_slider

__all__ = ["BumpExplorer"]


class BumpExplorer(Explorer):
    """Gradient descent and Adam from x = 0 on the bump landscape of height h.

    Left: the landscape f (redrawn when h moves) with both trajectories as points on it.
    Right: the iterates against the step, with the local minimum x = 1 and the peak
    x = 1 + h. A run has escaped when its last iterate lies beyond the peak.

    Parameters
    ----------
    lr, beta1, beta2, h : initial values of the controls (the same lr for both rules)
    steps : iterations per run
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    max_h : upper end of the h slider
    """

    figsize = (9.6, 4.0)

    def __init__(self, lr=0.3, beta1=0.9, beta2=0.999, h=0.5, steps=60, lr_range=(-2, 0), max_h=1.5):
        super().__init__()
        self.steps = int(steps)
        self.xs = np.linspace(-0.5, 3.0 + 2.0 * max_h, 400)
        self.ax, self.ax_t = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        ax = self.ax
        self.curve = self.dynamic(ax.plot([], [], color="0.3", linewidth=1.5, label="f(x)")[0])
        self.gd_pts = self.dynamic(ax.plot([], [], "o-", color=PATH_COLORS[0], markersize=4, linewidth=0.6,
                                           alpha=0.8, label="gradient descent")[0])
        self.adam_pts = self.dynamic(ax.plot([], [], "o-", color=PATH_COLORS[1], markersize=4, linewidth=0.6,
                                             alpha=0.8, label="Adam")[0])
        ax.plot([0.0], [1.0], "s", color="k", markersize=6, zorder=5)
        ax.set_xlim(self.xs[0], self.xs[-1])
        ax.set_ylim(-1.3, 1.8)
        ax.set(xlabel="x", ylabel="f(x)", title="The bump landscape")
        ax.legend(fontsize=8, loc="lower left")

        axt = self.ax_t
        axt.axhline(1.0, color="0.5", linestyle=":", linewidth=1)
        self.peak_line = self.dynamic(axt.axhline(1.0 + h, color="0.3", linestyle="--", linewidth=1))
        self.gd_line = self.dynamic(axt.plot([], [], "o-", color=PATH_COLORS[0], markersize=2.5, linewidth=1)[0])
        self.adam_line = self.dynamic(axt.plot([], [], "o-", color=PATH_COLORS[1], markersize=2.5, linewidth=1)[0])
        axt.set_xlim(0, self.steps)
        axt.set_ylim(-0.5, self.xs[-1])
        axt.set(xlabel="step", ylabel="iterate x", title="Iterates (dashed: the peak 1 + h)")
        self.status = self.dynamic(axt.text(0.98, 0.97, "", transform=axt.transAxes, ha="right", va="top",
                                            fontsize=8))
        self.fig.tight_layout()

        self.controls = {
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta1": linear_slider("beta1", beta1, 0.0, 0.99, 0.01),
            "beta2": linear_slider("beta2", beta2, 0.9, 0.9999, 0.0001, readout_format=".4f"),
            "h": linear_slider("bump height h", h, 0.05, max_h, 0.01),
        }
        self._start()

    def update(self):
        v = self.values()
        objective = bump(v["h"])
        peak = 1.0 + v["h"]
        self.curve.set_data(self.xs, objective.f(self.xs[:, None]))
        self.gd_path = minimize(objective, [0.0], GD(v["lr"]), self.steps)[:, 0]
        self.adam_path = minimize(objective, [0.0], Adam(v["lr"], v["beta1"], v["beta2"]), self.steps)[:, 0]
        lines = []
        for name, path, pts, line in (("GD", self.gd_path, self.gd_pts, self.gd_line),
                                      ("Adam", self.adam_path, self.adam_pts, self.adam_line)):
            pts.set_data(path, objective.f(path[:, None]))
            line.set_data(np.arange(len(path)), path)
            fate = "escaped" if path[-1] > peak else "stuck"
            lines.append(f"{name}: {fate}, highest x = {path.max():.4f}")
        self.peak_line.set_ydata([peak, peak])
        self.status.set_text("\n".join(lines))
