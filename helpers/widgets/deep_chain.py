"""Explorers of notebook 06: gradients along a deep sigmoid chain, and Adam on a bump.

:class:`ChainExplorer` draws the gradient at every layer of the scalar sigmoid chain of
:mod:`helpers.chain` (with and without skip connections); :class:`BumpExplorer` runs
gradient descent and Adam on the 1-D landscape :func:`helpers.objectives.bump` and draws
both trajectories. Both compute with the kernels and only move existing artists.
"""

import ipywidgets as W
import numpy as np

from ..chain import chain_backward, chain_forward
from ..objectives import bump
from ..optim import GD, Adam, minimize
from ..plots import PATH_COLORS
from . import Explorer, int_slider, linear_slider, log_slider

__all__ = ["ChainExplorer", "BumpExplorer"]

_TINY = 1e-40  # floor for a log axis: an exactly zero gradient (w = 0) has no logarithm


class ChainExplorer(Explorer):
    """Gradient magnitude at every layer of the scalar sigmoid chain.

    Left: |dy/dz_k| for k = 1..depth (log scale), without and with skips; the variant
    chosen by the checkbox is drawn bold, the other faint, and the dotted line is the
    bound (1/4)^(L-k+1) |w|^(L-k) that holds without skips. Right: the activations h_k and
    the slopes sigma'(z_k) <= 1/4 of the chosen variant, the factors the gradient is made of.

    Parameters
    ----------
    depth, w, b, x, skips : initial values of the controls (w1 = w and b1 = b)
    max_depth : upper end of the depth slider
    """

    figsize = (9.6, 4.0)

    def __init__(self, depth=10, w=1.0, b=0.0, x=1.0, skips=False, max_depth=30):
        super().__init__()
        self.ax, self.ax_h = self.fig.subplots(1, 2)
        ax = self.ax
        self.bound_line = self.dynamic(ax.plot([], [], ":", color="0.4", linewidth=1.2,
                                               label="bound without skips")[0])
        self.lines = {
            False: self.dynamic(ax.plot([], [], "o-", color=PATH_COLORS[0], markersize=4, label="without skips")[0]),
            True: self.dynamic(ax.plot([], [], "s-", color=PATH_COLORS[1], markersize=4, label="with skips")[0]),
        }
        ax.set_yscale("log")
        ax.set(xlabel="layer k", ylabel=r"$|\partial y / \partial z_k|$", title="Gradient at every layer")
        ax.legend(fontsize=8, loc="lower right")
        self.status = self.dynamic(ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                                           fontsize=8, family="monospace"))
        self._decades = None

        axh = self.ax_h
        axh.axhline(0.25, color="0.5", linestyle="--", linewidth=1)
        axh.text(1.0, 0.26, r"$\sigma' \leq 1/4$", fontsize=8, color="0.4", transform=axh.get_yaxis_transform(),
                 ha="right", va="bottom")
        self.h_line = self.dynamic(axh.plot([], [], "o-", color=PATH_COLORS[1], markersize=3, label=r"$h_k$")[0])
        self.s_line = self.dynamic(axh.plot([], [], "s-", color=PATH_COLORS[2], markersize=3,
                                            label=r"$\sigma'(z_k)$")[0])
        axh.set_ylim(-0.02, 1.02)
        axh.set(xlabel="layer k", title="Activations and slopes (chosen variant)")
        axh.legend(fontsize=8, loc="center right")
        for a in (ax, axh):  # fixed: a deeper chain grows to the right, the axes stay put
            a.set_xlim(0.5, max_depth + 0.5)
        self.fig.tight_layout()

        self.controls = {
            "depth": int_slider("depth L", depth, 1, max_depth),
            "w": linear_slider("weight w", w, -8.0, 8.0, 0.05),
            "b": linear_slider("bias b", b, -6.0, 6.0, 0.05),
            "x": linear_slider("input x", x, -3.0, 3.0, 0.05),
            "skips": W.Checkbox(value=bool(skips), description="skip connections", indent=False),
        }
        self._start()

    def update(self):
        v = self.values()
        L, w = v["depth"], v["w"]
        grads = {}
        for skips in (False, True):
            _, cache = chain_forward(v["x"], w, v["b"], L, skips)
            grads[skips] = (chain_backward(cache), cache)
        g, cache = grads[v["skips"]]
        g_other = grads[not v["skips"]][0]
        k = np.arange(1, L + 1)
        self.dz = np.abs(g["dz"])
        other = np.abs(g_other["dz"])
        for skips, line in self.lines.items():
            chosen = skips == v["skips"]
            line.set_data(k, np.maximum(self.dz if chosen else other, _TINY))
            line.set_alpha(1.0 if chosen else 0.35)
            line.set_linewidth(2.0 if chosen else 1.0)
        bound = 0.25 ** (L - k + 1) * abs(w) ** (L - k)
        self.bound_line.set_data(k, np.maximum(bound, _TINY))
        H = cache["H"]
        self.h_line.set_data(k, H)
        self.s_line.set_data(k, H * (1.0 - H))
        shown = np.log10(np.maximum(np.concatenate([self.dz, other]), _TINY))
        # y-limits in blocks of 5 decades: they (and the cached background) change only
        # when the curves leave the block, not on every slider step
        decades = (5 * int(np.floor((shown.min() - 0.5) / 5)), 5 * int(np.ceil((max(shown.max(), 0) + 0.5) / 5)))
        if decades != self._decades:
            self._decades = decades
            self.ax.set_ylim(10.0 ** decades[0], 10.0 ** decades[1])
            self.invalidate()
        plain, skip = (g_other, g) if v["skips"] else (g, g_other)
        self.status.set_text(f"|dy/dw1| without skips {abs(plain['w1']):.3e}\n"
                             f"|dy/dw1| with skips    {abs(skip['w1']):.3e}")


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
