"""Files for :mod:`helpers.data` (which re-exports the public names): the IDX format, the package's one
atomic write, and the checked download of MNIST and Fashion-MNIST. Every error is one line that names
the file or address and the fix."""

import contextlib
import gzip
import hashlib
import http.client
import math
import os
import signal
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no flock, but it refuses to delete a file another process holds open
    fcntl = None

REPO_ROOT = Path(__file__).resolve().parent.parent
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",  # the order load_mnist returns
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
# name -> (pretty name, default mirror, {file: MD5}); both data sets publish MD5, not sha256
_DATASETS = {
    "mnist": ("MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist/", dict(zip(MNIST_FILES, (
        "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
        "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c")))),
    "fashion-mnist": ("Fashion-MNIST", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", dict(zip(
        MNIST_FILES, ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                      "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310")))),
}
# the published files' sizes in bytes, in the order of MNIST_FILES: a download stops past size + _SIZE_MARGIN
_SIZES = {"mnist": dict(zip(MNIST_FILES, (9912422, 28881, 1648877, 4542))),
          "fashion-mnist": dict(zip(MNIST_FILES, (26421880, 29515, 4422102, 5148)))}
_SIZE_MARGIN = 1 << 16
# MD5 of the first _PREFIX bytes of each file's IDX content (after gunzip; all of a label file): the data set
# whatever the compression (Debian's Fashion-MNIST files are the published ones with another gzip header).
# Taken from real copies; MNIST's training images have no entry (data/README.md, "Which data set is it?").
_PREFIX = 1 << 16
_FINGERPRINTS = {
    "f090e00f30b9f99ed87cc27c8acc7de8": ("fashion-mnist", MNIST_FILES[0]),
    "9018921c3c673c538a1fc5bad174d6f9": ("fashion-mnist", MNIST_FILES[1]),
    "b2b93712ddad2ca0ca2d8ce7538095e4": ("fashion-mnist", MNIST_FILES[2]),
    "15d484375f8d13e6eb1aabb0c3f46965": ("fashion-mnist", MNIST_FILES[3]),
    "a25bea736e30d166cdddb491f175f624": ("mnist", MNIST_FILES[1]),
    "1ca09cef3876ebda74d0d80e4cbc81d4": ("mnist", MNIST_FILES[2]),
    "27ae3e4e09519cfbb04c329615203637": ("mnist", MNIST_FILES[3]),
}
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
STALE_AFTER = 60  # seconds: a younger partial file may belong to a download that is just starting
_CHUNK = 1 << 20


class DatasetMissing(FileNotFoundError):
    """A data set's files are not on disk; the message says where we looked and the fix."""


class DownloadError(OSError):
    """A download failed: unreachable server, HTTP error, cut connection, deadline or checksum."""


def in_checkout(repo=REPO_ROOT) -> bool:
    """True when ``repo``, where helpers is imported from, is a clone of the repository."""
    return (repo / "pyproject.toml").is_file() and (repo / "data").is_dir()


def fetch_advice(repo=REPO_ROOT) -> str:
    """The command that fetches MNIST / Fashion-MNIST, for the way helpers was installed."""
    return "run `make data`" if in_checkout(repo) else "call `helpers.data.download(name, root)` from Python"


def _resolve_root(root) -> Path:
    """``root`` as a Path, ``~`` expanded; a relative one missing from the CWD is the repository's (so
    notebooks/ works)."""
    if not isinstance(root, (str, os.PathLike)):  # ValueError: every bad input in helpers is one
        raise ValueError(f"root must be a path (str or os.PathLike), got {type(root).__name__}")
    path = Path(root).expanduser()
    if path.is_absolute() or path.exists() or not in_checkout():
        return path
    return REPO_ROOT / path if path == Path("data") or (REPO_ROOT / path).exists() else path


def _check_name(name) -> str:
    if name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(map(repr, _DATASETS))}")
    return name


def _umask() -> int:
    """The process's umask (Linux reports it in /proc; elsewhere set and restored at once)."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        with open("/proc/self/status", encoding="ascii") as f:
            return int(next(line for line in f if line.startswith("Umask:")).split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_HELD = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))


@contextlib.contextmanager
def held_signals():
    """Run the block with the Python handlers of SIGINT, SIGTERM and SIGHUP held back: a signal that
    arrives meanwhile is handled (KeyboardInterrupt, ...) when the block ends. Around "create a file or
    folder and note it for clean-up", so that no signal lands between the two. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held, handlers = [], {}
    try:
        for s in _HELD:
            if callable(handler := signal.getsignal(s)):  # SIG_DFL / SIG_IGN: the OS acts, no Python runs
                handlers[s] = handler
                signal.signal(s, lambda signum, frame: held.append((signum, frame)))
        yield
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
        for signum, frame in held[:1]:
            handlers[signum](signum, frame)


def atomic_write(path, write) -> None:
    """Call ``write(f)`` on a new temp file ``.<name>.XXXXXXXX.part`` beside ``path``, fsync it, rename it to ``path``.

    mkstemp makes it exclusively (a planted link is never followed) and it stays locked while open, which
    tells :func:`download` it is alive. If ``write`` raises, or a signal stops the process anywhere, it
    goes and ``path`` is untouched. The final file gets the mode the umask gives a new file (0644 under 022).
    """
    path, tmp = Path(path), None
    try:
        with held_signals():  # the temp file exists only once its name is in tmp
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as f:
            if fcntl:
                fcntl.flock(f, fcntl.LOCK_EX)
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o666 & ~_umask())
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp is not None:
            with held_signals(), contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


# IDX: type code -> dtype on disk (big-endian), and back from the native dtype's name
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_IDX_CODES = {dt.newbyteorder("=").name: code for code, dt in _IDX_TYPES.items()}
_MAX_NDIM = 32  # numpy 1's limit


def _shape(dims) -> str:
    """'60000x28x28', shortened when there are many dimensions: messages stay one line."""
    return "x".join(map(str, dims)) if len(dims) <= 4 else f"{dims[0]}x{dims[1]}x...x{dims[-1]} ({len(dims)}-D)"


def _gunzip(f):
    """``read(n)`` for the gzip file ``f``: n inflated bytes (fewer only at its end), never inflating more."""
    z, pending = zlib.decompressobj(31), b""  # 31: zlib checks the gzip header, CRC and size

    def read(n):
        nonlocal z, pending
        out = bytearray()
        while len(out) < n:
            if z.eof:  # a gzip member ended: the file ends, or the next member starts
                if not (pending := z.unused_data or f.read(_CHUNK)):
                    break
                z = zlib.decompressobj(31)
            if not (data := pending or f.read(_CHUNK)):
                raise EOFError("the file ends inside the gzip stream")
            out += z.decompress(data, n - len(out))
            pending = z.unconsumed_tail
        return bytes(out)

    return read


def read_idx(path):
    """An IDX file (the MNIST format), gzip-compressed or plain, as a writable ndarray of the header's shape.

    dtype uint8, int8, int16, int32, float32 or float64: MNIST images (N, 28, 28) uint8, labels (N,)
    uint8. The header is checked first, also against the file's size; the data never inflate past
    what it announces plus one byte (a gzip bomb is rejected). Damage is one ValueError line.
    """
    path = Path(path)

    def bad(problem):
        return ValueError(f"{path}: {problem}; delete it and download it again")

    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        read = _gunzip(f) if gz else f.read
        try:
            head = read(4)
            if len(head) < 4 or head[:2] != b"\0\0":
                raise bad("not an IDX file: it does not start with 00 00, a type code and a rank")
            code, ndim = head[2], head[3]
            if code not in _IDX_TYPES:
                raise bad(f"unknown IDX type code 0x{code:02X}; known codes: "
                          + ", ".join(f"0x{c:02X} {dt.newbyteorder('=').name}" for c, dt in _IDX_TYPES.items()))
            if not 1 <= ndim <= _MAX_NDIM:
                raise bad(f"IDX header declares {ndim} dimensions, expected 1 to {_MAX_NDIM}")
            if len(raw := read(4 * ndim)) < 4 * ndim:
                raise bad(f"truncated header: {ndim} dimensions need {4 + 4 * ndim} bytes, file has {4 + len(raw)}")
            dims, dtype = tuple(int(d) for d in np.frombuffer(raw, ">u4")), _IDX_TYPES[code]
            what = f"header says {_shape(dims)} {dtype.newbyteorder('=').name}"
            expected = math.prod(dims) * dtype.itemsize
            if expected > np.iinfo(np.intp).max:
                raise bad(f"{what}, more bytes than memory can address")
            size = os.fstat(f.fileno()).st_size - (0 if gz else 4 + 4 * ndim)  # compressed, or the data
            if expected > (1032 * size if gz else size):  # deflate never inflates more than 1032:1
                raise bad(f"truncated: {what} = {expected} bytes, "
                          + (f"more than a gzip file of {size} bytes can hold" if gz else f"file has {size}"))
            body = bytearray()
            while len(body) <= expected and (chunk := read(min(_CHUNK, expected + 1 - len(body)))):
                body += chunk
        except (zlib.error, EOFError) as exc:
            raise bad(f"corrupt or truncated gzip data ({exc})") from None
    if len(body) > expected:
        raise bad(f"trailing bytes: {what} = {expected} bytes, file has {f'more than {expected}' if gz else size}")
    if len(body) < expected:
        raise bad(f"truncated: {what} = {expected} bytes, file has {len(body)}")
    arr = np.frombuffer(body, dtype=dtype)  # a bytearray's buffer: writable without a copy
    return (arr if dtype.isnative else arr.astype(dtype.newbyteorder("="))).reshape(dims)


def write_idx(path, array):
    """Write ``array`` (1 to 32 dimensions, each < 2**32) as an IDX file with :func:`atomic_write`,
    gzip-compressed (no name, mtime 0: the same bytes every time) when ``path`` ends in .gz."""
    path, a = Path(path), np.asarray(array)
    code = _IDX_CODES.get(a.dtype.newbyteorder("=").name)
    if not 1 <= a.ndim <= _MAX_NDIM:
        raise ValueError(f"write_idx needs an array of 1 to {_MAX_NDIM} dimensions, got {a.ndim}; "
                         "wrap a scalar as np.array([x])")
    if code is None:
        raise ValueError(f"IDX cannot store dtype {a.dtype}; cast first, e.g. array.astype(np.uint8) or "
                         f"array.astype(np.float32) (supported: {', '.join(_IDX_CODES)})")
    if max(a.shape) >= 2**32:
        raise ValueError(f"IDX dimensions must be < 2**32, got shape {a.shape}")
    data = bytes([0, 0, code, a.ndim]) + np.asarray(a.shape, ">u4").tobytes() + a.astype(_IDX_TYPES[code]).tobytes()
    gz = path.name.endswith(".gz")

    def write(f):
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) if gz else contextlib.nullcontext(f) as out:
            out.write(data)

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)


def _remove_stale(dest: Path, fname: str) -> None:
    """Remove the partial files ``.<fname>.*.part`` in ``dest`` of a download that died: no live
    process holds their lock (atomic_write's), and nothing was written to them for STALE_AFTER s."""
    for part in dest.iterdir() if dest.is_dir() else ():
        if part.name.startswith(f".{fname}.") and part.name.endswith(".part"):
            with contextlib.suppress(OSError):  # locked by a live download, or gone already
                if time.time() - part.stat().st_mtime > STALE_AFTER:
                    if fcntl is None:
                        part.unlink()  # Windows refuses while another process has it open
                        continue
                    with open(part, "rb") as f:
                        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        part.unlink()


def _seconds(value, name: str) -> float:
    with contextlib.suppress(TypeError, ValueError):
        if math.isfinite(seconds := float(value)) and seconds > 0:
            return seconds
    raise ValueError(f"{name} must be a positive number of seconds, got {str(value)[:40]!r}")


def _opener(socks: list):
    """A urllib opener whose HTTP(S) connections add their socket to ``socks`` (for the deadline)."""
    def watched(cls):
        def connect(self):
            cls.connect(self)
            socks.append(self.sock)
        return type(cls.__name__, (cls,), {"connect": connect})

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(watched(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(watched(http.client.HTTPSConnection), req, context=self._context)

    return urllib.request.build_opener(HTTP, HTTPS)


def _fetch(url, final: Path, md5, pretty, timeout, deadline, created, size=None) -> int:
    """Stream ``url`` into ``final`` through atomic_write, checked against ``md5``; returns the size.

    ``timeout`` bounds each network operation; at the ``deadline`` a timer shuts the sockets down,
    which ends a read blocked on a trickling server (headers or body). ``size``: the published size;
    more than size + _SIZE_MARGIN bytes (announced or sent) stops the download."""
    socks, expired, h = [], threading.Event(), hashlib.md5(usedforsecurity=False)

    def failed(exc):  # the error for a network failure
        if expired.is_set():
            return DownloadError(f"Could not download {url}: it took more than the deadline of {deadline:g} s (a "
                                 f"very slow server or network); raise it (--deadline) or {fetch_advice()} again "
                                 "later.")
        hint = ("" if pretty != "Fashion-MNIST" else " (or, offline, install Debian's package dataset-fashion-mnist "
                f"and pass {DEBIAN_FASHION_MNIST} as --data-dir / root)")
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        return DownloadError(f"Could not reach the server at {url} ({reason}): {pretty} "
                             f"is not shipped with the repository and needs a network, so {fetch_advice()} on a "
                             f"machine that has one{hint}.")

    def read():
        try:
            return response.read(1 << 16)
        except (OSError, http.client.HTTPException) as exc:
            raise failed(exc) from None

    def too_large(what):
        return DownloadError(f"Could not download {url}: the server {what}, but the published {final.name} has "
                             f"{size} bytes; nothing was saved, check the mirror (--base-url) or try again later.")

    def write(f):
        while chunk := read():
            f.write(chunk)
            h.update(chunk)
            if size is not None and f.tell() > size + _SIZE_MARGIN:
                raise too_large(f"sent more than {size + _SIZE_MARGIN} bytes")
        if expired.is_set():
            raise failed(None)
        announced = response.headers.get("Content-Length")  # http.client takes a short body silently
        if announced and announced.isdigit() and int(announced) != f.tell():
            raise DownloadError(f"Could not download {url}: the connection was cut after {f.tell()} of {announced} "
                                f"bytes; check the network and {fetch_advice()} again.")
        if h.hexdigest() != md5:
            raise DownloadError(f"checksum mismatch for {final.name} from {url}: expected MD5 {md5}, got "
                                f"{h.hexdigest()}; nothing was saved, try again or use another mirror")

    def expire():
        expired.set()
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(deadline, expire)
    timer.daemon = True
    timer.start()
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "helpers.data (course bundle)"})
        try:
            response = _opener(socks).open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise DownloadError(f"Could not download {url}: the server answered HTTP {exc.code} ({exc.reason}); "
                                "check the mirror (--base-url) or try again later.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise failed(exc) from None
        with response:
            announced = response.headers.get("Content-Length", "")
            if size is not None and announced.isdigit() and int(announced) > size + _SIZE_MARGIN:
                raise too_large(f"announces {announced} bytes")
            missing = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
            with held_signals():  # noted for clean-up as they are made
                created.extend(reversed(missing))
                final.parent.mkdir(parents=True, exist_ok=True)  # only now that data arrive
            atomic_write(final, write)
    finally:
        timer.cancel()
    return final.stat().st_size


def _md5(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def fingerprint(path) -> str | None:
    """MD5 of the first _PREFIX bytes of the IDX content of ``path`` (gzip or plain); None if unreadable."""
    with contextlib.suppress(OSError, EOFError, zlib.error), open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        return hashlib.md5((_gunzip(f) if gz else f.read)(_PREFIX), usedforsecurity=False).hexdigest()
    return None


def identify(paths) -> dict:
    """{path: (data set, published file name) or None}: the published file each IDX file is, by
    :func:`fingerprint` (None: not a published file, or one the table has no entry for)."""
    return {Path(p): _FINGERPRINTS.get(fingerprint(p)) for p in paths}


def download(name, root="data", *, base_url=None, files=None, timeout=30, deadline=900, log=None):
    """Fetch the four IDX files of MNIST or Fashion-MNIST into ``root/name/``, each checked against its MD5.

    Each streams into an :func:`atomic_write` temp file, renamed into place once complete and verified; a
    valid file already there is skipped, partial files of a download that died are removed (data/README.md),
    and a failed call removes the folders it made. Returns the final paths. Raises DownloadError (network,
    HTTP, deadline, MD5, a file past its published size), ValueError (a bad argument) or OSError (the disk:
    full, read-only, in the way).

    root : the parent folder, resolved as in ``load_mnist``
    base_url : str, the http(s) address of another mirror
    files : dict {file name: MD5 hex}, replaces the table (tests serve small files); a file named as a
        published one is still capped at its published size plus 64 KiB
    timeout : float, seconds to wait for the server in each network operation (connect, read)
    deadline : float, seconds one file may take in all, however slowly the server trickles
    log : callable(str), called with one line per file (e.g. ``print``)
    """
    pretty, default_url, table = _DATASETS[_check_name(name)]
    if files is not None and not (isinstance(files, dict) and files):
        raise ValueError("files must be a non-empty dict {file name: md5 hex digest}")
    for fname, md5 in (files or {}).items():
        if not isinstance(fname, str) or not fname or Path(fname).name != fname or fname.startswith("."):
            raise ValueError(f"files: {fname!r} must be a plain file name, without folders")
        if not isinstance(md5, str) or len(md5) != 32 or any(c not in "0123456789abcdef" for c in md5.lower()):
            raise ValueError(f"files[{fname!r}] must be a 32-digit hex MD5, got {md5!r}")
    timeout, deadline = _seconds(timeout, "timeout"), _seconds(deadline, "deadline")
    base, ok = default_url if base_url is None else base_url, False
    with contextlib.suppress(TypeError, ValueError):  # e.g. "http://[::1" or a port out of range
        parts = urllib.parse.urlsplit(base)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    if not ok:
        raise ValueError(f"base_url must be an http:// or https:// address, got {str(base)[:100]!r}")
    dest, created, paths = _resolve_root(root) / name, [], []
    try:
        for fname, md5 in (files or table).items():
            md5, final = md5.lower(), dest / fname
            _remove_stale(dest, fname)
            if final.is_file() and _md5(final) == md5:
                message = f"already present and valid (MD5 {md5})"
            else:
                size = _fetch(base.rstrip("/") + "/" + fname, final, md5, pretty, timeout, deadline, created,
                              _SIZES[name].get(fname))
                message = f"downloaded {size} bytes, MD5 {md5} verified"
            if log:
                log(f"{name}/{fname}: {message}")
            paths.append(final)
    except BaseException:
        with held_signals():  # a second Ctrl-C does not cut the clean-up short
            for folder in reversed(created):  # a failed call leaves no folder of its own behind
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    return paths
