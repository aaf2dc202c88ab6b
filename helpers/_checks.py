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
    """Return ``a`` as a float array (float32 kept, else float64), rejecting NaN/inf."""
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype, copy=False)
    elif a.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            raise ValueError(f"{name} must be numeric, got dtype {a.dtype}")
        a = a.astype(float_dtype(a.dtype))
    if a.size and not (np.isfinite(a.min()) and np.isfinite(a.max())):  # NaN and inf show there; no (N, D) mask
        bad = int(a.size - np.isfinite(a).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean or impute the data before passing it")
    return a


def as_labels(y, n_classes, n_samples, name="y"):
    """Validate integer class labels ``y`` of shape (S,) with values in [0, n_classes)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D integer labels of shape ({n_samples},), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise ValueError(f"{name} has {y.shape[0]} labels but there are {n_samples} samples; pass one label per row")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.isfinite(y).all() and (y == np.round(y)).all():
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} has labels out of range: found {int(y.min())}..{int(y.max())}, "
            f"expected 0..{n_classes - 1} for {n_classes} classes"
        )
    return y


def same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {name_a} has shape {a.shape} but {name_b} has shape {b.shape}")


def nonempty(a, name):
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}): a mean over no samples is undefined; pass at least one")
