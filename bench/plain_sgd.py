"""The simplest thing that works: mini-batch SGD of a one-hidden-layer ReLU softmax net in plain numpy.

The reference that ``helpers.train.fit`` is measured against (``make bench``): the same
shapes and the same work (shuffle every epoch, gather a batch by fancy indexing, forward,
mean cross-entropy plus the L2 penalty c * sum |W|^2, backward, a constant-rate update),
written out in one function with no checks and no buffers. Given the same initial weights
and seed it visits the batches in the same order as ``fit``, so the losses agree.
"""

import time

import numpy as np


def plain_sgd(X, y, params, lr, l2, epochs, batch_size, seed=0):
    """Train copies of ``params`` (W1, b1, W2, b2); returns (mean loss per epoch, samples/s, params).

    samples/s counts the time spent in training steps only, as ``History.samples_per_second``.
    """
    W1, b1, W2, b2 = (params[k].copy() for k in ("W1", "b1", "W2", "b2"))
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    losses, seconds = [], 0.0
    for _ in range(epochs):
        order = rng.permutation(N)
        total = 0.0
        t0 = time.perf_counter()
        for i in range(0, N, batch_size):
            idx = order[i:i + batch_size]
            xb, yb = X[idx], y[idx]
            S = idx.size
            rows = np.arange(S)
            # forward
            h = xb @ W1 + b1
            np.maximum(h, 0, out=h)
            z = h @ W2 + b2
            z -= z.max(axis=1, keepdims=True)
            picked = z[rows, yb].sum()
            p = np.exp(z)
            sums = p.sum(axis=1, keepdims=True)
            loss = (np.log(sums).sum() - picked) / S + l2 * (np.vdot(W1, W1) + np.vdot(W2, W2))
            total += loss * S
            # backward: (softmax - onehot) / S, then the two layers
            p /= sums
            p[rows, yb] -= 1.0
            p /= S
            dW2 = h.T @ p + (2 * l2) * W2
            db2 = p.sum(axis=0)
            dh = p @ W2.T
            dh *= h > 0
            dW1 = xb.T @ dh + (2 * l2) * W1
            db1 = dh.sum(axis=0)
            # update
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
        seconds += time.perf_counter() - t0
        losses.append(float(total) / N)
    return losses, epochs * N / seconds, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
