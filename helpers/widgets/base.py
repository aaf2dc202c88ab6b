"""The explorer base: a figure, its controls, and a redraw that touches only what changed.

An update moves the existing artists and draws only those over a cached background (blitting),
into a PNG shown in an ``ipywidgets.Image``: it works alike with any backend, in JupyterLab and
in plain pytest, where setting ``slider.value`` runs the update at once.
"""

import math
import re
import time

import ipywidgets as W
import numpy as np
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation
from PIL import Image as PILImage

from ..objectives import grid_2d
from ..plots import _artist_colours, png_bytes

__all__ = ["log_slider", "linear_slider", "int_slider", "dropdown", "grid_value", "class_labels", "Explorer",
           "snap"]

_WIDE = {"layout": W.Layout(width="340px"), "style": {"description_width": "110px"}}


def _in_range(description, value, lo, hi, widen=None):
    """The one rule of every control: a value outside [lo, hi] is refused, never cut to fit."""
    try:
        ok = lo <= float(value) <= hi
    except (TypeError, ValueError):
        raise ValueError(f"{description} must be a number from {lo:g} to {hi:g}, got {value!r}") from None
    if not ok:
        raise ValueError(f"{description} = {value:g} is outside the allowed range {lo:g} to {hi:g}"
                         + (f" (widen it with {widen})" if widen else ""))


def log_slider(description, value, min_exp, max_exp, step=0.05, continuous_update=True, readout_format=".3",
               widen="lr_range"):
    """A learning-rate slider on a log10 scale from about 10**min_exp to 10**max_exp; its lower end
    moves down by less than a step so that ``value`` lies on the browser's grid (readout 0.5, not 0.501).
    ``widen`` names the argument that widens the range, for the error on a value outside it."""
    _in_range(description, value, 10.0**min_exp, 10.0**max_exp, widen)
    exp = float(np.log10(value))
    lo = exp - np.ceil((exp - min_exp) / step - 1e-9) * step
    return W.FloatLogSlider(value=value, base=10, min=lo, max=max_exp, step=step, description=description,
                            continuous_update=continuous_update, readout_format=readout_format, **_WIDE)


def linear_slider(description, value, min, max, step, continuous_update=True, readout_format=".3", widen=None):
    """A float slider on a linear scale (momentum beta, a start coordinate, a height)."""
    _in_range(description, value, min, max, widen)
    return W.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         continuous_update=continuous_update, readout_format=readout_format, **_WIDE)


def int_slider(description, value, min, max, step=1, continuous_update=True, widen=None):
    """An integer slider (steps, depth, hidden units, epochs)."""
    _in_range(description, value, min, max, widen)
    if value != int(value):
        raise ValueError(f"{description} must be a whole number, got {value!r}")
    return W.IntSlider(value=int(value), min=min, max=max, step=step, description=description,
                       continuous_update=continuous_update, **_WIDE)


def dropdown(description, value, options):
    """A choice among ``options`` (an update rule, ...); any other value is refused with the list."""
    options = list(options)
    if value not in options:
        raise ValueError(f"{description} = {value!r} is not one of the allowed choices: {', '.join(map(str, options))}")
    return W.Dropdown(options=options, value=value, description=description, **_WIDE)


def grid_value(slider, origin=None):
    """The value a float slider stands for: the point of its grid nearest its value.

    The browser sends a log slider's value as ``base ** position`` and a linear one's as
    ``min + k * step``, both with round-off (``10 ** log10(0.0015)`` is 0.0015000000000000005):
    the grid point is rounded to 12 significant digits, and it is ``origin`` itself (the value
    the slider was made with) when that lies on the same grid point, so a round trip of the
    browser gives back exactly the value it started from. The grid runs from ``min`` in whole
    steps; ``max`` is a point too (the slider's right end). Other widgets: their value as it is.
    """
    v = slider.value
    log = isinstance(slider, W.FloatLogSlider)
    if not (log or isinstance(slider, W.FloatSlider)):
        return v
    lo, hi, step = slider.min, slider.max, slider.step
    n = (hi - lo) / step
    last = math.floor(n + 1e-9)  # the last grid point lo + k * step at or below the top end
    top = last if n - last < 1e-9 else last + 1  # the top end is a point of its own when off the grid

    def point(x):  # index of the nearest point (the grid's, or the top end), and its position
        pos = min(max(math.log(x) / math.log(slider.base) if log else x, lo), hi)
        k = min(round((pos - lo) / step), last)
        return (top, hi) if top > last and hi - pos < pos - (lo + k * step) else (k, lo + k * step)

    k, pos = point(v)
    if origin is not None and (origin > 0 or not log) and point(origin)[0] == k:
        return origin
    x = float(f"{slider.base ** pos if log else pos:.12g}")
    return 0.0 if abs(x) < 1e-9 * step and not log else x


def class_labels(y, name="y"):
    """Labels ``y`` given as integers (S,) or as one-hot rows (S, K): the integer labels (S,), and
    K when one-hot rows give it (else None). A column (S, 1) of labels counts as labels."""
    y = np.asarray(y)
    k = None
    if y.ndim == 2 and y.shape[1] > 1:
        y, k = y.argmax(axis=1), y.shape[1]
    elif y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must hold labels (S,) or one-hot rows (S, K), got shape {y.shape}")
    if y.size == 0 or not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
        raise ValueError(f"{name} must hold class labels 0, 1, ..., got {y.size} values of dtype {y.dtype}")
    labels = y.astype(np.int64)
    if not (np.all(labels == y) and labels.min() >= 0):
        raise ValueError(f"{name} must hold class labels 0, 1, ... (whole numbers from 0), got values from "
                         f"{y.min():g} to {y.max():g}")
    return labels, k


def train_test_sets(X_train, y_train, X_test, y_test):
    """X_train (N, D), X_test (M, D) as arrays, their integer labels (N,), (M,) (given as labels or
    one-hot rows) and the number of classes."""
    X_train, (y_train, k_train), X_test, (y_test, k_test) = (np.asarray(X_train), class_labels(y_train, "y_train"),
                                                             np.asarray(X_test), class_labels(y_test, "y_test"))
    if X_train.ndim != 2 or X_test.ndim != 2 or X_train.shape[1] != X_test.shape[1]:
        raise ValueError(f"X_train and X_test must be (N, D) and (M, D); got {X_train.shape} and {X_test.shape}")
    return X_train, y_train, X_test, y_test, max(int(max(y_train.max(), y_test.max())) + 1, k_train or 0, k_test or 0)


def snap(values, step=1.0, log=False, include=()):
    """Axis limits (low, high) holding every finite value and ``include``, rounded outwards to whole
    multiples of ``step`` (of decades when ``log``), so most frames keep the background; None if no value."""
    v = np.concatenate([np.ravel(np.asarray(values, dtype=np.float64)), np.asarray(include, dtype=np.float64)])
    v = v[np.isfinite(v) & (v > 0)] if log else v[np.isfinite(v)]
    if v.size == 0:
        return None
    t = np.log10(v) if log else v
    lo, hi = step * np.floor(t.min() / step), step * np.ceil(t.max() / step)
    hi = hi if hi > lo else lo + step
    return (10.0**lo, 10.0**hi) if log else (float(lo), float(hi))


class _PlainLog(LogFormatterSciNotation):
    """The labels of a log axis as plain text, 10⁻⁵ and 2×10⁻¹: mathtext's $10^{-5}$ is parsed anew for
    each new label, a third of the time of a frame whose axis moves."""

    def __call__(self, x, pos=None):
        s = super().__call__(x, pos).replace(r"\mathdefault", "").replace(r"\times", "×").replace("$", "")
        return re.sub(r"\^\{(-?\d+)\}", lambda m: m[1].translate(_SUPERSCRIPT), s).replace("{", "").replace("}", "")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Explorer:
    """Base class: one figure, its ``controls`` (name -> widget) and ``ui``, the controls beside ``image``.

    A subclass draws its figure in ``__init__`` (changing artists through :meth:`dynamic`), ends with
    ``self._start(controls)`` and writes :meth:`update`, which reads the settings from
    :meth:`values`. A frame is a PNG of ``colors`` colours (:func:`helpers.plots.png_bytes`: a third of
    a full-colour PNG, for a remote hub). A control that receives a value standing for the settings
    already shown (the browser's round trip of a slider) recomputes nothing.
    """

    figsize = (9.6, 4.0)
    dpi = 90
    colors = 64
    columns = 12  # drawn columns of moved axes kept (~0.6 MB each): limits seen again are a copy, not a draw

    def __init__(self):
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.controls, self._origin, self._shown = {}, {}, None
        self.image = W.Image(format="png")
        self._dynamic, self._background, self._moved, self._drawn = [], None, set(), {}
        self.frames, self.last_ms = 0, 0.0

    def dynamic(self, *artists):
        """Register artists that change on updates; they are drawn over the cached background."""
        for a in artists:
            a.set_animated(True)
            self._dynamic.append(a)
        return artists[0] if len(artists) == 1 else artists

    def _line(self, ax, *fmt, **kw):
        """A dynamic line, empty until :meth:`update` gives it data."""
        return self.dynamic(ax.plot([], [], *fmt, **kw)[0])

    def _note(self, ax, x=0.98, y=0.97, ha="right", **kw):
        """A dynamic text hanging from (x, y) in axes coordinates."""
        return self.dynamic(ax.text(x, y, "", transform=ax.transAxes, ha=ha, va="top", **kw))

    def _plane(self, ax, P, margin, resolution):
        """A dynamic RGB image over the points P (S, 2) and ``margin`` around them, filling the axes;
        returns it and its grid of points as rows (resolution**2, 2)."""
        lo, hi = P.min(axis=0) - margin, P.max(axis=0) + margin
        img = self.dynamic(ax.imshow(np.ones((resolution, resolution, 3)), origin="lower",
                                     extent=(lo[0], hi[0], lo[1], hi[1]), aspect="auto", interpolation="nearest"))
        ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
        ax.grid(False)
        return img, grid_2d(tuple(zip(lo, hi)), resolution)[2]

    def invalidate(self):
        """Redraw the background on the next render (after axis limits or static parts change)."""
        self._background = None

    def set_limits(self, ax, xlim=None, ylim=None):
        """Set an axes' limits; when they change, that axes is redrawn into the background on the next frame."""
        moved = False
        for lim, axis, put in ((xlim, ax.xaxis, ax.set_xlim), (ylim, ax.yaxis, ax.set_ylim)):
            if lim is not None and not np.allclose(axis.get_view_interval(), lim, rtol=1e-9, atol=0):
                put(*lim)
                self._moved.add(axis)
                moved = True
        return moved

    def _start(self, controls, extra=(), rect=None, draw=True):
        """Fit the layout into ``rect``, wire the controls, build ``ui``, draw the first frame (``draw=False``:
        the subclass draws it, e.g. once a first run has ended)."""
        for axis in (axis for ax in self.fig.axes for axis in (ax.xaxis, ax.yaxis)):
            for f, put in ((axis.get_major_formatter(), axis.set_major_formatter),
                           (axis.get_minor_formatter(), axis.set_minor_formatter)):
                if type(f) is LogFormatterSciNotation:
                    put(_PlainLog(f._base, labelOnlyBase=f.labelOnlyBase))
        self.fig.tight_layout(rect=rect)
        self._set_controls(controls)
        for w in controls.values():
            if hasattr(w, "value"):
                w.observe(self._on_change, names="value")
        # controls keep their width; the image shrinks to the space left, and the row
        # wraps below the controls when the notebook is narrow
        box = W.VBox(list(controls.values()) + list(extra), layout=W.Layout(flex="0 0 auto"))
        self.image.layout = W.Layout(flex="1 1 auto", max_width="100%", object_fit="contain", height="auto")
        self.ui = W.HBox([box, self.image], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        if draw:
            self.refresh()

    def _set_controls(self, controls):
        """Keep the controls, and the values they were made with (see :meth:`values`)."""
        self.controls = controls
        self._origin = {k: w.value for k, w in controls.items() if hasattr(w, "value")}

    def _on_change(self, change):
        if self.values() != self._shown:  # the browser's echo of a value already shown: nothing to do
            self.refresh()

    def refresh(self):
        """Recompute (``update``) and render one frame; ``last_ms`` is how long that took."""
        t0 = time.perf_counter()
        self._shown = self.values()
        self.update()
        self.render()
        self.last_ms = 1e3 * (time.perf_counter() - t0)

    def update(self):
        raise NotImplementedError

    def render(self):
        """Draw the dynamic artists over the cached background and publish the frame."""
        pixels = np.asarray(self.canvas.buffer_rgba())
        if self._background is not None and not self._moved:
            pixels[...] = self._background
        elif self._background is None or self._columns is None or not self._redraw(pixels):
            self.canvas.draw()  # animated artists are left out: this is the background
            self._known, self._columns = _artist_colours(self.fig, self.colors - 16), self._layout_columns()
            self._background, self._moved = pixels.copy(), set()
            self._drawn.clear()  # static parts may have changed: no column drawn before is known to be right
        for a in self._dynamic:
            a.axes.draw_artist(a) if a.axes is not None else self.fig.draw_artist(a)
        # compress level 6 saves a tenth of the bytes for twice the time
        self.image.value = png_bytes(pixels, self.colors, self._known, PILImage.Quantize.FASTOCTREE, compress_level=3)
        self.frames += 1

    def _layout_columns(self):
        """axes -> the pixel columns (x0, x1) it draws in, tick labels included, each border just right of an
        axes' box (y tick labels and labels grow to the left); None unless the axes stand side by side."""
        r = self.canvas.get_renderer()
        axes = sorted(self.fig.axes, key=lambda a: a.get_position().x0)
        boxes = [a.get_tightbbox(r) for a in axes]
        if any(b0.x1 >= b1.x0 for b0, b1 in zip(boxes, boxes[1:])):
            return None
        edges = [0, *(math.ceil(b.x1) + 1 for b in boxes[:-1]), round(self.fig.bbox.width)]
        return {a: edges[i:i + 2] for i, a in enumerate(axes)}

    def _redraw(self, pixels):
        """Redraw into the background only the axes whose limits moved, each in its column. Titles and axis
        labels that did not move keep the places the last draw gave them (placing them is the slow part).
        The last ``columns`` columns drawn are kept by limits, with their labels' places: limits seen
        again (a slider dragged back) are a copy. Not for an axes whose legend is placed "best" (by the data).
        False when an axes drew past its column (a tick label grown over the border): then the figure is drawn
        whole, and its columns measured again."""
        renderer, face = self.canvas.get_renderer(), np.round(255 * np.array(to_rgba(self.fig.get_facecolor())))
        pixels[...] = self._background
        for ax in {axis.axes for axis in self._moved}:
            (x0, x1), labels = self._columns[ax], (ax.xaxis.label, ax.yaxis.label)
            key = (ax, *ax.get_xlim(), *ax.get_ylim()) if getattr(ax.get_legend(), "_loc", None) != 0 else None
            drawn = self._drawn.pop(key, None)
            if drawn is not None:
                for label, position in zip(labels, drawn[1]):
                    label.set_position(position)
            else:
                auto = ax._autotitlepos, ax.xaxis._autolabelpos, ax.yaxis._autolabelpos
                ax._autotitlepos = False  # matplotlib's switches (private): keep the last positions
                for axis in (ax.xaxis, ax.yaxis):
                    axis._autolabelpos = axis._autolabelpos and axis in self._moved
                pixels[:, x0:x1] = face
                ax.draw(renderer)
                ax._autotitlepos, ax.xaxis._autolabelpos, ax.yaxis._autolabelpos = auto
                if not (np.array_equal(pixels[:, :x0], self._background[:, :x0])
                        and np.array_equal(pixels[:, x1:], self._background[:, x1:])):
                    return False
                drawn = pixels[:, x0:x1].copy(), [label.get_position() for label in labels]
            self._background[:, x0:x1] = pixels[:, x0:x1] = drawn[0]
            if key is not None:
                self._drawn[key] = drawn  # the newest last; the oldest goes when there are too many
                while len(self._drawn) > self.columns:
                    del self._drawn[next(iter(self._drawn))]
        self._moved = set()
        return True

    def values(self):
        """The settings of the controls, name -> value: a float slider's value on its grid
        (:func:`grid_value`), exactly the value it was made with until it moves."""
        return {k: grid_value(w, self._origin.get(k)) for k, w in self.controls.items() if hasattr(w, "value")}

    def _ipython_display_(self):
        display(self.ui)
