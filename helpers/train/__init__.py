"""Training a network: ``fit`` is the loop of :mod:`helpers.optim` over mini-batches of a network's
problem (``MLP.problem``), plus recording (a :class:`History`). The command line is in ``__main__.py``."""

import copy
import time
from dataclasses import dataclass, field

import numpy as np

from .._checks import check_l2
from ..optim import Stop, descend

__all__ = ["History", "fit"]


@dataclass
class History:
    """What ``fit`` measured. Per epoch: ``loss``, the mean training loss over its mini-batches
    (penalty included); ``train_acc``, the accuracy on the whole training set after it (empty
    for an identity output); ``val_loss`` and ``val_acc``, the same on the validation set.
    ``seconds``: the whole loop; ``step_seconds``: training steps only. ``diverged``: None or
    the epoch (1-based) that diverged; ``stopped``: None, or why training ended early.
    """

    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: float = 0.0
    step_seconds: float = 0.0
    samples: int = 0
    batch_size: int = 0
    diverged: int | None = None
    stopped: str | None = None

    @property
    def samples_per_second(self):
        """Training samples per second of time spent in training steps."""
        return self.samples / self.step_seconds if self.step_seconds else 0.0


def divergence_hint(lr, l2, diverges_without_l2=None):
    """Advice for a diverging run. The L2 factor is named only when lr * l2 makes the penalty's steps
    overshoot (gradient descent on c|W|^2 needs lr * c < 1) and the same run without the penalty does not
    diverge (``diverges_without_l2``: False; ``fit`` runs it to find out); else the learning rate."""
    if l2 and lr * l2 >= 0.5 and not diverges_without_l2:
        return f"lower the L2 factor (c = {l2:g} with lr {lr:g}: the penalty alone makes each step overshoot)"
    if diverges_without_l2:
        return f"lower the learning rate (now {lr:g}: the run diverges without the L2 penalty too)"
    return f"lower the learning rate (now {lr:g})"


class _Recorder:
    """fit's side of the loop: the shuffled batches of each epoch, the sum of their losses, and at
    the end of an epoch its line in the :class:`History` (progress bar, log, callback)."""

    def __init__(self, train, val, hist, seed, epochs, progress, log, callback):
        self.train, self.val, self.hist, self.log, self.callback = train, val, hist, log, callback
        self.rng, self.total, self.clock, self.step, self.in_epoch = np.random.default_rng(seed), 0.0, 0.0, 0, False
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=epochs, unit="epoch", leave=True)

    def batches(self, epoch):
        N, B = self.train.n, self.hist.batch_size
        order = self.rng.permutation(N)
        self.total, self.in_epoch, self.clock = 0.0, True, time.perf_counter()
        return (order[i:i + B] for i in range(0, N, B))  # fancy indexing: the fastest gather

    def on_step(self, step, loss, batch):
        self.total += loss * batch.size
        self.step = step

    def on_epoch(self, epoch):
        hist, N = self.hist, self.train.n
        hist.step_seconds += time.perf_counter() - self.clock
        hist.samples += N
        hist.loss.append(self.total / N)
        self.in_epoch = False
        train_loss, train_acc = self.train.evaluate()
        if not (np.isfinite(hist.loss[-1]) and np.isfinite(train_loss)):
            return Stop("not finite", self.step, "the loss is no longer finite")
        if train_acc is not None:
            hist.train_acc.append(train_acc)
        if self.val is not None:
            vl, va = self.val.evaluate()
            hist.val_loss.append(vl)
            if va is not None:
                hist.val_acc.append(va)
        if self.bar is not None or self.log is not None:
            line = "  ".join(f"{name} {values[-1]:.4f}" for name, values in
                             (("loss", hist.loss), ("train acc", hist.train_acc), ("val loss", hist.val_loss),
                              ("val acc", hist.val_acc)) if values)
            if self.bar is not None:
                self.bar.set_postfix_str(line)
                self.bar.update(1)
            if self.log is not None:
                self.log(f"epoch {epoch:3d}  {line}")
        return self.callback is not None and self.callback(epoch, hist)

    def close(self, seconds):
        self.hist.seconds = seconds
        if self.bar is not None:
            self.bar.close()


def fit(model, X, y, *, epochs, batch_size, rule, l2=0.0, validation=None, schedule=None, seed=0,
        progress=True, log=None, callback=None, max_growth=100.0):
    """Mini-batch training of ``model`` (in place) with ``rule``; returns a :class:`History`.

    Each epoch shuffles with a generator seeded by ``seed``: the same seed, data, dtype and
    BLAS (threads included) give bit-identical parameters. The rule's state carries over:
    pass a fresh rule for a fresh run, or the same model and rule to continue training.

    X (N, D); y (N,) labels or (N, K) targets (see ``MLP.loss_and_grads``). A batch larger
    than N is cut to N. l2: the penalty c * sum |W|^2. validation: optional (X_val, y_val).
    schedule: optional (epoch, epochs) -> factor on that epoch's learning rate. progress: a
    tqdm bar over epochs. log: optional callable(str) getting one line per epoch. callback:
    optional (epoch, history) after each epoch; a true value stops (as in ``descend``). max_growth:
    a batch loss over this factor times the first one stops training as diverged (None: only a
    non-finite loss).
    """
    train = model.problem(X, y, l2)
    epochs, batch_size, l2 = int(epochs), int(batch_size), check_l2(l2)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    # When the penalty alone may make steps overshoot, keep the start: a divergence then reruns without it
    start = (model.copy(), copy.deepcopy(rule)) if l2 and rule.lr * l2 >= 0.5 else None
    val = None if validation is None else model.problem(validation[0], validation[1], l2)
    hist = History(batch_size=min(batch_size, train.n))
    rec = _Recorder(train, val, hist, seed, epochs, progress, log, callback)
    t0 = time.perf_counter()
    try:
        run = descend(train, rule, rec.batches, epochs=epochs, schedule=schedule, on_step=rec.on_step,
                      on_epoch=rec.on_epoch, max_growth=max_growth)
    finally:
        rec.close(time.perf_counter() - t0)
    if run.stop is None or not run.stop.diverged:
        hist.stopped = run.stop and run.stop.why
        return hist
    if rec.in_epoch:  # stopped inside an epoch: record what it reached
        hist.step_seconds += time.perf_counter() - rec.clock
        hist.loss.append(float("inf"))
    hist.diverged, again = len(hist.loss), None
    if start is not None:  # the same epochs, seed and learning rates, without the penalty
        again = fit(start[0], X, y, epochs=hist.diverged, batch_size=hist.batch_size, rule=start[1], seed=seed,
                    schedule=schedule and (lambda epoch, _: schedule(epoch, epochs)), progress=False,
                    max_growth=max_growth).diverged is not None
    hist.stopped = f"diverged in epoch {hist.diverged}: {run.stop.why}; {divergence_hint(rule.lr, l2, again)}"
    return hist
