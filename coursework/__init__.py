"""The exercises' checks: run a student's function, compare it with stored answers, say why in one line.

In a notebook::

    from coursework import check, progress, ready, unpack
    check("rosenbrock_grad", rosenbrock_grad)   # prints one line: correct, not yet written, or what is wrong
    if ready("mnist_forward"):                   # False, with one line, while forward is not written
        J, P = unpack("mnist_forward", forward(X, y, W1, b1, W2, b2, c))
    progress("01_rosenbrock")                    # every exercise of the notebook: done / not yet written / wrong

``check`` calls the function on the exercise's stored test inputs (fixed, several shapes,
the edges a stable form must survive), compares every output entry by entry with the stored
answers, recognises the catalogued mistakes by their stored outputs, and otherwise says what
differs. Nothing the function does can break the check: errors, ``sys.exit()``, endless loops
(a time limit), floods of printing and strange return values all end in one line.

This package holds no solution code: the answers are data (``coursework/data/*.json``), written
by the instructor's answer keys in ``coursework/keys`` (not installed by ``pip install .``).
Under nbgrader (``NBGRADER_EXECUTION`` set) a check that is not correct raises, so its cell
scores 0; ``check(..., hidden=True)``, in the hidden-test region of the solution notebooks,
runs the answer keys on fresh inputs at autograde.
"""

import json
from pathlib import Path

from ._codec import decode
from ._judge import Spec, Verdict, _Problem, caller_globals, in_nbgrader, judge
from ._judge import unpack as _unpack
from ._tripwire import handed_to

__all__ = ["check", "verdict", "progress", "ready", "unpack", "hints", "EXERCISES", "NOTEBOOKS", "Spec", "Verdict",
           "CheckFailed"]

DATA = Path(__file__).resolve().parent / "data"


class CheckFailed(AssertionError):
    """Raised by a check that is not correct while nbgrader runs the notebook."""


class _Stored:
    """One exercise as stored: its :class:`Spec`, test inputs, answers and catalogued mistakes."""

    def __init__(self, spec, cases, expected, mistakes):
        self.spec, self._cases, self._expected, self._mistakes = spec, cases, expected, mistakes

    def cases(self):
        return [tuple(decode(a) for a in args) for args in self._cases]

    @property
    def expected(self):
        return [decode(e) for e in self._expected]

    @property
    def mistakes(self):
        return [(m["hint"], [decode(o) for o in m["outputs"]]) for m in self._mistakes]


def _load():
    stored, notebooks = {}, {}
    for path in sorted(DATA.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, ex in data["exercises"].items():
            spec = Spec(name=name, notebook=data["notebook"], function=ex["function"], params=tuple(ex["params"]),
                        points=ex["points"], rtol=ex["rtol"], atol=ex["atol"],
                        returns=tuple(ex["returns"]) if ex["returns"] else None, time_limit=ex["time_limit"],
                        reveal=ex["reveal"], forbid=tuple(ex.get("forbid", ())))
            stored[name] = _Stored(spec, ex["cases"], ex["expected"], ex["mistakes"])
            notebooks.setdefault(data["notebook"], []).append(name)
    return stored, notebooks


_STORED, NOTEBOOKS = _load()
#: exercise name -> Spec, for every exercise of every notebook (complete at import)
EXERCISES = {name: s.spec for name, s in _STORED.items()}


def _stored(name):
    if name not in _STORED:
        raise ValueError(f"no exercise called {name!r}; the exercises are: {', '.join(sorted(_STORED))}")
    return _STORED[name]


def verdict(name, fn):
    """The one-line :class:`Verdict` on the student's function ``fn`` for exercise ``name``: right
    outputs are not enough when the function hands the work to a helpers object that computes the
    answer (the exercise's ``forbid``): it is told to write it itself, as the hidden tests would."""
    s = _stored(name)
    v = judge(s.spec, fn, s.cases, s.expected, s.mistakes)
    if v.status == "correct" and s.spec.forbid:
        used = handed_to(s.spec.forbid, fn, s.cases()[0], s.spec.time_limit)
        if used:
            return Verdict(f"{name}: not right yet: {s.spec.function} hands the work to {used}, which computes "
                           "this exercise's answer: write it yourself", "wrong")
    return v


def hints(name):
    """The hints of exercise ``name``'s catalogued mistakes, in the order the check tries them."""
    return [hint for hint, _ in _stored(name).mistakes]


def _hidden(name, fn):
    try:
        from .keys import hidden_verdict
    except ImportError:
        return Verdict(f"{name}: the hidden tests need the instructor's answer keys (coursework/keys, in the "
                       "course's repository): run them from a clone", "wrong")
    return hidden_verdict(name, fn)


def check(name, fn, *, hidden=False):
    """Print the verdict on ``fn`` for exercise ``name`` (one line), or raise it under nbgrader.

    ``hidden=True`` runs the instructor's hidden tests (fresh inputs, and that the work is not
    handed to a helpers function that computes the answer); it prints only when they fail.
    """
    v = _hidden(name, fn) if hidden else verdict(name, fn)
    if v.status != "correct" and in_nbgrader():
        raise CheckFailed(str(v))
    if not (hidden and v.status == "correct"):
        print(v)


def unpack(name, value):
    """The outputs of a student's function as a tuple in the exercise's order (the check's own
    contract: a tuple, a list, or a dict with the output names in any order)."""
    s = _stored(name)
    try:
        return _unpack(s.spec, value)
    except _Problem as p:
        raise ValueError(f"{s.spec.function} {p}") from None


def _status(name, namespace):
    spec = EXERCISES[name]
    fn = namespace.get(spec.function)
    if fn is None:
        return "not run", None
    v = verdict(name, fn)
    if v.needs:
        return f"needs {v.needs}", v
    return {"correct": "done", "unwritten": "not yet written"}.get(v.status, "wrong"), v


def ready(*names):
    """True when the functions of exercises ``names`` are written and right (their checks pass); else
    False and one line saying which to write, or fix, first. For cells that use the student's
    functions (a wrong function never reaches them, so they never stop on a student's mistake)::

        if ready("mnist_forward", "mnist_backward"):
            ...
    """
    namespace = caller_globals()
    missing, wrong = [], []
    for name in names:
        status, v = _status(name, namespace)
        if status in ("not run", "not yet written"):
            missing.append(f"`{EXERCISES[name].function}`")
        elif v is not None and v.needs:
            missing.append(f"`{v.needs}` (your `{EXERCISES[name].function}` calls it)")
        elif status == "wrong":
            wrong.append(f"`{EXERCISES[name].function}`")
    missing = list(dict.fromkeys(missing))
    if missing:
        them = " and ".join(missing)
        print(f"this cell needs {them}: write {'them' if len(missing) > 1 else 'it'} first (the check after "
              "each says when it is right), then run this cell again")
        return False
    if wrong:
        them = " and ".join(wrong)
        many = len(wrong) > 1
        print(f"this cell needs {them} right: {'their checks say' if many else 'its check says'} what is wrong; fix "
              f"{'them' if many else 'it'}, run the {'checks' if many else 'check'}, then run this cell again")
        return False
    return True


def progress(notebook=None):
    """Print each exercise of ``notebook`` (e.g. "01_rosenbrock"; default: the one whose functions
    this namespace defines) as done, not yet written, wrong, not run or "needs X" (it calls X, still
    a stub), with points and a total."""
    namespace = caller_globals()
    if notebook is None:
        notebook = max(NOTEBOOKS, key=lambda nb: sum(EXERCISES[n].function in namespace for n in NOTEBOOKS[nb]))
    if notebook not in NOTEBOOKS:
        raise ValueError(f"no notebook called {notebook!r}; the notebooks are: {', '.join(sorted(NOTEBOOKS))}")
    rows, earned, total = [], 0, 0
    for name in NOTEBOOKS[notebook]:
        spec = EXERCISES[name]
        status, _ = _status(name, namespace)
        points = spec.points if status == "done" else 0
        earned, total = earned + points, total + spec.points
        rows.append((f"{spec.function} ({name})" if spec.function != name else name, status,
                     f"{points} / {spec.points}"))
    width = max(len(r[0]) for r in rows) + 2
    sw = max(18, max(len(r[1]) for r in rows) + 2)
    print(f"{'exercise':{width}s}{'status':{sw}s}points")
    for label, status, pts in rows:
        print(f"{label:{width}s}{status:{sw}s}{pts}")
    print(f"{'total':{width}s}{'':{sw}s}{earned} / {total}")
