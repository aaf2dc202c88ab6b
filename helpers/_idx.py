"""The IDX format (MNIST's), gzip-compressed or plain: :func:`read_idx`, :func:`write_idx`, and which
published file a file is (:func:`identify`). Damage is one ValueError line naming the file and the fix."""

import contextlib
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np

from ._download import MNIST_FILES, atomic_write

# type code -> dtype on disk (big-endian), and back from the native dtype's name
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_IDX_CODES = {dt.newbyteorder("=").name: code for code, dt in _IDX_TYPES.items()}
_MAX_NDIM = 32  # numpy 1's limit
_CHUNK = 1 << 20
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


def _reader(f):
    """(``read(n)`` of the IDX content of the open file ``f``, whether it is gzip-compressed)."""
    gz = f.read(2) == b"\x1f\x8b"
    f.seek(0)
    return (_gunzip(f) if gz else f.read), gz


def _header(f, read, gz, bad):
    """The checked header of the IDX file ``f``: (dims, dtype, data bytes, file size compared, 'header says ...')."""
    head = read(4)
    if len(head) < 4 or head[:2] != b"\0\0":
        raise bad("not an IDX file: it does not start with 00 00, a type code and a rank")
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        raise bad(f"unknown IDX type code 0x{code:02X}; known codes: "
                  + ", ".join(f"0x{c:02X} {name}" for name, c in _IDX_CODES.items()))
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
    return dims, dtype, expected, size, what


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
        read, gz = _reader(f)
        try:
            dims, dtype, expected, size, what = _header(f, read, gz, bad)
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


def fingerprint(path) -> str | None:
    """MD5 of the first _PREFIX bytes of the IDX content of ``path`` (gzip or plain); None if unreadable."""
    with contextlib.suppress(OSError, EOFError, zlib.error), open(path, "rb") as f:
        return hashlib.md5(_reader(f)[0](_PREFIX), usedforsecurity=False).hexdigest()
    return None


def identify(paths) -> dict:
    """{path: (data set, published file name) or None}: the published file each IDX file is, by
    :func:`fingerprint` (None: not a published file, or one the table has no entry for)."""
    return {Path(p): _FINGERPRINTS.get(fingerprint(p)) for p in paths}
