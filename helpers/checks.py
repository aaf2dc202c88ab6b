"""Checks for the exercises: run a student's function, compare with the truth, say why in one line.

``check(name, fn)`` calls fn on fresh seeded inputs of several shapes, compares every output
with the reference (and, for gradients, with central differences) and prints ``name: correct``
or what is wrong and a hint: a catalogued mistake's own hint when the answer matches it, else a
generic diagnosis (not yet written, an exception and its line, no return, a transposed shape, a
flipped sign, a constant factor). The answer keys are course content in the package
``answer_keys`` beside ``helpers``, one module per notebook; this module only judges.
"""

import traceback
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Exercise", "Mistake", "EXERCISES", "exercise", "check", "verdict"]


@dataclass(frozen=True)
class Mistake:
    """A catalogued wrong answer: a function with the exercise's signature, and the hint it earns."""

    hint: str
    fn: callable


@dataclass(frozen=True)
class Exercise:
    """An exercise: the reference, inputs, known mistakes, tolerance, optional truth by differences."""

    reference: callable
    cases: callable  # rng -> list of argument tuples
    mistakes: tuple = field(default=())
    rtol: float = 1e-6
    numeric: callable = None  # args -> the output computed by central differences
    atol: float = 0.0  # for outputs that are exactly zero (a shift softmax cannot see)


#: name -> Exercise; filled by importing the answer_keys package
EXERCISES = {}


def exercise(name, cases, mistakes=(), rtol=1e-6, numeric=None, atol=0.0):
    """Decorator registering a reference solution as the exercise ``name``."""
    def register(reference):
        EXERCISES[name] = Exercise(reference, cases, tuple(mistakes), rtol, numeric, atol)
        return reference
    return register


def _copy(args):
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _flat(out):
    """An output as a list of (label, array): a dict by key, a tuple by position, else itself."""
    if isinstance(out, dict):
        return [(f"[{k!r}]", np.asarray(v, dtype=float)) for k, v in out.items()]
    if isinstance(out, tuple):
        return [(f"[{i}]", np.asarray(v, dtype=float)) for i, v in enumerate(out)]
    if isinstance(out, str):
        return [("", out)]
    return [("", np.asarray(out, dtype=float))]


def _close(a, b, rtol, atol=0.0):
    """Equal within the tolerance; infinities and NaNs must sit in the same places (a mistake that overflows)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    fa, fb = np.isfinite(a), np.isfinite(b)
    if a.shape != b.shape or not np.array_equal(fa, fb) or not np.array_equal(a[~fa], b[~fb], equal_nan=True):
        return False
    a, b = a[fa], b[fb]
    return np.linalg.norm(a - b) <= rtol * (np.linalg.norm(a) + np.linalg.norm(b)) + atol


def _all_close(outs, refs, rtol, atol=0.0):
    return all(len(o) == len(r) and all(_close(x[1], y[1], rtol, atol) for x, y in zip(o, r))
               for o, r in zip(outs, refs))


def _raised(name, fn, exc):
    """'ValueError on line 3 of fn (`code`): message' for the deepest frame in the student's own code."""
    home = getattr(getattr(fn, "__code__", None), "co_filename", None)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == home] or \
        traceback.extract_tb(exc.__traceback__)[-1:]
    where = ""
    if frames:
        f = frames[-1]
        first = fn.__code__.co_firstlineno if home == f.filename else 1
        where = f" on line {f.lineno - first + 1} of {f.name}" + (f" (`{f.line}`)" if f.line else "")
    return f"{name}: your code raised {type(exc).__name__}{where}: {exc}"


def verdict(name, fn):
    """The one-line verdict on ``fn`` for exercise ``name`` (see the module docstring)."""
    if name not in EXERCISES:
        import answer_keys  # noqa: F401  (registers every exercise; a lazy import: it imports this module)
    if name not in EXERCISES:
        raise ValueError(f"no exercise called {name!r}; known: {', '.join(sorted(EXERCISES))}")
    ex = EXERCISES[name]
    cases = ex.cases(np.random.default_rng(sum(map(ord, name))))
    outs = []
    with np.errstate(all="ignore"):
        raw_refs = [ex.reference(*_copy(a)) for a in cases]
        for args, ref in zip(cases, raw_refs):
            try:
                out = fn(*_copy(args))
            except NotImplementedError:
                return f"{name}: not yet written (replace the `raise NotImplementedError` line with your code)"
            except Exception as exc:  # any error in the student's code is reported, not raised
                return _raised(name, fn, exc)
            if out is None:
                return f"{name}: your function returns None; end it with `return ...`"
            if isinstance(out, dict) and isinstance(ref, dict) and set(out) == set(ref):
                out = {k: out[k] for k in ref}  # a dict answer is judged by key, in any order
            outs.append(_flat(out))
        refs = [_flat(ref) for ref in raw_refs]
        if _all_close(outs, refs, ex.rtol, ex.atol):
            numeric = None if ex.numeric is None else [_flat(ex.numeric(*_copy(a))) for a in cases]
            if numeric is not None and not _all_close(outs, numeric, 1e-6, 1e-6):
                return f"{name}: agrees with the reference but not with central differences (report this)"
            return f"{name}: correct"
        for m in ex.mistakes:
            if _all_close(outs, [_flat(m.fn(*_copy(a))) for a in cases], ex.rtol, ex.atol):
                return f"{name}: not right yet: {m.hint}"
    return f"{name}: not right yet: {_generic(outs, refs, cases, ex.rtol, ex.atol)}"


def _generic(outs, refs, cases, rtol, atol):
    """The generic diagnoses, from the first output entry and input that differ."""
    for k, (out, ref) in enumerate(zip(outs, refs)):
        if len(out) != len(ref):
            return f"it returns {len(out)} value(s), the exercise expects {len(ref)}"
        for (label, a), (_, b) in zip(out, ref):
            if isinstance(b, str) or isinstance(a, str):
                if a != b:
                    return f"it answers {a!r} where {b!r} is right"
                continue
            what = f"the output{label}" + (f" (inputs of shapes {_shapes(cases[k])})" if k else "")
            if a.shape != b.shape:
                if a.shape == b.T.shape and a.ndim == 2:
                    return (f"{what} has shape {a.shape}, the transpose of the expected {b.shape}: "
                            "rows are samples here, and W is (fan_in, fan_out)")
                return f"{what} has shape {a.shape}, expected {b.shape}"
            if _close(a, b, rtol, atol):
                continue
            if not np.isfinite(a).all() and np.isfinite(b).all():
                return f"{what} holds inf or nan where the answer is finite: an overflow; use a stable form"
            if _close(-a, b, rtol):
                return f"{what} has the right size but the wrong sign: look for a flipped sign"
            ratio = a[np.abs(b) > 1e-12 * np.abs(b).max()] / b[np.abs(b) > 1e-12 * np.abs(b).max()] if b.any() else a
            if b.any() and ratio.size and np.allclose(ratio, ratio.flat[0], rtol=1e-6):
                return f"{what} is {ratio.flat[0]:.4g} times the right one: a constant factor is off"
            right = sum(_all_close([o], [r], rtol, atol) for o, r in zip(outs, refs))
            err = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
            return (f"{what} is off (relative error {err:.1e}); right on {right} of {len(refs)} test inputs"
                    + (": the assignment's numbers can hide a slip that random inputs expose" if right else ""))
    return "the outputs differ from the reference"


def _shapes(args):
    return ", ".join(str(np.shape(a)) for a in args)


def check(name, fn):
    """Print the verdict on the student's function ``fn`` for exercise ``name`` (one line)."""
    print(verdict(name, fn))
