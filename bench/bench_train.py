"""Training throughput of ``helpers.train.fit`` against the plain numpy loop of plain_sgd.py.

One run, side by side: the same data (Fashion-MNIST when it is on the machine, else random
data of the same shapes, said so), the same 784-128-10 float32 network and initial
weights, batch 64, plain SGD at a constant rate, L2 on the weights, shuffled every epoch
with the same seed, so both visit the same batches and their losses agree. The runs are
interleaved and the best of each is kept (the machine is shared). samples/s counts time in
training steps only. Then where the time of one step of ``fit`` goes: gathering the batch,
the forward pass and loss, the backward pass, the update.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from helpers.data import load_dataset
from helpers.nn import MLP
from helpers.optim import GD
from helpers.train import fit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plain_sgd import plain_sgd  # noqa: E402

SIZES, BATCH, LR, L2, EPOCHS, REPEATS = (784, 128, 10), 64, 0.01, 1e-4, 1, 5
FASHION = [Path("/usr/share/datasets/fashion-mnist"), Path(__file__).resolve().parents[1] / "data"]


def data():
    for root in FASHION:
        try:
            X, y, _, _ = load_dataset("fashion-mnist", root)
            return X, y, f"Fashion-MNIST from {root}"
        except FileNotFoundError:
            continue
    rng = np.random.default_rng(0)
    return rng.standard_normal((60_000, 784), dtype=np.float32), rng.integers(0, 10, 60_000), \
        "random data of Fashion-MNIST's shapes (Fashion-MNIST not found)"


def side_by_side(X, y):
    """Median samples/s of each over interleaved pairs of runs, the median of the pairs' ratios,
    and the largest relative gap between the two runs' epoch losses."""
    plain, ours = [], []
    for _ in range(REPEATS):
        model = MLP(SIZES, seed=0, dtype=np.float32)
        losses, rate, _ = plain_sgd(X, y, model.params, LR, L2, EPOCHS, BATCH, seed=0)
        hist = fit(model, X, y, epochs=EPOCHS, batch_size=BATCH, rule=GD(LR), l2=L2, seed=0, progress=False)
        plain.append(rate)
        ours.append(hist.samples_per_second)
    gap = max(abs(a - b) / abs(b) for a, b in zip(hist.loss, losses))
    ratio = float(np.median(np.array(ours) / np.array(plain)))
    return float(np.median(plain)), float(np.median(ours)), ratio, gap


def breakdown(X, y, steps=300):
    """Median microseconds per step of each part of fit's step, on shuffled batches of the data."""
    model = MLP(SIZES, seed=0, dtype=np.float32)
    rule, grads = GD(LR), {k: np.empty_like(p) for k, p in model.params.items()}
    order = np.random.default_rng(0).permutation(len(y))
    xb = np.empty((BATCH, X.shape[1]), np.float32)
    parts = {"gather": [], "forward + loss": [], "backward": [], "update": []}
    for k in range(steps):
        idx = order[k * BATCH:(k + 1) * BATCH]
        t0 = time.perf_counter()
        np.take(X, idx, axis=0, out=xb)
        yb = y[idx]
        t1 = time.perf_counter()
        model.evaluate(xb, yb, L2, check=False)
        t2 = time.perf_counter()
        model.loss_and_grads(xb, yb, L2, out=grads, check=False)
        t3 = time.perf_counter()
        rule.step(model.params, grads)
        t4 = time.perf_counter()
        for name, dt in zip(parts, (t1 - t0, t2 - t1, (t3 - t2) - (t2 - t1), t4 - t3)):
            parts[name].append(1e6 * dt)
    return {name: float(np.median(v)) for name, v in parts.items()}


def digits_run_seconds():
    """Wall time of the whole `python -m helpers.train --dataset digits` run, process start included."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "helpers.train", "--dataset", "digits", "--json"],
                         capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return time.perf_counter() - t0, out.stdout.strip().splitlines()[-1]


def main():
    X, y, source = data()
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()}"
    print(f"784-128-10 float32, batch {BATCH}, SGD lr {LR}, L2 {L2}, on {source}; BLAS threads {threads}")
    plain, ours, ratio, gap = side_by_side(X, y)
    print(f"median of {REPEATS} interleaved pairs of one-epoch runs (the epoch losses agree to {gap:.0e}):")
    print(f"  plain numpy loop (bench/plain_sgd.py) {plain:10,.0f} samples/s")
    print(f"  helpers.train.fit                     {ours:10,.0f} samples/s   ratio fit/plain {ratio:.2f}")
    parts = breakdown(X, y)
    total = sum(parts.values())
    print("one step of fit, median us: " + ", ".join(f"{k} {v:.0f} ({v / total:.0%})" for k, v in parts.items()))
    print("target: fit >= 1.0x the plain loop (aim 1.2x)")
    secs, summary = digits_run_seconds()
    print(f"python -m helpers.train --dataset digits: {secs:.2f} s wall")
    print(f"  {summary}")


if __name__ == "__main__":
    main()
