"""Interactive explorers for JupyterLab, built on ipywidgets.

An explorer owns one matplotlib Figure (not managed by pyplot), draws its background
once, and on every control change recomputes, updates the existing artists
(``Line2D.set_data``, ``AxesImage.set_data``, ``Text.set_text``) and redraws only those
artists over a cached background (blitting). The frame is shown in an
``ipywidgets.Image`` as JPEG bytes, so it works with the default inline backend, in
JupyterLab and in plain pytest alike (setting ``slider.value`` runs the update
synchronously).

ipywidgets is imported here only, so the kernels import without it.
"""

import io
import time

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

__all__ = ["log_slider", "linear_slider", "int_slider", "Explorer", "DescentExplorer"]

_LAYOUT = W.Layout(width="340px")
_STYLE = {"description_width": "110px"}


def log_slider(description, value, min_exp, max_exp, step=0.05, continuous_update=True, readout_format=".3"):
    """A slider for a learning rate: moves on a log10 scale from about 10**min_exp to 10**max_exp.

    The browser snaps a slider to the grid min, min + step, ...; the lower end is moved
    down by less than one step so that ``value`` itself lies on that grid and the readout
    shows it exactly (0.5, not 0.501).
    """
    if not value > 0 or not 10.0**min_exp <= value <= 10.0**max_exp:
        raise ValueError(f"{description}: value {value} is outside [1e{min_exp}, 1e{max_exp}]")
    exp = float(np.log10(value))
    lo = exp - np.ceil((exp - min_exp) / step - 1e-9) * step
    return W.FloatLogSlider(value=value, base=10, min=lo, max=max_exp, step=step,
                            description=description, continuous_update=continuous_update,
                            readout_format=readout_format, layout=_LAYOUT, style=_STYLE)


def linear_slider(description, value, min, max, step, continuous_update=True, readout_format=".3"):
    """A float slider on a linear scale (momentum beta, a start coordinate, a height)."""
    return W.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         continuous_update=continuous_update, readout_format=readout_format,
                         layout=_LAYOUT, style=_STYLE)


def int_slider(description, value, min, max, step=1, continuous_update=True):
    """An integer slider (steps, depth, hidden units, epochs)."""
    return W.IntSlider(value=value, min=min, max=max, step=step, description=description,
                       continuous_update=continuous_update, layout=_LAYOUT, style=_STYLE)


class Explorer:
    """Base class: a figure, its controls, and a redraw that touches only what changed.

    Subclasses build the figure in ``__init__`` (static artists first, then the dynamic
    ones registered with :meth:`dynamic`), put their widgets in ``self.controls`` (name ->
    widget), and implement :meth:`update`, which recomputes and calls ``set_data`` on the
    dynamic artists. Call :meth:`_start` at the end of ``__init__``.

    Attributes
    ----------
    fig : matplotlib Figure
    controls : dict name -> widget
    image : ipywidgets.Image holding the latest frame (JPEG, quality 90, no chroma
        subsampling: a quarter of PNG's encoding time, and lines stay crisp)
    ui : the whole widget (controls beside the image); displaying the explorer shows it
    frames : number of frames rendered
    last_ms : wall time of the last update plus render, in ms
    """

    figsize = (6.4, 4.4)
    dpi = 90

    def __init__(self):
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.controls = {}
        self.image = W.Image(format="jpeg")
        self._dynamic = []
        self._background = None
        self.frames = 0
        self.last_ms = 0.0

    def dynamic(self, *artists):
        """Register artists that change on updates; they are drawn over the cached background."""
        for a in artists:
            a.set_animated(True)
            self._dynamic.append(a)
        return artists[0] if len(artists) == 1 else artists

    def invalidate(self):
        """Redraw the background on the next render (after axis limits or static parts change)."""
        self._background = None

    def _start(self, extra=()):
        for w in self.controls.values():
            if hasattr(w, "value"):
                w.observe(self._on_change, names="value")
        # controls keep their width; the image shrinks to the space left, and the row
        # wraps below the controls when the notebook is narrow
        box = W.VBox(list(self.controls.values()) + list(extra), layout=W.Layout(flex="0 0 auto"))
        self.image.layout = W.Layout(flex="1 1 auto", max_width="100%", object_fit="contain", height="auto")
        self.ui = W.HBox([box, self.image], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.refresh()

    def _on_change(self, change):
        self.refresh()

    def refresh(self):
        """Recompute (``update``) and render one frame."""
        t0 = time.perf_counter()
        self.update()
        self.render()
        self.last_ms = 1e3 * (time.perf_counter() - t0)

    def update(self):
        raise NotImplementedError

    def render(self):
        """Draw the dynamic artists over the cached background and publish the frame."""
        if self._background is None:
            self.canvas.draw()  # animated artists are left out: this is the background
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for a in self._dynamic:
            a.axes.draw_artist(a) if a.axes is not None else self.fig.draw_artist(a)
        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        PILImage.fromarray(rgba[..., :3]).save(buf, format="jpeg", quality=90, subsampling=0)
        self.image.value = buf.getvalue()
        self.frames += 1

    def values(self):
        """Current control values as a dict (for tests and benchmarks)."""
        return {k: w.value for k, w in self.controls.items() if hasattr(w, "value")}

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)


class DescentExplorer(Explorer):
    """Gradient descent / momentum on a 2-D objective, path drawn over its contours.

    Controls: learning rate (log scale), momentum beta (0 is plain gradient descent),
    number of steps, start point. The contours are drawn once; a change only recomputes
    the path (helpers.optim.minimize with helpers.optim.Momentum) and moves the line, the
    start marker and the f-against-iteration curve. The f panel belongs to the cached
    background too: its limits are fixed (``f_limits``) or follow the data with some
    slack, so most slider moves redraw only the moving artists.

    Parameters
    ----------
    objective : helpers.objectives.Objective (2-D)
    lr, beta, steps, start : initial values
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    max_steps : upper end of the steps slider
    f_offset : subtracted from f in the right-hand panel (log scale needs f - offset > 0);
        None puts that panel on a linear scale
    f_limits : fixed (low, high) y-limits of the f panel; None rescales it when the curve
        leaves the limits or fills less than a quarter of them
    contour_kw : passed to helpers.plots.contour_background
    """

    figsize = (9.6, 4.0)

    def __init__(self, objective, lr=1e-3, beta=0.0, steps=200, start=(-1.2, 1.0),
                 lr_range=(-5, -1), max_steps=2000, f_offset=0.0, f_limits=None, contour_kw=None):
        from ..optim import Momentum, minimize
        from ..plots import contour_background

        super().__init__()
        self.objective = objective
        self._minimize, self._Momentum = minimize, Momentum
        self.ax, self.ax_f = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        contour_background(objective, ax=self.ax, **(contour_kw or {}))
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
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta": linear_slider("momentum beta", beta, 0.0, 0.99, 0.01),
            # a new step count moves the f panel's x-axis, i.e. a background redraw
            # (about 70 ms): redraw on release, not while dragging
            "steps": int_slider("steps", steps, 1, max_steps, continuous_update=False),
            "x0": linear_slider("start x1", start[0], a, b, (b - a) / 200),
            "y0": linear_slider("start x2", start[1], c, d, (d - c) / 200),
        }
        self._start()

    def _rescale(self, fvals, steps):
        """Move the f panel's limits only when needed; a move means a background redraw."""
        changed = self.ax_f.get_xlim() != (0, max(steps, 1))
        if changed:
            self.ax_f.set_xlim(0, max(steps, 1))
        if self.f_limits is None:
            log = self.f_offset is not None
            t = np.log10(fvals) if log else fvals
            lo, hi = float(t.min()), float(t.max())
            cur = self.ax_f.get_ylim()
            cur = tuple(np.log10(cur)) if log else cur
            span = max(hi - lo, 1.0 if log else 1e-9 + 0.05 * abs(hi))
            if lo < cur[0] or hi > cur[1] or (hi - lo) < 0.25 * (cur[1] - cur[0]) or changed:
                new = (lo - 0.1 * span, hi + 0.1 * span)
                self.ax_f.set_ylim(*(10.0 ** np.array(new) if log else new))
                changed = True
        if changed:
            self.invalidate()

    def update(self):
        v = self.values()
        x0 = np.array([v["x0"], v["y0"]])
        self.path = self._minimize(self.objective, x0, self._Momentum(v["lr"], v["beta"]), v["steps"])
        self.line.set_data(self.path[:, 0], self.path[:, 1])
        self.start_marker.set_data([x0[0]], [x0[1]])
        fvals = self.objective.f(self.path) - (self.f_offset or 0.0)
        if self.f_offset is not None:
            fvals = np.maximum(fvals, 1e-16)
        self.curve.set_data(np.arange(len(fvals)), fvals)
        self._rescale(fvals, v["steps"])
        diverged = len(self.path) < v["steps"] + 1
        end = self.path[-1]
        self.status.set_text(f"diverged after {len(self.path) - 1} steps" if diverged
                             else f"end ({end[0]:.3f}, {end[1]:.3f})  f = {self.objective.f(end):.3g}")


from .deep_chain import BumpExplorer, ChainExplorer  # noqa: E402,F401
from .playground import PlaygroundExplorer  # noqa: E402,F401
from .rosenbrock import RosenbrockExplorer  # noqa: E402,F401
from .training import HiddenUnitsExplorer, TrainingExplorer  # noqa: E402,F401
from .worked_example import EtaExplorer  # noqa: E402,F401
