"""Explorer of notebook 04: hidden units and learning rate of a small full-batch network.

:class:`HiddenUnitsExplorer` retrains the network (the 4-NH-3 net on Iris) with
:func:`helpers.train.fit` on every slider move and redraws its loss curve and its
decision regions in a 2-D view of the inputs. It computes no gradient itself.
"""

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from ..nn import MLP
from ..objectives import grid_2d
from ..optim import Momentum
from ..plots import CLASS_COLORS
from ..train import fit
from .base import Explorer, int_slider, log_slider

__all__ = ["HiddenUnitsExplorer"]


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
    make_model : optional callable (sizes, seed) -> MLP that builds each fresh network instead
        (e.g. with the biases drawn too); activation and init are then not used
    max_hidden : upper end of the hidden-units slider
    lr_range : (min_exp, max_exp) of the log10 learning-rate slider
    resolution : grid points per axis of the decision-region image
    axis_labels : names of the two plane coordinates
    """

    figsize = (9.6, 4.0)

    def __init__(self, X_train, y_train, X_test, y_test, basis, center=None, *, hidden=8, lr=0.5,
                 epochs=300, beta=0.0, activation="softplus", init=0.05, seed=0, max_hidden=32,
                 lr_range=(-3, 1), resolution=120, margin=0.5, axis_labels=("PC 1", "PC 2"), make_model=None):
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
        self.make_model = make_model or (lambda sizes, seed: MLP(sizes, hidden=activation, init=init, seed=seed))
        self.model, self.history = None, None

        # the plane: 2-D coordinates of the data, and the grid mapped back into input space
        P_tr = (self.X_train - self.center) @ self.basis
        P_te = (self.X_test - self.center) @ self.basis
        both = np.vstack([P_tr, P_te])
        lo, hi = both.min(axis=0) - margin, both.max(axis=0) + margin
        G1, _, plane = grid_2d(tuple(zip(lo, hi)), resolution)
        self.grid = self.center + plane @ self.basis.T
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
        self.model = self.make_model((D, v["hidden"], self.n_classes), self.seed)
        n = self.X_train.shape[0]
        self.history = h = fit(self.model, self.X_train, self.y_train, epochs=self.epochs, batch_size=n,
                               rule=Momentum(v["lr"], self.beta), validation=(self.X_test, self.y_test),
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
