"""Tests for helpers.data: shipped tables, IDX files, MNIST loading and downloading."""

import contextlib
import functools
import gzip
import hashlib
import http.server
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from helpers import _idx, data
from helpers.data import (
    IRIS_CLASSES,
    IRIS_FEATURES,
    MNIST_FILES,
    DatasetMissing,
    DownloadError,
    download,
    load_digits,
    load_iris,
    load_mnist,
    make_xor,
    minibatches,
    one_hot,
    read_idx,
    standardize,
    train_test_split,
    write_idx,
)

REPO = Path(__file__).resolve().parent.parent
FETCH_SCRIPT = REPO / "scripts" / "fetch_data.py"


def files_in(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*"))


def md5_of(path):
    return hashlib.md5(Path(path).read_bytes(), usedforsecurity=False).hexdigest()


# ------------------------------------------------------------------ make_xor


def test_make_xor_shapes_and_labels():
    X, y = make_xor(200, noise=0.5, seed=3)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert set(np.unique(y)) == {0, 1}


def test_make_xor_blobs_are_balanced():
    # Tiny noise: every point stays in its blob's quadrant, n/4 per quadrant.
    X, y = make_xor(400, noise=0.01, seed=0)
    quadrant = 2 * (X[:, 0] > 0) + (X[:, 1] > 0)
    np.testing.assert_array_equal(np.bincount(quadrant, minlength=4), [100] * 4)
    assert y.sum() == 200
    centres = np.sign(X)
    assert np.abs(X - centres).max() < 0.1


def test_make_xor_deterministic_per_seed():
    a = make_xor(100 * 4, seed=7)
    b = make_xor(100 * 4, seed=7)
    c = make_xor(100 * 4, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_make_xor_leaves_global_random_state_alone():
    before = np.random.get_state()  # compared, never set: the test changes no global state itself
    make_xor(8, seed=1)
    after = np.random.get_state()
    np.testing.assert_array_equal(after[1], before[1])
    assert after[2:] == before[2:]


@pytest.mark.parametrize("n", [0, -4, 6, 201, 4.0, True])
def test_make_xor_rejects_bad_n(n):
    with pytest.raises(ValueError, match="multiple of 4"):
        make_xor(n)


def test_make_xor_rejects_negative_noise():
    with pytest.raises(ValueError, match="noise"):
        make_xor(8, noise=-1.0)


# ----------------------------------------------------------- shipped tables


def test_load_iris():
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    assert IRIS_CLASSES == ("setosa", "versicolor", "virginica")
    assert len(IRIS_FEATURES) == 4 and all(f.endswith("_cm") for f in IRIS_FEATURES)
    # Known ranges of Fisher's measurements (cm).
    np.testing.assert_allclose(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_allclose(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    np.testing.assert_allclose(X[0], [5.1, 3.5, 1.4, 0.2])
    # Setosa has the smallest petals: separable on petal length alone.
    assert X[y == 0, 2].max() < X[y != 0, 2].min()


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_shipped_tables_load_from_any_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_iris()[0].shape == (150, 4)
    assert load_digits()[0].shape == (1797, 64)


def test_shipped_files_match_readme_sha256():
    readme = (REPO / "data" / "README.md").read_text()
    for name in ("iris.csv", "digits.csv.gz"):
        m = re.search(rf"`{re.escape(name)}` \|[^\n]*`([0-9a-f]{{64}})`", readme)
        assert m, f"no sha256 for {name} in data/README.md"
        assert hashlib.sha256((REPO / "data" / name).read_bytes()).hexdigest() == m.group(1)


def test_digits_file_is_byte_reproducible_gzip():
    raw = (REPO / "data" / "digits.csv.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\0\0\0\0"  # mtime 0
    assert raw[3] & 0x08 == 0  # no stored file name


# -------------------------------------------------------------------- IDX


@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int8, np.int16, np.int32, np.float64])
def test_idx_round_trip(tmp_path, suffix, dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((5, 3, 4)) * 50).astype(dtype)
    path = tmp_path / f"a{suffix}"
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    assert b.shape == (5, 3, 4)
    np.testing.assert_array_equal(a, b)
    b[0, 0, 0] = 1  # writable, not a view of a bytes object
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == suffix.endswith(".gz")
    assert files_in(tmp_path) == [f"a{suffix}"]  # no temp file left behind


def test_idx_header_layout(tmp_path):
    path = tmp_path / "labels.idx"
    write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
    assert path.read_bytes() == bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 3, 1, 4])


def test_write_idx_gzip_is_reproducible(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", a)
    first = (tmp_path / "a.gz").read_bytes()
    write_idx(tmp_path / "a.gz", a)
    assert (tmp_path / "a.gz").read_bytes() == first
    assert first[4:8] == b"\0\0\0\0"


def test_read_idx_detects_gzip_by_magic_not_name(tmp_path):
    a = np.arange(6, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", a)
    renamed = tmp_path / "a-ubyte"
    (tmp_path / "a.gz").rename(renamed)
    np.testing.assert_array_equal(read_idx(renamed), a)


def test_write_idx_does_not_mutate_input(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    copy = a.copy()
    write_idx(tmp_path / "a.idx", a)
    np.testing.assert_array_equal(a, copy)


@pytest.mark.parametrize("bad", [np.arange(3, dtype=np.int64), np.array([True]), np.float32(1.0)])
def test_write_idx_rejects_unsupported(tmp_path, bad):
    with pytest.raises(ValueError, match="IDX|dimension"):
        write_idx(tmp_path / "x.idx", bad)
    assert files_in(tmp_path) == []


def _plain_idx(tmp_path, array, name="x.idx"):
    path = tmp_path / name
    write_idx(path, array)
    return path, path.read_bytes()


def test_read_idx_truncated(tmp_path):
    path, raw = _plain_idx(tmp_path, np.zeros((4, 5, 5), dtype=np.uint8))
    path.write_bytes(raw[:-7])
    with pytest.raises(ValueError, match=r"x\.idx: truncated: header says 4x5x5 uint8 = 100 bytes, file has 93"):
        read_idx(path)


def test_read_idx_truncated_header(tmp_path):
    path, raw = _plain_idx(tmp_path, np.zeros((4, 5, 5), dtype=np.uint8))
    path.write_bytes(raw[:10])
    with pytest.raises(ValueError, match=r"x\.idx: truncated header"):
        read_idx(path)


def test_read_idx_trailing_bytes(tmp_path):
    path, raw = _plain_idx(tmp_path, np.zeros((2, 3), dtype=np.float32))
    path.write_bytes(raw + b"\0\0")
    with pytest.raises(ValueError, match=r"x\.idx: trailing bytes: header says 2x3 float32 = 24 bytes, file has 26"):
        read_idx(path)


def test_read_idx_wrong_magic(tmp_path):
    path, raw = _plain_idx(tmp_path, np.zeros(3, dtype=np.uint8))
    path.write_bytes(b"\x01" + raw[1:])
    with pytest.raises(ValueError, match=r"x\.idx: not an IDX file"):
        read_idx(path)


def test_read_idx_bad_type_code(tmp_path):
    path, raw = _plain_idx(tmp_path, np.zeros(3, dtype=np.uint8))
    path.write_bytes(raw[:2] + b"\x0a" + raw[3:])
    with pytest.raises(ValueError, match=r"x\.idx: unknown IDX type code 0x0A"):
        read_idx(path)


def test_read_idx_zero_dims(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 8, 0]))
    with pytest.raises(ValueError, match=r"x\.idx: .*0 dimensions"):
        read_idx(path)


def test_read_idx_tiny_file(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(b"\0")
    with pytest.raises(ValueError, match=r"x\.idx: not an IDX file"):
        read_idx(path)


def _truncated(raw):
    return raw[: len(raw) // 2]


def _overwritten(raw):
    return raw[:20] + b"\xff" * 20 + raw[40:]


def _bad_crc(raw):
    return raw[:-8] + bytes([raw[-8] ^ 0xFF]) + raw[-7:]  # the CRC-32 in the gzip trailer


@pytest.mark.parametrize("damage", [_truncated, _overwritten, _bad_crc])
def test_read_idx_rejects_a_damaged_gzip(tmp_path, damage):
    path = tmp_path / "x.idx.gz"
    write_idx(path, np.arange(1000, dtype=np.int32))
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=r"x\.idx\.gz: corrupt or truncated gzip"):
        read_idx(path)


def test_read_idx_gzip_of_bad_idx_names_file(tmp_path):
    path = tmp_path / "y.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]), mtime=0))
    with pytest.raises(ValueError, match=r"y\.gz: truncated"):
        read_idx(path)


# ------------------------------------------------------------------ MNIST

# A miniature MNIST: 6 training and 4 test images of 5x5 pixels.
TINY_TRAIN = 6
TINY_TEST = 4


def _tiny_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (TINY_TRAIN, 5, 5), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, TINY_TRAIN, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (TINY_TEST, 5, 5), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, TINY_TEST, dtype=np.uint8),
    }


def write_tiny(folder, gz=True, seed=0):
    arrays = _tiny_arrays(seed)
    for stem, a in arrays.items():
        write_idx(Path(folder) / (stem + (".gz" if gz else "")), a)
    return arrays


def _check_tiny(result, arrays):
    X_train, y_train, X_test, y_test = result
    assert X_train.shape == (TINY_TRAIN, 25) and X_train.dtype == np.float32
    assert X_test.shape == (TINY_TEST, 25) and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    np.testing.assert_allclose(X_train * 255, arrays["train-images-idx3-ubyte"].reshape(TINY_TRAIN, 25), atol=1e-4)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_load_mnist_from_root_name_folder(tmp_path, name):
    arrays = write_tiny(tmp_path / name)
    _check_tiny(load_mnist(name, root=tmp_path), arrays)
    _check_tiny(load_mnist(name, root=str(tmp_path)), arrays)


def test_load_mnist_from_root_itself_uncompressed(tmp_path):
    arrays = write_tiny(tmp_path, gz=False)
    _check_tiny(load_mnist("fashion-mnist", root=tmp_path), arrays)


def test_load_mnist_prefers_root_name_folder(tmp_path):
    arrays = write_tiny(tmp_path / "mnist", seed=1)
    write_tiny(tmp_path, seed=2)
    _check_tiny(load_mnist("mnist", root=tmp_path), arrays)


def test_load_mnist_relative_root_from_cwd(tmp_path, monkeypatch):
    arrays = write_tiny(tmp_path / "mydata" / "mnist")
    monkeypatch.chdir(tmp_path)
    _check_tiny(load_mnist("mnist", root="mydata"), arrays)


def test_default_root_resolves_to_repo_data_from_any_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert data._resolve_root("data") == REPO / "data"
    (tmp_path / "data").mkdir()
    assert data._resolve_root("data") == Path("data")  # a data/ in the CWD wins


def test_download_new_relative_root_is_made_in_cwd(tmp_path, monkeypatch, served):
    server, table = served
    monkeypatch.chdir(tmp_path)
    fname = MNIST_FILES[3]
    download("mnist", "fresh", base_url=server.url, files={fname: table[fname]}, timeout=10)
    assert (tmp_path / "fresh" / "mnist" / fname).is_file()
    assert not (REPO / "fresh").exists()


def test_load_mnist_missing(tmp_path):
    with pytest.raises(DatasetMissing) as info:
        load_mnist("mnist", root=tmp_path)
    msg = str(info.value)
    assert "make data" in msg and "MNIST" in msg and str(tmp_path / "mnist") in msg
    assert "--data-dir" in msg
    assert isinstance(info.value, FileNotFoundError)


def test_load_mnist_missing_fashion_mentions_debian(tmp_path):
    with pytest.raises(DatasetMissing, match="dataset-fashion-mnist"):
        load_mnist("fashion-mnist", root=tmp_path / "nowhere")


def test_load_mnist_incomplete_folder_is_missing(tmp_path):
    write_tiny(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetMissing, match="make data"):
        load_mnist("mnist", root=tmp_path)


def test_load_mnist_unknown_name(tmp_path):
    with pytest.raises(ValueError, match="'mnist', 'fashion-mnist'"):
        load_mnist("cifar10", root=tmp_path)


def test_load_mnist_count_mismatch(tmp_path):
    write_tiny(tmp_path / "mnist")
    write_idx(tmp_path / "mnist" / "train-labels-idx1-ubyte.gz", np.zeros(TINY_TRAIN + 1, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"6 images but .*train-labels-idx1-ubyte\.gz holds 7 labels"):
        load_mnist("mnist", root=tmp_path)


def test_load_mnist_wrong_image_dtype(tmp_path):
    write_tiny(tmp_path / "mnist")
    write_idx(
        tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz",
        np.zeros((TINY_TEST, 5, 5), dtype=np.float32),
    )
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: expected uint8 images"):
        load_mnist("mnist", root=tmp_path)


DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_load_fashion_mnist_from_debian_package():
    X_train, y_train, X_test, y_test = load_mnist("fashion-mnist", root=DEBIAN_FASHION)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and 0.0 <= X_train.min() and X_train.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)


# --------------------------------------------------------------- download


class LoopbackServer:
    """Base of the tests' servers: ``_listen(handler)`` serves on 127.0.0.1 in a thread, over HTTPS
    when ``tls`` names (certificate, key) files; ``url`` ends in "/"; ``close()`` stops it."""

    def _listen(self, handler, tls=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"http{'s' if tls else ''}://127.0.0.1:{self.httpd.server_address[1]}/"
        # shutdown() waits for serve_forever's next poll: every 0.01 s, not the default 0.5 s
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _Server(LoopbackServer):
    """A loopback HTTP server for fixture files that counts the requests it gets."""

    def __init__(self, root):
        self.root = Path(root)
        self.requests = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                if self.path.startswith("/short/"):
                    # Promise more bytes than are sent, then hang up.
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b"\x1f\x8b partial")
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self._listen(functools.partial(Handler, directory=str(self.root)))


@pytest.fixture
def served(tmp_path):
    """(server, {file: md5}) serving the tiny MNIST as .gz files."""
    src = tmp_path / "served"
    write_tiny(src, gz=True)
    table = {f: md5_of(src / f) for f in MNIST_FILES}
    server = _Server(src)
    yield server, table
    server.close()


@pytest.fixture
def dead_url():
    """A loopback URL where nothing listens: a port that was bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_fetches_verifies_and_loads(tmp_path, served):
    server, table = served
    root = tmp_path / "dl"
    lines = []
    paths = download("mnist", root, base_url=server.url, files=table, timeout=10, log=lines.append)
    assert paths == [root / "mnist" / f for f in MNIST_FILES]
    assert files_in(root) == ["mnist"] + [f"mnist/{f}" for f in sorted(MNIST_FILES)]
    for p in paths:
        assert md5_of(p) == table[p.name]
    assert len(server.requests) == 4
    assert all("downloaded" in line for line in lines) and len(lines) == 4
    _check_tiny(load_mnist("mnist", root=root), _tiny_arrays())


def test_download_skips_files_already_valid(tmp_path, served):
    server, table = served
    root = tmp_path / "dl"
    download("mnist", root, base_url=server.url, files=table, timeout=10)
    hits = len(server.requests)
    lines = []
    download("mnist", root, base_url=server.url, files=table, timeout=10, log=lines.append)
    assert len(server.requests) == hits
    assert len(lines) == 4 and all("already present and valid" in line for line in lines)


def test_download_replaces_a_corrupt_file(tmp_path, served):
    server, table = served
    root = tmp_path / "dl"
    (root / "mnist").mkdir(parents=True)
    target = root / "mnist" / MNIST_FILES[0]
    target.write_bytes(b"garbage")
    download(
        "mnist",
        root,
        base_url=server.url,
        files={MNIST_FILES[0]: table[MNIST_FILES[0]]},
        timeout=10,
    )
    assert md5_of(target) == table[MNIST_FILES[0]]
    assert server.requests == ["/" + MNIST_FILES[0]]


def test_download_checksum_mismatch_leaves_nothing(tmp_path, served):
    server, table = served
    root = tmp_path / "dl"
    wrong = "0" * 32
    fname = MNIST_FILES[1]
    with pytest.raises(DownloadError) as info:
        download("mnist", root, base_url=server.url, files={fname: wrong}, timeout=10)
    msg = str(info.value)
    assert fname in msg and wrong in msg and table[fname] in msg
    assert server.requests == ["/" + fname]
    assert not root.exists() or files_in(root) == []


def test_download_mismatch_after_good_file_keeps_only_the_good_one(tmp_path, served):
    server, table = served
    root = tmp_path / "dl"
    files = {MNIST_FILES[0]: table[MNIST_FILES[0]], MNIST_FILES[1]: "f" * 32}
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download("mnist", root, base_url=server.url, files=files, timeout=10)
    assert files_in(root) == ["mnist", f"mnist/{MNIST_FILES[0]}"]


def test_download_http_error(tmp_path, served):
    server, _ = served
    root = tmp_path / "dl"
    with pytest.raises(DownloadError, match="HTTP 404"):
        download("mnist", root, base_url=server.url, files={"missing.gz": "0" * 32}, timeout=10)
    assert not root.exists()


def test_download_connection_cut_midway(tmp_path, served):
    server, _ = served
    root = tmp_path / "dl"
    with pytest.raises(DownloadError, match="cut after 10 of 1000 bytes"):
        download("mnist", root, base_url=server.url + "short/", files={"x.gz": "0" * 32}, timeout=10)
    assert not root.exists()


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_download_server_unreachable(tmp_path, dead_url, name):
    root = tmp_path / "dl"
    with pytest.raises(DownloadError) as info:
        download(name, root, base_url=dead_url, timeout=5)
    msg = str(info.value)
    assert "Could not reach the server" in msg and dead_url in msg and "network" in msg
    assert "\n" not in msg
    assert ("dataset-fashion-mnist" in msg) == (name == "fashion-mnist")
    assert not root.exists()
    assert isinstance(info.value, OSError)


def test_download_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="'mnist', 'fashion-mnist'"):
        download("emnist", tmp_path)
    with pytest.raises(ValueError, match="plain file name"):
        download("mnist", tmp_path, files={"../evil.gz": "0" * 32})
    with pytest.raises(ValueError, match="MD5"):
        download("mnist", tmp_path, files={"a.gz": "xyz"})
    assert files_in(tmp_path) == []


def test_default_checksum_tables_are_the_published_ones():
    assert data._DATASETS["mnist"][2]["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert data._DATASETS["fashion-mnist"][2]["t10k-labels-idx1-ubyte.gz"] == "bb300cfdad3c16e7a12a480ee83cd310"
    for _, _, table in data._DATASETS.values():
        assert tuple(table) == MNIST_FILES


# ------------------------------------------------------------- fetch script


def run_fetch(*args):
    return subprocess.run(
        [sys.executable, str(FETCH_SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )


def test_fetch_script_offline_exits_2_and_writes_nothing(tmp_path, dead_url):
    root = tmp_path / "dl"
    proc = run_fetch("--root", str(root), "--base-url", dead_url, "--timeout", "5")
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and "Could not reach the server" in err[0] and "make data" in err[0]
    assert proc.stdout == ""
    assert not root.exists()
    assert files_in(tmp_path) == []


def test_fetch_script_rejects_unknown_name(tmp_path):
    proc = run_fetch("--root", str(tmp_path), "cifar")
    assert proc.returncode == 2 and "unknown data set 'cifar'" in proc.stderr
    assert files_in(tmp_path) == []


def test_fetch_script_checksum_mismatch_exits_2(tmp_path, served):
    # The tiny fixture files do not match MNIST's published sums.
    server, _ = served
    root = tmp_path / "dl"
    proc = run_fetch("--root", str(root), "--base-url", server.url, "mnist")
    assert proc.returncode == 2
    assert "checksum mismatch" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not root.exists() or files_in(root) == []


def test_fetch_script_fetches_once_and_prints_a_line_per_file(tmp_path, served, monkeypatch, capsys):
    # In-process, so the fixture checksum table can stand in for the published one.
    server, table = served
    fetch = _import_fetch_script()
    monkeypatch.setitem(data._DATASETS, "mnist", ("MNIST", server.url, table))
    root = tmp_path / "dl"
    assert fetch.main(["--root", str(root), "mnist"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert fetch.main(["--root", str(root), "mnist"]) == 0
    second = capsys.readouterr().out.splitlines()
    assert len(server.requests) == 4
    assert files_in(root / "mnist") == sorted(MNIST_FILES)
    assert len(first) == 4 and all("downloaded" in line for line in first)
    assert len(second) == 4 and all("already present and valid" in line for line in second)


def _import_fetch_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("fetch_data", FETCH_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -------------------------------------------------------------- one_hot


def test_one_hot_basic():
    out = one_hot(np.array([2, 0, 1, 2]))
    assert out.dtype == np.float64 and out.shape == (4, 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_one_hot_explicit_k_and_lists():
    out = one_hot([0, 1], k=5)
    assert out.shape == (2, 5)
    np.testing.assert_array_equal(out.argmax(axis=1), [0, 1])
    np.testing.assert_array_equal(out.sum(axis=1), [1, 1])


@pytest.mark.parametrize(
    "y, k, match",
    [
        ([0, 3], 3, "out of range"),
        ([-1, 0], None, "out of range"),
        ([0.5, 1.0], None, "integer"),
        ([[0, 1]], None, "1-D"),
        (["a", "b"], None, "integer"),
        ([], None, "empty"),
        ([0, 1], 0, "positive integer"),
    ],
)
def test_one_hot_bad_input(y, k, match):
    with pytest.raises(ValueError, match=match):
        one_hot(y, k)


# ---------------------------------------------------------- train_test_split


def test_train_test_split_stratified_iris():
    X, y = load_iris()
    X_copy = X.copy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
    assert X_tr.shape == (120, 4) and X_te.shape == (30, 4)
    np.testing.assert_array_equal(np.bincount(y_te), [10, 10, 10])
    np.testing.assert_array_equal(np.bincount(y_tr), [40, 40, 40])
    # Every row lands in exactly one set, with its own label.
    rows = np.concatenate([X_tr, X_te])
    labels = np.concatenate([y_tr, y_te])
    order = np.lexsort(np.column_stack([rows, labels]).T)
    ref = np.lexsort(np.column_stack([X, y]).T)
    np.testing.assert_array_equal(rows[order], X[ref])
    np.testing.assert_array_equal(labels[order], y[ref])
    np.testing.assert_array_equal(X, X_copy)


def test_train_test_split_keeps_unbalanced_proportions():
    y = np.repeat([0, 1, 2], [70, 20, 10])
    X = np.arange(100.0)[:, None]
    _, X_te, _, y_te = train_test_split(X, y, test_size=0.3, seed=1)
    np.testing.assert_array_equal(np.bincount(y_te), [21, 6, 3])
    np.testing.assert_array_equal(y[X_te[:, 0].astype(int)], y_te)


def test_train_test_split_total_is_exact_with_rounding():
    y = np.repeat([0, 1, 2], [7, 7, 7])
    X = np.zeros((21, 2))
    X_tr, X_te, _, y_te = train_test_split(X, y, test_size=0.5, seed=0)
    # round(10.5) = 11 test rows in total, split 4/4/3 over three equal classes.
    assert len(X_te) == 11 and len(X_tr) == 10
    assert sorted(np.bincount(y_te)) == [3, 4, 4]


def test_train_test_split_deterministic_and_shuffled():
    X, y = load_digits()
    a = train_test_split(X, y, seed=4)
    b = train_test_split(X, y, seed=4)
    c = train_test_split(X, y, seed=5)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    assert not np.all(np.diff(a[3]) >= 0)  # classes are mixed, not sorted


def test_train_test_split_unstratified():
    X = np.arange(50.0)[:, None]
    y = np.zeros(50, dtype=np.int64)
    X_tr, X_te, _, _ = train_test_split(X, y, test_size=0.2, seed=0, stratify=False)
    assert len(X_te) == 10
    assert sorted(np.concatenate([X_tr, X_te])[:, 0]) == list(range(50))


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.1, "0.2"])
def test_train_test_split_bad_test_size(test_size):
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(np.zeros((10, 2)), np.zeros(10), test_size=test_size)


def test_train_test_split_length_mismatch():
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))


# ------------------------------------------------------------- minibatches


def test_minibatches_cover_every_sample_once():
    X = np.arange(23.0)[:, None] * np.ones((1, 3))
    y = np.arange(23)
    batches = list(minibatches(X, y, batch_size=5, seed=0))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(23))
    assert not np.array_equal(seen, np.arange(23))  # shuffled
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)  # rows stay with their labels


def test_minibatches_deterministic_with_seed():
    X, y = np.arange(40.0)[:, None], np.arange(40)
    a = [yb for _, yb in minibatches(X, y, 8, seed=3)]
    b = [yb for _, yb in minibatches(X, y, 8, seed=3)]
    c = [yb for _, yb in minibatches(X, y, 8, seed=4)]
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not all(np.array_equal(u, v) for u, v in zip(a, c, strict=True))


def test_minibatches_no_shuffle_keeps_order():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    seen = [yb.tolist() for _, yb in minibatches(X, y, 4, shuffle=False)]
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_minibatches_do_not_alias_input():
    X, y = np.zeros((6, 2)), np.arange(6)
    for Xb, _ in minibatches(X, y, 3, seed=0):
        Xb += 1
    assert not X.any()


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_minibatches_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(np.zeros((4, 1)), np.zeros(4), batch_size)


def test_minibatches_length_mismatch_raises_at_call():
    with pytest.raises(ValueError, match="one label per row"):
        minibatches(np.zeros((4, 1)), np.zeros(3), 2)


# --------------------------------------------------------------- standardize


def test_standardize_fit_then_apply():
    X, _ = load_iris()
    Xs, mean, std = standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=0), 1)
    X2s, mean2, _ = standardize(X[:10], mean, std)
    np.testing.assert_allclose(X2s, Xs[:10])
    np.testing.assert_array_equal(mean2, mean)


def test_standardize_constant_column_and_dtype():
    X = np.column_stack([np.ones(5), np.arange(5)]).astype(np.float32)
    Xs, _, std = standardize(X)
    assert Xs.dtype == np.float32
    assert std[0] == 1 and np.all(Xs[:, 0] == 0)
    assert np.isfinite(Xs).all()


def test_standardize_bad_input():
    with pytest.raises(ValueError, match="both mean and std"):
        standardize(np.zeros((3, 2)), mean=np.zeros(2))
    with pytest.raises(ValueError, match="2-D"):
        standardize(np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        standardize(np.zeros((3, 2)), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        standardize(np.array([[np.nan, 1.0]]))


# ------------------------------------------------------------- which data set the files are


def _pretend(monkeypatch, folder, name):
    """Add the fingerprints of the (tiny) IDX files in ``folder`` to the table, as ``name``'s published files."""
    for path in sorted(Path(folder).iterdir()):
        monkeypatch.setitem(_idx._FINGERPRINTS, _idx.fingerprint(path), (name, path.name))


def test_files_of_the_other_data_set_are_refused_naming_both(tmp_path, monkeypatch):
    write_tiny(tmp_path / "mnist")
    _pretend(monkeypatch, tmp_path / "mnist", "fashion-mnist")
    with pytest.raises(ValueError) as info:
        load_mnist("mnist", root=tmp_path)
    msg = str(info.value)
    assert msg.startswith(f"{tmp_path / 'mnist'} holds Fashion-MNIST, not MNIST: ") and "\n" not in msg
    assert "--dataset fashion-mnist" in msg and "make data" in msg
    assert data.identify_mnist("fashion-mnist", tmp_path / "mnist") == "fashion-mnist"


def test_one_file_of_the_other_data_set_is_enough_to_refuse(tmp_path, monkeypatch):
    write_tiny(tmp_path / "mnist")
    label = tmp_path / "mnist" / MNIST_FILES[3]
    monkeypatch.setitem(_idx._FINGERPRINTS, _idx.fingerprint(label), ("mnist", label.name))
    with pytest.raises(ValueError, match=r"holds MNIST, not Fashion-MNIST: t10k-labels-idx1-ubyte\.gz is MNIST's"):
        load_mnist("fashion-mnist", root=tmp_path / "mnist")
    assert data.identify_mnist("mnist", tmp_path) is None  # one published file of four is not MNIST


def test_files_that_are_not_published_ones_load_and_are_not_identified(tmp_path):
    write_tiny(tmp_path / "mnist")
    assert data.identify_mnist("mnist", tmp_path) is None
    assert load_mnist("mnist", root=tmp_path)[0].shape == (TINY_TRAIN, 25)


def test_identification_does_not_depend_on_compression(tmp_path, monkeypatch):
    write_tiny(tmp_path / "gz")
    _pretend(monkeypatch, tmp_path / "gz", "mnist")
    write_tiny(tmp_path / "plain", gz=False)
    assert data.identify_mnist("mnist", tmp_path / "plain") == "mnist"
    with pytest.raises(ValueError, match="holds MNIST, not Fashion-MNIST"):
        load_mnist("fashion-mnist", root=tmp_path / "plain")


def test_mnist_training_images_without_a_fingerprint_still_count_as_mnist(tmp_path, monkeypatch):
    # the table has no entry for MNIST's training images (no copy was at hand): the other three decide
    write_tiny(tmp_path / "mnist")
    for fname in MNIST_FILES[1:]:
        path = tmp_path / "mnist" / fname
        monkeypatch.setitem(_idx._FINGERPRINTS, _idx.fingerprint(path), ("mnist", fname))
    assert data.identify_mnist("mnist", tmp_path) == "mnist"
    assert ("mnist", MNIST_FILES[0]) not in _idx._FINGERPRINTS.values()


def test_fingerprint_table_has_every_published_file_but_mnist_training_images():
    entries = sorted(_idx._FINGERPRINTS.values())
    assert entries == sorted([("fashion-mnist", f) for f in MNIST_FILES] + [("mnist", f) for f in MNIST_FILES[1:]])


def test_identification_costs_a_prefix_not_the_file(tmp_path, monkeypatch):
    reads = []
    real = _idx._gunzip

    def counting(f):
        read = real(f)
        return lambda n: reads.append(n) or read(n)

    monkeypatch.setattr(_idx, "_gunzip", counting)
    gz = tmp_path / "big.gz"
    write_idx(gz, np.zeros((400, 28, 28), dtype=np.uint8))
    assert _idx.fingerprint(gz) == hashlib.md5(gzip.decompress(gz.read_bytes())[: 1 << 16]).hexdigest()
    assert reads == [1 << 16]


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist_is_identified_and_refused_as_mnist():
    # Debian's .gz files are not the published bytes (another gzip header), their contents are
    assert data.identify_mnist("fashion-mnist", DEBIAN_FASHION) == "fashion-mnist"
    found = _idx.identify(DEBIAN_FASHION / f for f in MNIST_FILES)
    assert [found[DEBIAN_FASHION / f] for f in MNIST_FILES] == [("fashion-mnist", f) for f in MNIST_FILES]
    with pytest.raises(ValueError, match="holds Fashion-MNIST, not MNIST"):
        load_mnist("mnist", root=DEBIAN_FASHION)


# ------------------------------------------------------------------- ~ and file modes


def test_tilde_in_root_is_the_home_folder(tmp_path, monkeypatch, served):
    monkeypatch.setenv("HOME", str(tmp_path))
    arrays = write_tiny(tmp_path / "fm" / "mnist")
    _check_tiny(load_mnist("mnist", root="~/fm"), arrays)
    server, table = served
    fetch = _import_fetch_script()
    monkeypatch.setitem(data._DATASETS, "mnist", ("MNIST", server.url, table))
    assert fetch.main(["--root=~/dl", "mnist"]) == 0
    assert files_in(tmp_path / "dl") == ["mnist"] + [f"mnist/{f}" for f in sorted(MNIST_FILES)]


@contextlib.contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_files_written_atomically_get_the_umask_mode(tmp_path, served, monkeypatch, mask, mode):
    server, table = served
    with umask(mask):
        data.atomic_write(tmp_path / "a.bin", lambda f: f.write(b"x"))
        write_idx(tmp_path / "b.idx.gz", np.arange(3, dtype=np.uint8))
        download("mnist", tmp_path / "dl", base_url=server.url, files=table, timeout=10)
    written = [tmp_path / "a.bin", tmp_path / "b.idx.gz", *(tmp_path / "dl" / "mnist").iterdir()]
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(mode)}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_plot_gets_the_umask_mode(tmp_path, capsys):
    from helpers.train.__main__ import main

    with umask(0o022):
        assert main(["--dataset", "digits", "--epochs", "1", "--plot", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").stat().st_mode & 0o777 == 0o644


# ----------------------------------------------------------------- a damaged shipped table


@pytest.mark.parametrize("damage, where", [
    (lambda lines: lines.__setitem__(3, lines[3].replace("3.2", "", 1)), "line 4, column 2: an empty cell"),
    (lambda lines: lines.__setitem__(5, lines[5].replace(",", ",,", 1)), "line 6: 6 cells, expected 5"),
    (lambda lines: lines.__setitem__(9, lines[9].replace("4.4", "4,4", 1)), "line 10: 6 cells, expected 5"),
    (lambda lines: lines.__setitem__(2, lines[2].replace("4.9", "x4.9", 1)), "line 3, column 1: 'x4.9', not a number"),
])
def test_a_damaged_iris_csv_names_the_file_the_line_and_the_fix(tmp_path, monkeypatch, damage, where):
    lines = (REPO / "data" / "iris.csv").read_text().splitlines(keepends=True)
    damage(lines)
    path = tmp_path / "iris.csv"
    path.write_text("".join(lines))
    monkeypatch.setattr(data, "_shipped_file", lambda name: path)
    with pytest.raises(ValueError) as info:
        load_iris()
    msg = str(info.value)
    assert msg.startswith(f"{path}, {where}; ") and "\n" not in msg and "reinstall" in msg, msg
