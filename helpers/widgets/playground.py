"""Live training of a small binary classifier, in the spirit of TensorFlow Playground."""

import time

import ipywidgets as W
import matplotlib
import numpy as np

from ..nn import MLP
from ..optim import Momentum
from ..train import fit
from .base import _WIDE, Explorer, class_labels, int_slider, linear_slider, log_slider, snap

__all__ = ["PlaygroundExplorer"]


class PlaygroundExplorer(Explorer):
    """Train a (2, hidden, 1) ReLU / sigmoid network live and watch its decision boundary.

    :func:`helpers.train.fit` takes full-batch steps of ``rule`` (:class:`helpers.optim.Momentum`)
    on ``model``; ``losses`` holds the loss before each step so far, ``proba`` the image's
    P(class 1). A new learning rate or beta keeps the weights and the velocity; new hidden
    units or seed start from a new initialization. After a run diverged, Train or Step starts
    again from the initial weights (with the settings then on the sliders). X (S, 2); y: 0/1
    labels (S,) or one-hot rows (S, 2).
    """

    colors = 128  # the probability map is a smooth gradient

    def __init__(self, X, y, hidden=4, lr=0.1, beta=0.9, seed=0, steps=300, resolution=100,
                 margin=0.5, max_hidden=16, frame_interval=0.1, lr_range=(-3, 0.5)):
        super().__init__()
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y, k = class_labels(y)
        if self.X.ndim != 2 or self.X.shape[1] != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"X must be (S, 2) and y (S,) or (S, 2) one-hot; got {self.X.shape} and "
                             f"{np.shape(y)}")
        if k not in (None, 2) or self.y.max() > 1:
            raise ValueError("y must hold 0/1 labels (or one-hot rows of two classes)")
        self.frame_interval, self._res = float(frame_interval), resolution
        self.ax, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1, 1.1])
        # one RGB image: the probability through a colour map, black where the predicted
        # class changes (the 0.5 level); a contour could not be updated in place
        self.img, self._grid = self._plane(self.ax, self.X, margin, resolution)
        lut = matplotlib.colormaps["RdBu_r"](np.linspace(0.1, 0.9, 256))[:, :3]
        self._lut = 1.0 - 0.6 * (1.0 - lut)  # towards white, so the points stay readable on top
        colors = np.where(self.y[:, None] == 1, (1.0, 0.50, 0.05, 1.0), (0.12, 0.47, 0.71, 1.0))
        self.points = self.dynamic(self.ax.scatter(self.X[:, 0], self.X[:, 1], s=18, c=colors,
                                                   edgecolors="k", linewidths=0.5))
        self.ax.set(xlabel="$x_1$", ylabel="$x_2$", title="P(class 1), black: the 0.5 boundary")
        self.curve = self._line(self.ax_loss, color="tab:red", linewidth=1.4)
        self.status = self._note(self.ax_loss, 0.97, 0.96, fontsize=9)
        self.ax_loss.set(xlabel="iteration", ylabel="loss (binary cross-entropy)", yscale="log", title="Training loss")
        self._set_controls({
            "lr": log_slider("learning rate", lr, *lr_range),
            "beta": linear_slider("momentum beta", beta, 0.0, 0.99, 0.01),
            "hidden": int_slider("hidden units", hidden, 1, max_hidden, continuous_update=False, widen="max_hidden"),
            "seed": int_slider("init seed", seed, 0, 20, continuous_update=False),
            "steps": int_slider("steps per Train", steps, 10, 3000, step=10, continuous_update=False),
        })
        self.train_button, self.step_button, self.reset_button = buttons = [
            W.Button(description="Train", button_style="primary"), W.Button(description="Step"),
            W.Button(description="Reset")]
        for button, act in zip(buttons, (self.train, self.step, self.reset)):
            button.on_click(lambda _, act=act: act())
        self.progress = W.IntProgress(value=0, min=0, max=steps, description="progress", **_WIDE)
        self._new_model()
        self._start(self.controls, extra=(W.HBox(buttons), self.progress))

    def _new_model(self):
        v = self.values()
        self.model = MLP((2, v["hidden"], 1), hidden="relu", output="sigmoid", seed=v["seed"])
        self.rule = Momentum(v["lr"], v["beta"])
        self.losses, self.diverged, self.restarted = [], False, False

    def reset(self):
        """A fresh initialization (same hidden units and seed); the loss curve starts again."""
        self._new_model()
        self.progress.value = 0
        self.refresh()

    def _on_change(self, change):
        v, shown = self.values(), self._shown
        moved = {k for k in v if v[k] != shown.get(k)}
        if not moved:  # the browser's echo of a value already shown
            return
        if moved & {"hidden", "seed"}:
            self._new_model()
        else:  # the user's new learning rate or beta; weights and velocity stay
            self.rule.lr, self.rule.beta = v["lr"], v["beta"]
        self.progress.max = v["steps"]
        if moved == {"steps"}:
            shown["steps"] = v["steps"]
            return  # nothing on the picture depends on it
        self.refresh()

    def step(self, n=1):
        """Take ``n`` full-batch steps, then draw one frame."""
        self._fit(int(n), frames=False)
        self.refresh()

    def train(self, steps=None):
        """Take ``steps`` (default: the slider's value) steps, drawing a frame about every ``frame_interval`` s."""
        steps = self.values()["steps"] if steps is None else int(steps)
        self.progress.max = max(steps, 1)
        self.progress.value = 0
        self._fit(steps, frames=True)
        self.progress.value = self.progress.max
        self.refresh()

    def _fit(self, steps, frames):
        if steps < 1:
            return
        if self.diverged:  # what the message promised: start again from the initial weights
            self._new_model()
            self.restarted = True
        done, last = len(self.losses), [time.perf_counter()]

        def on_epoch(epoch, hist):
            if frames and time.perf_counter() - last[0] >= self.frame_interval:
                self.losses[done:] = hist.loss
                self.progress.value = epoch
                self.refresh()
                last[0] = time.perf_counter()

        hist = fit(self.model, self.X, self.y, epochs=steps, batch_size=len(self.y), rule=self.rule,
                   progress=False, callback=on_epoch)
        self.losses[done:] = [loss for loss in hist.loss if np.isfinite(loss)]
        self.diverged = hist.diverged is not None

    def update(self):
        with np.errstate(over="ignore", invalid="ignore"):
            self.proba = p = self.model.forward(self._grid)[:, 0].reshape(self._res, self._res)
        rgb = self._lut[np.clip(np.nan_to_num(p, nan=0.5) * 255.0, 0, 255).astype(np.intp)]
        cls = p >= 0.5
        change = np.zeros_like(cls)
        change[:, 1:] |= cls[:, 1:] != cls[:, :-1]
        change[1:, :] |= cls[1:, :] != cls[:-1, :]
        rgb[change] = 0.0
        self.img.set_data(rgb)
        n = len(self.losses)
        self.curve.set_data(np.arange(n), self.losses)
        # limits in coarse jumps (x doubles from 50, y by decades, at least 1e-2..1): the
        # axis is part of the cached background, redrawn only when a jump happens
        xmax = 50 * 2 ** int(np.ceil(np.log2(max(n, 50) / 50)))
        self.set_limits(self.ax_loss, (0, xmax), snap(self.losses, 1, log=True, include=(1e-2, 1.0)))
        if self.diverged:
            text = "diverged: lower the learning rate;\nTrain or Step starts again\nfrom the initial weights"
        elif n:
            text = f"loss {self.losses[-1]:.4f}\ntrain accuracy {self.model.accuracy(self.X, self.y):.3f}"
            text += "\n(started again from\nthe initial weights)" if self.restarted else ""
        else:
            text = "untrained"
        self.status.set_text(f"iteration {n}\n{text}")
