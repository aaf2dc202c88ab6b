"""Layers as forward/backward pairs, and a multi-layer perceptron that runs one loop over them.

Rows are samples: a dense layer computes ``Z = X @ W + b`` with X (S, fan_in), W (fan_in, fan_out),
b (fan_out,). Z is a pre-activation, A an activation, dZ means dL/dZ; losses are averaged over the S
rows. Every layer has ``forward(x) -> (out, cache)`` and ``backward(dout, cache) -> (dx, grads)``,
grads a dict keyed like ``MLP.params``.
"""

from collections import namedtuple

import numpy as np

from ._checks import as_float_array, as_targets, check_l2, float_dtype
from .activations import ACTIVATIONS, SLOPES, sigmoid, softmax
from .losses import binary_cross_entropy_core, mse_core, softmax_cross_entropy_core

__all__ = ["dense_forward", "dense_backward", "Dense", "Activation", "SlopeOfOutput", "ReLU", "Skip", "Output",
           "OUTPUTS", "MLP"]


def dense_forward(X, W, b):
    """Affine layer ``Z = X @ W + b``: Z (S, fan_out) and the cache (X, W) for the backward pass."""
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(f"dense layer shapes do not fit: X {X.shape} @ W {W.shape} + b {b.shape}; "
                         "need X (S, n_in), W (n_in, n_out), b (n_out,)")
    Z = X @ W
    Z += b
    return Z, (X, W)


def dense_backward(dZ, cache, need_dX=True):
    """Backward pass of :func:`dense_forward`: ``dX = dZ W^T``, ``dW = X^T dZ``, ``db = sum_s dZ_s``.
    Returns (dX, dW, db); dX is None when ``need_dX`` is False (the first layer)."""
    X, W = cache
    return (dZ @ W.T if need_dX else None), X.T @ dZ, dZ.sum(axis=0)


class Dense:
    """Layer l: :func:`dense_forward` on ``params["W<l>"]``, ``params["b<l>"]``, read at each call
    (update rules change them in place); grads {"W<l>": dW, "b<l>": db}."""

    def __init__(self, params, l):
        self.params, self.w, self.b, self.first = params, f"W{l}", f"b{l}", l == 1

    def forward(self, x):
        return dense_forward(x, self.params[self.w], self.params[self.b])

    def backward(self, dout, cache):
        dx, dW, db = dense_backward(dout, cache, need_dX=not self.first)
        return dx, {self.w: dW, self.b: db}


class Activation:
    """``A = f(Z)`` elementwise, f from ``ACTIVATIONS``; the cache is Z; backward ``dZ = dA * f'(Z)``."""

    def __init__(self, name):
        self.f, self.df = ACTIVATIONS[name]

    def forward(self, z):
        return self.f(z), z

    def backward(self, dout, z):
        return dout * self.df(z), {}


class SlopeOfOutput(Activation):
    """An activation whose slope is a function of its output (``SLOPES``: sigmoid, tanh, relu): the cache
    is A, and backward ``dZ = dA * slope(A)`` evaluates no f again (the same numbers as f'(Z))."""

    def __init__(self, name):
        super().__init__(name)
        self.slope = SLOPES[name]

    def forward(self, z):
        a = self.f(z)
        return a, a

    def backward(self, dout, a):
        return dout * self.slope(a), {}


class ReLU(SlopeOfOutput):
    """relu in the memory of its input (the dense layer's fresh Z: one (S, H) array less)."""

    def forward(self, z):
        a = np.maximum(z, 0, out=z)
        return a, a


def _forward(layers, A, caches=None, trace=None):
    """The one forward loop: each layer's output feeds the next. ``caches`` (a list) receives the
    caches for :func:`_backward`; ``trace`` (layer, copy of its output): a copy, as the next layer
    may reuse the array (ReLU)."""
    for layer in layers:
        A, cache = layer.forward(A)
        if caches is not None:
            caches.append(cache)
        if trace is not None:
            trace.append((layer, A.copy()))
    return A


def _backward(layers, dout, caches, grads):
    """The backward loop, last layer first: dL/d(output) in, dL/d(input) out; fills ``grads``."""
    for layer, cache in zip(reversed(layers), reversed(caches)):
        dout, g = layer.backward(dout, cache)
        grads.update(g)
    return dout


class Skip:
    """Residual block ``A_l = block(A_(l-1)) + A_(l-1)`` around ``layers`` (dense, activation); the
    input reaches the output by two paths, so dA_(l-1) = the block's dx + dA_l."""

    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        caches = []
        return _forward(self.layers, x, caches) + x, caches

    def backward(self, dout, caches):
        grads = {}
        return _backward(self.layers, dout, caches, grads) + dout, grads


class Output(namedtuple("Output", "activation backward fused loss")):
    """An output layer on the logits Z (S, K): ``activation(Z) -> A``; ``backward(A, dA) -> dZ``
    (J^T dA row by row); its natural loss fused with the activation, ``fused(Z, targets, grad=True)
    -> (loss, dZ or None)`` (may overwrite Z); and that loss's name."""

    def loss_of(self, Z, t, loss, grad=True):
        """(mean loss, dL/dZ or None) for the loss named ``loss``: the fused one, or "mse" of A."""
        if loss == self.loss:
            return self.fused(Z, t, grad)
        A = self.activation(Z)
        value, dA = mse_core(A, t, grad)
        return value, self.backward(A, dA) if grad else None


#: output name -> :class:`Output`; softmax: dZ = A * (dA - sum_k dA_k A_k), sigmoid: dZ = dA A (1 - A)
OUTPUTS = {
    "softmax": Output(lambda Z: softmax(Z, axis=1), lambda A, dA: A * (dA - np.sum(dA * A, axis=1, keepdims=True)),
                      softmax_cross_entropy_core, "cross_entropy"),
    "sigmoid": Output(sigmoid, lambda A, dA: dA * A * (1.0 - A), binary_cross_entropy_core, "binary_cross_entropy"),
    "identity": Output(lambda Z: Z, lambda A, dA: dA, mse_core, "mse"),
}


class Problem:
    """A network with its data, checked once (:meth:`MLP.problem`), as an optimization loop uses it.

    ``params``: the model's own dict; ``n``: the number of rows. ``loss_and_grads(batch)``, batch an
    integer index array into the rows (None: all): the mean loss over the batch + l2 sum_l |W_l|^2,
    and grads keyed like params (2 l2 W_l in dW_l). ``evaluate()``: (mean loss with the penalty,
    accuracy or None for an identity output) over all rows, in chunks of ``batch`` rows.
    """

    def __init__(self, model, X, y, l2=0.0):
        self.model, self.params = model, model.params
        self.X = np.ascontiguousarray(model.check_X(X))  # contiguous rows: the fastest gather
        self.y = model.check_targets(y, self.X.shape[0])
        self.l2, self.n = check_l2(l2), self.X.shape[0]
        # room for the penalty's gradient 2 c W, so that a step makes no temporary of W's size
        self._scratch = {k: np.empty_like(p) for k, p in self.params.items() if k[0] == "W"} if self.l2 else None

    def loss_and_grads(self, batch=None):
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        return self.model._loss_and_grads(X, y, self.l2, self._scratch)

    def evaluate(self, batch=4096):
        m, y, total, correct, labels = self.model, self.y, 0.0, 0, None
        if m.output != "identity":
            labels = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
        for i in range(0, self.n, batch):
            Z, t = _forward(m.layers, self.X[i:i + batch]), y[i:i + batch]
            if labels is not None:  # before the loss, which may overwrite Z
                correct += int(np.count_nonzero(m._classes(Z) == labels[i:i + batch]))
            total += m.out.loss_of(Z, t, m.loss, grad=False)[0] * Z.shape[0]
        return total / self.n + m.penalty(self.l2), None if labels is None else correct / self.n


class MLP:
    """A fully connected network: dense layers, a hidden activation, an output activation.

    sizes: e.g. (784, 128, 10), the input, hidden and output widths. hidden: a key of
    ``ACTIVATIONS``; output: a key of ``OUTPUTS``; loss: None for the output's natural loss, or
    "mse" (half squared error of the output activation). init: "he" (std sqrt(2/fan_in)), "xavier"
    (std sqrt(2/(fan_in+fan_out))) or a float std: W ~ N(0, std^2) from a generator seeded by
    ``seed``, biases 0. residual: a skip around each hidden layer after the first, A_l = act(Z_l) + A_(l-1).
    ``params``: "W1", "b1", "W2", ... -> arrays, W_l (sizes[l-1], sizes[l]); ``layers``: Dense,
    activation and Skip layers up to the logits; ``out``: the :class:`Output`.
    """

    def __init__(self, sizes, hidden="relu", output="softmax", init="he", seed=0,
                 dtype=np.float64, loss=None, residual=False):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output width, all >= 1; got {sizes}")
        if np.dtype(dtype) != float_dtype(dtype):
            raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        if not (init in ("he", "xavier") if isinstance(init, str) else np.isfinite(float(init)) and init >= 0):
            raise ValueError(f"init must be 'he', 'xavier' or a float std (finite, >= 0), got {init!r}")
        rng, params = np.random.default_rng(seed), {}
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            std = {"he": np.sqrt(2.0 / fan_in), "xavier": np.sqrt(2.0 / (fan_in + fan_out))}.get(init, init)
            params[f"W{l}"] = (float(std) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            params[f"b{l}"] = np.zeros(fan_out, dtype=dtype)
        self._setup(params, hidden, output, loss, residual)

    def _setup(self, params, hidden, output, loss, residual=False):
        if hidden not in ACTIVATIONS or output not in OUTPUTS:
            raise ValueError(f"hidden must be one of {sorted(ACTIVATIONS)} and output one of {sorted(OUTPUTS)}, "
                             f"got {hidden!r} and {output!r}")
        self.out = OUTPUTS[output]
        self.loss = loss = self.out.loss if loss is None else loss
        if loss not in (self.out.loss, "mse"):
            raise ValueError(f"loss for a {output} output must be {self.out.loss!r} or 'mse', got {loss!r}")
        self.params, self.hidden, self.output, self.residual = params, hidden, output, bool(residual)
        self.n_layers = L = len(params) // 2
        self.sizes = (params["W1"].shape[0],) + tuple(params[f"W{l}"].shape[1] for l in range(1, L + 1))
        self.dtype = params["W1"].dtype
        if output == "sigmoid" and self.sizes[-1] != 1:
            raise ValueError(f"a sigmoid output has one unit; sizes end in {self.sizes[-1]}")
        if self.residual and len(set(self.sizes[1:-1])) > 1:
            raise ValueError(f"residual=True needs hidden layers of one width, got {self.sizes[1:-1]}")
        act = ReLU if hidden == "relu" else SlopeOfOutput if hidden in SLOPES else Activation
        self.layers = []
        for l in range(1, L):
            skip = self.residual and l >= 2
            block = [Dense(params, l), act(hidden)]
            self.layers += [Skip(block)] if skip else block
        self.layers.append(Dense(params, L))

    @classmethod
    def from_params(cls, params, hidden="relu", output="softmax", loss=None, residual=False):
        """A network with weights fixed by hand (the worked examples): ``params`` holds "W1",
        "b1", ... with W_l (fan_in, fan_out) and b_l (fan_out,), and is copied."""
        n = len(params) // 2
        expected = [k for l in range(1, n + 1) for k in (f"W{l}", f"b{l}")]
        if n == 0 or sorted(params) != sorted(expected):
            raise ValueError(f"params must have keys {expected}, got {sorted(params)}")
        dtype = float_dtype(np.asarray(params["W1"]).dtype)
        P = {k: as_float_array(params[k], k, dtype=dtype).copy() for k in expected}
        for l in range(1, n + 1):
            W, b = P[f"W{l}"], P[f"b{l}"]
            if W.ndim != 2 or b.shape != W.shape[1:]:
                raise ValueError(f"W{l} must be (fan_in, fan_out) and b{l} (fan_out,); got {W.shape} and {b.shape}")
            if l > 1 and W.shape[0] != P[f"W{l - 1}"].shape[1]:
                raise ValueError(f"W{l - 1} has {P[f'W{l - 1}'].shape[1]} outputs but W{l} expects {W.shape[0]} inputs")
        model = cls.__new__(cls)
        model._setup(P, hidden, output, loss, residual)
        return model

    @property
    def n_params(self):
        """Number of learnable numbers (weights and biases)."""
        return sum(p.size for p in self.params.values())

    def get_flat(self):
        """All parameters in one 1-D copy, in the order W1, b1, W2, b2, ..."""
        return np.concatenate([p.ravel() for p in self.params.values()])

    def set_flat(self, v):
        """Load parameters from a 1-D vector laid out as :meth:`get_flat` returns it."""
        v = as_float_array(v, "v")
        if v.ndim != 1 or v.size != self.n_params:
            raise ValueError(f"expected a flat vector of {self.n_params} parameters, got shape {v.shape}")
        start = 0
        for p in self.params.values():
            p[...] = v[start:start + p.size].reshape(p.shape)
            start += p.size

    def flatten_grads(self, grads):
        """Gradients dict -> one vector in the layout of :meth:`get_flat`."""
        return np.concatenate([grads[k].ravel() for k in self.params])

    def copy(self):
        """An independent network with the same settings and a copy of the parameters."""
        return MLP.from_params(self.params, self.hidden, self.output, self.loss, self.residual)

    def penalty(self, l2):
        """The L2 penalty l2 * sum_l |W_l|^2 (weights only, not biases)."""
        Ws = [self.params[f"W{l}"] for l in range(1, self.n_layers + 1)]
        return l2 * sum(float(np.vdot(W, W)) for W in Ws) if l2 else 0.0

    def check_X(self, X):
        """X as an array of this network's dtype, shape (S, sizes[0]), finite; else a ValueError."""
        X = as_float_array(X, "X", dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (S, {self.sizes[0]}) for this network, got {X.shape}"
                             + ("; pass one sample as X[None, :]" if X.ndim == 1 else ""))
        if X.shape[0] == 0:
            raise ValueError("X has no rows: a loss needs at least one sample")
        return X

    def check_targets(self, y, S):
        """Validated targets for S samples: int labels (S,) or float rows (S, K) for the loss."""
        K, y = self.sizes[-1], np.asarray(y)
        if self.loss == "cross_entropy":
            return as_targets(y, S, K, self.dtype)
        if y.ndim == 1 and (self.output == "sigmoid" or K == 1):
            y = y.reshape(-1, 1)
        if self.loss == "mse" and self.output == "softmax" and y.ndim == 1:
            y = np.eye(K, dtype=self.dtype)[as_targets(y, S, K)]
        t = as_float_array(y, "y", dtype=self.dtype)
        if t.shape != (S, K):
            raise ValueError(f"y must have shape ({S}, {K}) (or ({S},) labels), got {t.shape}")
        if self.loss == "binary_cross_entropy" and (t.min() < 0 or t.max() > 1):
            raise ValueError("y must hold 0/1 labels (or probabilities) for a sigmoid output")
        return t

    def problem(self, X, y, l2=0.0):
        """This network with data X (N, sizes[0]), targets y and L2 factor l2, checked once: a :class:`Problem`."""
        return Problem(self, X, y, l2)

    def forward_trace(self, X):
        """Forward pass keeping every layer (Nielsen's ``zs`` and ``activations``): the list of
        pre-activations Z_l, and the list X, A_1, ..., whose last entry is the network output."""
        steps, zs, acts = [], [], [self.check_X(X)]
        Z = _forward(self.layers, acts[0], trace=steps)
        for layer, out in steps:
            if isinstance(layer, Skip):  # its dense layer's Z, again from the block's input (the same bits)
                zs.append(layer.layers[0].forward(acts[-1])[0])
            (zs if isinstance(layer, Dense) else acts).append(out)
        return zs, acts + [self.out.activation(Z)]

    def forward(self, X):
        """Network output for X of shape (S, sizes[0]): (S, sizes[-1])."""
        return self.out.activation(_forward(self.layers, self.check_X(X)))

    def _classes(self, Z):
        # softmax and sigmoid keep the order of the logits: argmax of Z, or Z >= 0 (p >= 0.5)
        return Z.argmax(axis=1) if self.output == "softmax" else (Z[:, 0] >= 0).astype(np.int64)

    def predict(self, X):
        """Class labels (S,) for softmax/sigmoid outputs; the raw output for identity."""
        Z = _forward(self.layers, self.check_X(X))
        return Z if self.output == "identity" else self._classes(Z)

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class equals the label: y (S,) labels or (S, K) one-hot."""
        return self.evaluate(X, y)[1]

    def evaluate(self, X, y, l2=0.0, batch=4096):
        """(mean loss with the penalty, accuracy or None for identity) on a whole set, in batches."""
        return self.problem(X, y, l2).evaluate(batch)

    def loss_and_grads(self, X, y, l2=0.0):
        """Mean loss over the batch, and its gradient for every parameter (a dict keyed like ``params``).

        X (S, sizes[0]); y (S,) integer labels or (S, K) one-hot / target rows.
        l2: c >= 0 adds c * sum_l |W_l|^2 (weights only) to the loss and 2 c W_l to dW_l.
        """
        return self.problem(X, y, l2).loss_and_grads()

    def _loss_and_grads(self, X, t, l2, scratch=None):
        """:meth:`loss_and_grads` of checked X, targets t and a float l2: forward, loss, backward
        (``scratch``: optional arrays shaped like the W_l that take the penalty's gradient)."""
        caches, grads = [], {}
        Z = _forward(self.layers, X, caches)
        loss, dZ = self.out.loss_of(Z, t, self.loss)  # Z is this pass's own array: the loss may overwrite it
        _backward(self.layers, dZ, caches, grads)
        if not l2:
            return float(loss), grads
        squares = 0  # the penalty summed as :meth:`penalty` sums it, in the loop that adds its gradient
        for l in range(1, self.n_layers + 1):
            w = f"W{l}"
            W = self.params[w]
            squares += float(np.vdot(W, W))
            grads[w] += np.multiply(W, 2.0 * l2, out=None if scratch is None else scratch[w])
        return float(loss + l2 * squares), grads

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, hidden={self.hidden!r}, output={self.output!r}, loss={self.loss!r}, "
                f"{'residual=True, ' if self.residual else ''}dtype={self.dtype.name}, n_params={self.n_params})")
