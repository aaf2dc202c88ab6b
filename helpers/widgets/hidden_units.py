"""Explorer of notebook 04: hidden units and learning rate of a small full-batch network."""

import copy
import functools

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from ..nn import MLP
from ..optim import Momentum
from ..plots import CLASS_COLORS
from ..train import fit
from .base import Explorer, int_slider, log_slider, train_test_sets

__all__ = ["HiddenUnitsExplorer"]


class HiddenUnitsExplorer(Explorer):
    """Hidden units and learning rate of a full-batch network, decision regions in 2-D.

    Every slider move trains a fresh D-NH-K network with :func:`helpers.train.fit` (``epochs``
    full-batch steps of momentum ``beta``; the last ``CACHE`` settings are kept: a setting seen
    again is drawn from them, a copy of its network as ``model``) and draws its loss and the classes it assigns on
    the plane ``x = center + u1 * basis[:, 0] + u2 * basis[:, 1]``, where a point x is drawn
    at ``(x - center) @ basis``. basis (D, 2); center (D,), zeros by default. y_train, y_test:
    integer labels (N,) or one-hot rows (N, K).
    make_model : optional (sizes, seed) -> MLP (e.g. with drawn biases) instead of activation, init
    """

    CACHE = 64  # trained settings kept: (NH, lr) -> network, History, classes on the plane (15 KB at 120 x 120)

    def __init__(self, X_train, y_train, X_test, y_test, basis, center=None, *, hidden=8, lr=0.5,
                 epochs=300, beta=0.0, activation="softplus", init=0.05, seed=0, max_hidden=32,
                 lr_range=(-3, 1), resolution=120, margin=0.5, axis_labels=("PC 1", "PC 2"), make_model=None):
        super().__init__()
        self.X_train, self.y_train, self.X_test, self.y_test, self.n_classes = train_test_sets(X_train, y_train,
                                                                                               X_test, y_test)
        self.X_train, self.X_test = (x.astype(np.float64, copy=False) for x in (self.X_train, self.X_test))
        D = self.X_train.shape[1]
        self.basis = np.asarray(basis, dtype=np.float64)
        if self.basis.shape != (D, 2):
            raise ValueError(f"basis must have shape ({D}, 2), got {self.basis.shape}")
        self.center = np.zeros(D) if center is None else np.asarray(center, dtype=np.float64)
        self.epochs, self.beta = int(epochs), float(beta)
        self.activation, self.init, self.seed = activation, init, seed
        self.make_model = make_model or (lambda sizes, seed: MLP(sizes, hidden=activation, init=init, seed=seed))
        self.model, self.history = None, None
        self._trained = functools.lru_cache(maxsize=self.CACHE)(self._train)
        self.ax_reg, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1.1, 1])
        P_tr, P_te = (self.X_train - self.center) @ self.basis, (self.X_test - self.center) @ self.basis
        self.regions, plane = self._plane(self.ax_reg, np.vstack([P_tr, P_te]), margin, resolution)
        self.grid, self._grid_shape = self.center + plane @ self.basis.T, (resolution, resolution)
        # class colours blended with white once (alpha 0.3 by hand): each frame only indexes this table
        self._shades = np.vstack([0.3 * np.array([to_rgb(c) for c in CLASS_COLORS[:self.n_classes]]) + 0.7, np.ones(3)])
        colors = np.array(CLASS_COLORS, dtype=object)
        self.points_train = self.dynamic(self.ax_reg.scatter(
            P_tr[:, 0], P_tr[:, 1], s=16, c=list(colors[self.y_train % 10]), edgecolors="k", linewidths=0.4))
        self.points_test = self.dynamic(self.ax_reg.scatter(
            P_te[:, 0], P_te[:, 1], s=34, c=list(colors[self.y_test % 10]), marker="^", edgecolors="k", linewidths=0.6))
        self.ax_reg.set(xlabel=axis_labels[0], ylabel=axis_labels[1])
        self.ax_reg.set_title("Decision regions on the plane", loc="left")
        # grey proxies: the marker tells train from test; above the axes, the legend stays in the background
        proxies = [Line2D([], [], marker=m, linestyle="none", color="0.6", markeredgecolor="k", label=lab)
                   for m, lab in (("o", "train"), ("^", "test"))]
        self.ax_reg.legend(handles=proxies, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8,
                           borderaxespad=0.2)
        # fixed limits: ln 3 = 1.0986 (a uniform guess over 3 classes) is where training starts
        self.loss_train = self._line(self.ax_loss, color="tab:red", label="train")
        self.loss_test = self._line(self.ax_loss, color="tab:purple", linestyle="--", label="test")
        self.ax_loss.set(xlabel="epoch", ylabel="mean cross-entropy", title="Loss per epoch", yscale="log",
                         xlim=(0, self.epochs), ylim=(3e-3, 5))
        self.ax_loss.legend(loc="lower left", fontsize=8)
        self.info = self._note(self.ax_loss, 0.97, fontsize=9)
        self._start({
            "hidden": int_slider("hidden units NH", hidden, 1, max_hidden, continuous_update=False, widen="max_hidden"),
            "lr": log_slider("learning rate", lr, *lr_range, continuous_update=False),
        })

    def _train(self, hidden, lr):
        """A fresh network trained with these settings, its History, and the class of every point of the plane
        (None if it diverged)."""
        model = self.make_model((self.X_train.shape[1], hidden, self.n_classes), self.seed)
        h = fit(model, self.X_train, self.y_train, epochs=self.epochs, batch_size=self.X_train.shape[0],
                rule=Momentum(lr, self.beta), validation=(self.X_test, self.y_test), seed=self.seed, progress=False)
        return model, h, None if h.diverged else model.predict(self.grid).reshape(self._grid_shape)

    def update(self):
        v = self.values()
        model, h, classes = self._trained(v["hidden"], v["lr"])
        self.model, self.history = model.copy(), copy.deepcopy(h)  # the cache's own stay as trained
        ep = np.arange(1, len(h.loss) + 1)
        self.loss_train.set_data(ep, h.loss)
        self.loss_test.set_data(ep[:len(h.val_loss)], h.val_loss)
        text = f"NH = {v['hidden']}: {self.model.n_params} parameters\n"
        if h.diverged:
            self.regions.set_data(np.ones(self._grid_shape + (3,)))
            self.info.set_text(text + f"diverged in epoch {h.diverged}: lower the learning rate")
        else:
            self.regions.set_data(self._shades[classes])
            self.info.set_text(text + f"final loss {h.loss[-1]:.4f}\ntrain acc {h.train_acc[-1]:.4f}\n"
                               f"test acc {h.val_acc[-1]:.4f}")
