"""The answer keys' registry: an exercise is a reference solution with its test inputs,
catalogued mistakes, tolerance, points, and the helpers functions it must not hand its work to."""

import inspect
from dataclasses import dataclass, field

__all__ = ["Mistake", "Key", "REGISTRY", "exercise"]


@dataclass(frozen=True)
class Mistake:
    """A catalogued wrong answer: a function with the exercise's signature, and the hint it earns."""

    hint: str
    fn: callable


@dataclass(frozen=True)
class Key:
    """One exercise's answer key (instructor side; the student's check sees only its stored outputs).

    cases(rng) -> the visible test inputs (stored with their answers); hidden(rng) -> more inputs
    for the hidden tests, judged live against the reference at autograde; numeric(*args) -> the
    answer by central differences (the tests prove the reference agrees); forbid: dotted names of
    helpers objects that compute the answer, which the student's function must not call.
    """

    name: str
    reference: callable
    cases: callable
    notebook: str
    function: str
    mistakes: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-12  # times the largest |entry| of the output: round-off where terms cancel to 0
    numeric: callable = None
    points: int = 1
    returns: tuple = None
    forbid: tuple = ()
    hidden: callable = None
    reveal: str = ""
    time_limit: float = 5.0
    params: tuple = field(default=())


#: exercise name -> Key, filled by importing coursework.keys
REGISTRY = {}


def exercise(name, cases, *, function=None, mistakes=(), **settings):
    """Decorator registering a reference solution as the exercise ``name`` of the calling module's
    notebook (its ``NOTEBOOK``); ``function`` is the name the notebook gives the student's function."""
    def register(reference):
        module = inspect.getmodule(reference)
        if name in REGISTRY:
            raise ValueError(f"exercise {name!r} is registered twice")
        n_args = len(cases(__import__("numpy").random.default_rng(0))[0])
        params = tuple(list(inspect.signature(reference).parameters)[:n_args])
        REGISTRY[name] = Key(name, reference, cases, module.NOTEBOOK, function or reference.__name__,
                             tuple(mistakes), params=params, **settings)
        return reference
    return register
