"""Dense layers and a multi-layer perceptron with an explicit backward pass.

Rows are samples: a dense layer computes ``Z = X @ W + b`` with X (S, fan_in), W (fan_in,
fan_out) and b (fan_out,). Z is a pre-activation, A an activation, dZ means dL/dZ.
Losses are averaged over the S samples of a batch.
"""

import numpy as np

from ._checks import as_float_array, as_labels
from .activations import ACTIVATIONS, sigmoid, softmax
from .losses import binary_cross_entropy_core, mse_core, softmax_cross_entropy_core

__all__ = ["dense_forward", "dense_backward", "MLP", "OUTPUTS"]


def dense_forward(X, W, b, out=None):
    """Affine layer ``Z = X @ W + b``; returns Z (S, fan_out) and the cache (X, W) for the
    backward pass. ``out``: an optional (S, fan_out) array to write Z into."""
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(
            f"dense layer shapes do not fit: X {X.shape} @ W {W.shape} + b {b.shape}; "
            "need X (S, n_in), W (n_in, n_out), b (n_out,)"
        )
    Z = np.matmul(X, W, out=out)
    Z += b
    return Z, (X, W)


def dense_backward(dZ, cache, need_dX=True, out=None):
    """Backward pass of :func:`dense_forward`: ``dX = dZ W^T``, ``dW = X^T dZ``, ``db = sum_s dZ_s``.

    Returns (dX, dW, db); dX is None when ``need_dX`` is False (the first layer).
    ``out``: optional (dX, dW, db) arrays to write into (dX may be None).
    """
    X, W = cache
    dX_out, dW_out, db_out = out if out is not None else (None, None, None)
    dW = np.matmul(X.T, dZ, out=dW_out)
    db = dZ.sum(axis=0, out=db_out)
    dX = np.matmul(dZ, W.T, out=dX_out) if need_dX else None
    return dX, dW, db


#: output -> (activation of the logits Z, its backward (A, dA) -> dZ, its natural loss
#: fused with it: (Z, targets, grad=True) -> (loss, dZ or None), and that loss's name)
OUTPUTS = {
    "softmax": (lambda Z: softmax(Z, axis=1), lambda A, dA: A * (dA - np.sum(dA * A, axis=1, keepdims=True)),
                softmax_cross_entropy_core, "cross_entropy"),
    "sigmoid": (sigmoid, lambda A, dA: dA * A * (1.0 - A), binary_cross_entropy_core, "binary_cross_entropy"),
    "identity": (lambda Z: Z, lambda A, dA: dA, mse_core, "mse"),
}


class MLP:
    """A fully connected network: dense layers, a hidden activation, an output activation.

    sizes: e.g. (784, 128, 10), the input width, hidden widths and output width.
    hidden: "relu", "sigmoid", "softplus", "tanh" or "identity"; output: a key of ``OUTPUTS``.
    init: "he" (std sqrt(2/fan_in)), "xavier" (std sqrt(2/(fan_in+fan_out))) or a float std;
    weights are drawn from N(0, std^2) with their own generator seeded by ``seed``, biases start at 0.
    loss: None for the output's natural loss, or "mse" (half squared error of the output activation).
    residual: a skip connection around every hidden layer after the first, ``A_l = act(Z_l) + A_(l-1)``.
    ``params`` maps "W1", "b1", "W2", ... to arrays; W_l has shape (sizes[l-1], sizes[l]).
    """

    def __init__(self, sizes, hidden="relu", output="softmax", init="he", seed=0,
                 dtype=np.float64, loss=None, residual=False):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output width, all >= 1; got {sizes}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        if isinstance(init, str) and init not in ("he", "xavier"):
            raise ValueError(f"init must be 'he', 'xavier' or a float std, got {init!r}")
        if not isinstance(init, str) and not (np.isfinite(float(init)) and float(init) >= 0):
            raise ValueError(f"init as a std must be a finite number >= 0, got {init}")
        rng = np.random.default_rng(seed)
        params = {}
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            std = {"he": np.sqrt(2.0 / fan_in), "xavier": np.sqrt(2.0 / (fan_in + fan_out))}.get(init, init)
            params[f"W{l}"] = (float(std) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            params[f"b{l}"] = np.zeros(fan_out, dtype=dtype)
        self._setup(params, hidden, output, loss, residual)

    def _setup(self, params, hidden, output, loss, residual=False):
        if hidden not in ACTIVATIONS:
            raise ValueError(f"hidden must be one of {sorted(ACTIVATIONS)}, got {hidden!r}")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {sorted(OUTPUTS)}, got {output!r}")
        natural = OUTPUTS[output][3]
        loss = natural if loss is None else loss
        if loss not in (natural, "mse"):
            raise ValueError(f"loss for a {output} output must be {natural!r} or 'mse', got {loss!r}")
        self.params = params
        self.hidden, self.output, self.loss = hidden, output, loss
        self.n_layers = L = len(params) // 2
        self.sizes = (params["W1"].shape[0],) + tuple(params[f"W{l}"].shape[1] for l in range(1, L + 1))
        self.dtype = params["W1"].dtype
        if self.output == "sigmoid" and self.sizes[-1] != 1:
            raise ValueError(f"a sigmoid output has one unit; sizes end in {self.sizes[-1]}")
        self.residual = bool(residual)
        if self.residual and len(set(self.sizes[1:-1])) > 1:
            raise ValueError(f"residual=True needs hidden layers of one width, got {self.sizes[1:-1]}")
        self._buffers = {}  # batch size -> scratch arrays of loss_and_grads(out=...)
        # per layer l = 1..L (index 0 unused): its parameter names, and whether it adds its input
        # to its activation (residual, hidden, l >= 2)
        self._names = [None] + [(f"W{l}", f"b{l}") for l in range(1, L + 1)]
        self._skips = [self.residual and 2 <= l < L for l in range(L + 1)]

    @classmethod
    def from_params(cls, params, hidden="relu", output="softmax", loss=None, residual=False):
        """A network with weights fixed by hand (the worked examples): ``params`` holds "W1",
        "b1", ... with W_l (fan_in, fan_out) and b_l (fan_out,), and is copied."""
        n = len(params) // 2
        expected = [k for l in range(1, n + 1) for k in (f"W{l}", f"b{l}")]
        if n == 0 or sorted(params) != sorted(expected):
            raise ValueError(f"params must have keys {expected}, got {sorted(params)}")
        first = np.asarray(params["W1"])
        dtype = first.dtype if first.dtype in (np.float32, np.float64) else np.float64
        copied = {k: as_float_array(params[k], k, dtype=dtype).copy() for k in expected}
        for l in range(1, n + 1):
            W, b = copied[f"W{l}"], copied[f"b{l}"]
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"W{l} must be (fan_in, fan_out) and b{l} (fan_out,); got {W.shape} and {b.shape}")
            if l > 1 and copied[f"W{l - 1}"].shape[1] != W.shape[0]:
                fan_out = copied[f"W{l - 1}"].shape[1]
                raise ValueError(f"W{l - 1} has {fan_out} outputs but W{l} expects {W.shape[0]} inputs")
        model = cls.__new__(cls)
        model._setup(copied, hidden, output, loss, residual)
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
        if not l2:
            return 0.0
        total = 0.0
        for w, _ in self._names[1:]:
            total += float(np.vdot(self.params[w], self.params[w]))
        return l2 * total

    def check_X(self, X):
        """X as an array of this network's dtype, shape (S, sizes[0]), finite; else a ValueError."""
        X = np.asarray(X)
        if X.dtype.kind == "f" and X.dtype.itemsize > self.dtype.itemsize:  # e.g. float64 into float32
            with np.errstate(over="ignore"):
                narrow = X.astype(self.dtype)
            if not np.isfinite(narrow).all() and np.isfinite(X).all():
                raise ValueError(f"X has values up to {np.abs(X).max():.3g}, beyond {self.dtype.name}'s range "
                                 f"(+-{np.finfo(self.dtype).max:.3g}); rescale X (e.g. standardize it) or build "
                                 "the network with dtype=np.float64")
            X = narrow
        X = as_float_array(X, "X", dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X must have shape (S, {self.sizes[0]}) for this network, got {X.shape}"
                + ("; pass one sample as X[None, :]" if X.ndim == 1 else "")
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows: a loss needs at least one sample")
        return X

    def check_targets(self, y, S):
        """Validated targets for S samples: int labels (S,) or float rows (S, K) for the loss."""
        K = self.sizes[-1]
        y = np.asarray(y)
        if self.loss == "cross_entropy":
            if y.ndim == 2:
                t = as_float_array(y, "y", dtype=self.dtype)
                if t.shape != (S, K):
                    raise ValueError(f"one-hot y must have shape ({S}, {K}), got {t.shape}")
                return t
            return as_labels(y, K, S)
        if self.output == "sigmoid" or (y.ndim == 1 and K == 1):
            y = y.reshape(-1, 1) if y.ndim == 1 else y
        if self.loss == "mse" and self.output == "softmax" and y.ndim == 1:
            y = np.eye(K, dtype=self.dtype)[as_labels(y, K, S)]
        t = as_float_array(y, "y", dtype=self.dtype)
        if t.shape != (S, K):
            raise ValueError(f"y must have shape ({S}, {K}) (or ({S},) labels), got {t.shape}")
        if self.loss == "binary_cross_entropy" and (t.min() < 0 or t.max() > 1):
            raise ValueError("y must hold 0/1 labels (or probabilities) for a sigmoid output")
        return t

    def forward_trace(self, X):
        """Forward pass keeping every layer (Nielsen's ``zs`` and ``activations``): the list of
        pre-activations Z_l, and the list X, A_1, ..., whose last entry is the network output."""
        A = self.check_X(X)
        act = ACTIVATIONS[self.hidden][0]
        zs, acts = [], [A]
        for l in range(1, self.n_layers + 1):
            Z, _ = dense_forward(A, self.params[f"W{l}"], self.params[f"b{l}"])
            A = (act(Z) + A if self._skips[l] else act(Z)) if l < self.n_layers else OUTPUTS[self.output][0](Z)
            zs.append(Z)
            acts.append(A)
        return zs, acts

    def _logits(self, X):
        """Output pre-activation Z_L for a checked X (no trace kept)."""
        act = ACTIVATIONS[self.hidden][0]
        if self.hidden == "relu":  # in place on this pass's own Z: one (S, H) array less at a time
            act = lambda Z: np.maximum(Z, 0, out=Z)  # noqa: E731
        for l in range(1, self.n_layers + 1):
            Z, _ = dense_forward(X, self.params[f"W{l}"], self.params[f"b{l}"])
            X = (act(Z) + X if self._skips[l] else act(Z)) if l < self.n_layers else Z
        return X

    def forward(self, X):
        """Network output for X of shape (S, sizes[0]): (S, sizes[-1])."""
        return OUTPUTS[self.output][0](self._logits(self.check_X(X)))

    def _classes(self, Z):
        # softmax and sigmoid keep the order of the logits: argmax of Z, or Z >= 0 (p >= 0.5)
        return Z.argmax(axis=1) if self.output == "softmax" else (Z[:, 0] >= 0).astype(np.int64)

    def predict(self, X):
        """Class labels (S,) for softmax/sigmoid outputs; the raw output for identity."""
        Z = self._logits(self.check_X(X))
        return Z if self.output == "identity" else self._classes(Z)

    def accuracy(self, X, y):
        """Fraction of samples whose predicted class equals the label: y (S,) labels or (S, K) one-hot."""
        return self.evaluate(X, y)[1]

    def evaluate(self, X, y, l2=0.0, batch=4096, check=True):
        """(mean loss with the penalty, accuracy) on a whole set, computed in large batches;
        the accuracy is None for an identity output. ``check=False`` trusts X and y."""
        if check:
            X = self.check_X(X)
            y = self.check_targets(y, X.shape[0])
        labels = None
        if self.output != "identity":
            labels = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
        out_act, _, fused, _ = OUTPUTS[self.output]
        mse_on_output = self.loss == "mse" and self.output != "identity"
        total, correct = 0.0, 0
        for i in range(0, X.shape[0], batch):
            Z, t = self._logits(X[i:i + batch]), y[i:i + batch]
            if labels is not None:
                correct += int(np.count_nonzero(self._classes(Z) == labels[i:i + batch]))
            total += (mse_core(out_act(Z), t, False) if mse_on_output else fused(Z, t, False))[0] * Z.shape[0]
        S = X.shape[0]
        return total / S + self.penalty(l2), None if labels is None else correct / S

    def loss_and_grads(self, X, y, l2=0.0, out=None, check=True):
        """Mean loss over the batch, and its gradient for every parameter (a dict keyed like ``params``).

        X (S, sizes[0]); y (S,) integer labels or (S, K) one-hot / target rows.
        l2: c >= 0 adds c * sum_l |W_l|^2 (weights only) to the loss and 2 c W_l to dW_l.
        out: a dict of arrays shaped like ``params`` to write the gradients into; the
        intermediate arrays are then kept per batch size, so a step allocates almost nothing.
        check=False skips checking X, y, l2 and out (``fit`` checks the whole set once).
        """
        if check:
            X = self.check_X(X)
            y = self.check_targets(y, X.shape[0])
            if np.ndim(l2) or np.asarray(l2).dtype.kind not in "iuf" or not np.isfinite(l2) or l2 < 0:
                raise ValueError(f"l2 must be a finite number >= 0 (the L2 factor c), got {l2!r}")
            for k, p in self.params.items() if out is not None else ():
                if k not in out or out[k].shape != p.shape or out[k].dtype != p.dtype:
                    raise ValueError(f"out[{k!r}] must be a {p.dtype} array of shape {p.shape}")
        S, L, P = X.shape[0], self.n_layers, self.params
        buf = None
        if out is not None:
            buf = self._buffers.get(S)
            if buf is None:  # Z of every layer, then dA of every hidden layer
                buf = self._buffers[S] = [np.empty((S, n), self.dtype) for n in self.sizes[1:] + self.sizes[1:-1]]
        relu = self.hidden == "relu"
        act, act_grad = ACTIVATIONS[self.hidden]

        inputs, zs = [], []  # each layer's input (for dW) and pre-activation (for the slope)
        A, names, skips = X, self._names, self._skips
        for l in range(1, L + 1):
            Z, _ = dense_forward(A, P[names[l][0]], P[names[l][1]], out=None if buf is None else buf[l - 1])
            inputs.append(A)
            if l < L:
                zs.append(Z)
                if skips[l]:
                    A = act(Z) + A
                else:
                    A = np.maximum(Z, 0, out=Z) if relu else act(Z)  # relu in place: Z > 0 where relu(Z) > 0

        out_act, out_back, fused, _ = OUTPUTS[self.output]
        if self.loss == "mse" and self.output != "identity":
            A_out = out_act(Z)
            loss, dA = mse_core(A_out, y)
            dZ = out_back(A_out, dA)
        else:
            loss, dZ = fused(Z, y)  # Z is this pass's own array: the fused loss may overwrite it
        loss += self.penalty(l2)

        grads = {} if out is None else out
        skip = None  # dL/dA_l of a residual layer l, which A_(l-1) also receives
        for l in range(L, 0, -1):
            w, b = names[l]
            o = None if out is None else (buf[L + l - 2] if l > 1 else None, out[w], out[b])
            dA, dW, db = dense_backward(dZ, (inputs[l - 1], P[w]), need_dX=l > 1, out=o)
            if l2:
                dW += (2.0 * l2) * P[w]
            grads[w], grads[b] = dW, db
            if l > 1:
                if skip is not None:
                    dA += skip
                skip = dA.copy() if skips[l - 1] else None
                dA *= (zs[l - 2] > 0) if relu else act_grad(zs[l - 2])
                dZ = dA
        return float(loss), grads

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, hidden={self.hidden!r}, output={self.output!r}, "
                f"loss={self.loss!r}, {'residual=True, ' if self.residual else ''}dtype={self.dtype.name}, "
                f"n_params={self.n_params})")

    # ---- BEGIN i23-a2 TEMPORARY BLOCK (issue 23's problem contract; A1 implements it in nn.py, the lead drops
    # ---- this block and the _Problem class below at merge): today's checks and kernels behind model.problem
    def problem(self, X, y, l2=0.0):
        """The network with its data, checked once, for the descent loop: ``.params``, ``.n`` (rows),
        ``.loss_and_grads(batch)`` (batch: int index array, None: all rows; the loss with the penalty,
        the grads with 2 c W) and ``.evaluate()`` -> (mean loss with the penalty, accuracy or None)."""
        return _Problem(self, X, y, l2)


class _Problem:
    def __init__(self, model, X, y, l2):
        from ._checks import check_l2

        self.model, self.X = model, np.ascontiguousarray(model.check_X(X))
        self.n = self.X.shape[0]
        self.y, self.l2, self.params = model.check_targets(y, self.n), check_l2(l2), model.params
        self._grads = {k: np.empty_like(p) for k, p in model.params.items()}
        self._scratch = {k: np.empty_like(p) for k, p in model.params.items() if k[0] == "W"} if self.l2 else {}

    def loss_and_grads(self, batch=None):
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        loss, grads = self.model.loss_and_grads(X, y, 0.0, out=self._grads, check=False)
        for w, s in self._scratch.items():  # the penalty's gradient 2 c W added in place, no temporary
            grads[w] += np.multiply(self.params[w], 2.0 * self.l2, out=s)
        return (loss + self.model.penalty(self.l2) if self.l2 else loss), grads

    def evaluate(self):
        return self.model.evaluate(self.X, self.y, self.l2, check=False)
# ---- END i23-a2 TEMPORARY BLOCK
