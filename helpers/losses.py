"""Losses. Each returns ``(loss, grad)``: a float and dL/d(first argument).

All losses are averaged over the batch of S samples (rows), so the gradient carries a
factor 1/S.
"""

import numpy as np

from ._checks import as_float_array, as_labels, same_shape
from .activations import log_softmax, sigmoid

__all__ = ["mse", "softmax_cross_entropy", "binary_cross_entropy_with_logits"]


def _rows(a):
    return a.shape[0] if a.ndim > 1 else 1


def mse(y_hat, y):
    r"""Half squared error, summed over outputs and averaged over samples.

    .. math:: L = \frac{1}{2S} \sum_{s,i} (\hat y_{si} - y_{si})^2,
              \qquad \partial L / \partial \hat y = (\hat y - y) / S

    For one sample (a 1-D ``y_hat``) this is the :math:`E = \tfrac12 \sum_i (y_i -
    \hat y_i)^2` of the worked examples.

    Parameters
    ----------
    y_hat, y : arrays of the same shape, (S, K) or (K,)
    """
    y_hat = as_float_array(y_hat, "y_hat")
    y = as_float_array(y, "y", dtype=y_hat.dtype)
    same_shape(y_hat, y, "y_hat", "y")
    diff = y_hat - y
    S = _rows(y_hat)
    return float(0.5 * np.sum(diff * diff) / S), diff / S


def softmax_cross_entropy(logits, y):
    r"""Softmax followed by cross-entropy, fused for stability.

    .. math:: L = -\frac1S \sum_s \log \mathrm{softmax}(z_s)_{y_s},
              \qquad \partial L / \partial z = (\mathrm{softmax}(z) - \mathrm{onehot}(y)) / S

    Parameters
    ----------
    logits : (S, K) array
    y : (S,) integer labels in [0, K), or (S, K) one-hot (or any rows of probabilities)
    """
    z = as_float_array(logits, "logits")
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (S, K), got {z.shape}; reshape a single sample with z[None, :]")
    S, K = z.shape
    logp = log_softmax(z, axis=1)
    y_arr = np.asarray(y)
    if y_arr.ndim == 2:
        target = as_float_array(y_arr, "y", dtype=z.dtype)
        same_shape(z, target, "logits", "y (one-hot)")
        loss = -np.sum(target * logp) / S
        grad = (np.exp(logp) - target) / S
    else:
        labels = as_labels(y_arr, K, S)
        rows = np.arange(S)
        loss = -logp[rows, labels].sum() / S
        grad = np.exp(logp)
        grad[rows, labels] -= 1.0
        grad /= S
    return float(loss), grad


def binary_cross_entropy_with_logits(logits, y):
    r"""Sigmoid followed by binary cross-entropy, fused for stability.

    .. math:: L = \frac1S \sum_s \big[\log(1 + e^{z_s}) - y_s z_s\big],
              \qquad \partial L / \partial z = (\sigma(z) - y) / S

    :math:`\log(1 + e^{z})` is evaluated as max(z, 0) + log1p(e^{-|z|}).

    Parameters
    ----------
    logits : (S,) or (S, 1) array
    y : array of the same shape with targets in [0, 1]
    """
    z = as_float_array(logits, "logits")
    t = as_float_array(y, "y", dtype=z.dtype)
    same_shape(z, t, "logits", "y")
    if t.size and (t.min() < 0 or t.max() > 1):
        raise ValueError("y must hold targets in [0, 1] for binary cross-entropy (use 0/1 labels)")
    S = z.shape[0] if z.ndim else 1
    per_sample = np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))
    return float(per_sample.sum() / S), (sigmoid(z) - t) / S
