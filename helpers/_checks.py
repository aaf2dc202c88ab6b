"""Input checks shared by the kernels: one clear ValueError per kind of bad input."""

import numpy as np


def float_dtype(dtype):
    """The float dtype the kernels compute in for data of ``dtype``: float32 stays float32,
    anything else (float64, integers, bool, float16) becomes float64."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def check_l2(l2):
    """The L2 factor c of the penalty c * sum |W|^2 as a float; a ValueError unless a finite number >= 0."""
    if np.ndim(l2) or np.asarray(l2).dtype.kind not in "iuf" or not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a finite number >= 0 (the L2 factor c), got {l2!r}")
    return float(l2)


def as_float_array(a, name, dtype=None):
    """``a`` as a float array of ``dtype`` (None: :func:`float_dtype`), rejecting NaN/inf, and finite
    values that a narrower dtype (float64 into float32) cannot hold."""
    a = np.asarray(a)
    if a.dtype.kind not in "biufc":  # bool, integers, floats, complex: a tenth of np.issubdtype's time
        raise ValueError(f"{name} must be numeric, got dtype {a.dtype}")
    dtype = float_dtype(a.dtype) if dtype is None else np.dtype(dtype)
    if a.dtype.kind == "f" and a.dtype.itemsize > dtype.itemsize:
        with np.errstate(over="ignore"):
            narrow = a.astype(dtype)
        if not np.isfinite(narrow).all() and np.isfinite(a).all():
            raise ValueError(f"{name} has values up to {np.abs(a).max():.3g}, beyond {dtype.name}'s range "
                             f"(+-{np.finfo(dtype).max:.3g}); rescale {name} (e.g. standardize it) or compute "
                             "in float64 (for a network: dtype=np.float64)")
        a = narrow
    a = a.astype(dtype, copy=False)
    if a.size and not (np.isfinite(a.min()) and np.isfinite(a.max())):  # NaN and inf show there; no (N, D) mask
        bad = int(a.size - np.isfinite(a).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean or impute the data before passing it")
    return a


def as_targets(y, S, K, dtype=None):
    """Targets for S rows and K classes: integer labels (S,) in [0, K), or, given a ``dtype``, also
    rows (S, K) (one-hot or probabilities) of that dtype."""
    y = np.asarray(y)
    if y.ndim == 2 and dtype is not None:
        t = as_float_array(y, "y", dtype=dtype)
        if t.shape != (S, K):
            raise ValueError(f"one-hot y must have shape ({S}, {K}), got {t.shape}")
        return t
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D integer labels of shape ({S},), got shape {y.shape}")
    if y.shape[0] != S:
        raise ValueError(f"y has {y.shape[0]} labels but there are {S} samples; pass one label per row")
    if not np.issubdtype(y.dtype, np.integer):
        if not (np.issubdtype(y.dtype, np.floating) and np.isfinite(y).all() and (y == np.round(y)).all()):
            raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
        y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= K):
        raise ValueError(f"y has labels out of range: found {int(y.min())}..{int(y.max())}, "
                         f"expected 0..{K - 1} for {K} classes")
    return y

