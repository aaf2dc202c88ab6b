"""Data sets as numpy arrays, and the small utilities that feed them to a model.

Rows are samples: ``X`` is (N, D), ``y`` is (N,). Shipped, offline, the default: :func:`load_iris`
and :func:`load_digits`; fetched by ``make data``: :func:`load_mnist` (MNIST and Fashion-MNIST).
The IDX format (``helpers._idx``) and the downloads (``helpers._download``) are re-exported here. Nothing here loads a
pickle, touches numpy's global random state (functions take ``seed``) or mutates an input.
"""

import gzip
import importlib.resources
import zlib
from pathlib import Path

import numpy as np

from . import _download
from ._checks import as_targets, float_dtype
from ._download import DEBIAN_FASHION_MNIST, MNIST_FILES, DatasetMissing, DownloadError, atomic_write, download
from ._idx import _FINGERPRINTS, _shape, identify, read_idx, write_idx

_DATASETS, _check_name, _resolve_root = _download._DATASETS, _download._check_name, _download._resolve_root

__all__ = ["IRIS_CLASSES", "IRIS_FEATURES", "MNIST_FILES", "DatasetMissing", "DownloadError", "atomic_write",
           "download", "identify_mnist", "load_dataset", "load_digits", "load_iris", "load_mnist", "make_xor",
           "minibatches", "one_hot", "read_idx", "standardize", "train_test_split", "write_idx"]

# The shipped tables have one copy, in data/ beside helpers/: an install carries them as the package
# data of helpers._shipped (pyproject.toml maps it to data/), a checkout never installed reads data/.
REPO_ROOT = _download.REPO_ROOT
SHIPPED_DATA = REPO_ROOT / "data"
IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
_fetch_advice = lambda: _download.fetch_advice(REPO_ROOT)  # `make data` in a clone of the repository


def make_xor(n=200, noise=0.5, seed=0):
    """``n`` points (a multiple of 4) in four Gaussian blobs of std ``noise`` at (+-1, +-1).

    Returns ``X`` (n, 2) float64 in random order and ``y`` (n,) int64, 1 where ``x0 * x1 < 0``
    (the XOR of the point's own signs, not of its blob's).
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


def _shipped_file(name: str) -> Path:
    """Path of a shipped table: the installed package data, else the checkout's data/."""
    try:
        resource = importlib.resources.files("helpers._shipped").joinpath(name)
    except ModuleNotFoundError:  # imported from a checkout that was never installed
        return SHIPPED_DATA / name
    return resource if isinstance(resource, Path) else SHIPPED_DATA / name


def _restore_advice(path: Path) -> str:
    """How to get a damaged or missing shipped file back, for the way helpers was installed."""
    if path.parent == SHIPPED_DATA and _download.in_checkout(REPO_ROOT):
        if (REPO_ROOT / ".git").exists():
            return "it ships with the repository, restore it with `git checkout -- data/`"
        return "it ships with the repository, download the repository again"
    return ("it ships inside the installed helpers package; reinstall it from the repository "
            "(`pip install --force-reinstall <path or URL of the repository>`)")


def _read_table(name: str, header: tuple[str, ...], rows: int, ok, what: str):
    """A shipped numeric CSV (gzip when .gz) as X (rows, len(header) - 1) float64 and y (rows,) int64.

    ``ok(X, y)`` checks the values (``what`` describes them); damage is one ValueError line.
    """
    path = _shipped_file(name)
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="ascii", newline="") as f:
            first = f.readline().strip()
            if tuple(first.split(",")) != header:
                raise ValueError(f"{path}: unexpected header {first[:80]!r}; the file is not the one "
                                 f"shipped with the bundle; {_restore_advice(path)}")
            try:
                table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
            except ValueError:  # numpy's message names neither the file nor the fix: find the line
                raise ValueError(f"{path}, {_bad_line(path, len(header))}; the file is not the one shipped "
                                 f"with the bundle; {_restore_advice(path)}") from None
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


def _bad_line(path: Path, columns: int) -> str:
    """'line N: what is wrong with it', for the first line of a CSV table that is not ``columns`` numbers."""
    with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="ascii", newline="") as f:
        for number, line in enumerate(f, 1):
            cells = line.rstrip("\r\n").split(",")
            if number == 1 or not line.strip():
                continue
            if len(cells) != columns:
                return f"line {number}: {len(cells)} cells, expected {columns}"
            for column, cell in enumerate(cells, 1):
                try:
                    float(cell)
                except ValueError:
                    what = "an empty cell" if not cell.strip() else f"{cell[:20]!r}, not a number"
                    return f"line {number}, column {column}: {what}"
    return "a line that is not numbers"


def load_iris():
    """Fisher's Iris table (data/iris.csv): ``X`` (150, 4) float64, columns ``IRIS_FEATURES`` in cm,
    and ``y`` (150,) int64, class 0..2 (names in ``IRIS_CLASSES``), 50 per class."""
    return _read_table("iris.csv", (*IRIS_FEATURES, "species"), 150, lambda X, y: np.isin(y, (0, 1, 2)).all(),
                       "species 0..2")


def load_digits():
    """The 8x8 handwritten digits (data/digits.csv.gz): ``X`` (1797, 64) float64, pixels 0..16
    (``X[i].reshape(8, 8)`` is the image), and ``y`` (1797,) int64, the digit 0..9."""
    header = (*(f"pixel_{r}_{c}" for r in range(8) for c in range(8)), "label")
    return _read_table("digits.csv.gz", header, 1797,
                       lambda X, y: X.min() >= 0 and X.max() <= 16 and np.isin(y, np.arange(10)).all(),
                       "pixels 0..16 and labels 0..9")


def _images_labels(img_path: Path, lab_path: Path):
    """X (N, rows * cols) float32 in [0, 1] and y (N,) int64 from an images and a labels file, checked."""
    fix = f"delete the files and {_fetch_advice()}"
    try:
        images, labels = read_idx(img_path), read_idx(lab_path)
    except ValueError as exc:
        raise ValueError(f"{exc} ({_fetch_advice()})") from None
    except OSError as exc:  # one line with the file's name, which a bare strerror would lose
        where = exc.filename or f"{img_path} or {lab_path}"
        raise OSError(f"{where}: cannot be read ({exc.strerror or exc}); check its permissions, or {fix}") from None
    if images.ndim != 3 or images.dtype != np.uint8 or 0 in images.shape:
        raise ValueError(f"{img_path}: expected uint8 images of shape (N, rows, cols), none empty, got "
                         f"{images.dtype} {_shape(images.shape)}; {fix}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{lab_path}: expected uint8 labels of shape (N,), got {labels.dtype} "
                         f"{_shape(labels.shape)}; {fix}")
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


def _mnist_paths(name, root):
    """The four IDX files load_mnist reads: in ``root/name/``, else in ``root``; .gz or plain."""
    folder = _resolve_root(root)
    found = [[next((p for p in (f / n, f / n[:-3]) if p.is_file()), None) for n in MNIST_FILES]  # .gz or plain
             for f in (folder / _check_name(name), folder)]
    paths = next((files for files in found if None not in files), None)
    if paths is None:
        hint = (f" (offline: Debian's package dataset-fashion-mnist installs them in {DEBIAN_FASHION_MNIST})"
                if name == "fashion-mnist" else "")
        raise DatasetMissing(f"{_DATASETS[name][0]} not found: looked in {folder / name} and {folder} for "
                             f"{', '.join(MNIST_FILES)} (or the same names without .gz); {_fetch_advice()} (needs a "
                             f"network) or point --data-dir at a folder holding the four IDX files{hint}")
    return paths


def identify_mnist(name="mnist", root="data"):
    """Which published data set the files ``load_mnist(name, root)`` reads are, from their contents:
    ``name`` itself, or None when they are not all its published files (a subset, another set in the
    same format). Files of the other data set raise ValueError (one line naming both); missing files
    raise DatasetMissing. Costs about a millisecond: 64 KiB of each file are read."""
    paths = _mnist_paths(name, root)
    found = identify(paths)
    for path, (owner, _) in ((p, f) for p, f in found.items() if f and f[0] != name):
        pretty, other = _DATASETS[name][0], _DATASETS[owner][0]
        raise ValueError(f"{path.parent} holds {other}, not {pretty}: {path.name} is {other}'s; load it as "
                         f"{owner} (--dataset {owner}), or point --data-dir at {pretty}'s files ({_fetch_advice()})")
    listed = {f for n, f in _FINGERPRINTS.values() if n == name}  # MNIST's training images are not
    ok = all(found[p] == (name, f) or (found[p] is None and f not in listed) for p, f in zip(paths, MNIST_FILES))
    return name if ok else None


def load_mnist(name="mnist", root="data"):
    """MNIST or Fashion-MNIST (``name``): ``X_train`` (60000, 784), ``y_train`` (60000,), ``X_test``
    (10000, 784), ``y_test`` (10000,); X float32 in [0, 1], y int64 in 0..9.

    The four IDX files (.gz or plain) are looked for in ``root/name/``, then in ``root`` (so Debian's
    /usr/share/datasets/fashion-mnist works); ``~`` is expanded, and a relative ``root`` missing from the
    CWD is the repository's. Files of the other data set are refused (see :func:`identify_mnist`).
    Raises DatasetMissing, or ValueError / OSError for a damaged, foreign or unreadable file: one line
    naming the file and the fix.
    """
    identify_mnist(name, root)
    paths = _mnist_paths(name, root)
    X_train, y_train = _images_labels(paths[0], paths[1])
    X_test, y_test = _images_labels(paths[2], paths[3])
    if X_train.shape[1] != X_test.shape[1]:
        raise ValueError(f"{paths[0]} holds images of {X_train.shape[1]} pixels but {paths[2]} of "
                         f"{X_test.shape[1]}; the files do not belong together, delete them and {_fetch_advice()}")
    return X_train, y_train, X_test, y_test


def one_hot(y, k=None):
    """Labels ``y`` (S,) in 0..k-1 (integers, or floats holding them) as an (S, k) float64 array,
    ``out[i, y[i]] = 1``, zeros elsewhere; ``k`` defaults to ``y.max() + 1``."""
    y = np.asarray(y)
    if k is None:
        if y.size == 0:
            raise ValueError("cannot infer the number of classes from empty y; pass k")
        numeric = y.dtype.kind in "iu" or (y.dtype.kind == "f" and np.isfinite(y).all())
        k = int(y.max()) + 1 if numeric else 1  # as_targets rejects what is not labels
    elif isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer number of classes, got {k!r}")
    y = as_targets(y, y.size, int(k))
    out = np.zeros((y.shape[0], int(k)), dtype=np.float64)
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _check_xy(X, y):
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}; flatten it with np.ravel")
    if X.ndim < 1:
        raise ValueError("X must have one row per sample, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; pass one label per row")
    return X, y


def train_test_split(X, y, test_size=0.2, seed=0, stratify=True):
    """Split ``X`` (N, ...) and ``y`` (N,) into shuffled training and test sets (seeded).

    The test set has ``T = round(test_size * N)`` rows, ``0 < test_size < 1``; with ``stratify``
    each class keeps (up to rounding) its share in both. Returns ``X_train`` (N - T, ...),
    ``X_test`` (T, ...), ``y_train`` (N - T,), ``y_test`` (T,).
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
    train_idx = rng.permutation(np.setdiff1d(np.arange(n), test_idx))
    test_idx = rng.permutation(test_idx)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def minibatches(X, y, batch_size, seed=None, shuffle=True):
    """An iterator of batches ``(Xb (B, ...), yb (B,))`` of ``X`` (N, ...), ``y`` (N,) covering each row once.

    ``B = batch_size`` except in the last batch, which keeps the remainder. ``seed`` seeds this
    call's permutation (a fresh one when None); rows keep their order when ``shuffle=False``.
    """
    X, y = _check_xy(X, y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n, b = y.shape[0], int(batch_size)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return ((X[idx], y[idx]) for idx in (order[start : start + b] for start in range(0, n, b)))


def _row_blocks(X, values=1 << 20):
    """Slices of rows of X holding about ``values`` numbers each (8 MB as float64)."""
    step = max(1, values // max(1, X[:1].size))
    return [slice(i, i + step) for i in range(0, X.shape[0], step)]


def standardize(X, mean=None, std=None, axis=0, out=None):
    """Scale ``X`` (N, D) to zero mean and unit variance: returns ``(Xs, mean, std)``.

    ``mean``, ``std``: float64, per column (D,) with ``axis=0``, one number for all values with
    ``axis=None``; from ``X`` unless both are given. Fit on the training set, then reuse: ``Xtr, mean,
    std = standardize(X_train)``, ``Xte = standardize(X_test, mean, std)[0]``. A column with zero
    spread gets std 1 (it becomes zeros, not NaN). ``Xs = (X - mean) / std`` is computed in float64 a
    block of rows at a time (no float64 copy of a large X) and stored as float32 if ``X`` is, else
    float64, or into ``out`` (``out=X`` standardizes in place).
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (N, D), got shape {X.shape}; reshape it with X.reshape(len(X), -1)")
    if not np.issubdtype(X.dtype, np.number) or X.dtype == bool:
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    if axis not in (0, None):
        raise ValueError(f"axis must be 0 (per column) or None (one mean and std for all values), got {axis!r}")
    blocks = _row_blocks(X)
    if X.dtype.kind == "f" and not all(np.isfinite(X[b]).all() for b in blocks):
        raise ValueError("X contains NaN or infinite values; clean or impute them before standardizing")
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std (statistics of the training set) or neither")
    if mean is None:
        if X.shape[0] == 0:
            raise ValueError("cannot compute mean and std of an empty X; pass mean and std")
        mean = X.mean(axis=axis, dtype=np.float64)
        squares = 0.0  # X.std(axis, dtype=float64) a block at a time: the same on one block, else last bits may move
        for b in blocks:
            d = X[b] - mean
            squares = squares + np.square(d, out=d).sum(axis=axis)
            del d  # else the next block's difference is made while this one is held
        std = np.sqrt(squares / (X.size if axis is None else X.shape[0]))
    else:
        mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
        for label, stat in (("mean", mean), ("std", std)):
            if stat.shape not in ((X.shape[1],), ()):
                raise ValueError(f"{label} must have shape ({X.shape[1]},) to match X, or be one number, got "
                                 f"{stat.shape}")
        if (std < 0).any():
            raise ValueError("std must be >= 0")
    std = np.where(std == 0, 1.0, std)
    if out is None:
        out = np.empty(X.shape, float_dtype(X.dtype))
    elif out.shape != X.shape:
        raise ValueError(f"out must have the shape of X, {X.shape}, got {out.shape}")
    for b in blocks:
        out[b] = (X[b] - mean) / std
    return out, mean, std


_standardize = standardize  # load_dataset's flag of the same name hides the function


def load_dataset(name, data_dir="data", seed=0, dtype=np.float32, standardize=True):
    """``X_train`` (N, D), ``y_train`` (N,), ``X_test`` (M, D), ``y_test`` (M,) of a data set, ready for a network.

    digits: the shipped set split 80/20 (stratified, seeded); mnist, fashion-mnist: the standard 60k/10k
    split from ``data_dir`` (errors as in :func:`load_mnist`). Pixels are scaled to [0, 1]; ``standardize``
    then applies the training set's mean and std: per pixel for digits, one for all pixels of the 28x28
    sets (their border pixels are almost always 0 in training: a per-pixel std near 0 would blow up the
    rare test image that inks them).
    """
    if name == "digits":
        X, y = load_digits()
        X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    elif name in _DATASETS:
        X_tr, y_tr, X_te, y_te = load_mnist(name, root=data_dir)
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of digits, {', '.join(_DATASETS)}")
    if standardize:  # written over the pixels when they have the dtype asked for: no second copy of the images
        out = [X if X.dtype == dtype else np.empty(X.shape, dtype) for X in (X_tr, X_te)]
        X_tr, mean, std = _standardize(X_tr, axis=0 if name == "digits" else None, out=out[0])
        X_te = _standardize(X_te, mean, std, out=out[1])[0]
    return X_tr.astype(dtype, copy=False), y_tr, X_te.astype(dtype, copy=False), y_te
