"""The answer keys (instructor side): reference solutions, test inputs, catalogued mistakes, hidden tests.

One module per notebook registers its exercises with :func:`exercise`; importing this package
registers them all. This folder is not installed by ``pip install .`` (a graded hub's image
holds no answers); it is used from the course's repository:

- ``python -m coursework.keys`` writes what the student's check compares with, the stored
  inputs and outputs in ``coursework/data/NN_name.json`` (``--check``: exit 1 when stale);
  ``make exercises`` runs it;
- :func:`hidden_verdict` (``check(name, fn, hidden=True)`` in the hidden-test region of a
  solution notebook's check cell) judges the student's function on fresh inputs against the
  live reference at autograde, and makes sure it does not hand the work to a helpers function
  that computes the answer.
"""

import argparse
import copy
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import numpy as np

from .._codec import encode
from .._judge import Spec, Verdict, _Problem, judge, unpack
from .._tripwire import handed_to
from ._registry import REGISTRY, Key, Mistake, exercise

__all__ = ["REGISTRY", "Key", "Mistake", "exercise", "spec_of", "visible_cases", "hidden_cases", "build",
           "hidden_verdict", "tasks_of", "MODULES"]

DATA = Path(__file__).resolve().parent.parent / "data"

MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
           if not m.name.startswith("_")]


def tasks_of(notebook):
    """The assignment's tasks that ``notebook`` covers, {id: what it asks}, from its keys' ``TASKS``."""
    out = {}
    for module in MODULES:
        if getattr(module, "NOTEBOOK", None) == notebook:
            out.update(getattr(module, "TASKS", {}))
    return out


def _seed(name):
    return sum(map(ord, name))


def spec_of(key):
    return Spec(name=key.name, notebook=key.notebook, function=key.function, params=key.params, points=key.points,
                rtol=key.rtol, atol=key.atol, returns=key.returns, time_limit=key.time_limit, reveal=key.reveal,
                forbid=tuple(key.forbid))


def visible_cases(key):
    """The stored test inputs: ``key.cases`` with the exercise's own seed."""
    return list(key.cases(np.random.default_rng(_seed(key.name))))


def hidden_cases(key):
    """Fresh inputs for the hidden tests: ``key.cases`` with another seed, and ``key.hidden``."""
    rng = np.random.default_rng([_seed(key.name), 7])
    return list(key.cases(rng)) + (list(key.hidden(rng)) if key.hidden else [])


def _outputs(key, fn, cases):
    """fn on each case, as stored: a tuple in the order of ``key.returns`` (or the one value)."""
    spec = spec_of(key)
    with np.errstate(all="ignore"):
        return [unpack(spec, fn(*copy.deepcopy(c))) for c in cases]


def build(key):
    """The stored form of one exercise: its settings, inputs, answers and mistakes' outputs."""
    cases = visible_cases(key)
    return {
        "function": key.function, "params": list(key.params), "points": key.points, "rtol": key.rtol,
        "atol": key.atol, "returns": list(key.returns) if key.returns else None, "time_limit": key.time_limit,
        "reveal": key.reveal, "forbid": list(key.forbid),
        "cases": [[encode(a) for a in c] for c in cases],
        "expected": [encode(o) for o in _outputs(key, key.reference, cases)],
        "mistakes": [{"hint": m.hint, "outputs": [encode(o) for o in _outputs(key, m.fn, cases)]}
                     for m in key.mistakes],
    }


def _files():
    """notebook -> the JSON text of its exercises."""
    by_notebook = {}
    for name, key in REGISTRY.items():
        by_notebook.setdefault(key.notebook, {})[name] = build(key)
    return {nb: _dumps(nb, exs) for nb, exs in by_notebook.items()}


def _dumps(notebook, exercises):
    """One exercise a line: small files, readable diffs."""
    lines = [f"{json.dumps(name)}: {json.dumps(ex, separators=(',', ':'))}" for name, ex in exercises.items()]
    return f'{{"notebook": {json.dumps(notebook)}, "exercises": {{\n' + ",\n".join(lines) + "\n}}\n"


def _same(a, b):
    """Stored data equal up to the last bits of floats (another BLAS may round differently)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-11, atol=1e-300))
    return a == b


def stale():
    """The data files that differ from what the answer keys give now (beyond float round-off)."""
    out = []
    files = _files()
    for nb, text in files.items():
        path = DATA / f"{nb}.json"
        if not path.is_file() or not _same(json.loads(path.read_text(encoding="utf-8")), json.loads(text)):
            out.append(path)
    out += [p for p in DATA.glob("*.json") if p.stem not in files]
    return out


def write():
    DATA.mkdir(exist_ok=True)
    files = _files()
    for path in DATA.glob("*.json"):
        if path.stem not in files:
            path.unlink()
    for nb, text in files.items():
        path = DATA / f"{nb}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(DATA.parent.parent)}")


# ----------------------------------------------------------------------------- hidden tests

def hidden_verdict(name, fn):
    """The verdict of the hidden tests on ``fn``: fresh inputs, and no forbidden helpers."""
    if name not in REGISTRY:
        raise ValueError(f"no exercise called {name!r}; the exercises are: {', '.join(sorted(REGISTRY))}")
    key = REGISTRY[name]
    spec = spec_of(key)
    cases = hidden_cases(key)
    refs = _outputs(key, key.reference, cases)
    mistakes = []
    for m in key.mistakes:
        try:
            mistakes.append((m.hint, _outputs(key, m.fn, cases)))
        except (ArithmeticError, ValueError, IndexError, TypeError, _Problem):
            pass  # a mistake written for the visible inputs only
    v = judge(spec, fn, lambda: copy.deepcopy(cases), refs, mistakes, prefix="on the hidden tests, ")
    if v.status != "correct" or not key.forbid:
        return v
    used = handed_to(key.forbid, fn, copy.deepcopy(cases[0]), key.time_limit)
    if used:
        return Verdict(f"{name}: not right yet: on the hidden tests, {key.function} hands the work to {used}, "
                       "which computes this exercise's answer: write it yourself", "wrong")
    return v


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursework.keys",
                                     description="Write coursework/data/*.json from the answer keys.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a stored file is stale")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        if old:
            print(f"error: stale: {', '.join(p.name for p in old)}; run `python -m coursework.keys`", file=sys.stderr)
            return 1
        return 0
    write()
    return 0

