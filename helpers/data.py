"""Data sets as numpy arrays, and the small utilities that feed them to a model.

Rows are samples: ``X`` has shape (N, D), ``y`` shape (N,). Shipped (offline, the default):
:func:`load_iris` (150 x 4, 3 classes) and :func:`load_digits` (8x8 digits, 1797 x 64, 10
classes). Fetched by ``make data`` (:func:`download`, checked against the published MD5 sums):
:func:`load_mnist` for MNIST and Fashion-MNIST. The file formats and the download live in
``helpers._files``; this module re-exports them. Nothing here loads a pickle, touches numpy's
global random state (functions take ``seed``) or modifies an array it was given.
"""

from __future__ import annotations

import gzip
import importlib.resources
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from . import _files
from ._files import (
    _DATASETS,
    DEBIAN_FASHION_MNIST,
    MNIST_FILES,
    DatasetMissing,
    DownloadError,
    _check_name,
    _resolve_root,
    atomic_write,
    download,
    read_idx,
    write_idx,
)

__all__ = [
    "IRIS_CLASSES", "IRIS_FEATURES", "MNIST_FILES", "DatasetMissing", "DownloadError", "atomic_write", "download",
    "load_dataset", "load_digits", "load_iris", "load_mnist", "make_xor", "minibatches", "one_hot", "read_idx",
    "standardize", "train_test_split", "write_idx",
]

# The repository root is the parent of the helpers package. The shipped tables have one copy,
# in data/; an install carries them as the package data of helpers._shipped (pyproject.toml maps
# that package to data/), and helpers imported from a checkout never installed reads data/.
REPO_ROOT = _files.REPO_ROOT
SHIPPED_DATA = REPO_ROOT / "data"
_SHIPPED_PACKAGE = "helpers._shipped"
IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")


def _in_checkout() -> bool:
    """True when helpers is imported from a clone of the repository (editable or not installed)."""
    return _files.in_checkout(REPO_ROOT)


def _fetch_advice() -> str:
    """The command that fetches MNIST / Fashion-MNIST, for the way helpers was installed."""
    return _files.fetch_advice(REPO_ROOT)


_FIX_MISSING = f"{_fetch_advice()} (needs a network) or point --data-dir at a folder holding the four IDX files"


def make_xor(n=200, noise=0.5, seed=0):
    """Four Gaussian blobs at (+-1, +-1) labelled by the XOR of the signs.

    Parameters
    ----------
    n : int, a positive multiple of 4 (n/4 points per blob)
    noise : float >= 0, the standard deviation of each blob
    seed : int or numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2), float64, rows in random order
    y : ndarray, shape (n,), int64: 1 where ``x0 * x1 < 0`` (the point's own signs, not its blob)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0 or n % 4:
        raise ValueError(f"n must be a positive multiple of 4 (n/4 points per blob), got {n!r}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise is a standard deviation and must be finite and >= 0, got {noise}")
    rng, n = np.random.default_rng(seed), int(n)
    centres = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    X = centres[np.repeat(np.arange(4), n // 4)[rng.permutation(n)]] + noise * rng.standard_normal((n, 2))
    return X, (X[:, 0] * X[:, 1] < 0).astype(np.int64)


# ---------------------------------------------------------------- shipped tables


def _shipped_file(name: str) -> Path:
    """Path of a shipped table: the installed package data, else the checkout's data/."""
    try:
        resource = importlib.resources.files(_SHIPPED_PACKAGE).joinpath(name)
    except ModuleNotFoundError:  # imported from a checkout that was never installed
        return SHIPPED_DATA / name
    return resource if isinstance(resource, Path) else SHIPPED_DATA / name


def _restore_advice(path: Path) -> str:
    """How to get a damaged or missing shipped file back, for the way helpers was installed."""
    if path.parent == SHIPPED_DATA and _in_checkout():
        if (REPO_ROOT / ".git").exists():
            return "it ships with the repository, restore it with `git checkout -- data/`"
        return "it ships with the repository, download the repository again"
    return ("it ships inside the installed helpers package; reinstall it from the repository "
            "(`pip install --force-reinstall <path or URL of the repository>`)")


def _read_table(name: str, header: tuple[str, ...], rows: int, ok, what: str):
    """A shipped numeric CSV (gzip when .gz) as (X, y): (rows, len(header) - 1) float64, (rows,) int64.

    ``ok(X, y)`` checks the values (``what`` describes them); damage is one ValueError line.
    """
    path = _shipped_file(name)
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="ascii", newline="") as f:
            first = f.readline().strip()
            if tuple(first.split(",")) != header:
                raise ValueError(f"{path}: unexpected header {first[:80]!r}; the file is not the one "
                                 f"shipped with the bundle; {_restore_advice(path)}")
            table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    except FileNotFoundError:
        raise DatasetMissing(f"{path} is missing; {_restore_advice(path)}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc}); {_restore_advice(path)}") from exc
    if table.shape[1] != len(header):
        raise ValueError(f"{path}: expected {len(header)} columns, found {table.shape[1]}")
    X, y = np.ascontiguousarray(table[:, :-1]), table[:, -1]
    if table.shape[0] != rows or not ok(X, y):
        raise ValueError(f"{path}: expected {rows} rows with {what}; {_restore_advice(path)}")
    return X, y.astype(np.int64)


def load_iris():
    """Fisher's Iris measurements, shipped in data/iris.csv.

    Returns
    -------
    X : ndarray, shape (150, 4), float64, columns ``IRIS_FEATURES`` (cm)
    y : ndarray, shape (150,), int64, class 0..2 (names in ``IRIS_CLASSES``), 50 per class
    """
    return _read_table("iris.csv", (*IRIS_FEATURES, "species"), 150, lambda X, y: np.isin(y, (0, 1, 2)).all(),
                       "species 0..2")


def load_digits():
    """The 8x8 handwritten digits, shipped in data/digits.csv.gz.

    Returns
    -------
    X : ndarray, shape (1797, 64), float64, pixels 0..16 (``X[i].reshape(8, 8)`` is the image)
    y : ndarray, shape (1797,), int64, digit 0..9
    """
    header = (*(f"pixel_{r}_{c}" for r in range(8) for c in range(8)), "label")
    return _read_table("digits.csv.gz", header, 1797,
                       lambda X, y: X.min() >= 0 and X.max() <= 16 and np.isin(y, np.arange(10)).all(),
                       "pixels 0..16 and labels 0..9")


# ---------------------------------------------------------------------- MNIST


def _find_idx_folder(name: str, root: Path):
    """The four file paths, from ``root/name`` or ``root`` itself (each .gz or plain), else None."""
    for folder in (root / name, root):
        found = [next((p for p in (folder / f, folder / f[:-3]) if p.is_file()), None) for f in MNIST_FILES]
        if None not in found:
            return found
    return None


def _read_checked(path: Path):
    try:
        return read_idx(path)
    except ValueError as exc:
        raise ValueError(f"{exc} ({_fetch_advice()})") from None
    except OSError as exc:  # one line with the file's name, which a bare strerror would lose
        raise OSError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions, or delete it "
                      f"and {_fetch_advice()}") from None


def _images_labels(img_path: Path, lab_path: Path):
    images, labels = _read_checked(img_path), _read_checked(lab_path)
    fix = f"delete the files and {_fetch_advice()}"
    if images.ndim != 3 or images.dtype != np.uint8 or 0 in images.shape:
        raise ValueError(f"{img_path}: expected uint8 images of shape (N, rows, cols), none empty, got "
                         f"{images.dtype} {_files._shape(images.shape)}; {fix}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{lab_path}: expected uint8 labels of shape (N,), got {labels.dtype} "
                         f"{_files._shape(labels.shape)}; {fix}")
    if labels.max(initial=0) > 9:
        bad = np.unique(labels[labels > 9])
        shown = ", ".join(map(str, bad[:5])) + (", ..." if bad.size > 5 else "")
        raise ValueError(f"{lab_path}: labels must be 0..9, found {shown}; the file is damaged or not a label file, "
                         f"{fix}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{img_path} holds {images.shape[0]} images but {lab_path} holds {labels.shape[0]} labels; "
                         f"the files do not belong together, {fix}")
    X = images.reshape(images.shape[0], -1).astype(np.float32)
    X /= np.float32(255.0)
    return X, labels.astype(np.int64)


def load_mnist(name="mnist", root="data"):
    """Load MNIST or Fashion-MNIST from the four standard IDX files.

    The files are looked for in ``root/name/``, then in ``root`` itself (so Debian's
    ``/usr/share/datasets/fashion-mnist`` works), each gzip-compressed (``*.gz``) or plain.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    root : str or os.PathLike
        A relative path missing from the CWD is taken relative to the repository root.

    Returns
    -------
    X_train : ndarray, shape (60000, 784), float32 in [0, 1]
    y_train : ndarray, shape (60000,), int64 in 0..9
    X_test : ndarray, shape (10000, 784), float32 in [0, 1]
    y_test : ndarray, shape (10000,), int64 in 0..9

    Raises
    ------
    DatasetMissing
        The files are not there; the message names the fix (``make data``).
    ValueError
        An unknown ``name``, or files that are damaged, foreign or do not belong together.
    OSError
        A file that cannot be read; the message names it.
    """
    folder = _resolve_root(root)
    paths = _find_idx_folder(_check_name(name), folder)
    if paths is None:
        hint = (f" (offline: Debian's package dataset-fashion-mnist installs them in {DEBIAN_FASHION_MNIST})"
                if name == "fashion-mnist" else "")
        raise DatasetMissing(f"{_DATASETS[name][0]} not found: looked in {folder / name} and {folder} for "
                             f"{', '.join(MNIST_FILES)} (or the same names without .gz); {_FIX_MISSING}{hint}")
    X_train, y_train = _images_labels(paths[0], paths[1])
    X_test, y_test = _images_labels(paths[2], paths[3])
    if X_train.shape[1] != X_test.shape[1]:
        raise ValueError(f"{paths[0]} holds images of {X_train.shape[1]} pixels but {paths[2]} of "
                         f"{X_test.shape[1]}; the files do not belong together, delete them and {_fetch_advice()}")
    return X_train, y_train, X_test, y_test


# ------------------------------------------------------------------ utilities


def _labels_1d(y, name="y"):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of labels, got shape {y.shape}; flatten it with np.ravel")
    return y


def one_hot(y, k=None):
    """One-hot encode integer labels.

    Parameters
    ----------
    y : array_like, shape (S,), class labels 0..k-1 (floats holding whole numbers are accepted)
    k : int, optional, the number of classes (default ``y.max() + 1``)

    Returns
    -------
    ndarray, shape (S, k), float64: ``out[i, y[i]] = 1``, zeros elsewhere
    """
    y = _labels_1d(y)
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}; map the classes to 0..k-1 first")
    if not np.issubdtype(y.dtype, np.integer):
        if not (np.isfinite(y).all() and (y == np.round(y)).all()):
            raise ValueError("y must hold integer class labels, found non-integer values; map them to 0..k-1 first")
        y = y.astype(np.int64)
    if k is None:
        if y.size == 0:
            raise ValueError("cannot infer the number of classes from empty y; pass k")
        k = int(y.max()) + 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer number of classes, got {k!r}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels out of range: found {int(y.min())}..{int(y.max())}, expected 0..{k - 1} "
                         f"for k={k}; pass a larger k or fix the labels")
    out = np.zeros((y.shape[0], int(k)), dtype=np.float64)
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _check_xy(X, y):
    X, y = np.asarray(X), _labels_1d(y)
    if X.ndim < 1:
        raise ValueError("X must have one row per sample, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; pass one label per row")
    return X, y


def train_test_split(X, y, test_size=0.2, seed=0, stratify=True):
    """Split rows into a training and a test set, shuffled with a seeded generator.

    The test set has ``T = round(test_size * N)`` rows; with ``stratify`` each class keeps
    (up to rounding) the same share in both sets.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N,)
    test_size : float in (0, 1)
    seed : int or numpy.random.Generator
    stratify : bool

    Returns
    -------
    X_train (N - T, ...), X_test (T, ...), y_train (N - T,), y_test (T,)
    """
    X, y = _check_xy(X, y)
    if isinstance(test_size, bool) or not isinstance(test_size, (float, int, np.floating, np.integer)):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size}")
    n = y.shape[0]
    n_test = int(np.floor(test_size * n + 0.5))
    if n_test < 1 or n_test > n - 1:
        raise ValueError(f"test_size={test_size} of {n} samples leaves an empty training or test set; "
                         "use more samples or a different test_size")
    rng = np.random.default_rng(seed)
    if not stratify:
        perm = rng.permutation(n)
        return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    # Largest-remainder allocation: per-class quotas that add up to n_test exactly.
    quota = test_size * counts
    take = np.floor(quota).astype(np.int64)
    take[np.argsort(-(quota - take), kind="stable")[: n_test - int(take.sum())]] += 1
    test_idx = np.concatenate([rng.permutation(np.flatnonzero(inverse == c))[:t] for c, t in enumerate(take)])
    is_test = np.zeros(n, dtype=bool)
    is_test[test_idx] = True
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(test_idx)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def minibatches(X, y, batch_size, seed=None, shuffle=True) -> Iterator:
    """Yield ``(Xb, yb)`` batches covering every row exactly once.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N,)
    batch_size : int >= 1
    seed : int, numpy.random.Generator or None
        Seeds this call's permutation (a fresh one when None); unused when ``shuffle=False``.
    shuffle : bool

    Yields
    ------
    Xb (B, ...), yb (B,): ``B = batch_size``, except the last batch, which keeps the remainder
    """
    X, y = _check_xy(X, y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n, b = y.shape[0], int(batch_size)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return ((X[idx], y[idx]) for idx in (order[start : start + b] for start in range(0, n, b)))


def standardize(X, mean=None, std=None):
    """Scale each column to zero mean and unit variance.

    Fit on the training set, then reuse its statistics: ``Xtr, mean, std = standardize(X_train)``,
    ``Xte = standardize(X_test, mean, std)[0]``.

    Parameters
    ----------
    X : array_like, shape (N, D)
    mean, std : array_like, shape (D,), optional; both or neither (then computed from ``X``)

    Returns
    -------
    Xs : ndarray, shape (N, D), ``(X - mean) / std``; float32 stays float32, else float64
    mean : ndarray, shape (D,)
    std : ndarray, shape (D,); columns with zero spread get 1 (they become zeros, not NaN)
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (N, D), got shape {X.shape}; reshape it with X.reshape(len(X), -1)")
    if not np.issubdtype(X.dtype, np.number) or X.dtype == bool:
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    X = X.astype(dtype, copy=False)
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values; clean or impute them before standardizing")
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std (statistics of the training set) or neither")
    if mean is None:
        if X.shape[0] == 0:
            raise ValueError("cannot compute mean and std of an empty X; pass mean and std")
        mean, std = X.mean(axis=0), X.std(axis=0)
    else:
        mean, std = np.asarray(mean, dtype=dtype), np.asarray(std, dtype=dtype)
        for label, stat in (("mean", mean), ("std", std)):
            if stat.shape != (X.shape[1],):
                raise ValueError(f"{label} must have shape ({X.shape[1]},) to match X, got {stat.shape}")
        if (std < 0).any():
            raise ValueError("std must be >= 0")
    std = np.where(std == 0, np.ones((), dtype=dtype), std).astype(dtype)
    return (X - mean) / std, mean.astype(dtype), std


_standardize = standardize  # load_dataset's flag of the same name hides the function


def load_dataset(name, data_dir="data", seed=0, dtype=np.float32, standardize=True):
    """Training and test arrays of a classification data set, ready for a network.

    digits: the shipped set, split 80/20 (stratified, seeded); mnist, fashion-mnist: the
    standard 60k/10k split from ``data_dir``. Pixels are scaled to [0, 1]; ``standardize``
    then applies the training set's mean and std (per pixel for digits; one for all pixels for
    the 28x28 sets, whose border pixels are almost always 0 in training, where a per-pixel std
    near 0 would blow up the rare test image that inks them).

    Returns
    -------
    X_train (N, D), y_train (N,), X_test (M, D), y_test (M,)

    Raises
    ------
    DatasetMissing, ValueError or OSError, as :func:`load_mnist`; ValueError for an unknown name
    """
    if name == "digits":
        X, y = load_digits()
        X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    elif name in _DATASETS:
        X_tr, y_tr, X_te, y_te = load_mnist(name, root=data_dir)
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of digits, {', '.join(_DATASETS)}")
    if standardize and name == "digits":
        X_tr, mean, std = _standardize(X_tr)
        X_te = _standardize(X_te, mean, std)[0]
    elif standardize:
        mean, std = X_tr.mean(dtype=np.float64), X_tr.std(dtype=np.float64)
        std = std or 1.0  # images all of one grey: shift them, do not divide by 0
        X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    return X_tr.astype(dtype), y_tr, X_te.astype(dtype), y_te
