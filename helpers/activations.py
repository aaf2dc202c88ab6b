"""Activation functions and their derivatives with respect to the pre-activation z.

Each maps an array z of any shape to one of the same shape (float32 stays float32, anything
else becomes float64). Nothing here calls ``exp`` on a positive number: no overflow and no
warning, however large |z| is.
"""

import numpy as np

from ._checks import float_dtype

__all__ = ["sigmoid", "sigmoid_grad", "relu", "relu_grad", "softplus", "softplus_grad", "tanh", "tanh_grad",
           "softmax", "log_softmax", "ACTIVATIONS", "SLOPES"]


def _float(z):
    z = np.asarray(z)
    return z.astype(float_dtype(z.dtype), copy=False)


def sigmoid(z):
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, written with :math:`e^{-|z|} \le 1`
    only: 1 / (1 + e^{-z}) for z >= 0, the equal e^{z} / (1 + e^{z}) for z < 0."""
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
    r"""Softplus :math:`\log(1 + e^{z})`, a smooth relu, as max(z, 0) + log1p(e^{-|z|}): the naive
    form overflows for z > 88 in float32; np.logaddexp(0, z) is the same but 2-3x slower."""
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
    """z minus its maximum along ``axis`` (every entry <= 0). Where a slice holds +inf, those
    entries share all the probability (0, the others -inf); NaN or a slice of only -inf is a ValueError."""
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
    r"""Softmax :math:`e^{z_i} / \sum_k e^{z_k}` along ``axis``, after subtracting the maximum
    (softmax ignores a common shift, and then every exponent is <= 0)."""
    e = np.exp(_shifted(_float(z), axis))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    r""":math:`\log \mathrm{softmax}(z) = z - \max z - \log \sum_k e^{z_k - \max z}`, never the log
    of a probability that underflowed to 0."""
    shifted = _shifted(_float(z), axis)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


#: name -> (activation, derivative with respect to the pre-activation); tests iterate it
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "relu": (relu, relu_grad),
    "softplus": (softplus, softplus_grad),
    "tanh": (tanh, tanh_grad),
    "identity": (_float, lambda z: np.ones_like(_float(z))),
}

#: name -> the derivative as a function of the activation's output a = f(z), for those where it gives the very
#: numbers of the derivative above (sigmoid' = s (1 - s), tanh' = 1 - t^2, relu' = 1[a > 0]): a backward pass
#: then evaluates no f again; tests check the bits
SLOPES = {
    "sigmoid": lambda a: a * (1.0 - a),
    "tanh": lambda a: 1.0 - a * a,
    "relu": lambda a: a > 0,
}
