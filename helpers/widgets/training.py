"""Explorer of notebooks 04 and 05: a classifier trained while you watch."""

import time

import ipywidgets as W
import numpy as np

from ..nn import MLP
from ..optim import RULES, cosine, make_rule
from ..plots import epoch_axes
from ..train import fit
from .base import Explorer, _in_range, dropdown, int_slider, linear_slider, log_slider, snap, train_test_sets

__all__ = ["TrainingExplorer"]


def _epochs_lim(epochs):
    """The x-limits of a run of ``epochs`` (at least 2): whole epochs, half an epoch of room at each end."""
    return 0.5, max(epochs, 2) + 0.5


class TrainingExplorer(Explorer):
    """Train a D-H-K softmax classifier with mini-batch SGD and watch the loss and accuracy grow.

    Train calls :func:`helpers.train.fit` on a fresh network (same seed: equal settings, equal
    curves), redrawing at most ``fps`` times a second; a slider only sets up the next run.
    X_train (N, D), X_test (M, D); y_train, y_test: integer labels (N,), (M,) or one-hot rows (N, K), (M, K).
    Every setting must lie in its control's range (an error names the range and how to widen it).
    test_label : the second set's name ("validation" while settings are chosen on it)
    l2 : the c of c * sum |W|^2, 0 or from 10**l2_range[0] up; the slider's left end means 0
    rule : a name of helpers.optim.RULES (beta is Adam's beta1); cosine: helpers.optim.cosine
    dtype : None follows X_train (float32 stays float32)
    batch_range : (min, max, step) of the batch-size slider; max is capped at N
    train : run once at construction, so the figure starts filled
    """

    figsize = (9.6, 3.9)

    def __init__(self, X_train, y_train, X_test, y_test, *, hidden=64, lr=0.05, batch_size=32, epochs=30,
                 l2=1e-4, beta=0.9, cosine=False, rule="momentum", activation="relu", init="he", seed=0, dtype=None,
                 max_hidden=256, max_epochs=100, batch_range=(8, 512, 8), lr_range=(-4, 0), l2_range=(-6, -1), fps=10.0,
                 train=True, test_label="test"):
        super().__init__()
        self.X_train, self.y_train, self.X_test, self.y_test, self.n_classes = train_test_sets(X_train, y_train,
                                                                                               X_test, y_test)
        self.activation, self.init, self.seed = activation, init, seed
        self.dtype = np.dtype(dtype) if dtype is not None else (
            self.X_train.dtype if self.X_train.dtype in (np.float32, np.float64) else np.dtype(np.float64))
        self.fps, self.test_label = float(fps), test_label
        self.model = self.history = self._settings = None  # _settings: what the curves shown were trained with
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        self.loss_train, self.loss_test, self.acc_train, self.acc_test = (
            self._line(ax, "o-", ms=2.5, color=c, label=lab) for ax in (self.ax_loss, self.ax_acc)
            for c, lab in (("tab:blue", "train"), ("tab:orange", test_label)))
        self.ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss per epoch", yscale="log", ylim=(0.01, 1))
        self.ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy per epoch", ylim=(0.5, 1.01))
        for ax, log_y, loc in ((self.ax_loss, True, "upper right"), (self.ax_acc, False, "lower right")):
            epoch_axes(ax, log_y=log_y)
            ax.legend(loc=loc, fontsize=8)
        self.diverged_mark = self._line(self.ax_loss, "^", ms=9, color="tab:red", clip_on=False, zorder=5)
        self.diverged_note = self._note(self.ax_loss, 0.5, 0.96, ha="center", fontsize=9, color="tab:red",
                                        fontweight="bold")
        self.status = self.dynamic(self.fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=9, linespacing=1.5))
        self._l2_off = 10.0 ** l2_range[0]
        if l2 != 0:  # 0 is the slider's left end; any other value must lie on the slider
            _in_range("L2 penalty c", l2, 10.0 ** l2_range[0], 10.0 ** l2_range[1], "l2_range, or pass l2=0")
        bmin, bmax = min(int(batch_range[0]), self.X_train.shape[0]), min(int(batch_range[1]), self.X_train.shape[0])
        self.button = W.Button(description="Train", button_style="primary", layout=W.Layout(width="120px"))
        self.button.on_click(self.train)
        self.progress = W.IntProgress(value=0, min=0, max=epochs, description="epoch", layout=W.Layout(width="330px"))
        self._start({
            "rule": dropdown("update rule", rule, RULES),
            "lr": log_slider("learning rate", lr, *lr_range, continuous_update=False),
            "hidden": int_slider("hidden units", hidden, 1, max_hidden, continuous_update=False, widen="max_hidden"),
            "batch_size": int_slider("batch size", batch_size, bmin, bmax, batch_range[2], continuous_update=False,
                                     widen=f"batch_range (its top is cut to the {self.X_train.shape[0]} samples)"),
            "epochs": int_slider("epochs", epochs, 1, max_epochs, continuous_update=False, widen="max_epochs"),
            "l2": log_slider("L2 penalty c", max(l2, self._l2_off), *l2_range, continuous_update=False,
                             readout_format=".1e", widen="l2_range"),
            "beta": linear_slider("beta", beta, 0.0, 0.99, 0.01, continuous_update=False),
            "cosine": W.Checkbox(value=bool(cosine), description="cosine lr decay", indent=False),
        }, extra=(self.button, self.progress), rect=(0, 0.12, 1, 1), draw=not train)
        if train:  # nobody sees the figure before the cell ends: the first run is drawn once, when it has ended
            self.train(frames=False)

    def values(self):
        """Current control values; ``l2`` is 0 at the slider's left end."""
        v = super().values()
        if v["l2"] <= self._l2_off * (1 + 1e-9):
            v["l2"] = 0.0
        return v

    def train(self, _button=None, frames=True):
        """Train a fresh network with the current slider values, redrawing as it goes (``frames=False``: only
        when it has ended)."""
        if getattr(self, "_running", False):  # a second press cannot start a run inside the first
            return self.history
        v = self.values()
        self.model = MLP((self.X_train.shape[1], v["hidden"], self.n_classes), hidden=self.activation, init=self.init,
                         seed=self.seed, dtype=self.dtype)
        self._settings = v
        self.progress.max, self.progress.value = v["epochs"], 0
        self.history, self._running, self._frames, self._last_frame = None, True, frames, -np.inf
        self.button.disabled, self.button.description = True, "training..."
        if frames:
            self.refresh()  # clear the old curves at once
        try:
            self.history = fit(self.model, self.X_train, self.y_train, epochs=v["epochs"],
                               batch_size=v["batch_size"], rule=make_rule(v["rule"], v["lr"], v["beta"]),
                               l2=v["l2"], validation=(self.X_test, self.y_test), seed=self.seed, progress=False,
                               callback=self._on_epoch, schedule=cosine if v["cosine"] else None)
        finally:
            self._running = False
            self.button.disabled, self.button.description = False, "Train"
        self.refresh()
        return self.history

    def _on_epoch(self, epoch, hist):
        self.progress.value = epoch
        self.history = hist
        if self._frames and time.perf_counter() - self._last_frame >= 1.0 / self.fps:
            self.refresh()
            self._last_frame = time.perf_counter()

    def update(self):
        h, v = self.history, self.values()
        for line in (self.loss_train, self.loss_test, self.acc_train, self.acc_test, self.diverged_mark):
            line.set_data([], [])
        self.diverged_note.set_text("")
        if h is None:  # the epochs of the next run: its frames find the x-axes (and their tick labels) drawn
            for ax in (self.ax_loss, self.ax_acc):
                self.set_limits(ax, _epochs_lim(v["epochs"]))
        else:
            for line, ys in zip((self.loss_train, self.loss_test, self.acc_train, self.acc_test),
                                (h.loss, h.val_loss, h.train_acc, h.val_acc)):
                line.set_data(np.arange(1, len(ys) + 1), ys)
            self._set_limits(h)
            if h.diverged:
                self.diverged_mark.set_data([h.diverged], [self.ax_loss.get_ylim()[1]])
                self.diverged_note.set_text(f"diverged in epoch {h.diverged}")
        self.status.set_text(self._status_text(v))
        self.status.set_color("tab:red" if h is not None and h.diverged else "black")

    def _set_limits(self, h):
        """Limits in coarse steps: the finite losses in whole decades (at most 1e6), accuracy in tenths."""
        losses = np.asarray(h.loss + h.val_loss, dtype=np.float64)
        loss_lim = snap(np.minimum(losses[np.isfinite(losses)], 1e6), 1, log=True) or (0.01, 1.0)
        acc_lim = ((snap(h.train_acc + h.val_acc, 0.1) or (0.5, 1.0))[0], 1.01)
        x_lim = _epochs_lim(self._settings["epochs"])
        self.set_limits(self.ax_loss, x_lim, loss_lim)
        self.set_limits(self.ax_acc, x_lim, acc_lim)

    def _status_text(self, v):
        """Two lines: the settings of the run on screen, then how it went."""
        h, s = self.history, self._settings
        if h is None or s is None:
            return "press Train"
        c = f"{s['l2']:.1e}" if s["l2"] else "0"
        run = (f"{s['rule']}, hidden {s['hidden']}, lr {s['lr']:.3g}{' (cosine)' if s['cosine'] else ''}, "
               f"batch {s['batch_size']}, c {c}, beta {s['beta']:.2f}")
        if not getattr(self, "_running", False) and v != s:
            run += "   [settings changed: press Train]"
        if h.diverged:
            result = f"STOPPED: training {h.stopped}"
        elif h.val_acc:
            result = (f"epoch {len(h.val_acc)}/{s['epochs']}: train acc {h.train_acc[-1]:.4f}, "
                      f"{self.test_label} acc {h.val_acc[-1]:.4f}")
        else:
            result = "training..."
        return f"{run}\n{result}"
