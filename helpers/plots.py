"""Pictures for the notebooks: contours with paths, decision boundaries, training curves, network
diagrams, computation graphs and image grids. Every function takes ``ax=None`` (a new figure),
returns its axes, never calls ``plt.show()`` and never computes a gradient.

Alt text: each figure a notebook shows gets one sentence saying what it shows, given with
:func:`alt_text` before ``plt.show()``; it is stored in the output's metadata
``{"image/png": {"alt": ...}}``, which nbconvert's ``classic`` HTML template (``make html``) puts in
``<img alt>`` (JupyterLab 4 and the default ``lab`` template do not read it yet).
"""

import functools
import io
import sys
import weakref
from itertools import cycle

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import QuadMesh
from matplotlib.colors import ListedColormap, LogNorm, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from .objectives import grid_2d

__all__ = ["style", "alt_text", "contour_background", "contour_paths", "draw_path", "value_curves", "training_curves",
           "epoch_axes", "decision_boundary", "network_diagram", "computation_graph", "image_grid",
           "confusion_matrix", "gradient_norm_map", "landscape_1d"]

PATH_COLORS = ("tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown")
CLASS_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple",
                "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan")
_COLOUR_GETTERS = ("get_color", "get_facecolor", "get_edgecolor", "get_markerfacecolor", "get_markeredgecolor")


def style():
    """Plot style shared by every notebook; in IPython, figures are stored by :func:`_png_for_notebook`."""
    plt.rcParams.update({
        "figure.dpi": 90, "savefig.dpi": 90, "figure.figsize": (6.4, 4.2), "font.size": 10, "axes.titlesize": 11,
        "axes.grid": True, "grid.alpha": 0.25, "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False, "image.cmap": "viridis",
    })
    shell = _ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(plt.Figure, _with_alt_text(_png_for_notebook))


_ALT_TEXT = weakref.WeakKeyDictionary()  # figure -> its alt text


def alt_text(target, text):
    """Give the figure of ``target`` (a figure or axes) ``text`` as its alt text; return ``target``.

    One sentence saying what the figure shows, for a screen reader and the HTML export. When
    the figure is shown in a notebook, the sentence is stored in the output's metadata as
    ``{"image/png": {"alt": text}}``. Bad input raises one line (TypeError, ValueError).
    """
    fig = target if isinstance(target, Figure) else getattr(target, "figure", None)
    while fig is not None and not isinstance(fig, Figure):  # a subfigure: its root figure
        fig = getattr(fig, "figure", None)
    if fig is None:
        raise TypeError(f"alt_text needs a matplotlib figure or axes, got {type(target).__name__}")
    if not isinstance(text, str) or not text.strip() or "\n" in text.strip():
        raise ValueError(f"alt text must be one non-empty line (a sentence saying what the figure shows), got {text!r}")
    _ALT_TEXT[fig] = text.strip()
    shell = _ipython()
    if shell is not None:  # a figure shown without style(): the PNG formatter in use learns the alt text too
        png = shell.display_formatter.formatters["image/png"]
        if Figure in png:
            png.for_type(Figure, _with_alt_text(png.lookup_by_type(Figure)))
    return target


def _ipython():
    """The running IPython shell, or None (a running shell has imported IPython; plain Python has not)."""
    return sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None


def _with_alt_text(png_formatter):
    """``png_formatter`` (figure -> PNG, or (PNG, metadata)) with the figure's alt text added to the metadata."""
    if getattr(png_formatter, "adds_alt_text", False):
        return png_formatter

    def png(fig):
        out = png_formatter(fig)
        text = _ALT_TEXT.get(fig)
        if out is None or text is None:
            return out
        data, metadata = out if isinstance(out, tuple) else (out, {})
        return data, {**(metadata or {}), "alt": text}

    png.adds_alt_text = True
    return png


def _png_for_notebook(fig, scale=1.5):
    """(PNG bytes, {"width", "height"}) of ``fig`` as IPython's PNG formatter expects (None without axes).

    Drawn at ``scale`` times the dpi and shown at 1/scale (IPython's "retina" does it at 2), with
    :func:`png_bytes`'s palette: 256 colours for an image or colour mesh, else 64.
    """
    if not fig.axes:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=scale * fig.dpi, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    drawn = Image.open(buf).convert("RGBA")
    image = Image.alpha_composite(Image.new("RGBA", drawn.size, "white"), drawn)  # opaque: alpha 255
    del drawn
    colors = 256 if any(ax.images or any(isinstance(c, QuadMesh) for c in ax.collections) for ax in fig.axes) else 64
    png = png_bytes(np.asarray(image), colors, _artist_colours(fig, colors - 16), optimize=True)
    return png, {"width": round(image.width / scale), "height": round(image.height / scale)}


def png_bytes(rgba, colors, known, method=Image.Quantize.MEDIANCUT, **save):
    """The one PNG encoder (stored figures and explorer frames): an opaque image (H, W, 4) uint8 with
    a palette that keeps it light: its own colours when it has at most ``colors``, else the ``known``
    colours (n, 3) (the artists', exact however small their area) and ``method``'s colours (edges,
    shading) up to ``colors``. Each pixel takes the nearest palette colour; no dithering.
    ``save``: options of PIL's PNG writer (optimize, compress_level)."""
    # each pixel's colour as one number R << 16 | G << 8 | B, 4 bytes a pixel (a figure has about a million
    # pixels: int64 keys and np.unique's index and inverse took ~80 bytes a pixel), and the distinct ones, sorted
    key = np.ascontiguousarray(rgba).view(">u4")[..., 0] >> 8
    keys = np.sort(key, axis=None)  # np.unique's hash table is several times slower on a frame
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    uniq = (keys[:, None] >> np.array([16, 8, 0], np.uint32) & 255).astype(np.float32)
    if len(uniq) <= colors:
        palette = uniq
    else:
        n_cut = colors - len(known)
        cut = Image.fromarray(rgba).convert("RGB").quantize(n_cut, method=method, dither=Image.Dither.NONE)
        palette = np.concatenate([known, np.reshape(cut.getpalette()[: 3 * n_cut], (-1, 3))]).astype(np.float32)
    lut = np.empty(1 << 24, dtype=np.uint8)  # colour -> palette index; only the pages of colours present are touched
    sq = (palette**2).sum(axis=1)
    for i in range(0, len(uniq), 16384):  # distances in blocks: (block, colours) floats, whole numbers below 2**24,
        # exact in any order; summed channel by channel in place: a third of einsum's time, and no BLAS call, whose
        # threads wait for a core on a busy machine (a matrix product took 12 ms there, einsum 5, this 1.5)
        u = uniq[i:i + 16384].T[:, :, None]
        d = u[0] * palette[:, 0]
        d += u[1] * palette[:, 1]
        d += u[2] * palette[:, 2]
        d *= -2.0
        d += sq
        lut[keys[i:i + 16384]] = d.argmin(axis=1)
    out = Image.fromarray(lut[key], mode="P")
    out.putpalette(palette.astype(np.uint8).ravel().tolist())
    buf = io.BytesIO()
    out.save(buf, format="PNG", **save)
    return buf.getvalue()


def _artist_colours(fig, limit):
    """The first ``limit`` distinct colours of the figure's artists (lines, markers, text,
    contour levels, patches) as RGB over white: an (n, 3) float32 array."""
    parts = []
    for artist in fig.findobj():
        for getter in filter(None, (getattr(artist, name, None) for name in _COLOUR_GETTERS)):
            try:
                rgba = _rgba(getter())
            except (TypeError, ValueError):  # not a colour
                continue
            if len(rgba) <= 64:  # more: per-point colours, which belong to the shading
                parts.append(rgba[rgba[:, 3] > 0])
    rgba = np.concatenate(parts) if parts else np.ones((0, 4))
    a = rgba[:, 3:]
    over_white = np.round(255 * (a * rgba[:, :3] + 1 - a))  # over white; rounded half to even, as round()
    found = dict.fromkeys(map(tuple, over_white.tolist()))  # a set that keeps the order of appearance
    return np.array(list(found)[:limit], dtype=np.float32).reshape(-1, 3)


_rgba_of = functools.lru_cache(maxsize=1024)(to_rgba_array)


def _rgba(colour):
    """to_rgba_array(colour); a colour given by name or as a tuple (most of a figure's) converted once, but
    not "C0", "C1", ... (the colour cycle's, which rcParams can change)."""
    if isinstance(colour, str) and colour[1:].isdigit():
        return to_rgba_array(colour)
    try:
        return _rgba_of(colour)
    except TypeError:  # unhashable: an array of colours (a collection's), converted each time
        return to_rgba_array(colour)


def _ax(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _each_path(ax, paths, labels, draw, loc="best"):
    """``draw(path, label, colour)`` for each path, colours in turn; a legend if any label is given."""
    labels = [None] * len(paths) if labels is None else labels
    if len(labels) != len(paths):
        raise ValueError(f"{len(paths)} paths but {len(labels)} labels: give one label per path")
    for p, lab, color in zip(paths, labels, cycle(PATH_COLORS)):
        draw(p, lab, color)
    if any(labels):
        ax.legend(loc=loc, fontsize=8)
    return ax


def _mark_minima(ax, objective):
    for m in objective.minima:
        ax.plot(*m, marker="*", color="gold", markeredgecolor="k", markersize=14, linestyle="none", zorder=5)


def contour_background(objective, ax=None, n=200, levels=25, log=True, filled=False):
    """Contour lines of a 2-D objective over its ``bounds``, minima starred. log=True spaces the levels
    geometrically above the grid minimum: a narrow valley's floor shows as well as its steep walls."""
    ax = _ax(ax)
    X1, X2, F = objective.grid(n)
    draw = ax.contourf if filled else ax.contour
    if log:
        shift = F.min()
        G = F - shift + 1e-3 * max(F.max() - shift, 1e-12)
        draw(X1, X2, G, levels=np.geomspace(G.min(), G.max(), levels), norm=LogNorm(), cmap="viridis",
             linewidths=None if filled else 0.8)
    else:
        draw(X1, X2, F, levels=levels, cmap="viridis")
    _mark_minima(ax, objective)
    ax.set(xlim=objective.bounds[0], ylim=objective.bounds[1], xlabel="$x_1$", ylabel="$x_2$", title=objective.name)
    return ax


def draw_path(ax, path, label=None, color=None, marker="o"):
    """One optimization path (k, 2) as a line with small markers; returns the Line2D."""
    path = np.asarray(path)
    (line,) = ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=3, linewidth=1.2,
                      color=color, label=label, zorder=4)
    return line


def contour_paths(objective, paths, labels=None, ax=None, **contour_kw):
    """Contours of ``objective`` with several paths (each (k, 2)) drawn over them."""
    ax = contour_background(objective, ax=ax, **contour_kw)
    return _each_path(ax, paths, labels, lambda p, lab, color: draw_path(ax, p, lab, color), loc="upper left")


def value_curves(objective, paths, labels=None, ax=None, log=True, offset=0.0):
    """f along each path against the iteration; log=True plots f - offset on a log scale."""
    ax = _ax(ax)
    ax.set(xlabel="iteration", ylabel=f"f(x) - {offset:g}" if offset else "f(x)", yscale="log" if log else "linear")
    return _each_path(ax, paths, labels, lambda p, lab, color: ax.plot(objective.f(np.asarray(p)) - offset,
                                                                        color=color, label=lab))


def epoch_axes(ax, log_y=False):
    """Whole epochs on the x axis; with ``log_y`` a log y axis labelled in plain numbers (0.01,
    0.1, 1) and, when the limits span at most two decades, at 2 and 5 as well (0.2, 0.5)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    if log_y:
        def minor(v, _):
            lo, hi = ax.get_ylim()
            lead = round(v / 10 ** np.floor(np.log10(v) + 1e-9))
            return f"{v:g}" if hi <= 101 * lo and lead in (2, 5) else ""
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(minor))
    return ax


def training_curves(history, axes=None, log_loss=False, val_label="test"):
    """Loss and accuracy per epoch of a ``History``, train and validation (the assignment's
    epoch_plots); returns the axes (loss, accuracy). val_label names the ``validation`` set of fit."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    epochs = np.arange(1, len(history.loss) + 1)
    ax_loss, ax_acc = axes
    for ax, name, train, train_label, val, log_y in (
            (ax_loss, "loss", history.loss, "train (mean over batches)", history.val_loss, log_loss),
            (ax_acc, "accuracy", history.train_acc, "train", history.val_acc, False)):
        ax.plot(epochs[:len(train)], train, marker="o", markersize=3, label=train_label)
        if val:
            ax.plot(epochs[:len(val)], val, marker="o", markersize=3, label=val_label)
        ax.set(xlabel="epoch", ylabel=name, title=f"{name.capitalize()} per epoch")
        epoch_axes(ax, log_y=log_y)
        ax.legend()
    ax_loss.figure.tight_layout()
    return axes


def decision_boundary(predict, X, y, ax=None, resolution=200, margin=0.5, proba=False):
    """Regions a classifier ``predict``: (M, 2) -> (M,) labels assigns to each class, data X (S, 2),
    y (S,) on top; with proba=True predict gives P(class 1), drawn with its 0.5 contour."""
    ax = _ax(ax)
    X = np.asarray(X)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2, grid = grid_2d(tuple(zip(lo, hi)), resolution)
    Z = np.asarray(predict(grid)).reshape(g1.shape)
    classes = np.unique(y)
    if proba:
        ax.contourf(g1, g2, Z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
        ax.contour(g1, g2, Z, levels=[0.5], colors="k", linewidths=1.5)
    else:
        k = int(max(classes.max(), Z.max())) + 1
        ax.contourf(g1, g2, Z, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(CLASS_COLORS[:k]), alpha=0.3)
    for c in classes:
        sel = y == c
        ax.scatter(X[sel, 0], X[sel, 1], s=16, color=CLASS_COLORS[int(c) % 10], edgecolors="k",
                   linewidths=0.4, label=f"class {c}")
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.legend(loc="upper right", fontsize=8)
    return ax


def network_diagram(sizes, ax=None, layer_names=None, node_labels=None, weights=None, notes=None, fmt="{:g}"):
    """A fully connected network of ``sizes`` (e.g. (2, 4, 1)): a circle per unit, a line per weight.

    Units keep a fixed size in points (round and apart in any axes); a new figure grows with the
    tallest layer. layer_names: captions (default "input (n)", "hidden (n)", "output (n)");
    node_labels, notes: per layer, strings inside and under the units (e.g. the biases); weights:
    (sizes[l], sizes[l + 1]) arrays (rows = inputs) written on the edges with ``fmt``, zeros dotted.
    """
    n_layers, top = len(sizes), max(sizes)
    labelled = weights is not None  # then more room along and between the edges, for their labels
    ax = _ax(ax, figsize=((2.4 if labelled else 1.6) * (n_layers - 1) + 1.6, (0.75 if labelled else 0.5) * top + 1.0))
    if layer_names is None:
        hidden = ["hidden"] if n_layers == 3 else [f"hidden {i}" for i in range(1, n_layers - 1)]
        layer_names = [f"{name} ({n})" for name, n in zip(["input", *hidden, "output"], sizes)]
    pos = [[(i, (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]
    for l, (a, b) in enumerate(zip(pos[:-1], pos[1:])):
        for i, (x0, y0) in enumerate(a):
            frac = 0.5 if len(a) == 1 else 0.3 + 0.4 * i / (len(a) - 1)  # staggered: labels of one source apart
            for j, (x1, y1) in enumerate(b):
                w = None if weights is None else float(np.asarray(weights[l])[i, j])
                ax.plot([x0, x1], [y0, y1], color="0.75" if w == 0 else "0.55", linewidth=0.8,
                        linestyle=":" if w == 0 else "-", zorder=1)
                if w is not None:
                    ax.text(x0 + frac * (x1 - x0), y0 + frac * (y1 - y0), fmt.format(w), ha="center", va="center",
                            fontsize=7.5, zorder=3, bbox={"boxstyle": "round,pad=0.15", "fc": "w", "ec": "none"})
    for i, layer in enumerate(pos):
        xs, ys = np.array(layer).T
        ax.scatter(xs, ys, s=420, color=CLASS_COLORS[i % 10], edgecolors="k", zorder=4)  # opaque: no edge shows through
        for j, (x, yy) in enumerate(layer):
            if node_labels is not None:
                ax.text(x, yy, node_labels[i][j], ha="center", va="center", fontsize=8, zorder=5, color="w")
            if notes is not None and j < len(notes[i]):
                ax.annotate(notes[i][j], (x, yy), xytext=(0, -14), textcoords="offset points", ha="center", va="top",
                            fontsize=7.5, zorder=5, bbox={"boxstyle": "round,pad=0.1", "fc": "w", "ec": "none"})
        ax.text(i, -(top - 1) / 2 - 0.75, layer_names[i], ha="center", va="top", fontsize=9)
    ax.set(xlim=(-0.5, n_layers - 0.5), ylim=(-(top - 1) / 2 - 1.25, (top - 1) / 2 + 0.4))
    ax.axis("off")
    return ax


def computation_graph(nodes, ax=None, fmt="{:.4f}"):
    """A computational graph, each box reading "name = op", "value v", "grad g" (``fmt``).

    nodes: dicts, inputs first, with ``name``, ``op`` ("input", "*", "sigmoid", ...), ``value``,
    ``grad`` (d output / d node, or None), ``inputs`` (names; empty for leaves) and optionally
    ``at`` = (column, row) to place the node by hand (row 0 at the top, fractions allowed).
    Otherwise columns go by depth (longest path from a leaf); arrows point forward.
    """
    names = [n["name"] for n in nodes]
    if len(set(names)) != len(names):
        raise ValueError("computation_graph: node names must be unique")
    depth, columns = {}, {}
    for n in nodes:
        missing = [i for i in n.get("inputs", ()) if i not in depth]
        if missing:
            raise ValueError(f"computation_graph: node {n['name']!r} uses {missing} before they are defined")
        depth[n["name"]] = 1 + max((depth[i] for i in n.get("inputs", ())), default=-1)
        columns.setdefault(depth[n["name"]], []).append(n["name"])
    pos = {name: (2.3 * d, 1.25 * ((len(col) - 1) / 2 - j)) for d, col in columns.items() for j, name in enumerate(col)}
    pos.update({n["name"]: (2.3 * n["at"][0], -1.25 * n["at"][1]) for n in nodes if n.get("at") is not None})
    xs, ys = zip(*pos.values())
    ax = _ax(ax, figsize=(max(xs) - min(xs) + 2.8, max(ys) - min(ys) + 2.05))
    w, h = 1.7, 0.9
    for n in nodes:
        x, yy = pos[n["name"]]
        leaf = not n.get("inputs")
        ax.add_patch(FancyBboxPatch((x - w / 2, yy - h / 2), w, h, boxstyle="round,pad=0.02",
                                    facecolor="#e8f0fa" if leaf else "#fdf1e0", edgecolor="0.3", zorder=2))
        lines = [n["name"] if leaf else f"{n['name']} = {n['op']}", "value " + fmt.format(n["value"])]
        if n.get("grad") is not None:
            lines.append("grad " + fmt.format(n["grad"]))
        ax.text(x, yy, "\n".join(lines), ha="center", va="center", fontsize=8, zorder=3)
        for src in n.get("inputs", ()):
            x0, y0 = pos[src]
            ax.add_patch(FancyArrowPatch((x0 + w / 2, y0), (x - w / 2, yy), arrowstyle="-|>",
                                         mutation_scale=10, color="0.35", zorder=1))
    ax.set(xlim=(min(xs) - w, max(xs) + w), ylim=(min(ys) - h, max(ys) + h), aspect="equal")
    ax.axis("off")
    return ax


def image_grid(images, labels=None, ncols=10, shape=None, ax=None, cmap="gray_r", colors=None, symmetric=None,
               colorbar=None):
    """Images (M, H, W), or (M, H*W) with ``shape=(H, W)``, tiled into one imshow (fast); the canvas
    is ``ax.images[0].get_array()``, NaN between tiles.

    labels, colors: M strings above the tiles and their colours (e.g. red for a wrong prediction).
    symmetric: None: each tile from its own min to its max (pictures); "all": one scale -m..m, m
    the largest |value| (the canvas holds the values); "each": each tile divided by its own
    largest |value|. With either, 0 is the centre of ``cmap`` (white on "RdBu_r") and the gaps
    are grey. colorbar: the label of a colour bar.
    """
    images = np.asarray(images, dtype=np.float64)
    if shape is not None:
        images = images.reshape((-1,) + tuple(shape))
    if images.ndim != 3:
        raise ValueError(f"images must be (M, H, W), or (M, H*W) with shape=(H, W); got {images.shape}")
    if symmetric not in (None, "all", "each"):
        raise ValueError(f"symmetric must be None, 'all' or 'each', got {symmetric!r}")
    M, H, W = images.shape
    ncols = min(ncols, M)
    nrows = -(-M // ncols)
    label_h = int(round(0.45 * H)) if labels is not None else 0
    cell_h, cell_w = H + 1 + label_h, W + 1  # one pixel between tiles, none after the last row, column
    canvas = np.full((nrows * cell_h - 1, ncols * cell_w - 1), np.nan)
    if symmetric is None:
        lo, hi = images.min(axis=(1, 2), keepdims=True), images.max(axis=(1, 2), keepdims=True)
        scaled, vmin, vmax = (images - lo) / np.where(hi > lo, hi - lo, 1.0), 0, 1
    elif symmetric == "each":
        top = np.abs(images).max(axis=(1, 2), keepdims=True)
        scaled, vmin, vmax = images / np.where(top > 0, top, 1.0), -1.0, 1.0
    else:
        vmax = float(np.abs(images).max()) or 1.0
        scaled, vmin = images, -vmax
    for k in range(M):
        r, c = divmod(k, ncols)
        canvas[r * cell_h + label_h: r * cell_h + label_h + H, c * cell_w: c * cell_w + W] = scaled[k]
    ax = _ax(ax, figsize=(0.8 * ncols + 0.4 + 0.8 * (colorbar is not None),
                          (0.8 + 0.4 * (labels is not None)) * nrows + 0.3))
    if symmetric is not None:
        cmap = plt.get_cmap(cmap).with_extremes(bad="0.75")
    im = ax.imshow(canvas, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    if colorbar is not None:
        ax.figure.colorbar(im, ax=ax, label=colorbar, fraction=0.03, pad=0.01)
    if labels is not None:
        for k, lab in enumerate(labels):
            r, c = divmod(k, ncols)
            ax.text(c * cell_w + W / 2, r * cell_h + label_h - 1, str(lab), ha="center", va="bottom",
                    fontsize=7, color=None if colors is None else colors[k])
    ax.axis("off")
    return ax


def confusion_matrix(y_true, y_pred, n_classes=None, ax=None, class_names=None):
    """Counts of (true, predicted) pairs (``ax.images[0].get_array()``) as an annotated heat map whose
    log colour scale shows the few errors as well as the many right answers; zero cells stay white."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    k = n_classes or int(max(y_true.max(), y_pred.max())) + 1
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    ax = _ax(ax, figsize=(0.45 * k + 2.6, 0.45 * k + 1.4))
    top = max(int(counts.max()), 2)
    cmap = ListedColormap(plt.get_cmap("Blues")(np.linspace(0.15, 1.0, 256))).with_extremes(bad="white")
    norm = LogNorm(vmin=1, vmax=top)
    im = ax.imshow(counts, cmap=cmap, norm=norm)  # LogNorm masks the zeros: drawn "bad", white
    for (i, j), v in np.ndenumerate(counts):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="w" if norm(v) > 0.55 else "k")
    bar = ax.figure.colorbar(im, ax=ax, label="count (log scale)", fraction=0.046, pad=0.03)
    ticks = [m * 10**e for e in range(len(str(top))) for m in (1, 2, 5) if m * 10**e <= top]
    bar.set_ticks(ticks, labels=[str(t) for t in ticks])
    bar.ax.minorticks_off()
    names = class_names if class_names is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), names, rotation=45 if class_names is not None else 0, fontsize=8,
                  ha="right" if class_names is not None else "center")
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix")
    ax.grid(False)
    return ax


def gradient_norm_map(objective, ax=None, n=200, vmin=None, vmax=None, colorbar=True, cmap="magma"):
    """|grad f| of a 2-D objective over its ``bounds`` on a log colour scale, minima starred; the
    (n, n) norms are ``ax.images[0]``. Dark is flat: there gradient descent moves by lr * |grad f|."""
    if len(objective.bounds) != 2:
        raise ValueError(f"gradient_norm_map needs a 2-D objective; {objective.name} has {len(objective.bounds)}")
    ax = _ax(ax)
    (a, b), (c, d) = objective.bounds
    X1, X2, _ = grid_2d(objective.bounds, n)
    G = np.linalg.norm(objective.grad(np.stack([X1, X2], axis=-1)), axis=-1)
    G = np.maximum(G, 1e-12 * max(float(G.max()), 1e-300))  # exact zeros have no logarithm
    im = ax.imshow(G, origin="lower", extent=(a, b, c, d), aspect="auto", cmap=cmap,
                   norm=LogNorm(vmin=vmin, vmax=vmax), interpolation="nearest")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=r"$\|\nabla f(x)\|$ (log scale)")
    _mark_minima(ax, objective)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=f"{objective.name}: gradient norm")
    ax.grid(False)
    return ax


def landscape_1d(objective, paths=(), labels=None, ax=None, n=400, xlim=None):
    """A 1-D objective (e.g. ``bump(h)``) over its ``bounds`` or ``xlim``, with paths (k,) or (k, 1)
    drawn on the curve, x_i at (x_i, f(x_i)): ``ax.lines[0]`` is f, ``ax.lines[1:]`` the paths."""
    if len(objective.bounds) != 1:
        raise ValueError(f"landscape_1d needs a 1-D objective; {objective.name} has {len(objective.bounds)}")
    ax = _ax(ax)
    lo, hi = xlim if xlim is not None else objective.bounds[0]
    xs = np.linspace(lo, hi, n)
    ax.plot(xs, objective.f(xs[:, None]), color="0.3", linewidth=1.5, label="f(x)")
    ax.set(xlim=(lo, hi), xlabel="x", ylabel="f(x)", title=objective.name)

    def draw(p, lab, color):
        p = np.asarray(p, dtype=np.float64).reshape(-1)
        ax.plot(p, objective.f(p[:, None]), "o-", markersize=4, linewidth=0.6, alpha=0.8, color=color, label=lab)
    return _each_path(ax, paths, labels, draw)
