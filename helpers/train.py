"""The training loop and its command line.

``fit`` runs mini-batch training of a :class:`helpers.nn.MLP` with any update rule of
:mod:`helpers.optim` and returns a :class:`History`. ``python -m helpers.train`` trains a
one-hidden-layer ReLU classifier on digits, MNIST or Fashion-MNIST (``--help``).
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_labels
from .optim import GD, Momentum

__all__ = ["History", "fit", "cosine_schedule", "main", "DEFAULTS", "load_dataset"]


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    Attributes
    ----------
    loss : mean training loss over the epoch's mini-batches
    train_acc : accuracy on the whole training set after the epoch
    val_loss, val_acc : the same on the validation set (empty without one)
    seconds : wall time of the whole loop, evaluation included
    step_seconds : time spent in training steps only (batching, forward, backward, update)
    samples : training samples processed
    diverged : None, or the epoch (1-based) in which the loss stopped being finite
    """

    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: float = 0.0
    step_seconds: float = 0.0
    samples: int = 0
    diverged: int | None = None

    @property
    def samples_per_second(self):
        """Training samples per second of time spent in training steps."""
        return self.samples / self.step_seconds if self.step_seconds else 0.0


def _evaluate(model, X, y, l2, batch=4096):
    """Mean loss (penalty included) and accuracy on a whole set, in large batches."""
    total, correct = 0.0, 0
    for i in range(0, X.shape[0], batch):
        Xb, yb = X[i:i + batch], y[i:i + batch]
        out = model.forward(Xb)
        p = np.take_along_axis(out, yb[:, None], axis=1)[:, 0]
        total += float(-np.log(np.maximum(p, np.finfo(out.dtype).tiny)).sum())
        correct += int((out.argmax(axis=1) == yb).sum())
    penalty = l2 * sum(float(np.vdot(model.params[k], model.params[k])) for k in model.params if k[0] == "W")
    return total / X.shape[0] + penalty, correct / X.shape[0]


def cosine_schedule(epoch, epochs):
    """Learning-rate factor for ``epoch`` (0-based): from 1 down along half a cosine."""
    return 0.5 * (1.0 + np.cos(np.pi * epoch / epochs))


def fit(model, X, y, *, epochs, batch_size, rule, l2=0.0, validation=None, seed=0,
        progress=True, log=None, callback=None, lr_schedule=None):
    """Mini-batch training of a softmax classifier.

    Parameters
    ----------
    model : helpers.nn.MLP with a softmax output (updated in place)
    X : (N, D) array; y : (N,) integer labels
    epochs, batch_size : int >= 1
    rule : an update rule from helpers.optim (GD, Momentum, Adam)
    l2 : float c >= 0, the penalty c * sum |W|^2
    validation : optional (X_val, y_val)
    seed : seeds the shuffling; two runs with the same seed give identical parameters
    progress : show a tqdm bar over epochs (a widget in Jupyter, text on a terminal)
    log : optional callable(str), called with one line per epoch
    callback : optional callable(epoch, history), called after each epoch; returning
        True stops the training
    lr_schedule : optional callable(epoch, epochs) -> factor; epoch e (0-based) runs with
        ``rule.lr`` set to the initial lr times the factor (e.g. :func:`cosine_schedule`);
        the rule's lr is restored afterwards

    Returns
    -------
    History
    """
    if model.output != "softmax" or model.loss != "cross_entropy":
        raise ValueError("fit trains softmax classifiers with cross-entropy; build MLP(..., output='softmax')")
    X = model._check_X(X)
    y = as_labels(y, model.sizes[-1], X.shape[0])
    epochs, batch_size = int(epochs), int(batch_size)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a finite number >= 0, got {l2}")
    if validation is not None:
        Xv = model._check_X(validation[0])
        yv = as_labels(validation[1], model.sizes[-1], Xv.shape[0], name="validation labels")
    X = np.ascontiguousarray(X)
    N = X.shape[0]
    batch_size = min(batch_size, N)
    rng = np.random.default_rng(seed)
    hist = History()
    keys = list(model.params)
    params = [model.params[k] for k in keys]
    grads = {k: np.empty_like(p) for k, p in model.params.items()}
    grad_list = [grads[k] for k in keys]
    xbuf = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, unit="epoch", leave=True)
    lr0 = rule.lr
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            if lr_schedule is not None:
                rule.lr = lr0 * float(lr_schedule(epoch - 1, epochs))
            order = rng.permutation(N)
            losses = 0.0
            t0 = time.perf_counter()
            for i in range(0, N, batch_size):
                idx = order[i:i + batch_size]
                xb = np.take(X, idx, axis=0, out=xbuf[:idx.size])
                loss, _ = model._loss_and_grads(xb, y[idx], l2, grads)
                rule.step(params, grad_list)
                losses += loss * idx.size
            hist.step_seconds += time.perf_counter() - t0
            hist.samples += N
            hist.loss.append(losses / N)
            if not np.isfinite(losses) or not all(np.isfinite(p).all() for p in params):
                hist.diverged = epoch
                break
            hist.train_acc.append(_evaluate(model, X, y, l2)[1])
            line = f"epoch {epoch:3d}  loss {hist.loss[-1]:.4f}  train acc {hist.train_acc[-1]:.4f}"
            if validation is not None:
                vl, va = _evaluate(model, Xv, yv, l2)
                hist.val_loss.append(vl)
                hist.val_acc.append(va)
                line += f"  val loss {vl:.4f}  val acc {va:.4f}"
            if bar is not None:
                bar.set_postfix_str(line.split("  ", 1)[1])
                bar.update(1)
            if log is not None:
                log(line)
            if callback is not None and callback(epoch, hist):
                break
    hist.seconds = time.perf_counter() - start
    rule.lr = lr0
    if bar is not None:
        bar.close()
    return hist


# ---------------------------------------------------------------------- command line
#: per data set: hidden width, epochs, batch size, learning rate, momentum, l2, schedule
#: (measured figures for these defaults are in the README)
DEFAULTS = {
    "digits": dict(hidden=64, epochs=30, batch_size=32, lr=0.1, momentum=0.9, l2=1e-3, schedule="cosine"),
    "mnist": dict(hidden=256, epochs=20, batch_size=64, lr=0.03, momentum=0.9, l2=1e-5, schedule="cosine"),
    "fashion-mnist": dict(hidden=256, epochs=20, batch_size=64, lr=0.03, momentum=0.9, l2=1e-5, schedule="cosine"),
}
SCHEDULES = {"constant": None, "cosine": cosine_schedule}


def load_dataset(name, data_dir="data", seed=0, dtype=np.float32, standardize=True):
    """Training and test arrays for the CLI and notebook 05.

    digits: the shipped 8x8 set, split 80/20 (stratified, seeded); mnist and
    fashion-mnist: the standard 60k/10k split read from ``data_dir``. Pixels are scaled
    to [0, 1]. With ``standardize`` they are then shifted and scaled by the training set's
    mean and standard deviation (the test set with the same numbers), which lets SGD take
    larger steps: per pixel for digits, one mean and std for all pixels for the 28x28 sets,
    whose border pixels are almost always 0 in training (a per-pixel std near 0 would blow
    up the rare test image that inks them).

    Returns
    -------
    X_train (N, D), y_train (N,), X_test (M, D), y_test (M,)

    Raises
    ------
    helpers.data.DatasetMissing when the MNIST-style files are not there
    """
    from . import data

    if name == "digits":
        X, y = data.load_digits()
        X_tr, X_te, y_tr, y_te = data.train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    elif name in ("mnist", "fashion-mnist"):
        X_tr, y_tr, X_te, y_te = data.load_mnist(name, root=data_dir)
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(DEFAULTS)}")
    if standardize:
        if name == "digits":
            X_tr, mean, std = data.standardize(X_tr)
            X_te, _, _ = data.standardize(X_te, mean, std)
        else:
            mean, std = X_tr.mean(dtype=np.float64), X_tr.std(dtype=np.float64)
            X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    return X_tr.astype(dtype), y_tr, X_te.astype(dtype), y_te


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m helpers.train",
        description="Train a one-hidden-layer ReLU network with a softmax output by mini-batch SGD.",
    )
    p.add_argument("--dataset", choices=sorted(DEFAULTS), default="digits")
    p.add_argument("--hidden", type=int, help="hidden units (default per data set)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--momentum", type=float, help="momentum beta, 0 for plain SGD")
    p.add_argument("--l2", type=float, help="L2 penalty c in c * sum |W|^2")
    p.add_argument("--schedule", choices=sorted(SCHEDULES),
                   help="learning rate per epoch: constant, or cosine decay to 0")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--data-dir", default="data",
                   help="folder holding mnist/ and fashion-mnist/ (or the four IDX files)")
    p.add_argument("--plot", metavar="PNG", help="write the loss and accuracy per epoch to this PNG file")
    p.add_argument("--json", action="store_true", help="end with one JSON line of results")
    return p


def main(argv=None):
    from .data import DatasetMissing
    from .nn import MLP

    args = _parser().parse_args(argv)
    cfg = dict(DEFAULTS[args.dataset])
    for k in cfg:
        if getattr(args, k) is not None:
            cfg[k] = getattr(args, k)
    try:
        if cfg["hidden"] < 1 or cfg["epochs"] < 1 or cfg["batch_size"] < 1:
            raise ValueError("--hidden, --epochs and --batch-size must be >= 1")
        rule = Momentum(cfg["lr"], cfg["momentum"]) if cfg["momentum"] else GD(cfg["lr"])
        if cfg["l2"] < 0:
            raise ValueError(f"--l2 must be >= 0, got {cfg['l2']}")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        X_tr, y_tr, X_te, y_te = load_dataset(args.dataset, args.data_dir, args.seed, np.dtype(args.dtype))
    except DatasetMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    model = MLP([X_tr.shape[1], cfg["hidden"], int(y_tr.max()) + 1], seed=args.seed, dtype=np.dtype(args.dtype))
    tty = sys.stderr.isatty()
    hist = fit(model, X_tr, y_tr, epochs=cfg["epochs"], batch_size=cfg["batch_size"], rule=rule,
               l2=cfg["l2"], validation=(X_te, y_te), seed=args.seed, progress=tty,
               log=None if tty else print, lr_schedule=SCHEDULES[cfg["schedule"]])
    if hist.diverged:
        print(f"error: training diverged in epoch {hist.diverged} (the loss stopped being finite); "
              f"lower --lr (now {cfg['lr']:g})", file=sys.stderr)
        return 1
    train_acc, test_acc = model.accuracy(X_tr, y_tr), model.accuracy(X_te, y_te)
    print(f"train accuracy {train_acc:.4f}")
    print(f"test accuracy {test_acc:.4f}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import os

        from .plots import training_curves

        fig = training_curves(hist)[0].figure
        tmp = f"{args.plot}.partial.png"
        try:
            fig.savefig(tmp, dpi=100)
            os.replace(tmp, args.plot)  # never a half-written file under the final name
        except OSError as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            print(f"error: cannot write the plot to {args.plot}: {e.strerror}; choose a writable path", file=sys.stderr)
            return 2
        print(f"wrote {args.plot}")
    if args.json:
        summary = dict(dataset=args.dataset, **cfg, seed=args.seed, dtype=args.dtype,
                       train_accuracy=train_acc, test_accuracy=test_acc, seconds=round(hist.seconds, 3),
                       samples_per_second=round(hist.samples_per_second, 1))
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
