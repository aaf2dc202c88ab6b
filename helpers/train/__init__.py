"""Training a network: ``fit`` runs mini-batch training of any :class:`helpers.nn.MLP` with any
update rule on the loop of :mod:`helpers.optim`. The command line is in ``__main__.py``."""

import copy
import time
from dataclasses import dataclass, field

import numpy as np

from ..optim import descend

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
    optional (epoch, history) after each epoch; True stops. max_growth: a batch loss over
    this factor times the first one stops training as diverged (None: only a non-finite loss).
    """
    problem = model.problem(X, y, l2)
    X, y, l2, N = problem.X, problem.y, problem.l2, problem.n
    epochs, batch_size = int(epochs), int(batch_size)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    # When the penalty alone may make steps overshoot, keep the start: a divergence then reruns without it
    rerun = (model.copy(), copy.deepcopy(rule)) if l2 and rule.lr * l2 >= 0.5 else None
    if validation is not None:
        held_out = model.problem(validation[0], validation[1], l2)
    hist = History(batch_size=min(batch_size, N))
    B = hist.batch_size
    rng = np.random.default_rng(seed)
    epoch_loss, clock = [0.0], [0.0]

    def batches(epoch):
        order = rng.permutation(N)
        epoch_loss[0], clock[0] = 0.0, time.perf_counter()
        return (order[i:i + B] for i in range(0, N, B))

    def step(idx):
        loss, g = problem.loss_and_grads(idx)
        epoch_loss[0] += loss * idx.size
        return loss, g

    def end_of_epoch(epoch):
        hist.step_seconds += time.perf_counter() - clock[0]
        hist.samples += N
        hist.loss.append(epoch_loss[0] / N)
        train_loss, train_acc = problem.evaluate()
        if not (np.isfinite(hist.loss[-1]) and np.isfinite(train_loss)):
            return "diverged: the loss is no longer finite"
        if train_acc is not None:
            hist.train_acc.append(train_acc)
        if validation is not None:
            vl, va = held_out.evaluate()
            hist.val_loss.append(vl)
            if va is not None:
                hist.val_acc.append(va)
        if bar is not None or log is not None:
            line = "  ".join(f"{name} {values[-1]:.4f}" for name, values in
                             (("loss", hist.loss), ("train acc", hist.train_acc), ("val loss", hist.val_loss),
                              ("val acc", hist.val_acc)) if values)
            if bar is not None:
                bar.set_postfix_str(line)
                bar.update(1)
            if log is not None:
                log(f"epoch {epoch:3d}  {line}")
        if callback is not None and callback(epoch, hist):
            return "stopped by the callback"

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, unit="epoch", leave=True)
    start = time.perf_counter()
    try:
        run = descend(step, model.params, rule, batches, epochs=epochs, schedule=schedule, on_epoch=end_of_epoch,
                      max_growth=max_growth)
    finally:
        hist.seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()
    if run.stopped and run.stopped.startswith("diverged"):
        if len(hist.loss) == run.epochs:  # stopped inside an epoch: record what it reached
            hist.step_seconds += time.perf_counter() - clock[0]
            hist.loss.append(float("inf"))
        hist.diverged = len(hist.loss)
        why, again = run.stopped.split(": ", 1)[1], None
        if rerun is not None:  # the same epochs, seed and learning rates, without the penalty
            again = fit(rerun[0], X, y, epochs=hist.diverged, batch_size=B, rule=rerun[1], seed=seed,
                        schedule=schedule and (lambda epoch, _: schedule(epoch, epochs)), progress=False,
                        max_growth=max_growth).diverged is not None
        hist.stopped = f"diverged in epoch {hist.diverged}: {why}; {divergence_hint(rule.lr, l2, again)}"
    elif run.stopped:
        hist.stopped = run.stopped
    return hist
