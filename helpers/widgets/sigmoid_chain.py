"""Explorer of notebook 06: the gradient at every layer of a deep chain of sigmoid units."""

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..plots import PATH_COLORS
from ..sigmoid_chain import chain_backward, chain_forward
from .base import Explorer, int_slider, linear_slider, snap

__all__ = ["ChainExplorer"]

_TINY = 1e-40  # floor for a log axis: an exactly zero gradient (w = 0) has no logarithm


class ChainExplorer(Explorer):
    """Gradient magnitude at every layer of the scalar sigmoid chain of :mod:`helpers.sigmoid_chain`.

    Left: |dy/dz_k| without and with skips (the checkbox's variant bold) and the bound
    (1/4)^(L-k+1) |w|^(L-k) that holds without skips. Right: the factors of the chosen
    variant's gradient, h_k and sigma'(z_k) <= 1/4.
    """

    def __init__(self, depth=10, w=1.0, b=0.0, x=1.0, skips=False, max_depth=30):
        super().__init__()
        self.ax, self.ax_h = ax, axh = self.fig.subplots(1, 2)
        self.bound_line = self._line(ax, ":", color="0.4", linewidth=1.2, label="bound without skips")
        self.lines = {False: self._line(ax, "o-", color=PATH_COLORS[0], markersize=4, label="without skips"),
                      True: self._line(ax, "s-", color=PATH_COLORS[1], markersize=4, label="with skips")}
        ax.set(yscale="log", xlabel="layer k", ylabel=r"$|\partial y / \partial z_k|$", title="Gradient at every layer")
        ax.legend(fontsize=8, loc="lower right")
        self.status = self._note(ax, 0.02, ha="left", fontsize=8, family="monospace")
        axh.axhline(0.25, color="0.5", linestyle="--", linewidth=1)
        axh.text(1.0, 0.26, r"$\sigma' \leq 1/4$", fontsize=8, color="0.4", transform=axh.get_yaxis_transform(),
                 ha="right", va="bottom")
        self.h_line = self._line(axh, "o-", color=PATH_COLORS[1], markersize=3, label=r"$h_k$")
        self.s_line = self._line(axh, "s-", color=PATH_COLORS[2], markersize=3, label=r"$\sigma'(z_k)$")
        axh.set(ylim=(-0.02, 1.02), xlabel="layer k", title="Activations and slopes (chosen variant)")
        axh.legend(fontsize=8, loc="center right")
        for a in (ax, axh):  # fixed: a deeper chain grows to the right, the axes stay put
            a.set_xlim(0.5, max_depth + 0.5)
            a.xaxis.set_major_locator(MaxNLocator(integer=True))
        self._start({
            "depth": int_slider("depth L", depth, 1, max_depth, widen="max_depth"),
            "w": linear_slider("weight w", w, -8.0, 8.0, 0.05),
            "b": linear_slider("bias b", b, -6.0, 6.0, 0.05),
            "x": linear_slider("input x", x, -3.0, 3.0, 0.05),
            "skips": W.Checkbox(value=bool(skips), description="skip connections", indent=False),
        })

    def update(self):
        v = self.values()
        L, w = v["depth"], v["w"]
        grads, caches = {}, {}
        for skips in (False, True):
            _, caches[skips] = chain_forward(v["x"], w, v["b"], L, skips)
            grads[skips] = chain_backward(caches[skips])
        k = np.arange(1, L + 1)
        dz = {skips: np.abs(g["dz"]) for skips, g in grads.items()}
        self.dz = dz[v["skips"]]
        for skips, line in self.lines.items():
            chosen = skips == v["skips"]
            line.set_data(k, np.maximum(dz[skips], _TINY))
            line.set_alpha(1.0 if chosen else 0.35)
            line.set_linewidth(2.0 if chosen else 1.0)
        self.bound_line.set_data(k, np.maximum(0.25 ** (L - k + 1) * abs(w) ** (L - k), _TINY))
        H = caches[v["skips"]]["H"]
        self.h_line.set_data(k, H)
        self.s_line.set_data(k, H * (1.0 - H))
        # y-limits in whole blocks of decades (10 below, 5 above, up to 1 at least), half a
        # decade clear of the curves: they, and the background, change only when the curves leave a block
        both = np.maximum(np.concatenate([self.dz, dz[not v["skips"]]]), _TINY)
        both = np.concatenate([both / 3.2, both * 3.2, [3.2]])
        self.set_limits(self.ax, ylim=(snap(both, 10, log=True)[0], snap(both, 5, log=True)[1]))
        self.status.set_text(f"|dy/dw1| without skips {abs(grads[False]['w1']):.3e}\n"
                             f"|dy/dw1| with skips    {abs(grads[True]['w1']):.3e}")
