"""Data sets as numpy arrays, and the small utilities that feed them to a model.

Rows are samples everywhere: ``X`` has shape (N, D), ``y`` has shape (N,).

Shipped with the repository (offline, the default everywhere):

- :func:`load_iris`: Fisher's Iris table, 150 x 4, 3 classes.
- :func:`load_digits`: the 8x8 handwritten digits, 1797 x 64, 10 classes.

Fetched by ``make data`` (needs a network):

- :func:`load_mnist`: MNIST or Fashion-MNIST from the four standard IDX files,
  which :func:`download` fetches and checks against the published MD5 sums.

Nothing here loads a pickle, touches numpy's global random state (functions take
``seed``) or modifies an array it was given.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import importlib.resources
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

__all__ = [
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "MNIST_FILES",
    "DatasetMissing",
    "DownloadError",
    "atomic_write",
    "download",
    "load_dataset",
    "load_digits",
    "load_iris",
    "load_mnist",
    "make_xor",
    "minibatches",
    "one_hot",
    "read_idx",
    "standardize",
    "train_test_split",
    "write_idx",
]

# The repository root is the parent of the helpers package; notebooks run with the
# CWD in notebooks/, so "data" must not depend on where Python was started.
REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA = REPO_ROOT / "data"
# The shipped tables have one copy, in data/. An install (editable or not) carries them
# as the package data of helpers._shipped (pyproject.toml maps that package to data/);
# helpers imported from a checkout without an install reads data/ directly.
_SHIPPED_PACKAGE = "helpers._shipped"

IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
DIGITS_SHAPE = (8, 8)

# The four standard files, in the order load_mnist returns them.
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

# name -> (pretty name, default mirror, {file: published MD5}).
# Both data sets publish MD5 sums, not sha256, so MD5 is what can be checked.
_DATASETS = {
    "mnist": (
        "MNIST",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        {
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
    ),
    "fashion-mnist": (
        "Fashion-MNIST",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        {
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
    ),
}
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def _in_checkout() -> bool:
    """True when helpers is imported from a clone of the repository (editable or not at all)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and SHIPPED_DATA.is_dir()


def _fetch_advice() -> str:
    """The command that fetches MNIST / Fashion-MNIST, for the way helpers was installed."""
    if _in_checkout():
        return "run `make data`"
    return "call `helpers.data.download(name, root)` from Python"


_FIX_MISSING = f"{_fetch_advice()} (needs a network) or point --data-dir at a folder holding the four IDX files"


class DatasetMissing(FileNotFoundError):
    """A data set's files are not on disk; the message says where we looked and the fix."""


class DownloadError(OSError):
    """A download failed (server unreachable, HTTP error, or checksum mismatch)."""


# --------------------------------------------------------------------------- paths


def _resolve_root(root) -> Path:
    """Return ``root`` as a Path, falling back to the repository root for relative paths.

    A relative ``root`` that exists from the CWD is used as is. Otherwise, if it is
    the default ``"data"`` or exists under the repository root, the repository's copy
    is used, so ``load_mnist()`` works from notebooks/ as well as from the top.
    """
    if not isinstance(root, (str, os.PathLike)):
        # ValueError, not TypeError: every bad input in this package is a ValueError.
        kind = type(root).__name__
        raise ValueError(f"root must be a path (str or os.PathLike), got {kind}")
    path = Path(root)
    if path.is_absolute() or path.exists():
        return path
    in_repo = REPO_ROOT / path
    if _in_checkout() and (path == Path("data") or in_repo.exists()):
        return in_repo
    return path


def _check_name(name) -> str:
    if name not in _DATASETS:
        choices = ", ".join(repr(k) for k in _DATASETS)
        raise ValueError(f"unknown data set {name!r}; choose one of {choices}")
    return name


# ------------------------------------------------------------------- toy data


def make_xor(n=200, noise=0.5, seed=0):
    """Four Gaussian blobs at (+-1, +-1) labelled by the XOR of the signs.

    Parameters
    ----------
    n : int
        Number of points, a positive multiple of 4 (n/4 per blob).
    noise : float
        Standard deviation of each blob, >= 0.
    seed : int or numpy.random.Generator
        Seed of the private generator; the global random state is never used.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
        Points, rows in random order.
    y : ndarray, shape (n,), int64
        1 where ``x0 * x1 < 0`` (the point's own sign pattern, not its blob), else 0.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0 or n % 4:
        raise ValueError(f"n must be a positive multiple of 4 (n/4 points per blob), got {n!r}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise is a standard deviation and must be finite and >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    blob = np.repeat(np.arange(4), int(n) // 4)[rng.permutation(int(n))]
    X = centres[blob] + noise * rng.standard_normal((int(n), 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X, y


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
    return (
        "it ships inside the installed helpers package; reinstall it from the repository "
        "(`pip install --force-reinstall <path or URL of the repository>`)"
    )


def _read_csv_table(path: Path, header: tuple[str, ...]):
    """Read a numeric CSV with the given header row; returns (N, len(header)) float64."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="ascii", newline="") as f:
            first = f.readline().strip()
            if tuple(first.split(",")) != header:
                raise ValueError(
                    f"{path}: unexpected header {first[:80]!r}; the file is not the one "
                    f"shipped with the bundle; {_restore_advice(path)}"
                )
            table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    except FileNotFoundError:
        raise DatasetMissing(f"{path} is missing; {_restore_advice(path)}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc}); {_restore_advice(path)}") from exc
    if table.shape[1] != len(header):
        raise ValueError(f"{path}: expected {len(header)} columns, found {table.shape[1]}")
    return table


def load_iris():
    """Fisher's Iris measurements, shipped in data/iris.csv.

    Returns
    -------
    X : ndarray, shape (150, 4), float64
        Columns as in ``IRIS_FEATURES`` (centimetres).
    y : ndarray, shape (150,), int64
        Class 0..2, names in ``IRIS_CLASSES``; 50 samples per class.
    """
    path = _shipped_file("iris.csv")
    table = _read_csv_table(path, (*IRIS_FEATURES, "species"))
    X, y = table[:, :4], table[:, 4]
    if table.shape[0] != 150 or not np.isin(y, (0, 1, 2)).all():
        raise ValueError(f"{path}: expected 150 rows with species 0..2; {_restore_advice(path)}")
    return np.ascontiguousarray(X), y.astype(np.int64)


def load_digits():
    """The 8x8 handwritten digits, shipped in data/digits.csv.gz.

    Returns
    -------
    X : ndarray, shape (1797, 64), float64
        Pixel intensities 0..16, each row an 8x8 image in row-major order
        (``X[i].reshape(8, 8)`` draws it).
    y : ndarray, shape (1797,), int64
        Digit 0..9.
    """
    path = _shipped_file("digits.csv.gz")
    header = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)) + ("label",)
    table = _read_csv_table(path, header)
    X, y = table[:, :64], table[:, 64]
    if table.shape[0] != 1797 or X.min() < 0 or X.max() > 16 or not np.isin(y, np.arange(10)).all():
        raise ValueError(
            f"{path}: expected 1797 rows, pixels 0..16 and labels 0..9; {_restore_advice(path)}"
        )
    return np.ascontiguousarray(X), y.astype(np.int64)


# ------------------------------------------------------------------------ IDX

# IDX type code -> big-endian dtype as stored on disk.
_IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dt.newbyteorder("=").name: code for code, dt in _IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """Read an IDX file (the MNIST format), gzip-compressed or plain.

    Compression is detected from the gzip magic bytes, not from the file name.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray
        Shape and dtype from the header (uint8, int8, int16, int32, float32 or
        float64), native byte order, writable. MNIST images: (N, 28, 28) uint8;
        labels: (N,) uint8.

    Raises
    ------
    ValueError
        Naming the file and the problem: bad magic, unknown type code, short header,
        payload shorter or longer than the header says, or a corrupt gzip stream.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{path}: corrupt or truncated gzip data ({exc}); delete it and download it again"
            ) from exc
    if len(raw) < 4:
        raise ValueError(f"{path}: not an IDX file: {len(raw)} bytes, shorter than the 4-byte magic number")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file: magic number starts with {raw[:2].hex()}, expected 0000")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_TYPES:
        known = ", ".join(f"0x{c:02X} {dt.newbyteorder('=').name}" for c, dt in _IDX_TYPES.items())
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}; known codes: {known}")
    if ndim < 1:
        raise ValueError(f"{path}: IDX header declares 0 dimensions, expected at least 1")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"{path}: truncated header: {ndim} dimensions need {header_len} bytes, file has {len(raw)}")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[code]
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
    payload = len(raw) - header_len
    if payload != expected:
        what = "truncated" if payload < expected else "trailing bytes"
        shape = "x".join(map(str, dims))
        raise ValueError(
            f"{path}: {what}: header says {shape} {dtype.newbyteorder('=').name} = "
            f"{expected} bytes, file has {payload}; delete it and download it again"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header_len)
    # astype copies: the result is native-endian and writable, not a view of ``raw``.
    return arr.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def atomic_write(path, write: Callable) -> None:
    """Call ``write(fileobj)`` on a new temp file beside ``path``, then rename it into place.

    A reader never sees half a file under the final name, and the temp file (made by
    ``tempfile.mkstemp``: a fresh name, opened exclusively) never follows a planted link.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_idx(path, array):
    """Write ``array`` as an IDX file; gzip-compressed (mtime=0) when ``path`` ends in .gz.

    The file appears atomically: it is written to a temp file in the same folder and
    renamed into place, so a reader never sees half a file. Missing parent folders are
    created.

    Parameters
    ----------
    path : str or os.PathLike
    array : array_like, ndim >= 1
        dtype uint8, int8, int16, int32, float32 or float64; each dimension < 2**32.
    """
    path = Path(path)
    a = np.asarray(array)
    if a.ndim < 1:
        raise ValueError("write_idx needs an array with at least 1 dimension; wrap a scalar as np.array([x])")
    if a.dtype.newbyteorder("=").name not in _IDX_CODES:
        raise ValueError(
            f"IDX cannot store dtype {a.dtype}; cast first, e.g. array.astype(np.uint8) or "
            f"array.astype(np.float32) (supported: {', '.join(_IDX_CODES)})"
        )
    if max(a.shape) >= 2**32:
        raise ValueError(f"IDX dimensions must be < 2**32, got shape {a.shape}")
    code = _IDX_CODES[a.dtype.newbyteorder("=").name]
    disk = _IDX_TYPES[code]
    header = bytes([0, 0, code, a.ndim]) + np.asarray(a.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(a, dtype=disk).tobytes()

    def write(f):
        if path.name.endswith(".gz"):
            # filename="" and mtime=0 keep the bytes reproducible.
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
                gz.write(header)
                gz.write(body)
        else:
            f.write(header)
            f.write(body)

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)


# ---------------------------------------------------------------------- MNIST


def _find_idx_folder(name: str, root: Path):
    """Return the four file paths, from ``root/name`` or ``root`` itself, else None."""
    for folder in (root / name, root):
        found = []
        for fname in MNIST_FILES:
            for candidate in (folder / fname, folder / fname[: -len(".gz")]):
                if candidate.is_file():
                    found.append(candidate)
                    break
        if len(found) == len(MNIST_FILES):
            return found
    return None


def _images_labels(img_path: Path, lab_path: Path):
    images, labels = read_idx(img_path), read_idx(lab_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{img_path}: expected uint8 images of shape (N, rows, cols), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{lab_path}: expected uint8 labels of shape (N,), got {labels.dtype} {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{img_path} holds {images.shape[0]} images but {lab_path} holds "
            f"{labels.shape[0]} labels; the files do not belong together, download them again"
        )
    X = images.reshape(images.shape[0], -1).astype(np.float32)
    X /= np.float32(255.0)
    return X, labels.astype(np.int64)


def load_mnist(name="mnist", root="data"):
    """Load MNIST or Fashion-MNIST from the four standard IDX files.

    The files are looked for in ``root/name/`` first, then in ``root`` itself (so
    ``root="/usr/share/datasets/fashion-mnist"``, Debian's dataset-fashion-mnist,
    works), each either gzip-compressed (``*.gz``) or plain.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    root : str or os.PathLike
        A relative path that does not exist from the CWD is taken relative to the
        repository root.

    Returns
    -------
    X_train : ndarray, shape (60000, 784), float32 in [0, 1]
    y_train : ndarray, shape (60000,), int64 in 0..9
    X_test : ndarray, shape (10000, 784), float32 in [0, 1]
    y_test : ndarray, shape (10000,), int64 in 0..9

    Raises
    ------
    DatasetMissing
        If the files are not there; the message names the fix (``make data``).
    ValueError
        For an unknown ``name`` or malformed / mismatched files.
    """
    _check_name(name)
    folder = _resolve_root(root)
    paths = _find_idx_folder(name, folder)
    if paths is None:
        pretty = _DATASETS[name][0]
        hint = ""
        if name == "fashion-mnist":
            hint = f" (offline: Debian's package dataset-fashion-mnist installs them in {DEBIAN_FASHION_MNIST})"
        raise DatasetMissing(
            f"{pretty} not found: looked in {folder / name} and {folder} for "
            f"{', '.join(MNIST_FILES)} (or the same names without .gz); {_FIX_MISSING}{hint}"
        )
    X_train, y_train = _images_labels(paths[0], paths[1])
    X_test, y_test = _images_labels(paths[2], paths[3])
    return X_train, y_train, X_test, y_test


# ------------------------------------------------------------------- download


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _make_dirs(path: Path) -> list[Path]:
    """mkdir -p that returns the folders it created, outermost first."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _remove_if_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def _unreachable(url: str, pretty: str, exc: BaseException) -> DownloadError:
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    hint = ""
    if pretty == "Fashion-MNIST":
        hint = (
            " (or, offline, install Debian's package dataset-fashion-mnist and pass "
            f"{DEBIAN_FASHION_MNIST} as --data-dir / root)"
        )
    return DownloadError(
        f"Could not reach the server at {url} ({reason}): {pretty} is not shipped with the "
        f"repository and needs a network, so {_fetch_advice()} on a machine that has one{hint}."
    )


def _fetch(url: str, dest: Path, fname: str, md5: str, pretty: str, timeout: float, created: list):
    """Stream ``url`` into ``dest/fname`` via a temp file; returns the bytes written."""
    request = urllib.request.Request(url, headers={"User-Agent": "helpers.data (course bundle)"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise DownloadError(
            f"Could not download {url}: the server answered HTTP {exc.code} ({exc.reason}); "
            "check the mirror (--base-url) or try again later."
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _unreachable(url, pretty, exc) from None
    with response:
        # The folder is created only now that data is actually arriving.
        created.extend(_make_dirs(dest))
        final = dest / fname
        fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{fname}.", suffix=".part")
        try:
            h = hashlib.md5(usedforsecurity=False)
            size = 0
            with os.fdopen(fd, "wb") as f:
                while True:
                    try:
                        chunk = response.read(1 << 16)
                    except (OSError, http.client.HTTPException) as exc:
                        raise _unreachable(url, pretty, exc) from None
                    if not chunk:
                        break
                    f.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
                f.flush()
                os.fsync(f.fileno())
            # http.client returns a short body without complaint when the server hangs up.
            announced = response.headers.get("Content-Length")
            if announced is not None and announced.isdigit() and int(announced) != size:
                raise DownloadError(
                    f"Could not download {url}: the connection was cut after {size} of "
                    f"{announced} bytes; check the network and {_fetch_advice()} again."
                )
            got = h.hexdigest()
            if got != md5:
                raise DownloadError(
                    f"checksum mismatch for {fname} from {url}: expected MD5 {md5}, got {got}; "
                    "nothing was saved, try again or use another mirror"
                )
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return size


def download(name, root="data", *, base_url=None, files=None, timeout=30, log=None):
    """Fetch the four IDX files of MNIST or Fashion-MNIST into ``root/name/``.

    Each file is streamed into a temp file in the destination folder, its MD5 is
    compared with the published one, and only then is it renamed into place: a file
    under its final name is always complete and verified. A file already present
    with the right checksum is not fetched again. The destination folder is created
    only when the first file arrives, so an offline call writes nothing.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    root : str or os.PathLike
        Parent folder (``data`` by default, resolved like in :func:`load_mnist`).
    base_url : str, optional
        Mirror to use instead of the default one; file names are appended to it.
    files : dict {file name: md5 hex}, optional
        Overrides the table of files and checksums (tests use small fixture files).
    timeout : float
        Seconds to wait for the server on each network operation.
    log : callable(str), optional
        Called with one line per file saying what was done (e.g. ``print``).

    Returns
    -------
    list of pathlib.Path
        The final path of each file, in the order of ``files``.

    Raises
    ------
    DownloadError
        The server cannot be reached, answers with an HTTP error, or a file's MD5
        differs from the expected one. No partial or temp file is left behind.
    """
    _check_name(name)
    pretty, default_url, table = _DATASETS[name]
    if files is not None:
        if not isinstance(files, dict) or not files:
            raise ValueError("files must be a non-empty dict {file name: md5 hex digest}")
        for fname, md5 in files.items():
            if not isinstance(fname, str) or not fname or Path(fname).name != fname or fname.startswith("."):
                raise ValueError(f"files: {fname!r} must be a plain file name, without folders")
            if not isinstance(md5, str) or len(md5) != 32 or any(c not in "0123456789abcdef" for c in md5.lower()):
                raise ValueError(f"files[{fname!r}] must be a 32-digit hex MD5, got {md5!r}")
        table = files
    timeout = float(timeout)
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
    base = (base_url or default_url).rstrip("/") + "/"
    dest = _resolve_root(root) / name
    created: list[Path] = []
    paths = []
    try:
        for fname, md5 in table.items():
            md5 = md5.lower()
            final = dest / fname
            if final.is_file() and _md5(final) == md5:
                if log:
                    log(f"{name}/{fname}: already present and valid (MD5 {md5})")
                paths.append(final)
                continue
            size = _fetch(base + fname, dest, fname, md5, pretty, timeout, created)
            if log:
                log(f"{name}/{fname}: downloaded {size} bytes, MD5 {md5} verified")
            paths.append(final)
    except BaseException:
        # Folders made by this call and still empty go too: a failed call leaves no trace.
        _remove_if_empty(created)
        raise
    return paths


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
    y : array_like, shape (S,)
        Integer class labels in 0..k-1 (floats holding whole numbers are accepted).
    k : int, optional
        Number of classes; defaults to ``y.max() + 1``.

    Returns
    -------
    ndarray, shape (S, k), float64
        ``out[i, y[i]] = 1``, zeros elsewhere.
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
        raise ValueError(
            f"labels out of range: found {int(y.min())}..{int(y.max())}, expected 0..{k - 1} "
            f"for k={k}; pass a larger k or fix the labels"
        )
    out = np.zeros((y.shape[0], int(k)), dtype=np.float64)
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _check_xy(X, y):
    X = np.asarray(X)
    y = _labels_1d(y)
    if X.ndim < 1:
        raise ValueError("X must have one row per sample, got a scalar")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; pass one label per row")
    return X, y


def train_test_split(X, y, test_size=0.2, seed=0, stratify=True):
    """Split rows into a training and a test set, shuffled with a seeded generator.

    With ``stratify=True`` each class keeps (up to rounding) the same share in both
    sets; the test set has ``round(test_size * N)`` rows in total.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N,)
    test_size : float in (0, 1)
    seed : int or numpy.random.Generator
    stratify : bool

    Returns
    -------
    X_train : ndarray, shape (N - T, ...)
    X_test : ndarray, shape (T, ...)
    y_train : ndarray, shape (N - T,)
    y_test : ndarray, shape (T,)
    """
    X, y = _check_xy(X, y)
    if isinstance(test_size, bool) or not isinstance(test_size, (float, int, np.floating, np.integer)):
        msg = f"test_size must be a fraction in (0, 1), got {test_size!r}"
        raise ValueError(msg)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size}")
    n = y.shape[0]
    n_test = int(np.floor(test_size * n + 0.5))
    if n_test < 1 or n_test > n - 1:
        raise ValueError(
            f"test_size={test_size} of {n} samples leaves an empty training or test set; "
            "use more samples or a different test_size"
        )
    rng = np.random.default_rng(seed)
    if stratify:
        _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        # Largest-remainder allocation: per-class quotas that add up to n_test exactly.
        quota = test_size * counts
        take = np.floor(quota).astype(np.int64)
        extra = n_test - int(take.sum())
        order = np.argsort(-(quota - take), kind="stable")
        take[order[:extra]] += 1
        test_parts = []
        for c, t in enumerate(take):
            members = np.flatnonzero(inverse == c)
            test_parts.append(rng.permutation(members)[:t])
        test_idx = np.concatenate(test_parts)
        is_test = np.zeros(n, dtype=bool)
        is_test[test_idx] = True
        train_idx = rng.permutation(np.flatnonzero(~is_test))
        test_idx = rng.permutation(test_idx)
    else:
        perm = rng.permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def minibatches(X, y, batch_size, seed=None, shuffle=True) -> Iterator:
    """Yield ``(Xb, yb)`` batches covering every row exactly once.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N,)
    batch_size : int >= 1
    seed : int, numpy.random.Generator or None
        Seeds the permutation of this call (a fresh one each call when None); the
        global random state is never used. Ignored when ``shuffle=False``.
    shuffle : bool

    Yields
    ------
    Xb : ndarray, shape (B, ...)
    yb : ndarray, shape (B,)
        ``B = batch_size`` except the last batch, which keeps the remainder.
    """
    X, y = _check_xy(X, y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    n = y.shape[0]
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)

    def batches():
        for start in range(0, n, int(batch_size)):
            idx = order[start : start + int(batch_size)]
            yield X[idx], y[idx]

    return batches()


def standardize(X, mean=None, std=None):
    """Scale each column to zero mean and unit variance.

    Fit on the training set, then reuse its statistics on the others::

        Xtr, mean, std = standardize(X_train)
        Xte, _, _ = standardize(X_test, mean, std)

    Parameters
    ----------
    X : array_like, shape (N, D)
    mean, std : array_like, shape (D,), optional
        Give both or neither; when neither, they are computed from ``X``.

    Returns
    -------
    Xs : ndarray, shape (N, D)
        ``(X - mean) / std``; float32 stays float32, anything else becomes float64.
    mean : ndarray, shape (D,)
    std : ndarray, shape (D,)
        Columns with zero spread get std 1 (they become all zeros, not NaN).
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
        mean = X.mean(axis=0)
        std = X.std(axis=0)
    else:
        mean = np.asarray(mean, dtype=dtype)
        std = np.asarray(std, dtype=dtype)
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

    digits: the shipped 8x8 set, split 80/20 (stratified, seeded); mnist and
    fashion-mnist: the standard 60k/10k split read from ``data_dir``. Pixels are scaled
    to [0, 1]. With ``standardize`` they are then shifted and scaled by the training set's
    mean and standard deviation (the test set with the same numbers), which lets SGD take
    larger steps: per pixel for digits, one mean and std for all pixels for the 28x28 sets,
    whose border pixels are almost always 0 in training (a per-pixel std near 0 would blow
    up the rare test image that inks them).

    Returns
    -------
    X_train (N, D), y_train (N,), X_test (M, D), y_test (M,)

    Raises
    ------
    DatasetMissing when the MNIST-style files are not there
    """
    if name == "digits":
        X, y = load_digits()
        X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    elif name in _DATASETS:
        X_tr, y_tr, X_te, y_te = load_mnist(name, root=data_dir)
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of digits, {', '.join(_DATASETS)}")
    if standardize:
        if name == "digits":
            X_tr, mean, std = _standardize(X_tr)
            X_te = _standardize(X_te, mean, std)[0]
        else:
            mean, std = X_tr.mean(dtype=np.float64), X_tr.std(dtype=np.float64)
            X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    return X_tr.astype(dtype), y_tr, X_te.astype(dtype), y_te
