"""Students' answers, right and wrong, as the checks must judge them: every right answer (in many
styles) is "correct" to the visible check and to the hidden tests, and every wrong one is refused
by one of them, naming what is wrong. The answers live in tests/solutions/NN_name.py:
RIGHT = {exercise: [fn, ...]} and WRONG = {exercise: [(fn, words the verdict must contain or None), ...]}."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from coursework import verdict
from coursework.keys import hidden_verdict

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


@pytest.mark.parametrize("nb,name,i,fn", RIGHT, ids=[f"{nb[:2]}-{name}-{i}" for nb, name, i, _ in RIGHT])
def test_a_right_answer_is_correct_to_the_check_and_the_hidden_tests(nb, name, i, fn):
    with np.errstate(all="raise"):  # the student's numpy state does not matter
        v = verdict(name, fn)
    assert v.status == "correct", v
    h = hidden_verdict(name, fn)
    assert h.status == "correct", h


@pytest.mark.parametrize("nb,name,i,fn,words", WRONG, ids=[f"{nb[:2]}-{name}-{i}" for nb, name, i, _, _ in WRONG])
def test_a_wrong_answer_is_refused_and_the_reason_is_named(nb, name, i, fn, words):
    v = verdict(name, fn)
    final = v if v.status != "correct" else hidden_verdict(name, fn)
    assert final.status != "correct", f"judged correct: {name} #{i}"
    assert "\n" not in final and len(final) < 400
    if words:
        assert words in final, final
