"""Judge a student's function against expected outputs: one true sentence, whatever it returns.

The comparison, entry by entry: same shape, NaN and inf in the same places, and each finite
entry within ``rtol * |expected| + atol * scale`` of the answer, where ``scale`` is the largest
|entry| of that output (at least 1). The second term only forgives round-off where terms
cancel to zero (a gradient that is 0 in exact arithmetic comes out as 3e-17); with the default
atol = 1e-12 a wrong entry a millionth of the largest is still seen, and an exercise about tiny
values (softplus far left) sets atol = 0: purely relative.

The float policy, the same for every exercise: inputs are float64 unless an exercise is
about float32; the result must keep the precision of the inputs (float32 for float64 inputs
is refused, with the reason), and a float32 answer is compared at ``max(rtol, 1e-5)``.

The return contract (:func:`unpack`), shared with the notebook cells that use the student's
function: an exercise with named outputs takes a tuple or list in that order, or a dict with
exactly those keys in any order.
"""

import inspect
import reprlib
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._sandbox import call

__all__ = ["Spec", "Verdict", "judge", "unpack", "shorten"]

NOT_WRITTEN = "not yet written (replace the `raise NotImplementedError` line with your code)"
FLOAT32_RTOL = 1e-5

_short = reprlib.Repr()  # keyword settings need Python 3.12
_short.maxstring, _short.maxother, _short.maxlong, _short.maxlevel = 60, 60, 40, 2
_short.maxlist = _short.maxtuple = _short.maxdict = 4


def shorten(value, width=70):
    """A repr of any value in at most about ``width`` characters."""
    try:
        if isinstance(value, np.ndarray):
            with np.printoptions(threshold=6, edgeitems=2, precision=4):
                text = repr(value)
        else:
            text = _short.repr(value)
    except Exception:  # noqa: BLE001  (a student's object whose repr fails)
        text = f"<{type(value).__name__} object>"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Spec:
    """What the check of one exercise needs (no solution code: inputs and outputs only)."""

    name: str
    notebook: str
    function: str
    params: tuple
    points: int = 1
    rtol: float = 1e-6
    atol: float = 1e-12
    returns: tuple = None  # names of the outputs, or None for one value
    time_limit: float = 5.0
    reveal: str = ""
    forbid: tuple = ()  # dotted names of helpers objects that compute the answer (the check forbids them)


class Verdict(str):
    """The one-line verdict; ``status`` is "correct", "unwritten" or "wrong"; ``needs`` names the
    unwritten function that the student's function calls (a stub's NotImplementedError), else None."""

    def __new__(cls, text, status, needs=None):
        self = super().__new__(cls, text)
        self.status, self.needs = status, needs
        return self


# ----------------------------------------------------------------------------- return values

class _Problem(Exception):
    """A returned value that cannot be compared; the message says why."""


def unpack(spec, value):
    """The outputs of ``value`` as a tuple in the order of ``spec.returns`` (or the value itself)."""
    names = spec.returns
    if names is None:
        return value
    n = len(names)
    listed = ", ".join(names)
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        if sorted(keys) != sorted(names):
            raise _Problem(f"returns a dict with keys {', '.join(keys) or 'none'}; the exercise's outputs are {listed}")
        return tuple(value[k] for k in names)
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise _Problem(f"returns {len(value)} value(s); the exercise expects {n}: {listed}")
        return tuple(value)
    raise _Problem(f"returns one {_kind(value)} ({shorten(value, 40)}); the exercise expects {n} values: {listed}")


def _kind(value):
    if isinstance(value, str):
        return "string"
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    if inspect.isgenerator(value):
        return "generator"
    return type(value).__name__


def _leaf(value, expected):
    """The student's value as a str or an ndarray comparable with ``expected``; _Problem otherwise."""
    if isinstance(expected, str):
        if not isinstance(value, str):
            raise _Problem(f"returns {shorten(value, 50)} where the answer is a word such as {expected!r}")
        return value.strip().lower()
    if isinstance(value, str):
        raise _Problem(f"returns the string {shorten(value, 50)} where the answer is a number or an array")
    if inspect.isgenerator(value) or inspect.isgeneratorfunction(value) or callable(value):
        raise _Problem(f"returns a {_kind(value)}, not numbers: build a list or array (np.array(list(...)))")
    try:
        with np.errstate(all="ignore"):
            a = np.asarray(value)
    except Exception:  # noqa: BLE001  (ragged lists, objects that refuse conversion)
        a = None
    if a is None or a.dtype.kind not in "biufc":
        raise _Problem(f"returns {shorten(value, 50)}, which is not a number or a regular array "
                       "(a list of lists of different lengths, or objects?)")
    if a.dtype.kind == "c":
        if np.any(np.imag(a) != 0):
            raise _Problem("returns complex numbers where the answer is real")
        a = np.real(a)
    return a


def _expected_array(b):
    return b if isinstance(b, str) else np.asarray(b)


# ----------------------------------------------------------------------------- comparison

def _tol(b, rtol):
    return max(rtol, FLOAT32_RTOL) if b.dtype == np.float32 else rtol


def _close(a, b, rtol, atol):
    """Entry by entry; NaN and +-inf in the same places."""
    if isinstance(b, str) or isinstance(a, str):
        return isinstance(a, str) and isinstance(b, str) and a == b.strip().lower()
    if a.shape != b.shape and not (b.shape == () and a.size == 1):
        return False
    with np.errstate(all="ignore"):
        a64, b64 = a.astype(np.float64).reshape(b.shape), b.astype(np.float64)
        if not np.array_equal(np.isnan(a64), np.isnan(b64)):
            return False
        inf = np.isinf(b64)
        if not np.array_equal(np.isinf(a64), inf) or not np.array_equal(a64[inf], b64[inf]):
            return False
        fin = np.isfinite(b64)
        return bool(np.all(np.abs(a64[fin] - b64[fin]) <= atol * _scale(b64) + _tol(b, rtol) * np.abs(b64[fin])))


def _scale(b64):
    """The largest finite |entry| of an expected output, at least 1."""
    fin = np.abs(b64[np.isfinite(b64)])
    return max(1.0, float(fin.max())) if fin.size else 1.0


def _precision_problem(a, b):
    if isinstance(b, np.ndarray) and b.dtype == np.float64 and a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return (f"returns {a.dtype} values for float64 inputs: compute in float64 ({a.dtype} keeps about "
                f"{7 if a.dtype == np.float32 else 3} digits, and a float32 underflows below 1e-38)")
    return None


def _all_close(outs, refs, rtol, atol):
    return all(len(o) == len(r) and all(_close(x, y, rtol, atol) for x, y in zip(o, r)) for o, r in zip(outs, refs))


# ----------------------------------------------------------------------------- errors in the student's code

def _library_dirs():
    import coursework
    import helpers

    dirs = [Path(np.__file__).parent, Path(coursework.__file__).parent, Path(helpers.__file__).parent,
            Path(inspect.__file__).parent]
    return tuple(str(d) for d in dirs)


def _in_cell(filename):
    return "ipykernel_" in filename or filename.startswith("<ipython-input")


def _where(frame):
    """'line 3 of its cell (`code`)' for a frame in a notebook cell, else 'line 3 of file.py'."""
    place = "its cell" if _in_cell(frame.filename) else Path(frame.filename).name
    code = f" (`{frame.line.strip()}`)" if frame.line else ""
    return f"line {frame.lineno} of {place}{code}"


def _raised(name, fn, exc):
    """The verdict for an exception from the student's code."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # [0] is the sandbox's own call
    if isinstance(exc, NotImplementedError) and frames:
        last = frames[-1]
        own = getattr(fn, "__code__", None)
        if own is not None and last.filename == own.co_filename and last.name == own.co_name:
            return Verdict(f"{name}: {NOT_WRITTEN}", "unwritten")
        return Verdict(f"{name}: {fn.__name__} calls {last.name}, which is not written yet: write {last.name} "
                       "first, then run this check again", "wrong", needs=last.name)
    if isinstance(exc, SystemExit):
        return Verdict(f"{name}: your code called sys.exit() or exit(): end the function with `return ...` "
                       "(the check goes on; the notebook keeps running)", "wrong")
    libs = _library_dirs()
    mine = [f for f in frames if not f.filename.startswith(libs)]
    where = f" in {mine[-1].name}, {_where(mine[-1])}" if mine else ""
    message = shorten(str(exc), 120)
    return Verdict(f"{name}: your code raised {type(exc).__name__}{where}" + (f": {message}" if message else ""),
                   "wrong")


def _signature_problem(name, fn, spec, args):
    if not callable(fn):
        return Verdict(f"{name}: {shorten(fn, 40)} is not a function: pass the function itself, "
                       f"check({name!r}, {spec.function})", "wrong")
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*args)
    except TypeError:
        wanted = ", ".join(spec.params)
        return Verdict(f"{name}: {getattr(fn, '__name__', 'your function')}{sig} cannot take the check's "
                       f"{len(args)} argument(s) ({wanted}): keep the signature def {spec.function}({wanted})",
                       "wrong")
    return None


# ----------------------------------------------------------------------------- diagnoses

def _nonfinite_reason(events):
    events = " ".join(events)  # numpy says "overflow", "invalid value", "divide by zero", "underflow"
    if "overflow" in events:
        return "a number overflowed (e.g. exp of a large number): use a stable form"
    if "invalid" in events:
        return "an invalid operation made a NaN (0/0, inf - inf, or the square root or log of a negative number)"
    if "divide" in events:
        return "a division by zero (or the log of 0)"
    return "look for a number too large for a float, or a NaN from an invalid operation"


def _describe_case(k, n, args):
    shapes = ", ".join(str(np.shape(a)) if isinstance(a, (np.ndarray, list)) else shorten(a, 12) for a in args)
    return f"test {k + 1} of {n}, inputs {shapes}"


def _generic(spec, outs, refs, cases, events):
    """The first true sentence about how ``outs`` differ from ``refs``."""
    labels = [f"the output {n}" for n in spec.returns] if spec.returns else ["the output"]
    mism = [(k, j) for k, (o, r) in enumerate(zip(outs, refs)) for j, (a, b) in enumerate(zip(o, r))
            if not _close(a, b, spec.rtol, spec.atol)]
    k, j = mism[0]
    a, b = outs[k][j], refs[k][j]
    what, where = labels[j], _describe_case(k, len(cases), cases[k])
    if isinstance(b, str):
        return f"it answers {a!r} where {b!r} is right ({where})"
    if not _same_shape(a, b):
        if a.ndim == 2 and a.shape == b.T.shape:
            return (f"{what} has shape {a.shape}, the transpose of the expected {b.shape}: rows are samples here, "
                    "and W is (fan_in, fan_out)")
        return f"{what} has shape {a.shape}, expected {b.shape} ({where})"
    a = a.astype(np.float64).reshape(b.shape)
    b64 = b.astype(np.float64)
    if not np.isfinite(a).all() and np.isfinite(b64).all():
        return f"{what} holds inf or nan where the answer is finite ({where}): {_nonfinite_reason(events[k])}"
    pairs = [(outs[k2][j2].astype(np.float64).reshape(refs[k2][j2].shape), refs[k2][j2].astype(np.float64))
             for k2, j2 in mism if j2 == j and _same_shape(outs[k2][j2], refs[k2][j2])]
    if not np.any(a) and np.any(b64):
        return f"{what} is all zeros where the answer is not ({where})"
    if all(_close(-x, y, spec.rtol, spec.atol) for x, y in pairs):
        return f"{what} has the right size but the wrong sign: look for a flipped sign"
    ratio = _constant_ratio(pairs, spec.rtol)
    if ratio is not None:
        return f"{what} is {ratio:.6g} times the right one: a constant factor is off"
    right = sum(_all_close([o], [r], spec.rtol, spec.atol) for o, r in zip(outs, refs))
    with np.errstate(all="ignore"):
        bad = ~np.isclose(a, b64, rtol=_tol(b, spec.rtol), atol=spec.atol * _scale(b64), equal_nan=True)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else ()
    entry = f" entry {list(idx)}" if idx else ""
    text = f"{what}{entry} is {a[idx]:.6g} where {b64[idx]:.6g} is right ({where})"
    if right:
        text += f"; right on {right} of {len(refs)} tests: the assignment's numbers can hide a slip others expose"
    return text


def _same_shape(a, b):
    return not isinstance(a, str) and not isinstance(b, str) and (a.shape == b.shape or (b.shape == () and a.size == 1))


def _constant_ratio(pairs, rtol):
    """The factor r with a = r b in every entry of every pair, if there is one and it is not 1 or 0."""
    ratios = []
    for a, b in pairs:
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            return None
        scale = np.abs(b).max(initial=0.0)
        big = np.abs(b) > 1e-9 * scale
        if scale == 0 or np.any(np.abs(a[~big]) > 1e-9 * scale):
            return None
        ratios.append(a[big] / b[big])
    if not ratios:
        return None
    r = np.concatenate(ratios)
    r0 = float(np.median(r))
    if r0 == 0 or not np.allclose(r, r0, rtol=10 * rtol, atol=0) or abs(r0 - 1) <= 10 * rtol:
        return None
    return r0


# ----------------------------------------------------------------------------- the verdict

def _printed_note(printed):
    lines = [line for line in printed.splitlines() if line.strip()]
    if not lines:
        return ""
    more = f" and {len(lines) - 1} more line(s)" if len(lines) > 1 else ""
    return f" [it printed {shorten(lines[0], 50)}{more}]"


def judge(spec, fn, cases, expected, mistakes=(), prefix=""):
    """The verdict on ``fn``: ``cases()`` gives fresh argument tuples, ``expected`` the outputs, and
    ``mistakes`` (hint, outputs) pairs. ``prefix`` starts a wrong verdict's reason (hidden tests)."""
    name = spec.name
    args_list = cases()
    problem = _signature_problem(name, fn, spec, args_list[0])
    if problem is not None:
        return problem
    outs, events, printed = [], [], []
    started = time.perf_counter()
    for args in args_list:
        t = call(fn, args, limit=max(spec.time_limit - (time.perf_counter() - started), 0.05))
        printed.append(t.printed)
        if t.timed_out:
            return Verdict(f"{name}: stopped after {spec.time_limit:g} s, the time limit of this check: look for a "
                           "loop that never ends (a bisection needs a way out)", "wrong")
        if t.error is not None:
            v = _raised(name, fn, t.error)
            return Verdict(v + _printed_note("".join(printed)), v.status, v.needs)
        if t.value is None:
            return Verdict(f"{name}: your function returns None; end it with `return ...`", "wrong")
        try:
            values = unpack(spec, t.value)
            values = values if spec.returns else (values,)
        except _Problem as p:
            return Verdict(f"{name}: not right yet: it {p}", "wrong")
        outs.append(values)
        events.append(t.fp_events)
    note = _printed_note("".join(printed))
    refs = [r if spec.returns else (r,) for r in expected]
    refs = [tuple(_expected_array(x) for x in r) for r in refs]
    try:
        outs = [tuple(_leaf(a, b) for a, b in zip(o, r)) for o, r in zip(outs, refs)]
    except _Problem as p:
        return Verdict(f"{name}: not right yet: it {p}{note}", "wrong")
    with np.errstate(all="ignore"):
        for a_out, b_ref in zip(outs, refs):
            for a, b in zip(a_out, b_ref):
                reason = None if isinstance(b, str) else _precision_problem(a, b)
                if reason:
                    return Verdict(f"{name}: not right yet: it {reason}{note}", "wrong")
        if _all_close(outs, refs, spec.rtol, spec.atol):
            reveal = f" ({spec.reveal})" if spec.reveal and not prefix else ""
            return Verdict(f"{name}: correct{reveal}{note}", "correct")
        for hint, mistake_outs in mistakes:
            m = [tuple(_expected_array(x) for x in (r if spec.returns else (r,))) for r in mistake_outs]
            if _all_close(outs, m, spec.rtol, spec.atol):
                return Verdict(f"{name}: not right yet: {prefix}{hint}{note}", "wrong")
        return Verdict(f"{name}: not right yet: {prefix}{_generic(spec, outs, refs, args_list, events)}{note}",
                       "wrong")


def in_nbgrader():
    """True while nbgrader validates or autogrades (it sets NBGRADER_EXECUTION)."""
    import os

    return bool(os.environ.get("NBGRADER_EXECUTION"))


def caller_globals(depth=2):
    return sys._getframe(depth).f_globals
