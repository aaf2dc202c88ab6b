"""The student notebooks in exercises/: no solution left in them, four exercises or more each with
its check, links to student notebooks. That each runs top to bottom as handed out, every check
saying "not yet written", is proved by the Run All of tests/test_sessions.py (one execution of
each notebook for both)."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDENT = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", STUDENT, ids=[p.stem for p in STUDENT])
def test_no_solution_is_left_in_the_student_notebook(path):
    text = path.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "coursework.keys" not in text and "answer_keys" not in text, "the student version imports the answer keys"
    solution = (ROOT / "notebooks" / path.name).read_text(encoding="utf-8")
    assert solution.count("BEGIN SOLUTION") >= 1


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_notebook_has_at_least_four_exercises_each_with_its_check(path):
    from coursework import EXERCISES

    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    checks = [m for src in cells for m in re.findall(r'^check\("(\w+)", (\w+)\)', src, re.M)]
    assert len(checks) >= 4 and len({name for name, _ in checks}) == len(checks)
    for name, fn in checks:  # a registered exercise, and the student's function written in a solution region
        assert name in EXERCISES and EXERCISES[name].function == fn and EXERCISES[name].notebook == path.stem
        assert any(f"def {fn}(" in src and "BEGIN SOLUTION" in src for src in cells), name
    assert {name for name, _ in checks} == {n for n, s in EXERCISES.items() if s.notebook == path.stem}


@pytest.mark.parametrize("path", STUDENT, ids=[p.stem for p in STUDENT])
def test_links_in_a_student_notebook_open_student_notebooks(path):
    nb = nbformat.read(path, as_version=4)
    links = [u for c in nb.cells if c.cell_type == "markdown" for u in re.findall(r"\]\((https?://[^)]+)\)", c.source)]
    assert any("exercises" in u for u in links), "the badges are gone"
    assert not [u for u in links if "notebooks/" in u or "notebooks%2F" in u], links
