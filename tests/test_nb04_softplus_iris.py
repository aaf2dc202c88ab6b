"""Notebook 04: its explorer (HiddenUnitsExplorer retrains the 4-NH-3 net on every slider move), and the
protocol of the notebook itself (the test set is looked at once, at the end)."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers.data import load_iris, standardize, train_test_split
from helpers.nn import MLP
from helpers.optim import GD

pytest.importorskip("ipywidgets")
from helpers.widgets import HiddenUnitsExplorer  # noqa: E402


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, seed=0)
    X_tr, mean, std = standardize(X_tr)
    X_te = standardize(X_te, mean, std)[0]
    center = X_tr.mean(axis=0)
    basis = np.linalg.svd(X_tr - center, full_matrices=False)[2][:2].T
    return X_tr, y_tr, X_te, y_te, basis, center


@pytest.fixture
def explorer(iris):
    X_tr, y_tr, X_te, y_te, basis, center = iris
    return HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, basis, center, hidden=8, lr=0.5, epochs=60,
                               resolution=40)


def first_two_losses(iris, NH, lr):
    """Loss at the N(0, 0.05^2) start and after one full-batch gradient step, computed by hand."""
    X_tr, y_tr = iris[0], iris[1]
    net = MLP([4, NH, 3], hidden="softplus", init=0.05, seed=0)
    L0, g = net.loss_and_grads(X_tr, y_tr)
    GD(lr).step(net.params, g)
    return L0, net.loss_and_grads(X_tr, y_tr)[0]


def test_starts_with_the_settings_it_was_given(iris, explorer, capsys):
    h = explorer.history
    assert explorer.model.sizes == (4, 8, 3) and explorer.model.n_params == 8 * 8 + 3
    assert len(explorer.loss_train.get_xdata()) == 60 == len(h.loss)
    L0, L1 = first_two_losses(iris, 8, 0.5)
    y = explorer.loss_train.get_ydata()
    assert y[0] == pytest.approx(L0, rel=1e-12) and y[1] == pytest.approx(L1, rel=1e-12)
    assert np.allclose(explorer.loss_test.get_ydata(), h.val_loss)
    assert explorer.image.value  # a frame was rendered
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_hidden_slider_retrains_a_narrower_net(iris, explorer, capsys):
    png, regions = explorer.image.value, explorer.regions.get_array().copy()
    explorer.controls["hidden"].value = 3
    assert explorer.model.sizes == (4, 3, 3) and explorer.model.n_params == 27
    L0, L1 = first_two_losses(iris, 3, 0.5)
    y = explorer.loss_train.get_ydata()
    assert y[0] == pytest.approx(L0, rel=1e-12) and y[1] == pytest.approx(L1, rel=1e-12)
    assert "NH = 3: 27 parameters" in explorer.info.get_text()
    assert explorer.image.value != png
    assert not np.array_equal(explorer.regions.get_array(), regions)
    assert capsys.readouterr().err == ""


def test_lr_slider_changes_the_first_step_not_the_start(iris, explorer, capsys):
    before = explorer.loss_train.get_ydata().copy()
    png = explorer.image.value
    explorer.controls["lr"].value = 0.05
    after = explorer.loss_train.get_ydata()
    L0, L1 = first_two_losses(iris, 8, 0.05)
    assert after[0] == before[0] == pytest.approx(L0, rel=1e-12)
    assert after[1] == pytest.approx(L1, rel=1e-12) and after[1] != before[1]
    # a tenth of the step size: after 60 steps the loss is still far above the lr = 0.5 run
    assert after[-1] > before[-1]
    assert explorer.image.value != png
    assert capsys.readouterr().err == ""


def test_regions_are_the_models_decisions_on_the_plane(iris, explorer):
    explorer.controls["hidden"].value = 4
    labels = explorer.model.predict(explorer.grid).reshape(explorer._grid_shape)
    assert np.array_equal(explorer.regions.get_array(), explorer._shades[labels])
    # the grid lies on the plane: its coordinates along the basis span the drawn extent
    X_tr, basis, center = iris[0], iris[4], iris[5]
    coords = (explorer.grid - center) @ basis
    left, right, bottom, top = explorer.regions.get_extent()
    assert coords[:, 0].min() == pytest.approx(left) and coords[:, 0].max() == pytest.approx(right)
    assert coords[:, 1].min() == pytest.approx(bottom) and coords[:, 1].max() == pytest.approx(top)
    P = (X_tr - center) @ basis
    assert np.allclose(explorer.points_train.get_offsets(), P)


def test_bad_basis_is_refused(iris):
    X_tr, y_tr, X_te, y_te, basis, center = iris
    with pytest.raises(ValueError, match=r"basis must have shape \(4, 2\)"):
        HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, basis.T, center)


def drawn_start(sizes, seed):
    """The assignment's start: every parameter, biases included, from N(0, 0.05^2) (as notebook 04's iris_init)."""
    g = np.random.default_rng(seed)
    D, H, K = sizes
    shapes = {"W1": (D, H), "b1": (H,), "W2": (H, K), "b2": (K,)}
    return MLP.from_params({k: 0.05 * g.standard_normal(s) for k, s in shapes.items()}, hidden="softplus")


def test_make_model_builds_every_run(iris):
    X_tr, y_tr, X_te, y_te, basis, center = iris
    calls = []

    def make(sizes, seed):
        calls.append(tuple(sizes))
        return drawn_start(sizes, seed)

    explorer = HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, basis, center, hidden=8, lr=0.5, epochs=5, resolution=20,
                                   make_model=make)
    L0 = drawn_start((4, 8, 3), 0).loss_and_grads(X_tr, y_tr)[0]
    assert explorer.loss_train.get_ydata()[0] == pytest.approx(L0, rel=1e-12)
    assert np.any(explorer.model.params["b1"] != 0)  # the drawn biases, not MLP's zeros
    explorer.controls["hidden"].value = 3
    assert calls == [(4, 8, 3), (4, 3, 3)] and explorer.model.n_params == 27


def test_a_setting_seen_again_is_drawn_from_the_cache_as_a_fresh_run_draws_it(iris, monkeypatch):
    monkeypatch.setattr(HiddenUnitsExplorer, "CACHE", 2)
    X_tr, y_tr, X_te, y_te, basis, center = iris
    calls = []

    def make(sizes, seed):
        calls.append(sizes[1])
        return drawn_start(sizes, seed)

    ex = HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, basis, center, hidden=8, lr=0.5, epochs=20, resolution=20,
                             make_model=make)
    first, model = ex.image.value, ex.model
    model.params["W1"][...] = 0.0  # what a student does with ex.model does not reach the cache
    ex.controls["hidden"].value = 3
    ex.controls["hidden"].value = 8  # seen: no training, the same frame and a network equal to the first
    assert calls == [8, 3] and ex.image.value == first and ex.model is not model
    fresh = HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, basis, center, hidden=8, lr=0.5, epochs=20, resolution=20,
                                make_model=drawn_start)
    assert ex.image.value == fresh.image.value
    assert [ex.history.loss, ex.history.val_loss, ex.history.train_acc, ex.history.val_acc] == \
        [fresh.history.loss, fresh.history.val_loss, fresh.history.train_acc, fresh.history.val_acc]
    assert all(np.array_equal(ex.model.params[k], fresh.model.params[k]) for k in fresh.model.params)
    for nh in (4, 5, 3):  # the cache holds the last CACHE settings, no more
        ex.controls["hidden"].value = nh
    assert ex._trained.cache_info().currsize == 2 and calls == [8, 3, 4, 5, 3]


ROOT = Path(__file__).resolve().parents[1]
TEST_SET = re.compile(r"\b(X_te|y_te|X_te_raw)\b")


@pytest.mark.parametrize("folder", ["notebooks", "exercises"])
def test_the_test_set_is_looked_at_once_at_the_end(folder):
    """Every choice is made on the training set (cross-validation); no code cell before the final
    evaluation (section 9) reads the test set, apart from the one that splits and scales the data."""
    cells = nbformat.read(ROOT / folder / "04_softplus_iris.ipynb", as_version=4).cells
    ids = [c.id for c in cells]
    final = ids.index("nb04-final")
    readers = [c.id for c in cells[:final] if c.cell_type == "code" and c.id != "nb04-22" and TEST_SET.search(c.source)]
    assert readers == [], f"cells before the final evaluation that read the test set: {readers}"
    assert TEST_SET.search(cells[final].source)
