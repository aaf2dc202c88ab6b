"""Hostile files, slow servers, full disks and signals: one line, the right exit status, nothing left behind.

Downloads run against loopback servers only; signals go to a child process the test starts.
No assertion is about speed: where a fault used to hang, the test's server stops by itself
after a bounded number of bytes, so a missing fix fails instead of hanging.
"""

import contextlib
import errno
import gzip
import hashlib
import http.server
import inspect
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_data import (
    FETCH_SCRIPT,
    MNIST_FILES,
    REPO,
    LoopbackServer,
    _import_fetch_script,
    files_in,
    run_fetch,
    write_tiny,
)

from helpers import _download, _idx, data
from helpers.data import DownloadError, atomic_write, download, load_mnist, read_idx, write_idx
from helpers.train.__main__ import main as train_main

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def one_line(text):
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


# ------------------------------------------------------------------ hostile IDX files


def _gzip_stream(*parts):
    """gzip bytes of the concatenated parts, each part (bytes, repeat) compressed without building it whole."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [z.compress(chunk) for chunk, repeat in parts for _ in range(repeat)]
    return b"".join([*out, z.flush()])


class _Counting:
    """A zlib decompressor that adds the bytes it inflates to ``total``."""

    total, make = 0, zlib.decompressobj

    def __init__(self, *args):
        self._z = _Counting.make(*args)

    def decompress(self, data, max_length=0):
        out = self._z.decompress(data, max_length)
        _Counting.total += len(out)
        return out

    def __getattr__(self, name):
        return getattr(self._z, name)


def test_read_idx_rejects_a_gzip_bomb_after_inflating_at_most_the_header_bound(tmp_path, monkeypatch):
    # A valid header for 10x10 uint8 (100 bytes), then 64 MiB of zeros: 64 KB on disk.
    path = tmp_path / "bomb.gz"
    path.write_bytes(_gzip_stream((bytes([0, 0, 8, 2, 0, 0, 0, 10, 0, 0, 0, 10]), 1), (bytes(1 << 20), 64)))
    assert path.stat().st_size < 200_000
    _Counting.total = 0
    monkeypatch.setattr(_idx.zlib, "decompressobj", _Counting)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    assert _Counting.total <= 12 + 100 + 1  # header, the data it announces, one byte to see the excess
    assert re.fullmatch(r".*bomb\.gz: trailing bytes: header says 10x10 uint8 = 100 bytes, file has more than "
                        r"100; delete it and download it again", one_line(str(info.value)))


def test_read_idx_rejects_a_header_its_gzip_file_cannot_hold_before_inflating_the_data(tmp_path, monkeypatch):
    # The header announces 512 MiB; a deflate stream inflates at most 1032 times its size (zlib's
    # technical notes), and this file is about 1 KB.
    path = tmp_path / "claims.gz"
    path.write_bytes(_gzip_stream((bytes([0, 0, 8, 3, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0]), 1), (bytes(1 << 20), 1)))
    _Counting.total = 0
    monkeypatch.setattr(_idx.zlib, "decompressobj", _Counting)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    assert _Counting.total <= 16  # the header only
    assert re.fullmatch(r".*claims\.gz: truncated: header says 512x1024x1024 uint8 = 536870912 bytes, more than a "
                        r"gzip file of \d+ bytes can hold; delete it and download it again", one_line(str(info.value)))


def test_read_idx_zero_header_is_rejected_after_four_bytes(tmp_path, monkeypatch):
    path = tmp_path / "zeros.gz"
    path.write_bytes(_gzip_stream((bytes(1 << 20), 64)))
    _Counting.total = 0
    monkeypatch.setattr(_idx.zlib, "decompressobj", _Counting)
    with pytest.raises(ValueError, match="unknown IDX type code 0x00"):
        read_idx(path)
    assert _Counting.total <= 4


@pytest.mark.parametrize("header", [
    bytes([0, 0, 8, 255]) + b"\0\0\0\2" * 255,  # 255 dimensions
    bytes([0, 0, 8, 30]) + b"\xff\xff\xff\xff" * 30,  # 30 dimensions of 2**32 - 1: an absurd size
    bytes([0, 0, 0x0E, 6]) + b"\0\0\0\3" * 6 + b"\0" * 10,  # six dimensions, truncated data
    bytes([0, 0, 8, 20]) + b"\0\0\0\1" * 3,  # truncated header
], ids=["ndim 255", "huge", "6-D truncated", "header cut"])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_every_read_idx_message_is_one_short_line(tmp_path, header, gz):
    path = tmp_path / "hostile.idx"
    path.write_bytes(gzip.compress(header, mtime=0) if gz else header)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    msg = one_line(str(info.value))
    assert msg.startswith(str(path)) and len(msg) < len(str(path)) + 160, msg
    assert "download it again" in msg


def test_read_idx_reads_concatenated_gzip_members_and_rejects_garbage_after(tmp_path):
    a = np.arange(300, dtype=np.int16).reshape(3, 100)
    path = tmp_path / "a.gz"
    write_idx(path, a)
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:150]) + gzip.compress(raw[150:]))  # two members, as `cat a.gz b.gz`
    np.testing.assert_array_equal(read_idx(path), a)
    path.write_bytes(gzip.compress(raw) + b"garbage")
    with pytest.raises(ValueError, match=r"a\.gz: corrupt or truncated gzip data"):
        read_idx(path)


# ------------------------------------------------------------- MNIST files in a folder


def _set_labels(folder, stem, labels):
    write_idx(Path(folder) / f"{stem}.gz", np.asarray(labels, dtype=np.uint8))


def test_load_mnist_rejects_labels_outside_0_to_9(tmp_path):
    arrays = write_tiny(tmp_path / "mnist")
    _set_labels(tmp_path / "mnist", "t10k-labels-idx1-ubyte", [3, 12, 10, 12][: len(arrays["t10k-labels-idx1-ubyte"])])
    with pytest.raises(ValueError) as info:
        load_mnist("mnist", root=tmp_path)
    msg = one_line(str(info.value))
    assert "t10k-labels-idx1-ubyte.gz: labels must be 0..9, found 10, 12;" in msg and "make data" in msg


def test_load_mnist_quotes_at_most_five_bad_labels(tmp_path):
    write_tiny(tmp_path / "mnist")
    _set_labels(tmp_path / "mnist", "train-labels-idx1-ubyte", [200, 100, 50, 40, 30, 20])
    with pytest.raises(ValueError, match=r"found 20, 30, 40, 50, 100, \.\.\.;"):
        load_mnist("mnist", root=tmp_path)


def _cli(capsys, *args):
    status = train_main(["--epochs", "1", "--hidden", "4", "--batch-size", "2", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_trains_when_a_class_appears_only_in_the_test_set(tmp_path, capsys):
    write_tiny(tmp_path / "mnist")
    _set_labels(tmp_path / "mnist", "train-labels-idx1-ubyte", [0, 1, 2, 0, 1, 2])
    _set_labels(tmp_path / "mnist", "t10k-labels-idx1-ubyte", [9, 8, 0, 1])
    status, out, err = _cli(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path))
    assert status == 0 and "test accuracy" in out and err == ""


def _truncated_gzip(path):
    path.write_bytes(path.read_bytes()[:30])


def _foreign_images(path):
    write_idx(path, np.zeros((4, 5, 5), dtype=np.float32))


def _other_image_size(path):
    write_idx(path, np.zeros((4, 6, 6), dtype=np.uint8))


def _rank_255(path):
    path.write_bytes(bytes([0, 0, 8, 255]) + b"\0\0\0\1" * 255)


def _empty(path):
    path.write_bytes(b"")


def _label_12(path):
    write_idx(path, np.array([1, 2, 12, 3], dtype=np.uint8))


def _no_images(path):
    write_idx(path, np.zeros((0, 5, 5), dtype=np.uint8))


@pytest.mark.parametrize("damage, stem", [
    (_truncated_gzip, "t10k-images-idx3-ubyte"), (_foreign_images, "t10k-images-idx3-ubyte"),
    (_other_image_size, "t10k-images-idx3-ubyte"), (_rank_255, "train-images-idx3-ubyte"),
    (_empty, "train-labels-idx1-ubyte"), (_label_12, "t10k-labels-idx1-ubyte"), (_no_images, "t10k-images-idx3-ubyte"),
], ids=lambda v: getattr(v, "__name__", v))
def test_cli_names_the_damaged_file_in_one_line(tmp_path, capsys, damage, stem):
    write_tiny(tmp_path / "mnist")
    if damage is _no_images:
        _set_labels(tmp_path / "mnist", "t10k-labels-idx1-ubyte", [])
    damage(tmp_path / "mnist" / f"{stem}.gz")
    status, out, err = _cli(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path))
    line = one_line(err)
    assert status == 2 and out == ""
    assert line.startswith("error: ") and "idx" in line and "make data" in line, line


def test_cli_names_an_unreadable_file(tmp_path, capsys, monkeypatch):
    write_tiny(tmp_path / "mnist")

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(data, "read_idx", denied)
    status, _, err = _cli(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path))
    line = one_line(err)
    assert status == 2 and "train-images-idx3-ubyte.gz: cannot be read (Permission denied)" in line


def test_load_dataset_of_images_all_one_grey_is_finite(tmp_path):
    folder = tmp_path / "mnist"
    write_tiny(folder)
    write_idx(folder / "train-images-idx3-ubyte.gz", np.full((6, 5, 5), 7, dtype=np.uint8))
    X_tr, _, X_te, _ = data.load_dataset("mnist", tmp_path)
    assert np.isfinite(X_tr).all() and np.isfinite(X_te).all()


# ---------------------------------------------------------------------- atomic_write


@pytest.mark.skipif(not hasattr(os, "symlink") or fcntl is None, reason="POSIX links and locks")
def test_atomic_write_replaces_a_planted_link_and_locks_its_temp_file(tmp_path):
    victim, path = tmp_path / "victim.txt", tmp_path / "plot.png"
    victim.write_text("precious")
    path.symlink_to(victim)
    seen = []

    def write(f):
        (tmp,) = tmp_path.glob(".plot.png.*.part")
        with open(tmp, "rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        seen.append(tmp)
        f.write(b"new")

    atomic_write(path, write)
    assert victim.read_text() == "precious" and not path.is_symlink() and path.read_bytes() == b"new"
    assert seen and sorted(p.name for p in tmp_path.iterdir()) == ["plot.png", "victim.txt"]


def test_atomic_write_that_fails_leaves_nothing(tmp_path):
    def write(f):
        f.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(tmp_path / "x.idx", write)
    assert files_in(tmp_path) == []


# ------------------------------------------------------------------- slow servers


class Trickle(LoopbackServer):
    """A loopback HTTP server that sends each response one byte every ``interval`` seconds (at most
    ``limit`` bytes, so that it ends by itself); with ``head=False`` the status line and headers go at once."""

    def __init__(self, body=b"\x1f\x8b" + bytes(4000), interval=0.02, head=False, limit=2000, tls=None):
        self.requests, self.started = [], threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                head_bytes = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
                slow = head_bytes + body if head else body
                with contextlib.suppress(OSError):
                    if not head:
                        self.wfile.write(head_bytes)
                    server.started.set()
                    for i in range(min(len(slow), limit)):
                        self.wfile.write(slow[i : i + 1])
                        time.sleep(interval)

            def log_message(self, *args):
                pass

        self._listen(Handler, tls)


@pytest.fixture
def trickle():
    servers = []

    def make(**kwargs):
        servers.append(Trickle(**kwargs))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.parametrize("head", [False, True], ids=["trickling body", "trickling headers"])
def test_download_deadline_stops_a_trickling_server(tmp_path, trickle, head):
    # 2000 bytes at one per 20 ms would take 40 s; the deadline is 0.25 s and each read is quick
    server = trickle(head=head)
    root = tmp_path / "dl"
    with pytest.raises(DownloadError) as info:
        download("mnist", root, base_url=server.url, files={"a.gz": "0" * 32}, timeout=10, deadline=0.25)
    msg = one_line(str(info.value))
    assert "took more than the deadline of 0.25 s" in msg and "--deadline" in msg
    assert not root.exists()


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that this test's downloads trust (SSL_CERT_FILE)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


def test_download_over_https(tmp_path, trickle, certificate):
    body = gzip.compress(b"an https mirror", mtime=0)
    server = trickle(body=body, interval=0, limit=10**6, tls=certificate)
    root = tmp_path / "dl"
    md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
    assert download("mnist", root, base_url=server.url, files={"a.gz": md5}, timeout=10) == [root / "mnist" / "a.gz"]
    assert (root / "mnist" / "a.gz").read_bytes() == body


def test_download_deadline_stops_a_trickling_https_server(tmp_path, trickle, certificate):
    server = trickle(tls=certificate)
    with pytest.raises(DownloadError, match="took more than the deadline of 0.25 s"):
        download("mnist", tmp_path / "dl", base_url=server.url, files={"a.gz": "0" * 32}, timeout=10, deadline=0.25)
    assert files_in(tmp_path) == ["cert.pem", "key.pem"]


def test_download_deadline_is_documented_with_its_default(capsys):
    default = inspect.signature(download).parameters["deadline"].default
    assert default == 900 and "deadline : float" in download.__doc__
    with pytest.raises(SystemExit) as stop:
        _import_fetch_script().main(["--help"])
    assert stop.value.code == 0 and f"default: {default}" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, match", [
    (dict(timeout=0), "timeout must be a positive number"), (dict(timeout=float("nan")), "timeout"),
    (dict(timeout=-1), "timeout"), (dict(timeout=float("inf")), "timeout"), (dict(timeout="soon"), "timeout"),
    (dict(deadline=0), "deadline must be"), (dict(deadline=float("nan")), "deadline"),
    (dict(base_url="ftp://example.org/"), "http:// or https://"), (dict(base_url="example.org"), "http"),
    (dict(base_url="http://"), "http"), (dict(base_url="http://[::1/"), "http"),
    (dict(base_url="http://host:99999/"), "http"),
])
def test_download_rejects_bad_settings_before_any_network(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        download("mnist", tmp_path / "dl", **kwargs)
    assert files_in(tmp_path) == []


# ------------------------------------------------------------------- stale partial files


def _part(folder, fname, age, tag="abcd1234"):
    part = Path(folder) / f".{fname}.{tag}.part"
    part.write_bytes(b"\x1f\x8b partial")
    os.utime(part, (time.time() - age, time.time() - age))
    return part


@pytest.mark.skipif(fcntl is None, reason="POSIX locks")
def test_download_removes_only_stale_partial_files_it_owns(tmp_path):
    dest = tmp_path / "mnist"
    dest.mkdir()
    fname = MNIST_FILES[0]
    stale = _part(dest, fname, age=3600)
    young = _part(dest, fname, age=1, tag="young123")
    locked = _part(dest, fname, age=3600, tag="locked12")
    foreign = _part(dest, "notes.txt", age=3600)
    with open(locked, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a live download elsewhere
        with pytest.raises(DownloadError):
            download("mnist", tmp_path, base_url=_dead_url(), files={fname: "0" * 32}, timeout=5)
    assert not stale.exists() and young.exists() and locked.exists() and foreign.exists()


def _dead_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


# ------------------------------------------------------------------- the fetch script


@pytest.mark.parametrize("flag, value", [
    ("--timeout", "0"), ("--timeout", "nan"), ("--timeout", "-3"), ("--deadline", "0"), ("--timeout", "x"),
    ("--base-url", "ftp://example.org/"), ("--base-url", "http://[::1"), ("--base-url", "not a url"),
])
def test_fetch_script_bad_setting_is_one_line_exit_2(tmp_path, capsys, flag, value):
    # the script's main() in this process (the script run as a process: the tests around this one)
    fetch = _import_fetch_script()
    try:
        code = fetch.main(["--root", str(tmp_path / "dl"), flag, value])
    except SystemExit as stop:  # argparse's errors
        code = stop.code
    out, err = capsys.readouterr()
    line = one_line(err)
    assert code == 2 and line.startswith("error: ") and out == ""
    assert files_in(tmp_path) == []


@pytest.fixture
def served_mnist(trickle):
    """A server that answers at once, with bytes that are not MNIST's (a run fails at the checksum at the latest)."""
    return trickle(interval=0, limit=10**6, body=gzip.compress(b"tiny", mtime=0))


@pytest.mark.parametrize("where", ["root is a file", "folder is a file"])
def test_fetch_script_a_file_in_the_way_is_one_line_exit_2(tmp_path, served_mnist, where):
    root = tmp_path / "dl"
    if where == "root is a file":
        root.write_text("x")
    else:
        root.mkdir()
        (root / "mnist").write_text("x")
    proc = run_fetch("--root", str(root), "--base-url", served_mnist.url, "mnist")
    line = one_line(proc.stderr)
    assert proc.returncode == 2 and "cannot write" in line and "a file stands where a folder is needed" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dl"] and (root.is_file() or files_in(root) == ["mnist"])


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_fetch_script_disk_full_is_one_line_exit_2_and_leaves_nothing(tmp_path, trickle):
    # RLIMIT_FSIZE makes every write past 64 bytes fail (EFBIG), as a full disk fails (ENOSPC)
    server = trickle(interval=0, limit=10**6)
    root = tmp_path / "dl"
    child = ("import resource, runpy, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64)); sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", child, str(FETCH_SCRIPT), "--root", str(root), "--base-url",
                           server.url, "mnist"], capture_output=True, text=True, timeout=120, cwd=REPO)
    line = one_line(proc.stderr)
    assert proc.returncode == 2 and "File too large" in line and "free some disk space" in line
    assert not root.exists()


@pytest.mark.parametrize("code, words", [
    (errno.EACCES, "choose a folder you can write to"), (errno.EROFS, "choose a folder you can write to"),
    (errno.ENOSPC, "free some disk space"),
])
def test_fetch_script_other_disk_errors_are_one_line_exit_2(tmp_path, served_mnist, monkeypatch, capsys, code, words):
    fetch = _import_fetch_script()

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(_download.tempfile, "mkstemp", refuse)
    root = tmp_path / "dl"
    assert fetch.main(["--root", str(root), "--base-url", served_mnist.url, "mnist"]) == 2
    out = capsys.readouterr()
    assert words in one_line(out.err) and os.strerror(code) in out.err
    assert not root.exists()


@contextlib.contextmanager
def _not_ignored(sig):
    """Make sure a child started inside gets ``sig`` with its default action (exec resets handled signals)."""
    old = signal.getsignal(sig) if sig is not None else None
    if old is signal.SIG_IGN:
        signal.signal(sig, lambda *args: None)
    try:
        yield
    finally:
        if old is not None:
            signal.signal(sig, old)


def _start_fetch_and_wait_for_part(tmp_path, server, sig):
    root = tmp_path / "dl"
    with _not_ignored(sig):
        child = subprocess.Popen([sys.executable, str(FETCH_SCRIPT), "--root", str(root), "--base-url", server.url,
                                  "mnist"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    for _ in range(1200):  # a generous bound against a stuck child, not a speed requirement
        if root.is_dir() and list(root.rglob("*.part")) or child.poll() is not None:
            break
        time.sleep(0.05)
    assert list(root.rglob("*.part")), child.communicate()
    return root, child


REPEAT = range(int(os.environ.get("SIGNAL_REPEAT", "1")))  # .ci/run sets 30: a race shows in a few runs of 90


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("attempt", REPEAT)
@pytest.mark.parametrize("sig, status", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_fetch_script_signal_mid_download_cleans_up(tmp_path, trickle, sig, status, attempt):
    sig = getattr(signal, sig)
    root, child = _start_fetch_and_wait_for_part(tmp_path, trickle(), sig)
    child.send_signal(sig)
    out, err = child.communicate(timeout=60)
    line = one_line(err)
    assert child.returncode == status and out == ""
    assert line.startswith("error: ") and "discarded" in line
    assert not root.exists()


def _signal_right_after(monkeypatch, name, sig, when):
    """Make ``os.<name>`` send ``sig`` to this process as soon as it has done its work, when ``when(path)``:
    the signal lands between making a file or folder and anything after it."""
    real = getattr(os, name)

    def made_then_signalled(path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if when(str(path)):
            os.kill(os.getpid(), sig)
        return result

    monkeypatch.setattr(os, name, made_then_signalled)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_atomic_write_leaves_nothing_when_a_signal_lands_as_its_temp_file_is_made(tmp_path, monkeypatch, sig):
    sig, stopped = getattr(signal, sig), []

    def stop(signum, frame):
        stopped.append(signum)
        raise InterruptedError("stopped")

    previous = signal.signal(signal.SIGTERM, stop)  # as the fetch script and the CLI handle SIGTERM
    try:
        _signal_right_after(monkeypatch, "open", sig, lambda path: path.endswith(".part"))
        with pytest.raises((KeyboardInterrupt, InterruptedError)):
            atomic_write(tmp_path / "x.png", lambda f: f.write(b"never"))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert files_in(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_download_leaves_no_folder_when_a_signal_lands_as_it_is_made(tmp_path, trickle, monkeypatch):
    server = trickle(interval=0, limit=10**6, body=gzip.compress(b"tiny", mtime=0))
    root = tmp_path / "dl"
    _signal_right_after(monkeypatch, "mkdir", signal.SIGINT, lambda path: path == str(root / "mnist"))
    with pytest.raises(KeyboardInterrupt):
        download("mnist", root, base_url=server.url, files={"a.gz": "0" * 32}, timeout=10)
    assert files_in(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_fetch_script_sigterm_as_the_folder_is_made_leaves_nothing(tmp_path, trickle, monkeypatch, capsys):
    fetch = _import_fetch_script()
    server = trickle(interval=0, limit=10**6, body=gzip.compress(b"tiny", mtime=0))
    root = tmp_path / "dl"
    _signal_right_after(monkeypatch, "mkdir", signal.SIGTERM, lambda path: path == str(root))
    with _not_ignored(signal.SIGTERM):
        assert fetch.main(["--root", str(root), "--base-url", server.url, "mnist"]) == 143
    assert one_line(capsys.readouterr().err).startswith("error: stopped by SIGTERM")
    assert files_in(tmp_path) == []


# ------------------------------------------------------------------- a mirror that never stops


class Endless(LoopbackServer):
    """Sends ``limit`` bytes (a stand-in for "forever"), announcing ``length`` (None: no Content-Length)."""

    def __init__(self, limit, length=None):
        self.sent = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                with contextlib.suppress(OSError):
                    for _ in range(limit // 4096):
                        self.wfile.write(b"\x1f\x8b" + bytes(4094))
                        server.sent += 4096

            def log_message(self, *args):
                pass

        self._listen(Handler)


@pytest.mark.parametrize("announced", [None, 10**9], ids=["no length", "announces 1 GB"])
def test_download_stops_past_the_published_size(tmp_path, announced):
    fname = MNIST_FILES[3]  # 4542 bytes when published
    server = Endless(limit=4 << 20, length=announced)
    try:
        with pytest.raises(DownloadError) as info:
            download("mnist", tmp_path / "dl", base_url=server.url, files={fname: "0" * 32}, timeout=10)
    finally:
        server.close()
    msg = one_line(str(info.value))
    what = "announces 1000000000 bytes" if announced else f"sent more than {4542 + _download._SIZE_MARGIN} bytes"
    assert f"the server {what}, but the published {fname} has 4542 bytes; nothing was saved" in msg
    assert files_in(tmp_path) == []


def test_published_sizes_are_those_of_the_published_files():
    assert _download._SIZES["mnist"][MNIST_FILES[0]] == 9912422  # the largest MNIST file
    assert max(_download._SIZES["fashion-mnist"].values()) == 26421880  # Fashion-MNIST's training images
    assert all(tuple(sizes) == MNIST_FILES for sizes in _download._SIZES.values())


@pytest.mark.skipif(fcntl is None, reason="POSIX signals and locks")
def test_partial_file_of_a_killed_download_is_removed_by_the_next_run(tmp_path, trickle):
    root, child = _start_fetch_and_wait_for_part(tmp_path, trickle(), None)
    child.kill()  # no handler runs: the partial file stays
    child.communicate(timeout=60)
    (part,) = root.rglob("*.part")
    os.utime(part, (time.time() - 3600, time.time() - 3600))
    with pytest.raises(DownloadError):
        download("mnist", root, base_url=_dead_url(), timeout=5)
    assert files_in(root) == ["mnist"]


# ------------------------------------------------------- data/README.md, "What happens when…"


def _what_happens():
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## What happens when…", 1)[1]
    return " ".join(section.split())  # one line: sentences wrap anywhere


def test_readme_what_happens_gives_the_code_s_numbers():
    text, fetch = _what_happens(), _import_fetch_script()
    sig = inspect.signature(download).parameters
    assert f"`--timeout` ({sig['timeout'].default} s by default)" in text
    assert f"`--deadline` ({sig['deadline'].default} s, `deadline=` of `download`)" in text
    assert f"nothing was written to it for {_download.STALE_AFTER} s" in text
    assert "130 (Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP)" in text
    assert 128 + signal.SIGTERM == 143 and (not hasattr(signal, "SIGHUP") or 128 + signal.SIGHUP == 129)
    assert fetch.main(["--timeout", "0"]) == 2  # a bad setting: status 2 before any network


def test_readme_what_happens_divergence_sentence(capsys):
    # "python -m helpers.train stops, names the likely cause ... and exits with status 1"
    assert "exits with status 1" in _what_happens()
    status = train_main(["--dataset", "digits", "--lr", "100", "--epochs", "2"])
    err = capsys.readouterr().err
    assert status == 1 and "diverged" in one_line(err) and "lower the learning rate" in err


def test_readme_what_happens_explorers_say_diverged():
    # DescentExplorer and TrainingExplorer are checked in test_widgets.py and test_nb05_mnist.py
    pytest.importorskip("ipywidgets")
    from helpers.widgets import HiddenUnitsExplorer, PlaygroundExplorer

    X, y = data.make_xor(200, 0.5, seed=0)
    ex = PlaygroundExplorer(X * 1000, y, hidden=4, lr=3.0, beta=0.9, seed=0, steps=50)
    ex.train()
    assert "diverged" in ex.status.get_text()
    X, y = data.load_iris()
    X_tr, X_te, y_tr, y_te = data.train_test_split(data.standardize(X)[0], y, seed=0)
    hu = HiddenUnitsExplorer(X_tr, y_tr, X_te, y_te, np.eye(4)[:, :2], X_tr.mean(axis=0), lr=10, epochs=60,
                             resolution=20)
    assert "diverged" in hu.info.get_text()
    assert 'the explorers say "diverged" in their status text' in _what_happens()
