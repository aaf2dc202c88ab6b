"""The checked download of MNIST and Fashion-MNIST, and the package's one atomic write. Every error is
one line that names the file or address and the fix."""

import contextlib
import functools
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
from pathlib import Path

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
# the published files' sizes in bytes: a download stops past size + _SIZE_MARGIN
_SIZES = {"mnist": dict(zip(MNIST_FILES, (9912422, 28881, 1648877, 4542))),
          "fashion-mnist": dict(zip(MNIST_FILES, (26421880, 29515, 4422102, 5148)))}
_SIZE_MARGIN = 1 << 16
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
STALE_AFTER = 60  # seconds: a younger partial file may belong to a download that is just starting
_HELD = tuple(getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s))


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


@contextlib.contextmanager
def _opener_with_deadline(seconds):
    """(a urllib opener, an Event): at ``seconds`` the Event is set and the sockets of the opener's HTTP(S)
    connections are shut down, which ends a read blocked on a trickling server (headers or body)."""
    socks, expired = [], threading.Event()

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

    def expire():
        expired.set()
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield urllib.request.build_opener(HTTP, HTTPS), expired
    finally:
        timer.cancel()


def _failed(url, pretty, deadline, expired, exc):
    """The DownloadError for a network failure ``exc``, or for the deadline once ``expired`` is set."""
    if expired.is_set():
        return DownloadError(f"Could not download {url}: it took more than the deadline of {deadline:g} s (a "
                             f"very slow server or network); raise it (--deadline) or {fetch_advice()} again later.")
    hint = ("" if pretty != "Fashion-MNIST" else " (or, offline, install Debian's package dataset-fashion-mnist "
            f"and pass {DEBIAN_FASHION_MNIST} as --data-dir / root)")
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    return DownloadError(f"Could not reach the server at {url} ({reason}): {pretty} is not shipped with the "
                         f"repository and needs a network, so {fetch_advice()} on a machine that has one{hint}.")


def _too_large(url, final, size, what):
    return DownloadError(f"Could not download {url}: the server {what}, but the published {final.name} has "
                         f"{size} bytes; nothing was saved, check the mirror (--base-url) or try again later.")


def _copy(response, f, url, final, md5, size, failed, expired):
    """Stream ``response`` into ``f``; a DownloadError unless all of it came and its MD5 is ``md5``."""
    h = hashlib.md5(usedforsecurity=False)
    while True:
        try:
            if not (chunk := response.read(1 << 16)):
                break
        except (OSError, http.client.HTTPException) as exc:
            raise failed(exc) from None
        f.write(chunk)
        h.update(chunk)
        if size is not None and f.tell() > size + _SIZE_MARGIN:
            raise _too_large(url, final, size, f"sent more than {size + _SIZE_MARGIN} bytes")
    if expired.is_set():
        raise failed(None)
    announced = response.headers.get("Content-Length")  # http.client takes a short body silently
    if announced and announced.isdigit() and int(announced) != f.tell():
        raise DownloadError(f"Could not download {url}: the connection was cut after {f.tell()} of {announced} "
                            f"bytes; check the network and {fetch_advice()} again.")
    if h.hexdigest() != md5:
        raise DownloadError(f"checksum mismatch for {final.name} from {url}: expected MD5 {md5}, got "
                            f"{h.hexdigest()}; nothing was saved, try again or use another mirror")


def _fetch(url, final: Path, md5, pretty, timeout, deadline, created, size=None) -> int:
    """Stream ``url`` into ``final`` through atomic_write, checked against ``md5``; returns the size.

    ``timeout`` bounds each network operation, ``deadline`` the whole file. ``size``: the published
    size; more than size + _SIZE_MARGIN bytes (announced or sent) stops the download. The folders
    made for ``final`` are added to ``created``."""
    request = urllib.request.Request(url, headers={"User-Agent": "helpers.data (course bundle)"})
    with _opener_with_deadline(deadline) as (opener, expired):
        failed = functools.partial(_failed, url, pretty, deadline, expired)
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise DownloadError(f"Could not download {url}: the server answered HTTP {exc.code} ({exc.reason}); "
                                "check the mirror (--base-url) or try again later.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise failed(exc) from None
        with response:
            announced = response.headers.get("Content-Length", "")
            if size is not None and announced.isdigit() and int(announced) > size + _SIZE_MARGIN:
                raise _too_large(url, final, size, f"announces {announced} bytes")
            missing = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
            with held_signals():  # noted for clean-up as they are made
                created.extend(reversed(missing))
                final.parent.mkdir(parents=True, exist_ok=True)  # only now that data arrive
            atomic_write(final, lambda f: _copy(response, f, url, final, md5, size, failed, expired))
    return final.stat().st_size


def _md5(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def _seconds(value, name: str) -> float:
    with contextlib.suppress(TypeError, ValueError):
        if math.isfinite(seconds := float(value)) and seconds > 0:
            return seconds
    raise ValueError(f"{name} must be a positive number of seconds, got {str(value)[:40]!r}")


def _check_args(files, timeout, deadline, base):
    """download's arguments, checked: (timeout, deadline, the mirror ``base`` ending in /)."""
    if files is not None and not (isinstance(files, dict) and files):
        raise ValueError("files must be a non-empty dict {file name: md5 hex digest}")
    for fname, md5 in (files or {}).items():
        if not isinstance(fname, str) or not fname or Path(fname).name != fname or fname.startswith("."):
            raise ValueError(f"files: {fname!r} must be a plain file name, without folders")
        if not isinstance(md5, str) or len(md5) != 32 or any(c not in "0123456789abcdef" for c in md5.lower()):
            raise ValueError(f"files[{fname!r}] must be a 32-digit hex MD5, got {md5!r}")
    timeout, deadline, ok = _seconds(timeout, "timeout"), _seconds(deadline, "deadline"), False
    with contextlib.suppress(TypeError, ValueError):  # e.g. "http://[::1" or a port out of range
        parts = urllib.parse.urlsplit(base)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    if not ok:
        raise ValueError(f"base_url must be an http:// or https:// address, got {str(base)[:100]!r}")
    return timeout, deadline, base.rstrip("/") + "/"


def download(name, root="data", *, base_url=None, files=None, timeout=30, deadline=900, log=None):
    """Fetch the four IDX files of MNIST or Fashion-MNIST into ``root/name/``, each checked against its MD5.

    Each streams into an :func:`atomic_write` temp file, renamed into place once complete and verified; a
    valid file already there is skipped, partial files of a download that died are removed (data/README.md),
    and a failed call removes the folders it made. Returns the final paths. Raises DownloadError (network,
    HTTP, deadline, MD5, a file past its published size), ValueError (a bad argument) or OSError (the disk).

    root : the parent folder, resolved as in ``load_mnist``
    base_url : str, the http(s) address of another mirror
    files : dict {file name: MD5 hex}, replaces the table (tests serve small files); a file named as a
        published one is still capped at its published size plus 64 KiB
    timeout, deadline : float, seconds for each network operation, and for one file in all
    log : callable(str), called with one line per file (e.g. ``print``)
    """
    pretty, default_url, table = _DATASETS[_check_name(name)]
    timeout, deadline, base = _check_args(files, timeout, deadline, default_url if base_url is None else base_url)
    dest, created, paths = _resolve_root(root) / name, [], []
    try:
        for fname, md5 in (files or table).items():
            md5, final = md5.lower(), dest / fname
            _remove_stale(dest, fname)
            if final.is_file() and _md5(final) == md5:
                message = f"already present and valid (MD5 {md5})"
            else:
                size = _fetch(base + fname, final, md5, pretty, timeout, deadline, created, _SIZES[name].get(fname))
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
