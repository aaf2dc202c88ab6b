"""The stored form of the exercises' inputs and outputs: JSON that round-trips float64 exactly.

JSON numbers carry a float's shortest repr, which reads back to the same bits; the rest is
tagged: ``{"inf": s}`` for non-finite floats, ``{"array": dtype, "shape": [...], "data": [...]}``,
``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}`` (order kept) and ``{"rule": name, "kw": {...}}``
for an update rule of :mod:`helpers.optim` (rebuilt by its class and constructor arguments).
"""

import inspect
import math

import numpy as np

from helpers import optim

__all__ = ["encode", "decode"]


def _float(x):
    x = float(x)
    return x if math.isfinite(x) else {"inf": repr(x)}


def _rule_kw(rule):
    params = inspect.signature(type(rule).__init__).parameters
    return {k: getattr(rule, k) for k in params if k != "self" and hasattr(rule, k)}


def encode(value):
    """``value`` as JSON-ready data (see the module docstring); TypeError for anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiub":
            raise TypeError(f"cannot store an array of dtype {value.dtype}")
        flat = [_float(v) if value.dtype.kind == "f" else v.item() for v in value.ravel()]
        return {"array": value.dtype.str, "shape": list(value.shape), "data": flat}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[str(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, optim.Rule):
        return {"rule": type(value).__name__, "kw": {k: encode(v) for k, v in _rule_kw(value).items()}}
    raise TypeError(f"cannot store a value of type {type(value).__name__}")


def decode(data):
    """The value that :func:`encode` stored (fresh objects on every call)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "inf" in data:
        return float(data["inf"])
    if "array" in data:
        values = [decode(v) for v in data["data"]]
        return np.array(values, dtype=np.dtype(data["array"])).reshape(data["shape"])
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        return {k: decode(v) for k, v in data["dict"]}
    if "rule" in data:
        return getattr(optim, data["rule"])(**{k: decode(v) for k, v in data["kw"].items()})
    raise ValueError(f"unknown stored value {data!r}")
