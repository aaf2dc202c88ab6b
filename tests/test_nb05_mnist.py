"""Notebook 05's live-training explorer: sliders set up a run, Train runs it through fit."""

import numpy as np
import pytest

from helpers.data import load_dataset
from helpers.nn import MLP
from helpers.optim import GD, Momentum
from helpers.optim import cosine as cosine_schedule
from helpers.train import fit

pytest.importorskip("ipywidgets")
from helpers.widgets import TrainingExplorer  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X_tr, y_tr, X_te, y_te = load_dataset("digits", seed=0)
    return X_tr[:400], y_tr[:400], X_te[:120], y_te[:120]


# 2 epochs: every run draws a frame per epoch, and no assertion needs more (those that do set their own)
SETTINGS = dict(hidden=16, lr=0.05, batch_size=32, epochs=2, l2=1e-3, beta=0.9)


@pytest.fixture
def explorer(digits):
    return TrainingExplorer(*digits, **SETTINGS, seed=0)


def reference(digits, hidden, lr, batch_size, epochs, l2, beta, cosine=False):
    """The same run through fit directly."""
    X_tr, y_tr, X_te, y_te = digits
    net = MLP([X_tr.shape[1], hidden, 10], seed=0, dtype=X_tr.dtype)
    rule = Momentum(lr, beta) if beta else GD(lr)
    return fit(net, X_tr, y_tr, epochs=epochs, batch_size=batch_size, rule=rule, l2=l2, validation=(X_te, y_te),
               seed=0, progress=False, schedule=cosine_schedule if cosine else None)


def curves(explorer):
    return [np.asarray(line.get_ydata()).copy()
            for line in (explorer.loss_train, explorer.loss_test, explorer.acc_train, explorer.acc_test)]


def assert_curves_show(explorer, hist):
    x = explorer.loss_train.get_xdata()
    assert list(x) == list(range(1, len(hist.loss) + 1))
    for got, want in zip(curves(explorer), (hist.loss, hist.val_loss, hist.train_acc, hist.val_acc), strict=True):
        assert np.array_equal(got, want)


def test_opens_with_one_training_run(digits, explorer, capsys):
    ref = reference(digits, **SETTINGS)
    assert explorer.model.sizes == (64, 16, 10)
    assert explorer.history.loss == ref.loss and explorer.history.val_acc == ref.val_acc
    assert_curves_show(explorer, ref)
    assert explorer.progress.value == explorer.progress.max == SETTINGS["epochs"]
    assert f"test acc {ref.val_acc[-1]:.4f}" in explorer.status.get_text()
    assert explorer.image.value
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_slider_alone_does_not_retrain_but_says_so(explorer, capsys):
    before, png = curves(explorer), explorer.image.value
    explorer.controls["hidden"].value = 32
    assert explorer.model.sizes == (64, 16, 10)
    for a, b in zip(curves(explorer), before, strict=True):
        assert np.array_equal(a, b)
    assert "settings changed: press Train" in explorer.status.get_text()
    assert explorer.image.value != png
    explorer.controls["hidden"].value = 16
    assert "settings changed" not in explorer.status.get_text()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name, value", [
    ("hidden", 8), ("lr", 0.05 * 10**0.6), ("batch_size", 64), ("epochs", 6), ("l2", 1e-2), ("beta", 0.0),
    ("cosine", True),
])
def test_each_control_changes_the_next_run(digits, explorer, name, value, capsys):
    before, png = curves(explorer), explorer.image.value
    explorer.controls[name].value = value
    explorer.button.click()
    ref = reference(digits, **{**SETTINGS, name: value})
    assert_curves_show(explorer, ref)
    assert not all(np.array_equal(a, b) for a, b in zip(curves(explorer), before, strict=False))
    assert explorer.model.sizes[1] == (value if name == "hidden" else 16)
    assert explorer.progress.value == explorer.progress.max == len(ref.loss)
    assert explorer.image.value != png
    assert "settings changed" not in explorer.status.get_text()
    assert capsys.readouterr().err == ""


def test_left_end_of_the_penalty_slider_is_no_penalty(digits, explorer):
    slider = explorer.controls["l2"]
    slider.value = slider.min
    assert explorer.values()["l2"] == 0.0
    explorer.button.click()
    assert_curves_show(explorer, reference(digits, **{**SETTINGS, "l2": 0.0}))
    assert ", c 0," in explorer.status.get_text()


def test_curves_are_redrawn_while_training(digits):
    seen = []
    ex = TrainingExplorer(*digits, **SETTINGS, fps=1e9, train=False)
    assert ex.history is None and ex.status.get_text() == "press Train"
    ex.progress.observe(lambda change: seen.append((change["new"], len(ex.loss_train.get_xdata()))), names="value")
    frames = ex.frames
    ex.controls["epochs"].value = 5
    ex.button.click()
    # a cleared frame, one frame per epoch (unthrottled here), the final one; the bar moved epoch by epoch
    assert ex.frames - frames >= 1 + 5 + 1
    assert [v for v, _ in seen] == [1, 2, 3, 4, 5]
    # when the bar shows epoch k, the curves drawn so far hold the epochs before it
    assert all(n == v - 1 for v, n in seen)


def test_divergence_is_reported(digits):
    ex = TrainingExplorer(*digits, **{**SETTINGS, "lr": 30.0, "beta": 0.99}, lr_range=(-4, 2))
    assert ex.history.diverged is not None
    assert "diverged in epoch" in ex.status.get_text()


def test_a_diverged_run_says_so_in_the_figure(digits):
    # lr 0.3 with beta 0.9 on these 400 images: the loss grows for a few epochs, then leaves every bound
    ex = TrainingExplorer(*digits, **{**SETTINGS, "lr": 0.3, "epochs": 30})
    h = ex.history
    assert h.diverged is not None and h.diverged > 1 and h.loss[-1] == float("inf")
    settings, result = ex.status.get_text().split("\n")  # two lines: the run, then what happened
    assert settings.startswith("momentum, hidden 16, lr 0.3") and result.startswith("STOPPED: training diverged in")
    assert ex.status.get_color() == "tab:red"
    assert ex.diverged_note.get_text() == f"diverged in epoch {h.diverged}"
    lo, hi = ex.ax_loss.get_ylim()
    assert list(ex.diverged_mark.get_xdata()) == [h.diverged] and list(ex.diverged_mark.get_ydata()) == [hi]
    finite = [v for v in h.loss + h.val_loss if np.isfinite(v)]
    assert lo <= min(finite) and max(finite) <= hi  # the curve up to the divergence is in view
    # a good run afterwards clears the note
    ex.controls["lr"].value = 0.05
    ex.button.click()
    assert ex.history.diverged is None and ex.diverged_note.get_text() == ""
    assert ex.status.get_color() == "black" and len(ex.diverged_mark.get_xdata()) == 0


def test_the_train_button_is_inactive_during_a_run(digits):
    ex = TrainingExplorer(*digits, **SETTINGS, fps=1e9, train=False)
    during = []

    def press_again(change):  # a second press while the first run lasts
        during.append((ex.button.disabled, ex.button.description, ex.train() is ex.history))

    ex.progress.observe(press_again, names="value")
    ex.button.click()
    assert during and all(d == (True, "training...", True) for d in during)
    assert len(ex.history.loss) == SETTINGS["epochs"]  # one run, not one inside another
    assert not ex.button.disabled and ex.button.description == "Train"


def test_epochs_on_whole_numbers_and_plain_loss_labels(explorer):
    explorer.canvas.draw()
    assert all(float(t).is_integer() for t in explorer.ax_loss.get_xticks())
    labels = [t.get_text() for t in explorer.ax_loss.yaxis.get_ticklabels() + explorer.ax_loss.yaxis.get_ticklabels(
        minor=True) if t.get_text()]
    assert labels and all(set(t) <= set("0123456789.e+-") for t in labels)  # 0.5, 1: no 5x10^-1


def test_the_second_set_can_be_called_validation(digits):
    ex = TrainingExplorer(*digits, **SETTINGS, test_label="validation")
    assert ex.ax_acc.get_legend_handles_labels()[1] == ["train", "validation"]
    assert f"validation acc {ex.history.val_acc[-1]:.4f}" in ex.status.get_text()


def test_inputs_are_checked(digits):
    X_tr, y_tr, X_te, y_te = digits
    with pytest.raises(ValueError, match="must be"):
        TrainingExplorer(X_tr, y_tr, X_te[:, :10], y_te)


def test_the_stored_cases_are_what_the_notebook_says():
    """backward-md and Common mistakes: four of the five backward cases have c > 0, one has c = 0; forward-md: in
    the extreme case the true classes trail the largest logit by about 1000, 1000 and 200 (none by 800)."""
    from coursework import _stored

    cs = [c for c in _stored("mnist_backward").cases()]
    assert len(cs) == 5 and sorted(c[-1] > 0 for c in cs) == [False, True, True, True, True]
    X, y, W1, b1, W2, b2, c = _stored("mnist_forward").cases()[-1]
    Z2 = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    trail = Z2.max(axis=1) - Z2[np.arange(len(y)), y]
    assert np.allclose(trail, [1000, 1000, 200], atol=1)
