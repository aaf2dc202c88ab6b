"""Losses. Each returns ``(loss, grad)``: a float, averaged over the S samples (rows), and
dL/d(first argument), which carries the factor 1/S. The public functions check their inputs;
the network calls the same arithmetic through the unchecked ``*_core`` functions.
"""

import numpy as np

from ._checks import as_float_array, as_targets
from .activations import sigmoid, softplus

__all__ = ["mse", "softmax_cross_entropy", "binary_cross_entropy_with_logits"]


def _checked(a, y, name, shape_of_y=True):
    """(a, y): a as a non-empty float array, y as an array of a's dtype and shape (unless ``shape_of_y`` is False)."""
    a = as_float_array(a, name)
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}): a mean over no samples is undefined; pass at least one")
    if not shape_of_y:
        return a, y
    y = as_float_array(y, "y", dtype=a.dtype)
    if y.shape != a.shape:
        raise ValueError(f"shape mismatch: {name} has shape {a.shape} but y has shape {y.shape}")
    return a, y


def mse_core(y_hat, t, grad=True):
    diff = y_hat - t
    S = y_hat.shape[0] if y_hat.ndim > 1 else 1
    # summed in float64: squares of large float32 numbers would overflow
    return float(0.5 * np.square(diff, dtype=np.float64).sum() / S), diff / S if grad else None


def mse(y_hat, y):
    r"""Half squared error of y_hat and y, both (S, K) or (K,), summed over outputs, averaged over samples.

    .. math:: L = \frac{1}{2S} \sum_{s,i} (\hat y_{si} - y_{si})^2,
              \qquad \partial L / \partial \hat y = (\hat y - y) / S

    For one sample (1-D) it is the :math:`E = \tfrac12 \sum_i (y_i - \hat y_i)^2` of the worked examples.
    """
    return mse_core(*_checked(y_hat, y, "y_hat"))


def softmax_cross_entropy_core(z, t, grad=True):
    """Unchecked fused softmax cross-entropy of logits z (S, K), overwritten with the gradient
    (with ``grad=False``: scratch, and the gradient is None), and labels (S,) or target rows (S, K).
    The shift by the row maximum keeps every exponent <= 0, so log(sum exp) >= 0."""
    S = z.shape[0]
    z -= z.max(axis=1, keepdims=True)
    if t.ndim == 1:
        rows = np.arange(S)
        picked, mass = z[rows, t].sum(), None
    else:
        picked, mass = np.vdot(t, z), t.sum(axis=1, keepdims=True)
    np.exp(z, out=z)
    sums = z.sum(axis=1, keepdims=True)
    lse = np.log(sums)
    loss = (float(lse.sum() if mass is None else np.vdot(lse, mass)) - float(picked)) / S
    if not grad:
        return loss, None
    z /= sums
    if t.ndim == 1:
        z[rows, t] -= 1.0
    else:
        z -= t
    z /= S
    return loss, z


def softmax_cross_entropy(logits, y):
    r"""Softmax followed by cross-entropy, fused for stability; logits (S, K), y (S,) integer
    labels in [0, K) or (S, K) one-hot (or any rows of probabilities).

    .. math:: L = -\frac1S \sum_s \log \mathrm{softmax}(z_s)_{y_s},
              \qquad \partial L / \partial z = (\mathrm{softmax}(z) - \mathrm{onehot}(y)) / S
    """
    z, y = _checked(logits, y, "logits", shape_of_y=False)
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (S, K), got {z.shape}; reshape a single sample with z[None, :]")
    return softmax_cross_entropy_core(z.copy(), as_targets(y, *z.shape, dtype=z.dtype))


def binary_cross_entropy_core(z, t, grad=True):
    """Unchecked fused sigmoid binary cross-entropy of logits ``z`` and targets ``t``."""
    S = z.shape[0] if z.ndim else 1
    return float((softplus(z) - z * t).sum(dtype=np.float64) / S), (sigmoid(z) - t) / S if grad else None


def binary_cross_entropy_with_logits(logits, y):
    r"""Sigmoid followed by binary cross-entropy, fused for stability; logits (S,) or (S, 1), y of
    the same shape with targets in [0, 1]. :math:`\log(1 + e^{z})` is the stable softplus.

    .. math:: L = \frac1S \sum_s \big[\log(1 + e^{z_s}) - y_s z_s\big],
              \qquad \partial L / \partial z = (\sigma(z) - y) / S
    """
    z, t = _checked(logits, y, "logits")
    if t.min() < 0 or t.max() > 1:
        raise ValueError("y must hold targets in [0, 1] for binary cross-entropy (use 0/1 labels)")
    return binary_cross_entropy_core(z, t)
