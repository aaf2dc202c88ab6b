"""Explorers of notebooks 04 and 05: networks trained while you watch.

- :class:`TrainingExplorer`: mini-batch training of a one-hidden-layer softmax classifier
  with :func:`helpers.train.fit`; a Train button, a progress bar, and the loss and accuracy
  curves (train and test) redrawn every few epochs while it runs.
- :class:`HiddenUnitsExplorer`: the number of hidden units and the learning rate of a
  small full-batch network (the 4-NH-3 net on Iris); every slider move retrains it and
  redraws its loss curve and its decision regions in a 2-D view of the inputs.

Neither computes a gradient: training is ``helpers.train.fit`` on a ``helpers.nn.MLP``.
"""

import time

import ipywidgets as W
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from ..nn import MLP
from ..optim import GD, Momentum
from ..plots import CLASS_COLORS
from ..train import cosine_schedule, fit
from . import Explorer, int_slider, linear_slider, log_slider

__all__ = ["TrainingExplorer", "HiddenUnitsExplorer"]


def _rule(lr, beta):
    """Plain gradient descent for beta = 0, heavy-ball momentum otherwise."""
    return Momentum(lr, beta) if beta else GD(lr)


class TrainingExplorer(Explorer):
    """Train a D-H-K softmax classifier with mini-batch SGD and watch the curves grow.

    Left: mean loss per epoch (train: mean over the epoch's batches; test: after the
    epoch, penalty included). Right: accuracy per epoch, train and test. The Train button
    builds a fresh network (same seed, so equal settings give equal curves) and calls
    :func:`helpers.train.fit`; its per-epoch callback moves the progress bar and redraws
    at most ``fps`` times a second. Moving a slider only says what the next run will be.

    Parameters
    ----------
    X_train : (N, D) array; y_train : (N,) integer labels
    X_test : (M, D) array; y_test : (M,) integer labels
    hidden, lr, batch_size, epochs, l2, beta : initial slider values (l2 is the c of
        c * sum |W|^2; beta = 0 is plain SGD)
    cosine : initial state of the "cosine lr decay" box (helpers.train.cosine_schedule,
        as ``schedule="cosine"`` in helpers.train.DEFAULTS)
    activation : hidden activation of the MLP ("relu", "softplus", ...)
    init : MLP init ("he", "xavier" or a float std)
    seed : seeds the initialization and the shuffling
    dtype : None follows X_train (float32 stays float32), else np.float32 / np.float64
    max_hidden, max_epochs : upper ends of those sliders
    batch_range : (min, max, step) of the batch-size slider; max is capped at N
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    l2_range : (min_exp, max_exp) of the log10 slider for c; its left end, 10**min_exp,
        means c = 0 (no penalty), and l2=0 puts the slider there
    fps : redraws per second while training
    train : run one training at construction, so the figure starts filled
    """

    figsize = (9.6, 3.7)

    def __init__(self, X_train, y_train, X_test, y_test, *, hidden=64, lr=0.05, batch_size=32, epochs=30,
                 l2=1e-4, beta=0.9, cosine=False, activation="relu", init="he", seed=0, dtype=None, max_hidden=256,
                 max_epochs=100, batch_range=(8, 512, 8), lr_range=(-4, 0), l2_range=(-6, -1), fps=10.0,
                 train=True):
        super().__init__()
        self.X_train, self.y_train = np.asarray(X_train), np.asarray(y_train)
        self.X_test, self.y_test = np.asarray(X_test), np.asarray(y_test)
        if self.X_train.ndim != 2 or self.X_test.ndim != 2 or self.X_train.shape[1] != self.X_test.shape[1]:
            raise ValueError(f"X_train and X_test must be (N, D) and (M, D); got {self.X_train.shape} "
                             f"and {self.X_test.shape}")
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        self.activation, self.init, self.seed = activation, init, seed
        self.dtype = np.dtype(dtype) if dtype is not None else (
            self.X_train.dtype if self.X_train.dtype in (np.float32, np.float64) else np.dtype(np.float64))
        self.fps = float(fps)
        self.model, self.history = None, None
        self._settings = None  # the settings the curves on screen were trained with

        # Axes limits move in coarse steps (see _limits), and only then is the background
        # redrawn; every other frame draws just the lines and the status over it.
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        lines = [ax.plot([], [], "o-", ms=2.5, color=c, label=lab)[0]
                 for ax in (self.ax_loss, self.ax_acc) for c, lab in (("tab:blue", "train"), ("tab:orange", "test"))]
        self.loss_train, self.loss_test, self.acc_train, self.acc_test = self.dynamic(*lines)
        self.ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss per epoch", yscale="log", ylim=(0.01, 3))
        self.ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy per epoch", ylim=(0.5, 1.01))
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.ax_acc.legend(loc="lower right", fontsize=8)
        self.status = self.dynamic(self.fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=9))
        self.fig.tight_layout(rect=(0, 0.07, 1, 1))

        self._l2_off = 10.0 ** l2_range[0]
        n = self.X_train.shape[0]
        bmin, bmax, bstep = batch_range
        bmax = min(int(bmax), n)
        bmin = min(int(bmin), bmax)
        self.controls = {
            "lr": log_slider("learning rate", lr, *lr_range, continuous_update=False),
            "hidden": int_slider("hidden units", hidden, 1, max_hidden, continuous_update=False),
            "batch_size": int_slider("batch size", min(batch_size, bmax), bmin, bmax, bstep,
                                     continuous_update=False),
            "epochs": int_slider("epochs", epochs, 1, max_epochs, continuous_update=False),
            "l2": log_slider("L2 penalty c", max(l2, self._l2_off), *l2_range, continuous_update=False,
                             readout_format=".1e"),
            "beta": linear_slider("momentum beta", beta, 0.0, 0.99, 0.01, continuous_update=False),
            "cosine": W.Checkbox(value=bool(cosine), description="cosine lr decay", indent=False),
        }
        self.button = W.Button(description="Train", button_style="primary", layout=W.Layout(width="120px"))
        self.button.on_click(self.train)
        self.progress = W.IntProgress(value=0, min=0, max=epochs, description="epoch", layout=W.Layout(width="330px"))
        self._start(extra=(self.button, self.progress))
        if train:
            self.train()

    # ------------------------------------------------------------------ training
    def values(self):
        """Current control values; ``l2`` is 0 at the slider's left end."""
        v = super().values()
        if v["l2"] <= self._l2_off * (1 + 1e-9):
            v["l2"] = 0.0
        return v

    def train(self, _button=None):
        """Train a fresh network with the current slider values, redrawing as it goes."""
        v = self.values()
        sizes = (self.X_train.shape[1], v["hidden"], self.n_classes)
        self.model = MLP(sizes, hidden=self.activation, init=self.init, seed=self.seed, dtype=self.dtype)
        self._settings = dict(v)
        self.progress.max, self.progress.value = v["epochs"], 0
        self.history = None
        self._running = True
        self.refresh()  # clear the old curves at once
        self._last_frame = -np.inf
        try:
            self.history = fit(self.model, self.X_train, self.y_train, epochs=v["epochs"],
                               batch_size=v["batch_size"], rule=_rule(v["lr"], v["beta"]), l2=v["l2"],
                               validation=(self.X_test, self.y_test), seed=self.seed, progress=False,
                               callback=self._on_epoch, lr_schedule=cosine_schedule if v["cosine"] else None)
        finally:
            self._running = False
        self.refresh()
        return self.history

    def _on_epoch(self, epoch, hist):
        self.progress.value = epoch
        self.history = hist
        now = time.perf_counter()
        if now - self._last_frame >= 1.0 / self.fps:
            self.refresh()
            self._last_frame = time.perf_counter()

    # ------------------------------------------------------------------ drawing
    def update(self):
        h = self.history
        if h is None:
            for line in (self.loss_train, self.loss_test, self.acc_train, self.acc_test):
                line.set_data([], [])
        else:
            ep = np.arange(1, len(h.loss) + 1)
            self.loss_train.set_data(ep, h.loss)
            self.loss_test.set_data(ep[:len(h.val_loss)], h.val_loss)
            self.acc_train.set_data(ep[:len(h.train_acc)], h.train_acc)
            self.acc_test.set_data(ep[:len(h.val_acc)], h.val_acc)
            self._limits(h)
        self.status.set_text(self._status_text(self.values()))

    def _limits(self, h):
        """Axis limits that follow the curves in coarse steps; redraw the background on a change."""
        losses = np.asarray(list(h.loss) + list(h.val_loss), dtype=np.float64)
        losses = losses[np.isfinite(losses) & (losses > 0)]
        # loss: whole powers of 10 (at most 1e6 above); accuracy: steps of 0.1, never above 1.01
        loss_lim = (10.0 ** np.floor(np.log10(losses.min())), 10.0 ** min(np.ceil(np.log10(losses.max())), 6)) \
            if losses.size else (0.01, 3.0)
        if loss_lim[0] == loss_lim[1]:
            loss_lim = (loss_lim[0], loss_lim[1] * 10)
        accs = list(h.train_acc) + list(h.val_acc)
        acc_lim = (np.floor(10 * min(accs)) / 10 if accs else 0.5, 1.01)
        x_lim = (0.5, max(self._settings["epochs"], 2) + 0.5)
        for ax, ylim in ((self.ax_loss, loss_lim), (self.ax_acc, acc_lim)):
            if not np.allclose(ax.get_ylim(), ylim) or not np.allclose(ax.get_xlim(), x_lim):
                ax.set_ylim(*ylim)
                ax.set_xlim(*x_lim)
                self.invalidate()

    def _status_text(self, v):
        h, s = self.history, self._settings
        if h is None or s is None:
            return "press Train"
        c = f"{s['l2']:.1e}" if s["l2"] else "0"
        run = (f"hidden {s['hidden']}, lr {s['lr']:.3g}{' (cosine)' if s['cosine'] else ''}, "
               f"batch {s['batch_size']}, c {c}, beta {s['beta']:.2f}")
        if h.diverged:
            text = f"{run}: diverged in epoch {h.diverged} (lower the learning rate)"
        elif h.val_acc:
            text = (f"{run}: epoch {len(h.val_acc)}/{s['epochs']}, train acc {h.train_acc[-1]:.4f}, "
                    f"test acc {h.val_acc[-1]:.4f}")
        else:
            text = f"{run}: training..."
        if not getattr(self, "_running", False) and v != s:
            text += "   [settings changed: press Train]"
        return text


class HiddenUnitsExplorer(Explorer):
    """Hidden units and learning rate of a full-batch network, decision regions in 2-D.

    Every slider move trains a fresh D-NH-K network (full batch, ``epochs`` steps of
    gradient descent or momentum) and redraws the training loss per epoch and the classes
    it assigns on a plane through the input space. The plane is
    ``x = center + u1 * basis[:, 0] + u2 * basis[:, 1]``; points are drawn at their
    coordinates ``(x - center) @ basis`` (for an orthonormal basis, their projection).

    Parameters
    ----------
    X_train (N, D), y_train (N,), X_test (M, D), y_test (M,) : the data
    basis : (D, 2) array spanning the plane (two principal directions, or two columns of
        the identity for two chosen features)
    center : (D,) point of the plane; zeros by default (the mean of standardized data)
    hidden, lr : initial slider values
    epochs : full-batch steps per run
    beta : momentum of the rule (0 is plain gradient descent)
    activation, init, seed : the MLP's hidden activation, initialization and seed
    max_hidden : upper end of the hidden-units slider
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    resolution : grid points per axis of the decision-region image
    axis_labels : names of the two plane coordinates
    """

    figsize = (9.6, 4.0)

    def __init__(self, X_train, y_train, X_test, y_test, basis, center=None, *, hidden=8, lr=0.5,
                 epochs=300, beta=0.0, activation="softplus", init=0.05, seed=0, max_hidden=32,
                 lr_range=(-3, 1), resolution=120, margin=0.5, axis_labels=("PC 1", "PC 2")):
        super().__init__()
        self.X_train, self.y_train = np.asarray(X_train, dtype=np.float64), np.asarray(y_train)
        self.X_test, self.y_test = np.asarray(X_test, dtype=np.float64), np.asarray(y_test)
        D = self.X_train.shape[1]
        self.basis = np.asarray(basis, dtype=np.float64)
        if self.basis.shape != (D, 2):
            raise ValueError(f"basis must have shape ({D}, 2), got {self.basis.shape}")
        self.center = np.zeros(D) if center is None else np.asarray(center, dtype=np.float64)
        self.n_classes = int(max(self.y_train.max(), self.y_test.max())) + 1
        self.epochs, self.beta = int(epochs), float(beta)
        self.activation, self.init, self.seed = activation, init, seed
        self.model, self.history = None, None

        # the plane: 2-D coordinates of the data, and the grid mapped back into input space
        P_tr = (self.X_train - self.center) @ self.basis
        P_te = (self.X_test - self.center) @ self.basis
        both = np.vstack([P_tr, P_te])
        lo, hi = both.min(axis=0) - margin, both.max(axis=0) + margin
        u1, u2 = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
        G1, G2 = np.meshgrid(u1, u2)
        self.grid = self.center + np.column_stack([G1.ravel(), G2.ravel()]) @ self.basis.T
        self._grid_shape = G1.shape

        self.ax_reg, self.ax_loss = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        k = self.n_classes
        # class colours blended with white once (alpha 0.3 by hand): each frame then only
        # indexes this table, and the image is drawn opaque, without colour mapping
        self._shades = np.vstack([0.3 * np.asarray(to_rgb(c)) + 0.7 for c in CLASS_COLORS[:k]] + [np.ones(3)])
        self.regions = self.dynamic(self.ax_reg.imshow(
            np.ones(self._grid_shape + (3,)), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), aspect="auto",
            interpolation="nearest"))
        colors = np.array(CLASS_COLORS, dtype=object)
        self.points_train = self.dynamic(self.ax_reg.scatter(
            P_tr[:, 0], P_tr[:, 1], s=16, c=list(colors[self.y_train % 10]), edgecolors="k", linewidths=0.4))
        self.points_test = self.dynamic(self.ax_reg.scatter(
            P_te[:, 0], P_te[:, 1], s=34, c=list(colors[self.y_test % 10]), marker="^", edgecolors="k",
            linewidths=0.6))
        self.ax_reg.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel=axis_labels[0], ylabel=axis_labels[1])
        self.ax_reg.set_title("Decision regions on the plane", loc="left")
        self.ax_reg.grid(False)
        # grey proxies, because the marker shape (not the colour) tells train from test; the
        # legend sits above the axes, outside the (animated) regions, so it stays in the background
        proxies = [Line2D([], [], marker=m, linestyle="none", color="0.6", markeredgecolor="k", label=lab)
                   for m, lab in (("o", "train"), ("^", "test"))]
        self.ax_reg.legend(handles=proxies, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8,
                           borderaxespad=0.2)

        # fixed limits: ln 3 = 1.0986 (a uniform guess over 3 classes) is where training starts
        self.loss_train, self.loss_test = self.dynamic(
            *self.ax_loss.plot([], [], color="tab:red", label="train"),
            *self.ax_loss.plot([], [], color="tab:purple", linestyle="--", label="test"))
        self.ax_loss.set(xlabel="epoch", ylabel="mean cross-entropy", title="Loss per epoch", yscale="log",
                         xlim=(0, self.epochs), ylim=(3e-3, 5))
        self.ax_loss.legend(loc="lower left", fontsize=8)
        self.info = self.dynamic(self.ax_loss.text(0.97, 0.97, "", transform=self.ax_loss.transAxes,
                                                   ha="right", va="top", fontsize=9))
        self.fig.tight_layout()
        self.controls = {
            "hidden": int_slider("hidden units NH", hidden, 1, max_hidden, continuous_update=False),
            "lr": log_slider("learning rate", lr, *lr_range, continuous_update=False),
        }
        self._start()

    def update(self):
        v = self.values()
        D = self.X_train.shape[1]
        self.model = MLP((D, v["hidden"], self.n_classes), hidden=self.activation, init=self.init, seed=self.seed)
        n = self.X_train.shape[0]
        self.history = h = fit(self.model, self.X_train, self.y_train, epochs=self.epochs, batch_size=n,
                               rule=_rule(v["lr"], self.beta), validation=(self.X_test, self.y_test),
                               seed=self.seed, progress=False)
        ep = np.arange(1, len(h.loss) + 1)
        self.loss_train.set_data(ep, h.loss)
        self.loss_test.set_data(ep[:len(h.val_loss)], h.val_loss)
        if h.diverged:
            self.regions.set_data(np.ones(self._grid_shape + (3,)))
            self.info.set_text(f"NH = {v['hidden']}: {self.model.n_params} parameters\n"
                               f"diverged in epoch {h.diverged}: lower the learning rate")
            return
        self.regions.set_data(self._shades[self.model.predict(self.grid).reshape(self._grid_shape)])
        self.info.set_text(f"NH = {v['hidden']}: {self.model.n_params} parameters\n"
                           f"final loss {h.loss[-1]:.4f}\ntrain acc {h.train_acc[-1]:.4f}\n"
                           f"test acc {h.val_acc[-1]:.4f}")
