"""Live training of a small binary classifier, in the spirit of TensorFlow Playground.

:class:`PlaygroundExplorer` trains a one-hidden-layer ReLU network with a sigmoid output
(:class:`helpers.nn.MLP`) on a 2-D data set by full-batch gradient descent with momentum
(:class:`helpers.optim.Momentum`; beta = 0 is plain gradient descent). The probability
of class 1 over the plane is an image updated with ``AxesImage.set_data``; the loss
curve is redrawn as the network learns. The gradients come from the kernels; nothing
here differentiates anything.
"""

import time

import ipywidgets as W
import matplotlib
import numpy as np

from . import Explorer, int_slider, linear_slider, log_slider

__all__ = ["PlaygroundExplorer"]


class PlaygroundExplorer(Explorer):
    """Train a (2, hidden, 1) ReLU / sigmoid network live and watch its decision boundary.

    Controls: learning rate (log scale), momentum beta, hidden units, initialization
    seed, steps per press of "Train"; buttons "Train" (that many full-batch steps, a
    frame at most every ``frame_interval`` seconds), "Step" (one step) and "Reset" (a
    fresh initialization). Changing the learning rate or beta keeps the weights and the
    velocity (the next steps use the new values); changing the hidden units or the seed
    starts again from a new initialization.

    Parameters
    ----------
    X : (S, 2) array of points; y : (S,) labels in {0, 1}
    hidden, lr, beta, seed, steps : initial values of the controls
    resolution : the probability image is resolution x resolution pixels
    margin : the image extends this far beyond the data
    max_hidden : upper end of the hidden-units slider
    frame_interval : seconds between frames while training (0.1: about 10 frames/s)

    Attributes
    ----------
    model : the helpers.nn.MLP being trained
    rule : its helpers.optim.Momentum
    losses : training loss before each step taken so far (list of float)
    proba : (resolution, resolution) probabilities of class 1 shown in the image
    """

    figsize = (9.6, 4.0)

    def __init__(self, X, y, hidden=4, lr=0.1, beta=0.9, seed=0, steps=300, resolution=100,
                 margin=0.5, max_hidden=16, frame_interval=0.1):
        from ..nn import MLP
        from ..optim import Momentum

        super().__init__()
        self._MLP, self._Momentum = MLP, Momentum
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y = np.asarray(y).reshape(-1)
        if self.X.ndim != 2 or self.X.shape[1] != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"X must be (S, 2) and y (S,); got {self.X.shape} and {self.y.shape}")
        if not np.isin(self.y, (0, 1)).all():
            raise ValueError("y must hold 0/1 labels")
        self.frame_interval = float(frame_interval)

        lo, hi = self.X.min(axis=0) - margin, self.X.max(axis=0) + margin
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
        self._grid = np.column_stack([g1.ravel(), g2.ravel()])
        self._res = resolution

        self.ax, self.ax_loss = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
        extent = (lo[0], hi[0], lo[1], hi[1])
        # one RGBA image: the probability through a colour map, black where the predicted
        # class changes (the 0.5 level); a contour could not be updated in place
        lut = matplotlib.colormaps["RdBu_r"](np.linspace(0.1, 0.9, 256))[:, :3]
        self._lut = 1.0 - 0.6 * (1.0 - lut)  # towards white, so the points stay readable on top
        self.img = self.dynamic(self.ax.imshow(np.ones((resolution, resolution, 3)), origin="lower",
                                               extent=extent, aspect="auto", interpolation="nearest"))
        colors = np.where(self.y[:, None] == 1, (1.0, 0.50, 0.05, 1.0), (0.12, 0.47, 0.71, 1.0))
        self.points = self.dynamic(self.ax.scatter(self.X[:, 0], self.X[:, 1], s=18, c=colors,
                                                   edgecolors="k", linewidths=0.5))
        self.ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_1$", ylabel="$x_2$",
                    title="P(class 1), black: the 0.5 boundary")
        self.ax.grid(False)

        self.curve = self.dynamic(self.ax_loss.plot([], [], color="tab:red", linewidth=1.4)[0])
        self.status = self.dynamic(self.ax_loss.text(0.97, 0.96, "", transform=self.ax_loss.transAxes,
                                                     ha="right", va="top", fontsize=9))
        self.ax_loss.set(xlabel="iteration", ylabel="loss (binary cross-entropy)", yscale="log",
                         title="Training loss")
        self._limits = None
        self.fig.tight_layout()

        self.controls = {
            "lr": log_slider("learning rate", lr, -3, 0.5),
            "beta": linear_slider("momentum beta", beta, 0.0, 0.99, 0.01),
            "hidden": int_slider("hidden units", hidden, 1, max_hidden, continuous_update=False),
            "seed": int_slider("init seed", seed, 0, 20, continuous_update=False),
            "steps": int_slider("steps per Train", steps, 10, 3000, step=10, continuous_update=False),
        }
        self.train_button = W.Button(description="Train", button_style="primary")
        self.step_button = W.Button(description="Step")
        self.reset_button = W.Button(description="Reset")
        self.train_button.on_click(lambda _: self.train())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.progress = W.IntProgress(value=0, min=0, max=steps, description="progress",
                                      layout=W.Layout(width="340px"), style={"description_width": "110px"})
        self._new_model()
        self._start(extra=(W.HBox([self.train_button, self.step_button, self.reset_button]), self.progress))

    # ------------------------------------------------------------------ model state
    def _new_model(self):
        v = {k: w.value for k, w in self.controls.items()}
        self.model = self._MLP((2, v["hidden"], 1), hidden="relu", output="sigmoid", seed=v["seed"])
        self.rule = self._Momentum(v["lr"], v["beta"])
        self._keys = list(self.model.params)
        self._params = [self.model.params[k] for k in self._keys]
        self._grads = {k: np.empty_like(p) for k, p in self.model.params.items()}
        self._grad_list = [self._grads[k] for k in self._keys]
        self.losses = []
        self.diverged = False

    def reset(self):
        """A fresh initialization (same hidden units and seed); the loss curve starts again."""
        self._new_model()
        self.progress.value = 0
        self.refresh()

    def _on_change(self, change):
        name = next(k for k, w in self.controls.items() if w is change.owner)
        if name in ("hidden", "seed"):
            self._new_model()
        elif name == "lr":
            self.rule.lr = float(change.new)
        elif name == "beta":
            self.rule.beta = float(change.new)
        elif name == "steps":
            self.progress.max = int(change.new)
            return  # nothing on the picture depends on it
        self.refresh()

    # ------------------------------------------------------------------ training
    def _one_step(self):
        """One full-batch step; returns False (and stops) once the loss is not finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            loss, _ = self.model.loss_and_grads(self.X, self.y, out=self._grads)
            if not np.isfinite(loss) or not all(np.isfinite(g).all() for g in self._grad_list):
                self.diverged = True
                return False
            self.losses.append(loss)
            self.rule.step(self._params, self._grad_list)
        return True

    def step(self, n=1):
        """Take ``n`` full-batch steps, then draw one frame."""
        for _ in range(int(n)):
            if self.diverged or not self._one_step():
                break
        self.refresh()

    def train(self, steps=None):
        """Take ``steps`` (default: the slider's value) steps, drawing a frame about every
        ``frame_interval`` seconds so the picture moves while it learns."""
        steps = self.controls["steps"].value if steps is None else int(steps)
        self.progress.max = max(steps, 1)
        self.progress.value = 0
        last = time.perf_counter()
        for i in range(1, steps + 1):
            if self.diverged or not self._one_step():
                break
            if time.perf_counter() - last >= self.frame_interval:
                self.progress.value = i
                self.refresh()
                last = time.perf_counter()
        self.progress.value = self.progress.max
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def _fit_limits(self, losses, n):
        """Loss-axis limits that move in coarse jumps (x doubles, y by decades).

        The axis is part of the cached background, so it is redrawn only when a jump
        happens, not on every frame (a redrawn log axis costs more than the rest).
        """
        xmax = 50
        while xmax < n:
            xmax *= 2
        lo, hi = 1e-2, 1.0
        if losses is not None:
            finite = losses[np.isfinite(losses) & (losses > 0)]
            if finite.size:
                lo = min(lo, 10.0 ** np.floor(np.log10(max(finite.min(), 1e-8))))
                hi = max(hi, 10.0 ** np.ceil(np.log10(finite.max())))
        limits = (xmax, lo, hi)
        if limits != self._limits:
            self._limits = limits
            self.ax_loss.set_xlim(0, xmax)
            self.ax_loss.set_ylim(lo, hi)
            self.invalidate()

    def update(self):
        with np.errstate(over="ignore", invalid="ignore"):
            p = self.model.forward(self._grid)[:, 0].reshape(self._res, self._res)
        self.proba = p
        rgb = self._lut[np.clip(np.nan_to_num(p, nan=0.5) * 255.0, 0, 255).astype(np.intp)]
        cls = p >= 0.5
        change = np.zeros_like(cls)
        change[:, 1:] |= cls[:, 1:] != cls[:, :-1]
        change[1:, :] |= cls[1:, :] != cls[:-1, :]
        rgb[change] = 0.0
        self.img.set_data(rgb)

        n = len(self.losses)
        losses = np.asarray(self.losses) if n else np.array([np.nan])
        self.curve.set_data(np.arange(n), losses if n else [])
        self._fit_limits(losses if n else None, n)
        acc = self.model.accuracy(self.X, self.y) if not self.diverged else float("nan")
        text = f"iteration {n}\n"
        text += "diverged: lower the learning rate" if self.diverged else (
            f"loss {self.losses[-1]:.4f}\ntrain accuracy {acc:.3f}" if n else "untrained")
        self.status.set_text(text)
