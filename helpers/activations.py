"""Activation functions and their derivatives, stable for |z| up to 1e4.

Every function takes an array ``z`` of pre-activations, of any shape, and returns an
array of the same shape. Float32 input gives float32 output; anything else is computed
in float64. The derivatives are taken with respect to the pre-activation ``z``:
``sigmoid_grad(z) = d sigmoid(z) / dz``.

Stability: nothing here calls ``exp`` on a positive number, so there is no overflow and
no RuntimeWarning, however large ``|z|`` is.
"""

import numpy as np

__all__ = [
    "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softplus", "softplus_grad",
    "tanh", "tanh_grad", "softmax", "log_softmax", "ACTIVATIONS",
]


def _float(z):
    z = np.asarray(z)
    return z if z.dtype in (np.float32, np.float64) else z.astype(np.float64)


def sigmoid(z):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Written with :math:`e^{-|z|} \le 1` only: for z >= 0 it is 1 / (1 + e^{-z}), for
    z < 0 the equal form e^{z} / (1 + e^{z}).
    """
    z = _float(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(z):
    r""":math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`, at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """Rectified linear unit max(z, 0)."""
    z = _float(z)
    return np.maximum(z, 0.0, dtype=z.dtype)


def relu_grad(z):
    """Derivative of relu: 1 where z > 0, else 0 (we use 0 at z = 0 itself)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def softplus(z):
    r"""Softplus :math:`\log(1 + e^{z})`, a smooth relu.

    Computed as max(z, 0) + log1p(e^{-|z|}) (the naive log(exp(z) + 1) overflows for z > 88
    in float32 and z > 709 in float64); np.logaddexp(0, z) is the same but 2-3x slower.
    """
    z = _float(z)
    return np.maximum(z, 0.0, dtype=z.dtype) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z):
    """Derivative of softplus: the sigmoid."""
    return sigmoid(z)


def tanh(z):
    """Hyperbolic tangent (numpy's tanh saturates cleanly at +-1)."""
    return np.tanh(_float(z))


def tanh_grad(z):
    """Derivative of tanh: 1 - tanh(z)^2."""
    t = tanh(z)
    return 1.0 - t * t


def _shifted(z, axis):
    """z minus its maximum along ``axis``: every entry <= 0, so exp never overflows.

    Infinite logits get their limit: where a slice holds +inf, those entries share all
    the probability (they become 0, the others -inf). NaN, or a slice of only -inf (no
    probabilities at all), is a ValueError.
    """
    m = z.max(axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        if np.isnan(m).any():
            raise ValueError("softmax of NaN: the logits contain NaN; check the inputs and the learning rate")
        if np.isneginf(m).any():
            raise ValueError("softmax of a row of -inf only: no class has any probability")
        top = np.isposinf(z)
        z = np.where(top.any(axis=axis, keepdims=True), np.where(top, 0.0, -np.inf), z).astype(z.dtype)
        m = z.max(axis=axis, keepdims=True)
    return z - m


def softmax(z, axis=-1):
    r"""Softmax :math:`e^{z_i} / \sum_k e^{z_k}` along ``axis``.

    The maximum is subtracted first: softmax ignores a shift common to all entries, and
    after the shift every exponent is <= 0.
    """
    e = np.exp(_shifted(_float(z), axis))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    r""":math:`\log \mathrm{softmax}(z) = z - \max z - \log \sum_k e^{z_k - \max z}`.

    Never takes the log of a probability that underflowed to 0.
    """
    shifted = _shifted(_float(z), axis)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


#: name -> (activation, derivative with respect to the pre-activation)
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "relu": (relu, relu_grad),
    "softplus": (softplus, softplus_grad),
    "tanh": (tanh, tanh_grad),
    "identity": (lambda z: _float(z), lambda z: np.ones_like(_float(z))),
}
