"""The answer keys and what the student's check compares with: every reference passes, every stub
says "not yet written", every catalogued mistake gets its own hint, and the references agree with
central differences. That the stored answers are the keys' current outputs is checked by
`scripts/make_exercises.py --check` in `make check-exercises`, which runs these tests too."""

import copy
import subprocess
import sys

import numpy as np
import pytest

import coursework
from coursework import EXERCISES, verdict
from coursework._judge import judge
from coursework._sandbox import call
from coursework._tripwire import _forbidden, _resolve
from coursework.keys import REGISTRY, _outputs, hidden_verdict, visible_cases

pytestmark = pytest.mark.course  # make check-exercises runs these (make test leaves them out)

ALL = sorted(REGISTRY)
MISTAKES = [(name, i) for name in ALL for i in range(len(REGISTRY[name].mistakes))]
NUMERIC = [name for name in ALL if REGISTRY[name].numeric is not None]


def _stub(*args):
    raise NotImplementedError("write this function, then run the check below it")


def test_every_exercise_is_stored_and_the_registry_is_complete_at_import():
    assert sorted(EXERCISES) == ALL
    for name in ALL:
        key, spec = REGISTRY[name], EXERCISES[name]
        assert (spec.function, spec.notebook, spec.points, spec.returns) == (
            key.function, key.notebook, key.points, key.returns)


def test_the_student_side_holds_no_solution_code():
    """Importing the checks and running one loads no answer key: only stored inputs and outputs."""
    code = ("import sys, coursework; coursework.check('newton_direction', lambda g, H: -H @ g); "
            "print(sorted(m for m in sys.modules if 'keys' in m.split('.') or m.startswith('answer_keys')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]", out
    for name, spec in EXERCISES.items():
        assert not any(callable(v) for v in vars(spec).values()), name


@pytest.mark.parametrize("name", ALL)
def test_the_reference_solution_is_correct(name):
    """The reference's outputs (the instructor's references may use the helpers a student may not)."""
    s = coursework._stored(name)
    assert judge(s.spec, REGISTRY[name].reference, s.cases, s.expected, s.mistakes) == f"{name}: correct" + (
        f" ({REGISTRY[name].reveal})" if REGISTRY[name].reveal else "")


@pytest.mark.parametrize("name", ALL)
def test_the_stub_is_not_yet_written(name, capsys):
    coursework.check(name, _stub)
    out = capsys.readouterr()
    assert out.out == f"{name}: not yet written (replace the `raise NotImplementedError` line with your code)\n"
    assert out.err == ""


@pytest.mark.parametrize("name,i", MISTAKES)
def test_each_catalogued_mistake_gets_its_hint(name, i):
    """The judge names a mistake only after its outputs differ from the stored answers (which are the
    reference's: `scripts/make_exercises.py --check` in make check-exercises): so it also really differs."""
    mistake = REGISTRY[name].mistakes[i]
    assert verdict(name, mistake.fn) == f"{name}: not right yet: {mistake.hint}"


@pytest.mark.parametrize("name", NUMERIC)
def test_the_reference_agrees_with_central_differences(name):
    key = REGISTRY[name]
    for case in visible_cases(key)[:3]:
        with np.errstate(all="ignore"):
            ref = _outputs(key, key.reference, [case])[0]
            num = key.numeric(*copy.deepcopy(case))
        if isinstance(num, dict):
            num = tuple(num.values()) if not key.returns else coursework._judge.unpack(
                coursework.keys.spec_of(key), num)
        ref, num = (ref, num) if key.returns else ((ref,), (num,))
        for r, n in zip(ref, num):
            np.testing.assert_allclose(r, n, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name,path", [(n, p) for n in ALL for p in REGISTRY[n].forbid])
def test_every_forbidden_helper_exists_and_its_use_is_caught(name, path):
    student = lambda *args: _resolve(path)[2]()  # noqa: E731  (looks the name up when it runs, as code does)
    with _forbidden(REGISTRY[name].forbid, student) as wires:
        call(student, ())
    assert [w.path for w in wires if w.tripped] == [path]
    assert _resolve(path)[2] is not None and not isinstance(_resolve(path)[2], type(wires[0]))  # put back


def test_a_reference_that_calls_helpers_fails_the_hidden_tests():
    """At autograde, a function built on the helpers kernel that computes the answer is refused."""
    v = hidden_verdict("iris_forward", REGISTRY["iris_forward"].reference)
    assert v == ("iris_forward: not right yet: on the hidden tests, iris_forward hands the work to helpers.nn.MLP, "
                 "which computes this exercise's answer: write it yourself")


def test_the_visible_check_refuses_the_helpers_function_the_hidden_tests_refuse():
    """A student sees the refusal the autograder would give, not "correct" and then 0 points."""
    v = verdict("iris_forward", REGISTRY["iris_forward"].reference)
    assert v.status == "wrong" and v == ("iris_forward: not right yet: iris_forward hands the work to helpers.nn.MLP, "
                                         "which computes this exercise's answer: write it yourself")
    assert all(EXERCISES[name].forbid == tuple(key.forbid) for name, key in REGISTRY.items())


def test_an_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="no exercise called 'nope'"):
        verdict("nope", _stub)
