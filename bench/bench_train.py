"""Training throughput of ``helpers.train.fit`` and of the command line against the plain numpy loop.

The same training three ways: bench/plain_sgd.py (the fastest honest plain loop), ``fit``, and
``python -m helpers.train`` in a process of its own (its --json samples_per_second): Fashion-MNIST
when it is on the machine (else random data of the same shapes, said so), 784-128-10 float32 with
the same initial weights, batch 64, plain SGD at a constant rate with L2 on the weights, shuffled
every epoch with the same seed, so all visit the same batches. The three runs are interleaved,
ROUNDS times (the machine may be shared: the load average is printed); each ratio is the median of
the per-round ratios. samples/s counts time in training steps only. Then where one step of ``fit``
goes: the model's loss_and_grads on the batch, the rule's step, and the loop around them. With
torch installed, the same training in PyTorch on the CPU too.
"""

import json
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

SIZES, BATCH, LR, L2, EPOCHS, ROUNDS = (784, 128, 10), 64, 0.01, 1e-4, 1, 5
ROOT = Path(__file__).resolve().parents[1]
FASHION = [Path("/usr/share/datasets/fashion-mnist"), ROOT / "data" / "fashion-mnist"]
CLI = ["--dataset", "fashion-mnist", "--hidden", "128", "--epochs", str(EPOCHS), "--batch-size", str(BATCH),
       "--rule", "gd", "--lr", str(LR), "--l2", str(L2), "--schedule", "constant", "--seed", "0", "--json"]


def data():
    for root in FASHION:
        try:
            X, y, _, _ = load_dataset("fashion-mnist", root)
            return X, y, root
        except FileNotFoundError:
            continue
    rng = np.random.default_rng(0)
    return rng.standard_normal((60_000, 784), dtype=np.float32), rng.integers(0, 10, 60_000), None


def cli_rate(root):
    """samples/s of the command line's training steps (its --json line), in a process of its own."""
    out = subprocess.run([sys.executable, "-m", "helpers.train", *CLI, "--data-dir", str(root)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["samples_per_second"]


def torch_rate(X, y, params):
    """samples/s of the same training in PyTorch on the CPU (None when torch is not installed)."""
    try:
        import torch
    except ImportError:
        return None
    W1, b1, W2, b2 = (torch.tensor(params[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2"))
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=LR)
    Xt, yt, rng = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64)), np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        order = torch.from_numpy(rng.permutation(len(y)))
        for i in range(0, len(y), BATCH):
            idx = order[i:i + BATCH]
            z = torch.relu(Xt[idx] @ W1 + b1) @ W2 + b2
            loss = torch.nn.functional.cross_entropy(z, yt[idx]) + L2 * ((W1 * W1).sum() + (W2 * W2).sum())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return EPOCHS * len(y) / (time.perf_counter() - t0)


def side_by_side(X, y, root):
    """Per round: samples/s of plain, fit, the CLI (None without the data files) and torch (or None);
    and the largest relative gaps between plain's and fit's epoch losses (plain counts the penalty once
    per epoch, fit at every step) and final weights."""
    rounds, gaps = [], [0.0, 0.0]
    for _ in range(ROUNDS):
        model = MLP(SIZES, seed=0, dtype=np.float32)
        start = {k: p.copy() for k, p in model.params.items()}
        losses, plain, weights = plain_sgd(X, y, start, LR, L2, EPOCHS, BATCH, seed=0)
        hist = fit(model, X, y, epochs=EPOCHS, batch_size=BATCH, rule=GD(LR), l2=L2, seed=0, progress=False)
        cli = None if root is None else cli_rate(root)
        rounds.append((plain, hist.samples_per_second, cli, torch_rate(X, y, start)))
        gaps = [max([gaps[0]] + [abs(a - b) / abs(b) for a, b in zip(hist.loss, losses)]),
                max([gaps[1]] + [float(np.abs(weights[k] - p).max() / np.abs(p).max())
                                 for k, p in model.params.items()])]
    return np.array(rounds, dtype=float), gaps


def breakdown(X, y, steps=300, rounds=5):
    """Median microseconds per step of fit's parts: the model's loss_and_grads on a batch and the rule's
    step (timed apart in a bare loop of both), and the loop around them (fit's step time minus the bare
    loop's, on the same steps, interleaved)."""
    X, y = X[:steps * BATCH], y[:steps * BATCH]
    order = np.random.default_rng(0).permutation(len(y))
    parts = {"loss_and_grads": [], "rule.step": [], "the loop": []}
    for _ in range(rounds):
        model = MLP(SIZES, seed=0, dtype=np.float32)
        problem, rule, lag, upd = model.problem(X, y, L2), GD(LR), 0.0, 0.0
        for k in range(steps):
            t0 = time.perf_counter()
            _, grads = problem.loss_and_grads(order[k * BATCH:(k + 1) * BATCH])
            t1 = time.perf_counter()
            rule.step(model.params, grads)
            lag, upd = lag + t1 - t0, upd + time.perf_counter() - t1
        hist = fit(MLP(SIZES, seed=0, dtype=np.float32), X, y, epochs=1, batch_size=BATCH, rule=GD(LR), l2=L2,
                   progress=False)
        for name, seconds in zip(parts, (lag, upd, hist.step_seconds - lag - upd)):
            parts[name].append(1e6 * seconds / steps)
    return {name: float(np.median(v)) for name, v in parts.items()}


def digits_run_seconds():
    """Wall time of the whole `python -m helpers.train --dataset digits` run, process start included."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "helpers.train", "--dataset", "digits", "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - t0, out.stdout.strip().splitlines()[-1]


def main():
    X, y, root = data()
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()}"
    source = f"Fashion-MNIST from {root}" if root else "random data of Fashion-MNIST's shapes (Fashion-MNIST not found)"
    print(f"784-128-10 float32, batch {BATCH}, SGD lr {LR}, L2 {L2}, on {source}; BLAS threads {threads}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rounds, (loss_gap, weight_gap) = side_by_side(X, y, root)
    print(f"{ROUNDS} interleaved rounds of {EPOCHS}-epoch runs (load average {load:.1f} before, "
          f"{os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.1f} after; plain and fit agree "
          f"to {loss_gap:.0e} in the epoch losses, {weight_gap:.0e} in the weights), median samples/s and median "
          "per-round ratio to plain:")
    names = ["plain numpy loop (bench/plain_sgd.py)", "helpers.train.fit", "python -m helpers.train", "PyTorch CPU"]
    for j, name in enumerate(names):
        col = rounds[:, j]
        if np.isnan(col).any():
            print(f"  {name:38s} " + ("torch not installed: no comparison" if j == 3 else "no data files: not run"))
        else:
            print(f"  {name:38s} {np.median(col):10,.0f}   ratio {np.median(col / rounds[:, 0]):.2f}   "
                  f"(rounds: {', '.join(f'{r:.2f}' for r in col / rounds[:, 0])})")
    if not np.isnan(rounds[:, 2:]).any():
        print(f"  the command line against PyTorch CPU: {np.median(rounds[:, 2] / rounds[:, 3]):.2f}")
    parts = breakdown(X, y)
    total = sum(parts.values())
    print("one step of fit, median us: " + ", ".join(f"{k} {v:.0f} ({v / total:.0%})" for k, v in parts.items())
          + "; the plain loop's whole step: " + f"{1e6 * BATCH / np.median(rounds[:, 0]):.0f}")
    print("target: fit and the command line >= 1.0x the plain loop, the command line >= 1.5x PyTorch CPU")
    secs, summary = digits_run_seconds()
    print(f"python -m helpers.train --dataset digits: {secs:.2f} s wall")
    print(f"  {summary}")


if __name__ == "__main__":
    main()
