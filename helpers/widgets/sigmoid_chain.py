"""Explorer of notebook 06: the gradient at every layer of a deep chain of sigmoid units.

:class:`ChainExplorer` draws it for the scalar chain of :mod:`helpers.sigmoid_chain`, with
and without skip connections; it computes with those kernels and only moves artists.
"""

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..plots import PATH_COLORS
from ..sigmoid_chain import chain_backward, chain_forward
from .base import Explorer, int_slider, linear_slider, snap

__all__ = ["ChainExplorer"]

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
            a.xaxis.set_major_locator(MaxNLocator(integer=True))
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
        # y-limits in whole blocks of decades, half a decade clear of the curves: they, and
        # the cached background, change only when the curves leave a block (10 decades
        # below, 5 above, and up to 1 at least)
        both = np.maximum(np.concatenate([self.dz, other]), _TINY)
        both = np.concatenate([both / 3.2, both * 3.2, [3.2]])
        self.set_limits(self.ax, ylim=(snap(both, 10, log=True)[0], snap(both, 5, log=True)[1]))
        plain, skip = (g_other, g) if v["skips"] else (g, g_other)
        self.status.set_text(f"|dy/dw1| without skips {abs(plain['w1']):.3e}\n"
                             f"|dy/dw1| with skips    {abs(skip['w1']):.3e}")
