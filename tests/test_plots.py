"""The plotting helpers draw what they are given (read back from the artists)."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import LogNorm

from helpers import plots
from helpers.objectives import ROSENBROCK
from helpers.train import History


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_confusion_matrix_counts():
    ax = plots.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0])
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_confusion_matrix_shows_rare_errors_beside_many_right_answers():
    y = np.r_[np.zeros(500, int), np.ones(500, int), [0, 1]]
    ax = plots.confusion_matrix(y, np.r_[y[:-2], [1, 0]])
    im = ax.images[0]
    assert isinstance(im.norm, LogNorm) and im.colorbar is not None  # 1 and 500 both on the scale
    assert im.norm(1) == 0.0 and im.norm(500) == 1.0
    texts = {(t.get_position(), t.get_text()): t.get_color() for t in ax.texts}
    # every non-zero cell carries its count: white on the dark diagonal, black on the light off-diagonal
    assert texts == {((0, 0), "500"): "w", ((1, 0), "1"): "k", ((0, 1), "1"): "k", ((1, 1), "500"): "w"}


def test_image_grid_places_each_tile():
    images = np.zeros((3, 2, 2))
    images[1] = [[0, 1], [1, 0]]
    ax = plots.image_grid(images, ncols=2)
    canvas = ax.images[0].get_array()
    # tiles of 2x2 with one pixel between them, row-major
    np.testing.assert_array_equal(canvas[0:2, 3:5], [[0, 1], [1, 0]])
    assert canvas.shape == (5, 5)
    with pytest.raises(ValueError, match=r"\(M, H, W\)"):
        plots.image_grid(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="symmetric"):
        plots.image_grid(images, symmetric="yes")


@pytest.mark.parametrize("symmetric", ["all", "each"])
def test_image_grid_symmetric_puts_zero_at_the_centre_of_the_map(symmetric):
    weights = np.array([[[0.0, 1.0], [-0.5, 0.2]], [[0.0, 3.0], [2.0, 1.0]]])  # the second tile is all >= 0
    ax = plots.image_grid(weights, ncols=2, cmap="RdBu_r", symmetric=symmetric, colorbar="weight")
    im = ax.images[0]
    colour = im.to_rgba(im.get_array())
    centre = im.cmap(0.5)
    for col in (0, 3):  # the first entry of tile 0 and of tile 1
        np.testing.assert_allclose(colour[0, col], centre)  # the zero weight of each tile: the map's centre (white)
        assert im.norm(im.get_array()[0, col]) == 0.5
    # every weight is drawn on its own sign's side of the centre
    values = im.norm(im.get_array()).filled(np.nan)
    signs = np.sign(np.c_[weights[0], np.full(2, np.nan), weights[1]])
    np.testing.assert_array_equal(np.sign(values - 0.5), signs)
    assert im.colorbar is not None and im.colorbar.ax.get_ylabel() == "weight"
    top = 3.0 if symmetric == "all" else 1.0
    assert im.norm.vmin == -top and im.norm.vmax == top


def test_image_grid_own_min_max_is_not_symmetric():
    # the old picture of weights: each tile from its min to its max, so 0 is not the centre
    ax = plots.image_grid(np.array([[[0.0, 3.0], [2.0, 1.0]]]), cmap="RdBu_r")
    assert ax.images[0].get_array()[0, 0] == 0.0 and ax.images[0].colorbar is None


def test_computation_graph_layout_and_errors():
    nodes = [dict(name="x", op="input", value=2.0, grad=3.0, inputs=[]),
             dict(name="y", op="input", value=3.0, grad=2.0, inputs=[]),
             dict(name="f", op="*", value=6.0, grad=1.0, inputs=["x", "y"])]
    ax = plots.computation_graph(nodes)
    texts = [t.get_text() for t in ax.texts]
    assert "f = *\nvalue 6.0000\ngrad 1.0000" in texts and len(texts) == 3
    with pytest.raises(ValueError, match="before they are defined"):
        plots.computation_graph(nodes[::-1])
    with pytest.raises(ValueError, match="unique"):
        plots.computation_graph(nodes + nodes[:1])


def _overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("sizes,figsize", [((4, 8, 3), (4.6, 4.4)), ((4, 16, 3), None), ((2, 4, 1), None)])
def test_network_diagram_units_and_layer_names_never_overlap(sizes, figsize):
    ax = None if figsize is None else plt.subplots(figsize=figsize)[1]
    ax = plots.network_diagram(sizes, ax=ax, layer_names=["input", "hidden\nsoftplus", "output\nsoftmax"])
    fig = ax.figure
    fig.canvas.draw()
    names = [t.get_window_extent() for t in ax.texts]
    assert len(names) == 3 and not any(_overlap(a, b) for i, a in enumerate(names) for b in names[i + 1:])
    units = np.vstack([ax.transData.transform(c.get_offsets()) for c in ax.collections])
    diameter = np.sqrt(ax.collections[0].get_sizes()[0]) * fig.dpi / 72
    gaps = np.linalg.norm(units[:, None] - units[None], axis=-1) + np.eye(len(units)) * 1e9
    assert len(units) == sum(sizes) and gaps.min() > 1.2 * diameter
    assert all(n.y1 < units[:, 1].min() for n in names)  # the captions sit under the units


def test_network_diagram_default_names_weights_and_notes():
    W1 = np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]])
    V = np.array([[1.0], [0.0], [-1.0], [1.0]])
    ax = plots.network_diagram((2, 4, 1), weights=[W1, V], notes=[[], ["b1", "b2", "b3", "b4"], ["c"]])
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if "(" in t] == ["input (2)", "hidden (4)", "output (1)"]
    assert sorted(texts[:12]) == sorted(f"{w:g}" for w in [*W1.ravel(), *V.ravel()])  # one label per edge
    assert {"b1", "b4", "c"} <= set(texts)
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert len(ax.lines) == 12 and len(dotted) == 4  # the four zero weights
    assert [t.get_text() for t in plots.network_diagram((3, 5, 4, 2)).texts][1:3] == ["hidden 1 (5)", "hidden 2 (4)"]


def test_training_curves_and_paths():
    hist = History(loss=[1.0, 0.5, 0.3], train_acc=[0.6, 0.8, 0.9], val_loss=[1.1, 0.7, 0.6], val_acc=[0.5, 0.7, 0.8])
    ax_loss, ax_acc = plots.training_curves(hist, log_loss=True, val_label="validation")
    np.testing.assert_array_equal(ax_loss.lines[1].get_ydata(), [1.1, 0.7, 0.6])
    np.testing.assert_array_equal(ax_acc.lines[0].get_xdata(), [1, 2, 3])
    assert ax_acc.get_legend_handles_labels()[1] == ["train", "validation"]
    ax_loss.figure.canvas.draw()
    for ax in (ax_loss, ax_acc):  # whole epochs only
        assert all(float(t).is_integer() for t in ax.get_xticks())
    # the log axis reads in plain numbers, also between the decades when it spans only one
    assert ax_loss.get_yscale() == "log" and ax_loss.get_ylim()[1] < 10 * ax_loss.get_ylim()[0]
    labels = [t.get_text() for t in ax_loss.yaxis.get_ticklabels(minor=True) if t.get_text()]
    assert set(labels) <= {"0.2", "0.5", "2", "5"} and labels
    path = np.array([[-1.0, 1.0], [0.0, 0.5]])
    ax = plots.contour_paths(ROSENBROCK, [path], labels=["GD"])
    np.testing.assert_array_equal(ax.lines[-1].get_xydata(), path)
    ax = plots.value_curves(ROSENBROCK, [path])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ROSENBROCK.f(path))


def test_gradient_norm_map_and_decision_boundary():
    ax = plots.gradient_norm_map(ROSENBROCK, n=5, colorbar=False)
    grid = ax.images[0].get_array()
    assert grid.shape == (5, 5)
    assert grid[0, 0] == pytest.approx(np.linalg.norm(ROSENBROCK.grad(np.array([-2.0, -1.0]))))
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    ax = plots.decision_boundary(lambda P: (P[:, 0] > 0.5).astype(int), X, np.array([0, 1]), resolution=20)
    assert len(ax.collections) >= 2  # the regions and the points


def test_one_png_encoder_keeps_few_colours_exact_and_the_artists_colours_beside_many():
    import io

    from PIL import Image

    rng = np.random.default_rng(0)
    few = np.zeros((4, 6, 4), np.uint8) + np.array([255, 0, 0, 255], np.uint8)
    few[1:3] = (0, 128, 255, 255)
    back = np.asarray(Image.open(io.BytesIO(plots.png_bytes(few, 64, np.zeros((0, 3))))).convert("RGBA"))
    np.testing.assert_array_equal(back, few)
    many = rng.integers(0, 256, (40, 40, 4)).astype(np.uint8)
    many[..., 3], many[0, 0, :3] = 255, (1, 2, 3)  # a one-pixel artist colour among 1600 others
    image = Image.open(io.BytesIO(plots.png_bytes(many, 64, np.array([[1.0, 2, 3]]))))
    assert image.mode == "P" and len(image.getcolors()) <= 64
    assert image.convert("RGB").getpixel((0, 0)) == (1, 2, 3)


def test_paths_and_labels_must_match():
    with pytest.raises(ValueError, match="2 paths but 1 labels"):
        plots.value_curves(ROSENBROCK, [np.zeros((3, 2)), np.ones((3, 2))], ["one"])


def test_the_palettes_known_colours_follow_the_colour_cycle():
    # colours are converted once and kept, but "C0" names whatever the colour cycle holds when it is drawn
    fig, ax = plt.subplots()
    ax.plot([0, 1], color="C0")
    assert [31, 119, 180] in plots._artist_colours(fig, 240).tolist()  # tab:blue, the default cycle's first
    with mpl.rc_context({"axes.prop_cycle": mpl.cycler(color=["#ff00ff"])}):
        fig2, ax2 = plt.subplots()
        ax2.plot([0, 1], color="C0")
        assert [255, 0, 255] in plots._artist_colours(fig2, 240).tolist()
    plt.close(fig)
    plt.close(fig2)
