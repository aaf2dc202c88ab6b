"""Explorer of notebook 06: gradient descent and Adam on the 1-D bump landscape, and the student's Adam."""

import io
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..objectives import bump
from ..optim import GD, Adam, FunctionRule, minimize
from ..plots import PATH_COLORS
from .base import Explorer, linear_slider, log_slider

__all__ = ["BumpExplorer"]


def _step_rule(fn, lr, beta1, beta2, eps=1e-8):
    """A rule from a function ``adam_step(x, g, m, v, t, lr, beta1, beta2, eps) -> (x, m, v)``."""
    def update(p, g, lr, state, t):
        x, state["m"][...], state["v"][...] = fn(p.copy(), g.copy(), state["m"].copy(), state["v"].copy(), t, lr,
                                                 beta1, beta2, eps)
        return x
    return FunctionRule(update, lr, slots=("m", "v"))


class BumpExplorer(Explorer):
    """Gradient descent and Adam (same lr) from x = 0 on the bump landscape of height h.

    Left: the points on f; right: the iterates; a run has escaped when it ends beyond the peak 1 + h.

    adam_step : optional student's Adam step ``(x, g, m, v, t, lr, beta1, beta2, eps) -> (x, m, v)``,
        drawn beside the reference Adam; a stub raising NotImplementedError shows "your Adam: not
        yet written", any other error (SystemExit too; not KeyboardInterrupt) is named in the
        status, never raised, and what it prints is dropped.
    """

    def __init__(self, lr=0.3, beta1=0.9, beta2=0.999, h=0.5, steps=60, lr_range=(-2, 0), max_h=1.5, adam_step=None):
        super().__init__()
        self.steps, self.adam_step = int(steps), adam_step
        self.xs = np.linspace(-0.5, 3.0 + 2.0 * max_h, 400)
        self.ax, self.ax_t = ax, axt = self.fig.subplots(1, 2, width_ratios=[1.2, 1])
        gd, adam, mine = PATH_COLORS[:3]
        ring = {"marker": "o", "markersize": 8, "markerfacecolor": "none", "markeredgewidth": 1.3}
        self.curve = self._line(ax, color="0.3", linewidth=1.5, label="f(x)")
        self.gd_pts = self._line(ax, "-", color=gd, linewidth=0.6, label="gradient descent", **ring)
        self.adam_pts = self._line(ax, "o-", color=adam, markersize=4, linewidth=0.6, alpha=0.8, label="Adam")
        self.mine_pts = self._line(ax, "x", color=mine, markersize=6, label="your Adam" if adam_step else "_")
        ax.plot([0.0], [1.0], "s", color="k", markersize=6, zorder=5)
        ax.set(xlim=(self.xs[0], self.xs[-1]), ylim=(-1.3, 1.8), xlabel="x", ylabel="f(x)",
               title="The bump landscape (square: the start)")
        ax.legend(fontsize=8, loc="lower left")
        axt.axhline(1.0, color="0.5", linestyle=":", linewidth=1)
        self.peak_line = self.dynamic(axt.axhline(1.0 + h, color="0.3", linestyle="--", linewidth=1))
        self.gd_line = self._line(axt, "-", color=gd, linewidth=1, **{**ring, "markersize": 5})
        self.adam_line = self._line(axt, "o-", color=adam, markersize=2.5, linewidth=1)
        self.mine_line = self._line(axt, "x--", color=mine, markersize=4, linewidth=1)
        axt.set(xlim=(0, self.steps), ylim=(-0.5, self.xs[-1]), xlabel="step", ylabel="iterate x",
                title="Iterates (dotted: x = 1, dashed: the peak 1 + h)")
        axt.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.status = self._note(axt, fontsize=8)
        self._start({
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta1": linear_slider("beta1", beta1, 0.0, 0.99, 0.01),
            "beta2": linear_slider("beta2", beta2, 0.9, 0.9999, 0.0001, readout_format=".4f"),
            "h": linear_slider("bump height h", h, 0.05, max_h, 0.01, widen="max_h"),
        })

    def _run_mine(self, objective, v):
        """The student's run, or None and the reason it could not be drawn."""
        if self.adam_step is None:
            return None, None
        try:
            # what the student's code prints is dropped: a debugging print would repeat at every move
            with np.errstate(all="ignore"), redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                rule = _step_rule(self.adam_step, v["lr"], v["beta1"], v["beta2"])
                return minimize(objective, [0.0], rule, self.steps)[:, 0], None
        except NotImplementedError:
            return None, "your Adam: not yet written"
        except KeyboardInterrupt:  # the student's own Ctrl-C (Interrupt the kernel) goes through
            raise
        except BaseException as exc:  # the student's code, sys.exit() included: say it, never raise from a slider
            text = str(exc)[:60]
            return None, f"your Adam raised {type(exc).__name__}" + (f": {text}" if text else "")

    def update(self):
        v = self.values()
        objective, peak = bump(v["h"]), 1.0 + v["h"]
        self.curve.set_data(self.xs, objective.f(self.xs[:, None]))
        self.gd_path = minimize(objective, [0.0], GD(v["lr"]), self.steps)[:, 0]
        self.adam_path = minimize(objective, [0.0], Adam(v["lr"], v["beta1"], v["beta2"]), self.steps)[:, 0]
        self.mine_path, problem = self._run_mine(objective, v)
        lines = []
        for name, path, pts, line in (("GD", self.gd_path, self.gd_pts, self.gd_line),
                                      ("Adam", self.adam_path, self.adam_pts, self.adam_line),
                                      ("your Adam", self.mine_path, self.mine_pts, self.mine_line)):
            path = np.empty(0) if path is None else path
            pts.set_data(path, objective.f(path[:, None]))
            line.set_data(np.arange(len(path)), path)
            if len(path):
                lines.append(f"{name}: {'escaped' if path[-1] > peak else 'stuck'}, highest x = {path.max():.4f}")
        if self.mine_path is not None and len(self.mine_path) < len(self.adam_path):
            lines[-1] = f"your Adam: diverged after {len(self.mine_path) - 1} steps"
        elif self.mine_path is not None:
            diff = np.max(np.abs(self.mine_path - self.adam_path))
            lines[-1] += " (same as Adam)" if diff < 1e-9 else f" (differs by {diff:.3g})"
        elif problem:
            lines.append(problem)
        self.peak_line.set_ydata([peak, peak])
        self.status.set_text("\n".join(lines))
