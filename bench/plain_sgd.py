"""The fastest honest plain numpy loop: mini-batch SGD with L2 of a one-hidden-layer ReLU softmax net.

The reference that ``helpers.train.fit`` is measured against (``make bench``): the same training
(shuffle every epoch with the same generator, gather a batch by fancy indexing, forward, mean
cross-entropy, backward, a constant-rate update with the L2 penalty c * sum |W|^2), written the
way a competent numpy programmer writes it: ReLU in place, the penalty's gradient 2 c W folded
into the weights' gradients in place (a decay factor 1 - 2 lr c rounded to float32 would change
c by up to 1.5%), every update in place with no temporaries, and the penalty's value counted in
the reported loss once per epoch. Given the same initial weights and
seed it visits the same batches as ``fit`` and ends each epoch with the same weights (to float32
round-off).
"""

import time

import numpy as np


def plain_sgd(X, y, params, lr, l2, epochs, batch_size, seed=0):
    """Train copies of ``params`` (W1, b1, W2, b2); returns (mean loss per epoch, samples/s, params).

    The loss of an epoch is the mean over its batches of the cross-entropy, plus the penalty at the
    end of the epoch. samples/s counts the time spent in training steps only, as
    ``History.samples_per_second``.
    """
    W1, b1, W2, b2 = (params[k].copy() for k in ("W1", "b1", "W2", "b2"))
    rng = np.random.default_rng(seed)
    N, s1, s2 = X.shape[0], np.empty_like(W1), np.empty_like(W2)  # scratch for the penalty's gradient 2 c W
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
            h = xb @ W1
            h += b1
            np.maximum(h, 0, out=h)
            z = h @ W2
            z += b2
            z -= z.max(axis=1, keepdims=True)
            picked = z[rows, yb].sum()
            np.exp(z, out=z)
            sums = z.sum(axis=1, keepdims=True)
            total += np.log(sums).sum() - picked
            # backward: dz = (softmax - onehot) / S, then the two layers
            z /= sums
            z[rows, yb] -= 1.0
            z *= 1.0 / S
            dW2 = h.T @ z
            db2 = z.sum(axis=0)
            dh = z @ W2.T
            dh *= h > 0
            dW1 = xb.T @ dh
            db1 = dh.sum(axis=0)
            # update, in place: W <- W - lr (dW + 2 c W), b <- b - lr db
            dW1 += np.multiply(W1, 2.0 * l2, out=s1)
            dW2 += np.multiply(W2, 2.0 * l2, out=s2)
            for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
                g *= lr
                p -= g
        seconds += time.perf_counter() - t0
        losses.append(float(total) / N + l2 * float(np.vdot(W1, W1) + np.vdot(W2, W2)))
    return losses, epochs * N / seconds, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
