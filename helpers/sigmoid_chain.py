r"""A deep chain of scalar sigmoid units, forward and backward, vectorized over settings.

The chain of notebook 06 has L layers of one unit each:

.. math::
    z_1 = w_1 x + b_1, \qquad z_k = w\, h_{k-1} + b \;[+\, h_{k-2}] \quad (k = 2..L), \qquad
    h_k = \sigma(z_k), \qquad y = h_L

With ``skips=True`` every odd layer k = 3, 5, 7, ... also receives :math:`h_{k-2}` with weight 1
(:math:`z'_3 = w h_2 + h_1 + b`, ...). The inputs ``x, w, b, w1, b1`` broadcast to a shape S of
settings evaluated at once; the only loop runs over the layers. Arrays (L, *S) hold layer k at index k - 1.
"""

import numpy as np

from .activations import sigmoid

__all__ = ["has_skip", "chain_forward", "chain_backward", "depth_profile"]


def has_skip(k, skips=True):
    """True when layer k (1-based) receives the skip input h_(k-2): odd k >= 3, and skips on."""
    return bool(skips) and k >= 3 and k % 2 == 1


def chain_forward(x, w, b, depth, skips=False, w1=None, b1=None):
    """Forward pass of the chain of ``depth`` layers, like ``helpers.nn.dense_forward``: (y, cache).

    x, w, b broadcast to the shape S of the settings; w1, b1 are the first layer's (None: w, b).
    y (S) is h_L; cache holds the pre-activations ``Z`` and activations ``H`` (L, *S), and the inputs.
    """
    if int(depth) != depth or depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth}")
    settings = np.broadcast_arrays(x, w, b, w if w1 is None else w1, b if b1 is None else b1)
    x, w, b, w1, b1 = (np.asarray(a, dtype=np.float64) for a in settings)
    Z = np.empty((int(depth),) + x.shape)
    H = np.empty_like(Z)
    Z[0] = w1 * x + b1
    H[0] = sigmoid(Z[0])
    for i in range(1, len(Z)):  # layer k = i + 1
        Z[i] = w * H[i - 1] + b
        if has_skip(i + 1, skips):
            Z[i] += H[i - 2]
        H[i] = sigmoid(Z[i])
    return H[-1], {"Z": Z, "H": H, "x": x, "w": w, "w1": w1, "skips": bool(skips)}


def chain_backward(cache):
    """Reverse pass from :func:`chain_forward`'s cache: the derivatives of y = h_L.

    dy/dh_j collects one term per edge leaving h_j: w dy/dz_(j+1), and dy/dz_(j+2) when layer j+2
    has a skip; then dy/dz_j = sigma'(z_j) dy/dh_j with sigma'(z) = h (1 - h). Returns a dict of
    ``dz`` (L, *S), dy/dz_k, and, of shape S, ``w1``, ``b1``, ``x`` (first layer) and ``w``, ``b``
    (shared by layers 2..L, summed over them).
    """
    H, w = cache["H"], cache["w"]
    dz, dh = np.empty_like(H), np.zeros_like(H)
    dh[-1] = 1.0
    for i in reversed(range(len(H))):  # layer k = i + 1
        dz[i] = H[i] * (1.0 - H[i]) * dh[i]
        if i >= 1:
            dh[i - 1] += w * dz[i]
        if has_skip(i + 1, cache["skips"]):
            dh[i - 2] += dz[i]
    return {"dz": dz, "w1": dz[0] * cache["x"], "b1": dz[0].copy(), "x": dz[0] * cache["w1"],
            "w": (dz[1:] * H[:-1]).sum(axis=0), "b": dz[1:].sum(axis=0)}


def depth_profile(x, w, b, max_depth, skips=False, w1=None, b1=None):
    r"""dy/dw1 of the chain of every depth L = 1..max_depth (row L-1 of the (max_depth, *S) result)
    in one forward-mode pass; arguments as for :func:`chain_forward`.

    The tangent :math:`t_k = \partial h_k / \partial w_1` goes along with the activations:
    :math:`t_1 = \sigma'(z_1)\, x`, :math:`t_k = \sigma'(z_k)\,(w\, t_{k-1} + [\text{skip}]\, t_{k-2})`;
    the chain of depth L is the first L layers of the deepest one, so :math:`t_L` is its dy/dw1.
    """
    _, cache = chain_forward(x, w, b, max_depth, skips, w1, b1)
    H, w, x = cache["H"], cache["w"], cache["x"]
    S, T = H * (1.0 - H), np.empty_like(H)
    T[0] = S[0] * x
    for i in range(1, max_depth):  # layer k = i + 1
        T[i] = w * T[i - 1]
        if has_skip(i + 1, skips):
            T[i] += T[i - 2]
        T[i] *= S[i]
    return T
