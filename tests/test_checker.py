"""The checker as students meet it: wrong answers are never "correct", right ones are never
refused, every message is true, and nothing a function returns or does breaks the check.
Toy exercises are built here and passed to ``judge`` directly: nothing is added to the registry."""

import dataclasses
import io
import os
import signal
import sys
import time
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

import coursework
from coursework import CheckFailed, check, progress, ready, unpack, verdict
from coursework._judge import Spec, judge

# ----------------------------------------------------------------------------- a toy exercise


def _toy_cases():
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((3, 2)), rng.standard_normal((2, 4))) for _ in range(3)]


TOY = Spec(name="toy", notebook="00_toy", function="mine", params=("A", "B"), time_limit=1.0)


def toy(fn, spec=TOY, ref=lambda A, B: A @ B, mistakes=()):
    return judge(spec, fn, _toy_cases, [ref(*c) for c in _toy_cases()], mistakes)


def test_right_and_wrong_on_the_toy():
    assert toy(lambda A, B: A @ B) == "toy: correct"
    assert toy(lambda A, B: A @ B).status == "correct"
    assert toy(lambda A, B: (A @ B).T).startswith("toy: not right yet: the output has shape (4, 3), the transpose")


# ----------------------------------------------------------------------------- false verdicts, both ways

def test_softplus_by_log1p_of_exp_is_not_correct():
    v = verdict("softplus_and_grad", lambda z: (np.log1p(np.exp(z)), 1 / (1 + np.exp(-z))))
    assert v.status == "wrong" and "overflow" in v


def test_a_float32_softplus_is_refused_with_the_float_policy():
    def f32(z):
        z = np.asarray(z, dtype=np.float32)
        return np.logaddexp(np.float32(0), z), (1 / (1 + np.exp(-z))).astype(np.float32)

    v = verdict("softplus_and_grad", f32)
    assert v.status == "wrong" and "float32 values for float64 inputs: compute in float64" in v


@pytest.mark.parametrize("shift", ["batch max", "row mean"])
def test_softmax_shifted_by_the_wrong_constant_is_not_correct(shift):
    def soft(Z):
        c = Z.max() if shift == "batch max" else Z.mean(axis=1, keepdims=True)
        e = np.exp(Z - c)
        return e / e.sum(axis=1, keepdims=True)

    assert verdict("mnist_softmax", soft).status == "wrong"
    assert verdict("mnist_ce_grad", lambda Z, y: (soft(Z) - np.eye(Z.shape[1])[y]) / len(y)).status == "wrong"


def test_the_cross_entropy_as_log_of_softmax_is_not_correct():
    def forward(X, y, W1, b1, W2, b2, c):
        Z2 = np.maximum(X @ W1 + b1, 0) @ W2 + b2
        E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            J = -np.log(P[range(len(y)), y]).mean() + c * (np.sum(W1**2) + np.sum(W2**2))
        return J, P

    v = verdict("mnist_forward", forward)
    assert v.status == "wrong" and "log_softmax" in v


def test_a_bisection_that_ignores_steps_and_hi_is_not_correct():
    from coursework.keys.vanishing import escapes

    def fixed(rule, steps=100, hi=3.0, tol=1e-4):
        lo, hi2 = 0.0, 3.0
        while hi2 - lo > tol:
            mid = 0.5 * (lo + hi2)
            lo, hi2 = (mid, hi2) if escapes(mid, rule, 100) else (lo, mid)
        return lo

    assert verdict("largest_escapable_h", fixed).status == "wrong"


def test_lists_are_accepted_wherever_tuples_are():
    from coursework.keys.relu_xor import backprop
    from coursework.keys.softplus_iris import softplus_and_grad

    assert verdict("softplus_and_grad", lambda z: list(softplus_and_grad(z))).status == "correct"
    assert verdict("relu_net_grads", lambda *a: list(backprop(*a).values())).status == "correct"


def test_float32_inputs_accept_float32_answers_everywhere():
    from coursework.keys.softmax_classifier import mnist_softmax

    assert verdict("mnist_softmax", lambda Z: mnist_softmax(Z).astype(Z.dtype)).status == "correct"
    v = verdict("mnist_softmax", lambda Z: mnist_softmax(Z).astype(np.float32))
    assert v.status == "wrong" and "float32 values for float64 inputs" in v


def test_one_return_contract_for_the_check_and_the_notebook():
    from coursework.keys.softmax_classifier import mnist_backward

    as_dict = lambda *a: mnist_backward(*a)  # noqa: E731
    backprop_order = lambda *a: {k: mnist_backward(*a)[k] for k in ("W2", "b2", "W1", "b1")}  # noqa: E731
    as_tuple = lambda *a: tuple(mnist_backward(*a).values())  # noqa: E731
    for fn in (as_dict, backprop_order, as_tuple):
        assert verdict("mnist_backward", fn).status == "correct"
    W = np.ones((2, 2))
    assert unpack("mnist_backward", {"b2": 4, "W1": W, "b1": 2, "W2": 3})[0] is W
    with pytest.raises(ValueError, match="^backward returns a dict with keys dW1, b1; the exercise's outputs are"):
        unpack("mnist_backward", {"dW1": 1, "b1": 2})


# ----------------------------------------------------------------------------- true messages

def test_the_constant_factor_hint_only_for_a_constant_factor():
    assert "times the right one" not in verdict("iris_param_count", lambda n: 7 * n + 2)
    assert "all zeros" in verdict("iris_param_count", lambda n: 0)
    assert "0 times" not in verdict("iris_param_count", lambda n: 0)
    assert "is 1.0001 times the right one" in toy(lambda A, B: 1.0001 * (A @ B))
    assert "is 0.5 times the right one" in toy(lambda A, B: 0.5 * (A @ B))


def test_nan_hints_tell_an_overflow_from_an_invalid_operation():
    over = toy(lambda A, B: np.exp(1e3 * (A @ B)) / np.exp(1e3 * (A @ B)))
    assert "overflowed" in over
    invalid = toy(lambda A, B: np.sqrt(A @ B))  # sqrt of negative entries
    assert "invalid operation" in invalid and "overflow" not in invalid
    zero_by_zero = toy(lambda A, B: (A @ B) * (0 * A.sum()) / (0 * A.sum()))
    assert "invalid operation" in zero_by_zero and "overflow" not in zero_by_zero


def test_a_written_function_calling_an_unwritten_one_names_it():
    def slope_from_h(h):
        raise NotImplementedError("write this function, then run the check below it")

    def chain_grad(x, w1, b1, w, b):
        return slope_from_h(x), slope_from_h(x)

    v = verdict("chain_grad", chain_grad)
    assert v == ("chain_grad: chain_grad calls slope_from_h, which is not written yet: write slope_from_h first, "
                 "then run this check again")


CELL = '''\
import numpy as np

def helper(A):
    return A @ A   # (3, 2) @ (3, 2) does not fit

def mine(A, B):
    return helper(A) @ B
'''


def test_an_error_is_reported_at_its_line_in_the_students_cell():
    ns = {}
    exec(compile(CELL, "/tmp/ipykernel_123/4567.py", "exec"), ns)  # a notebook cell, as ipykernel names it
    v = toy(ns["mine"])
    assert v.startswith("toy: your code raised ValueError in helper, line 4 of its cell")
    assert "line -" not in v and "_judge" not in v and "_sandbox" not in v


def test_a_wrong_signature_is_named_not_blamed_on_the_checker():
    v = toy(lambda A: A)
    assert v.startswith("toy: <lambda>(A) cannot take the check's 2 argument(s) (A, B): "
                        "keep the signature def mine(A, B)")


# ----------------------------------------------------------------------------- a checker that never breaks

@pytest.mark.parametrize("value,words", [
    ("a string", "returns the string 'a string' where the answer is a number"),
    ((i for i in range(3)), "generator"),
    ([[1.0, 2.0], [3.0]], "not a number or a regular array"),
    (object(), "not a number or a regular array"),
])
def test_any_return_value_gets_one_line(value, words):
    v = toy(lambda A, B: value)
    assert words in v and "\n" not in v and v.status == "wrong"


def test_classify_returning_eigenvalues_is_one_line():
    v = verdict("classify", lambda H: np.linalg.eigvalsh(H))
    assert v.status == "wrong" and "where the answer is a word such as" in v and "\n" not in v


def test_a_huge_returned_string_is_shortened():
    v = toy(lambda A, B: "x" * 7_000_000)
    assert len(v) < 300


def test_the_students_numpy_state_is_restored_and_does_not_break_the_check():
    old = np.geterr()
    opts = np.get_printoptions()

    def meddling(A, B):
        np.seterr(all="raise")
        np.set_printoptions(precision=1)
        return np.exp(1e3 * (A @ B))  # raises FloatingPointError under "raise"

    v = toy(meddling)
    assert v.startswith("toy: your code raised FloatingPointError in meddling") and "overflow" in v
    assert np.geterr() == old and np.get_printoptions() == opts
    with np.errstate(all="raise"):  # the student set this in an earlier cell: the check still works
        v = toy(lambda A, B: np.exp(1e3 * (A @ B)))
        assert np.geterr()["over"] == "raise"
    assert "overflowed" in v


def test_sys_exit_is_reported_not_obeyed():
    def leave(A, B):
        sys.exit(3)

    v = toy(leave)
    assert "called sys.exit()" in v and v.status == "wrong"


def test_an_endless_loop_meets_the_time_limit():
    def forever(A, B):
        while True:
            pass

    v = toy(forever)
    assert v == ("toy: stopped after 1 s, the time limit of this check: look for a loop that never ends "
                 "(a bisection needs a way out)")


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="no SIGINT")
def test_the_time_limit_stops_a_loop_in_a_process_that_ignores_sigint():
    # a job started in the background (a shell's &, nohup, a CI runner) starts with SIGINT ignored; the
    # limit works through Python's SIGINT handler, so without one it would never stop an endless loop
    deadline, ended = time.monotonic() + 20, []  # the loop ends by itself, so the test fails instead of hanging

    def forever(A, B):
        while time.monotonic() < deadline:
            pass
        ended.append(True)

    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        v = toy(forever)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the process's own handling, back
    finally:
        signal.signal(signal.SIGINT, old)
    assert not ended, "the loop ran to its own end: the limit did not stop it"
    assert v.startswith("toy: stopped after 1 s, the time limit of this check")


def test_printed_output_is_captured_and_shortened():
    def chatty(A, B):
        for i in range(100_000):
            print("step", i, "of a very long loop that prints far too much")
        return A @ B

    buf = io.StringIO()
    with redirect_stdout(buf):
        v = toy(chatty, spec=dataclasses.replace(TOY, time_limit=60.0))
    assert buf.getvalue() == ""
    assert v.startswith("toy: correct [it printed 'step 0 of a very long loop") and "99999 more line(s)]" in v
    assert len(v) < 200


def test_inputs_are_not_shared_between_calls():
    def mutating(A, B):
        A *= 0
        return A @ B

    assert toy(mutating).status == "wrong"
    assert toy(lambda A, B: A @ B).status == "correct"


def test_a_catalogued_mistake_wins_over_the_generic_diagnosis():
    plus_one = lambda A, B: A @ B + 1  # noqa: E731
    cases = _toy_cases()
    v = toy(plus_one, mistakes=[("a constant 1 too many", [plus_one(*c) for c in cases])])
    assert v == "toy: not right yet: a constant 1 too many"


# ----------------------------------------------------------------------------- grading and progress

def _stub(*args):
    raise NotImplementedError("write this function, then run the check below it")


def test_under_nbgrader_a_check_that_is_not_correct_raises(monkeypatch, capsys):
    from coursework.keys.rosenbrock import newton_direction

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(CheckFailed, match="newton_direction: not yet written"):
        check("newton_direction", _stub)
    with pytest.raises(CheckFailed, match="newton_direction: not right yet"):
        check("newton_direction", lambda g, H: -H @ g)
    check("newton_direction", newton_direction)
    assert capsys.readouterr().out == "newton_direction: correct\n"
    monkeypatch.delenv("NBGRADER_EXECUTION")
    check("newton_direction", _stub)  # a student's own notebook: one line, and it goes on
    assert "not yet written" in capsys.readouterr().out


def test_hidden_tests_catch_a_function_that_hands_the_work_to_helpers(capsys):
    from helpers.activations import sigmoid, softplus

    def lazy(z):
        return softplus(z), sigmoid(z)

    # the visible check says what the hidden tests will: right numbers, but not the student's work
    assert verdict("softplus_and_grad", lazy) == ("softplus_and_grad: not right yet: softplus_and_grad hands the work "
                                                  "to helpers.activations.softplus, which computes this exercise's "
                                                  "answer: write it yourself")
    check("softplus_and_grad", lazy, hidden=True)
    out = capsys.readouterr().out
    assert "on the hidden tests, softplus_and_grad hands the work to helpers.activations.softplus" in out

    def mine(z):
        z = np.asarray(z, dtype=float)
        return np.logaddexp(0, z), np.exp(-np.logaddexp(0, -z))

    check("softplus_and_grad", mine, hidden=True)
    assert capsys.readouterr().out == ""  # hidden tests print only when they fail
    assert softplus(np.array([1.0]))[0] == pytest.approx(np.log1p(np.e))  # put back afterwards


def test_progress_shows_each_exercise_with_points_and_a_total(capsys):
    from coursework.keys.rosenbrock import classify, newton_direction

    ns = {"rosenbrock_grad": _stub, "classify": classify, "newton_direction": lambda g, H: -H @ g}
    exec("progress('01_rosenbrock')", {"progress": progress, **ns})
    out = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split() for line in out[1:]}
    assert rows["rosenbrock_grad"][1:] == ["not", "yet", "written", "0", "/", "2"]
    assert rows["classify"][1:] == ["done", "2", "/", "2"]
    assert rows["newton_direction"][1:] == ["wrong", "0", "/", "1"]
    assert rows["rosenbrock_hess"][1:] == ["not", "run", "0", "/", "2"]
    total = sum(coursework.EXERCISES[n].points for n in coursework.NOTEBOOKS["01_rosenbrock"])
    assert out[-1].split() == ["total", "2", "/", str(total)]
    assert newton_direction is not None


def test_ready_names_the_function_to_write_first(capsys):
    ns = {"ready": ready, "forward": _stub, "backward": lambda *a: None}
    exec("result = ready('mnist_forward', 'mnist_backward')", ns)
    assert ns["result"] is False
    assert capsys.readouterr().out == ("this cell needs `forward`: write it first (the check after each says when it "
                                       "is right), then run this cell again\n")
    ns["forward"] = lambda *a: (0.0, 0.0)  # written, and wrong
    exec("result = ready('mnist_forward', 'mnist_backward')", ns)
    assert ns["result"] is False
    assert capsys.readouterr().out == ("this cell needs `forward` and `backward` right: their checks say what is "
                                       "wrong; fix them, run the checks, then run this cell again\n")
    import importlib.util  # a student's right answers, from the corpus (the references may use helpers)
    where = Path(__file__).with_name("solutions") / "05_mnist_classifier.py"
    spec = importlib.util.spec_from_file_location("corpus_05", where)
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    ns.update(forward=corpus.RIGHT["mnist_forward"][0], backward=corpus.RIGHT["mnist_backward"][0])
    exec("result = ready('mnist_forward', 'mnist_backward')", ns)
    assert ns["result"] is True and capsys.readouterr().out == ""


def test_ready_and_progress_name_the_unwritten_function_a_written_one_calls(capsys):
    """A written chain_grad calling the stub slope_from_h: the cell that would use it says to write
    slope_from_h first (it would otherwise stop with the stub's NotImplementedError)."""
    code = """
def slope_from_h(h):
    raise NotImplementedError("write this function, then run the check below it")

def chain_grad(x, w1, b1, w, b):
    return slope_from_h(x), slope_from_h(x)

result = ready("chain_grad")
progress("06_vanishing_gradients")
"""
    ns = {"ready": ready, "progress": progress}
    exec(code, ns)
    out = capsys.readouterr().out.splitlines()
    assert ns["result"] is False
    assert out[0] == ("this cell needs `slope_from_h` (your `chain_grad` calls it): write it first (the check after "
                      "each says when it is right), then run this cell again")
    rows = {line.split()[0]: line.split() for line in out[2:]}
    assert rows["chain_grad"][1:] == ["needs", "slope_from_h", "0", "/", "2"]
    assert rows["slope_from_h"][1:4] == ["not", "yet", "written"]


def test_the_checks_raise_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        toy(lambda A, B: np.exp(1e3 * (A @ B)))
    assert os.environ.get("NBGRADER_EXECUTION") is None


def test_a_wrong_shape_on_a_later_test_is_named_not_a_crash():
    """Right shape on one test, wrong on another: the diagnosis compares only what it can."""
    spec = Spec(name="demo", notebook="00_toy", function="f", params=("n",))
    v = judge(spec, lambda n: np.ones(2), lambda: [(2,), (3,)], [np.zeros(2), np.zeros(3)])
    assert v.status == "wrong" and "\n" not in v
