"""Tripwires for the helpers objects that compute an exercise's answer: a check (visible, and the
hidden tests at autograde) calls the student's function once with them in place, so a function
that hands the work to one of them is told to write it itself."""

import contextlib
import importlib

from ._sandbox import call


class _Tripwire:
    """Stands in for a forbidden helpers object during the hidden test; any use is recorded."""

    def __init__(self, path):
        self.path, self.tripped = path, False

    def _trip(self, *args, **kwargs):
        self.tripped = True
        raise RuntimeError(f"{self.path} is not available in this test")

    __call__ = __getitem__ = _trip

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._trip()


def _resolve(path):
    """(owner, attribute, object) for a dotted name such as helpers.objectives.ROSENBROCK.grad."""
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:-1]:
            owner = getattr(owner, attr)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ValueError(f"cannot resolve {path!r}")


@contextlib.contextmanager
def _forbidden(paths, fn):
    """Replace each forbidden object by a tripwire, in its owner and in the student's globals."""
    undo, wires = [], []
    namespace = getattr(fn, "__globals__", {})
    cells = [c for c in (getattr(fn, "__closure__", None) or ()) if _filled(c)]
    try:
        for path in paths:
            owner, attr, obj = _resolve(path)
            wire = _Tripwire(path)
            wires.append(wire)
            undo.append((owner, attr, obj))
            object.__setattr__(owner, attr, wire)
            for name, value in list(namespace.items()):
                if value is obj:
                    undo.append((namespace, name, obj))
                    namespace[name] = wire
            for cell in cells:
                if cell.cell_contents is obj:
                    undo.append((cell, None, obj))
                    cell.cell_contents = wire
        yield wires
    finally:
        for owner, attr, obj in reversed(undo):
            if owner is namespace:
                namespace[attr] = obj
            elif attr is None:
                owner.cell_contents = obj
            else:
                object.__setattr__(owner, attr, obj)


def _filled(cell):
    try:
        cell.cell_contents  # noqa: B018
        return True
    except ValueError:  # an empty cell
        return False


def handed_to(paths, fn, args, limit):
    """The first of ``paths`` (dotted names) that ``fn(*args)`` uses, or None."""
    with _forbidden(paths, fn) as wires:
        call(fn, args, limit=limit)
    return next((w.path for w in wires if w.tripped), None)
