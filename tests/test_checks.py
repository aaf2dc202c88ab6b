"""The exercise checks: every reference passes, every stub says "not yet written", every
catalogued mistake gets its own hint, and the generic diagnoses say what they should."""

import numpy as np
import pytest

import answer_keys  # noqa: F401  (registers every exercise)
from helpers.checks import EXERCISES, Exercise, Mistake, _all_close, _flat, check, verdict

ALL = sorted(EXERCISES)
MISTAKES = [(name, i) for name in ALL for i in range(len(EXERCISES[name].mistakes))]


def _stub(*args):
    raise NotImplementedError("write this function, then run the check below it")


@pytest.mark.parametrize("name", ALL)
def test_the_reference_solution_is_correct(name):
    assert verdict(name, EXERCISES[name].reference) == f"{name}: correct"


@pytest.mark.parametrize("name", ALL)
def test_the_stub_is_not_yet_written(name, capsys):
    check(name, _stub)
    out = capsys.readouterr()
    assert out.out == f"{name}: not yet written (replace the `raise NotImplementedError` line with your code)\n"
    assert out.err == ""


@pytest.mark.parametrize("name,i", MISTAKES)
def test_each_catalogued_mistake_gets_its_hint(name, i):
    mistake = EXERCISES[name].mistakes[i]
    assert verdict(name, mistake.fn) == f"{name}: not right yet: {mistake.hint}"


@pytest.mark.parametrize("name,i", MISTAKES)
def test_each_catalogued_mistake_really_differs_from_the_reference(name, i):
    ex = EXERCISES[name]
    cases = ex.cases(np.random.default_rng(0))
    outs = [_flat(ex.mistakes[i].fn(*c)) for c in cases]
    refs = [_flat(ex.reference(*c)) for c in cases]
    assert not _all_close(outs, refs, ex.rtol, ex.atol)


# ------------------------------------------------------------------ generic diagnoses, on a toy exercise

def _toy_cases(rng):
    return [(rng.standard_normal((3, 2)), rng.standard_normal((2, 4))) for _ in range(3)]


EXERCISES["toy_matmul"] = Exercise(lambda A, B: A @ B, _toy_cases,
                                   (Mistake("a constant 1 too many", lambda A, B: (A @ B) + 1),))


def test_a_catalogued_mistake_wins_over_the_generic_diagnosis():
    assert verdict("toy_matmul", lambda A, B: A @ B + 1) == "toy_matmul: not right yet: a constant 1 too many"


def test_transpose_is_explained():
    assert "transpose of the expected (3, 4)" in verdict("toy_matmul", lambda A, B: (A @ B).T)


def test_sign_and_factor_and_shape():
    assert "wrong sign" in verdict("toy_matmul", lambda A, B: -(A @ B))
    assert "is 0.5 times the right one" in verdict("toy_matmul", lambda A, B: 0.5 * (A @ B))
    assert "has shape (3,), expected (3, 4)" in verdict("toy_matmul", lambda A, B: (A @ B)[:, 0])


def test_an_exception_is_one_line_with_its_type_and_line():
    def mine(A, B):
        C = A @ B
        return C @ C  # (3, 4) @ (3, 4): shapes do not fit

    msg = verdict("toy_matmul", mine)
    assert msg.startswith("toy_matmul: your code raised ValueError on line 3 of mine (`return C @ C")
    assert "\n" not in msg and "Traceback" not in msg


def test_a_missing_return_is_named():
    def mine(A, B):
        A @ B  # noqa: B018

    assert verdict("toy_matmul", mine) == "toy_matmul: your function returns None; end it with `return ...`"


def test_inputs_are_not_shared_with_the_student():
    def mutating(A, B):
        A *= 0  # a student's function that changes its input must not change the reference's
        return A @ B

    assert "off" in verdict("toy_matmul", mutating)
    assert verdict("toy_matmul", lambda A, B: A @ B) == "toy_matmul: correct"


def test_tuples_and_dicts_are_compared_entry_by_entry():
    EXERCISES["toy_pair"] = Exercise(lambda A, B: {"sum": A.sum(), "prod": A @ B}, _toy_cases)
    assert verdict("toy_pair", lambda A, B: {"sum": A.sum(), "prod": A @ B}) == "toy_pair: correct"
    assert "output['prod'] has shape (4, 3)" in verdict("toy_pair", lambda A, B: {"sum": A.sum(), "prod": (A @ B).T})
    assert verdict("toy_pair", lambda A, B: {"prod": A @ B, "sum": A.sum()}) == "toy_pair: correct"  # any key order


def test_an_exactly_zero_output_needs_an_absolute_tolerance():
    EXERCISES["toy_zero"] = Exercise(lambda A, B: 0.0 * A.sum(), _toy_cases, atol=1e-12)
    assert verdict("toy_zero", lambda A, B: 1e-17 * A.sum()) == "toy_zero: correct"
    assert "off" in verdict("toy_zero", lambda A, B: 1e-3 * A.sum())


def test_an_overflow_is_named_and_can_be_a_catalogued_mistake():
    naive = lambda A, B: np.exp(1e3 * (A @ B)) / np.exp(1e3 * (A @ B))  # noqa: E731  inf / inf
    assert "holds inf or nan where the answer is finite" in verdict("toy_matmul", naive)
    EXERCISES["toy_overflow"] = Exercise(lambda A, B: A @ B, _toy_cases, (Mistake("overflows", naive),))
    assert verdict("toy_overflow", naive) == "toy_overflow: not right yet: overflows"


def test_an_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="no exercise called 'nope'"):
        verdict("nope", _stub)
