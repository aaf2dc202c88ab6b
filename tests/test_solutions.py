"""Students' answers, right and wrong, as the checks must judge them: every right answer (in many
styles) is "correct" to the visible check and to the hidden tests, and every wrong one is refused
by one of them, naming what is wrong. The answers live in tests/solutions/NN_name.py:
RIGHT = {exercise: [fn, ...]} and WRONG = {exercise: [(fn, words the verdict must contain or None), ...]}."""

import copy
import importlib.util
import pickle
from pathlib import Path

import numpy as np
import pytest

import coursework
import coursework.keys
from coursework import verdict
from coursework.keys import REGISTRY, hidden_verdict

# make check-exercises runs these with the other tests of the course content (make test leaves them out)
pytestmark = pytest.mark.course

FOLDER = Path(__file__).resolve().parent / "solutions"


def _load(path):
    spec = importlib.util.spec_from_file_location(f"solutions_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULES = {p.stem: _load(p) for p in sorted(FOLDER.glob("[0-9][0-9]_*.py"))}
RIGHT = [(nb, name, i, fn) for nb, m in MODULES.items() for name, fns in m.RIGHT.items() for i, fn in enumerate(fns)]
WRONG = [(nb, name, i, fn, words) for nb, m in MODULES.items() for name, cases in m.WRONG.items()
         for i, (fn, words) in enumerate(cases)]


@pytest.fixture(scope="module", autouse=True)
def _keys_outputs_once():
    """hidden_verdict runs the reference and every catalogued mistake on the hidden inputs on each call:
    the same numbers for every answer to that exercise (06's sweeps take seconds). Here each of the
    keys' own functions runs once per set of inputs; the student's function still runs every time.
    Undone when the module ends."""
    outputs, memo = coursework.keys._outputs, {}

    def once(key, fn, cases):
        own = fn is key.reference or any(fn is m.fn for m in key.mistakes)
        if not own:
            return outputs(key, fn, cases)
        tag = (key.name, fn, pickle.dumps(cases))
        if tag not in memo:
            try:
                memo[tag] = (outputs(key, fn, cases), None)
            except Exception as e:  # noqa: BLE001  (a mistake written for the visible inputs only: raised again)
                memo[tag] = (None, e)
        result, error = memo[tag]
        if error is not None:
            raise error
        return copy.deepcopy(result)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coursework.keys, "_outputs", once)
        yield


def test_the_keys_outputs_kept_for_the_next_answer_are_handed_out_as_copies():
    key = REGISTRY["newton_direction"]
    cases = coursework.keys.hidden_cases(key)
    first = coursework.keys._outputs(key, key.reference, cases)
    first[0][...] = np.nan  # a judge that wrote into the answers would not change the next verdict
    again = coursework.keys._outputs(key, key.reference, coursework.keys.hidden_cases(key))
    assert not np.isnan(np.asarray(again[0], float)).any()
    assert hidden_verdict("newton_direction", REGISTRY["newton_direction"].reference).status == "correct"


@pytest.mark.parametrize("nb,name,i,fn", RIGHT, ids=[f"{nb[:2]}-{name}-{i}" for nb, name, i, _ in RIGHT])
def test_a_right_answer_is_correct_to_the_check_and_the_hidden_tests(nb, name, i, fn):
    with np.errstate(all="raise"):  # the student's numpy state does not matter
        v = verdict(name, fn)
    assert v.status == "correct", v
    h = hidden_verdict(name, fn)
    assert h.status == "correct", h


@pytest.mark.parametrize("nb,name,i,fn,words", WRONG, ids=[f"{nb[:2]}-{name}-{i}" for nb, name, i, _, _ in WRONG])
def test_a_wrong_answer_is_refused_and_the_reason_is_named(nb, name, i, fn, words, monkeypatch):
    if words and "time limit" in words:  # an endless loop: refused at any limit; 1 s here, not the stored 5 s
        monkeypatch.setattr(coursework._stored(name).spec, "time_limit", 1.0)
    v = verdict(name, fn)
    final = v if v.status != "correct" else hidden_verdict(name, fn)
    assert final.status != "correct", f"judged correct: {name} #{i}"
    assert "\n" not in final and len(final) < 400
    if words:
        assert words in final, final
