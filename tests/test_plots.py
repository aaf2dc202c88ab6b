"""The plotting helpers draw what they are given (read back from the artists)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

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


def test_image_grid_places_each_tile():
    images = np.zeros((3, 2, 2))
    images[1] = [[0, 1], [1, 0]]
    ax = plots.image_grid(images, ncols=2)
    canvas = ax.images[0].get_array()
    # tiles of 2x2 plus one pixel of padding, row-major
    np.testing.assert_array_equal(canvas[0:2, 3:5], [[0, 1], [1, 0]])
    assert canvas.shape == (6, 6)
    with pytest.raises(ValueError, match=r"\(M, H, W\)"):
        plots.image_grid(np.zeros((3, 4)))


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


def test_training_curves_and_paths():
    hist = History(loss=[1.0, 0.5], train_acc=[0.6, 0.8], val_loss=[1.1, 0.7], val_acc=[0.5, 0.7])
    ax_loss, ax_acc = plots.training_curves(hist)
    np.testing.assert_array_equal(ax_loss.lines[1].get_ydata(), [1.1, 0.7])
    np.testing.assert_array_equal(ax_acc.lines[0].get_xdata(), [1, 2])
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
