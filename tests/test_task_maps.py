"""The student version is the assignment: every task of the source assignment has its place in the
notebook's task map (a checked function or a written answer), and the student writes a real share
of the code."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from student_measures import measures, task_map  # noqa: E402

from coursework.keys import tasks_of  # noqa: E402

STEMS = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("stem", STEMS)
def test_every_task_of_the_assignment_has_its_place(stem):
    tasks = tasks_of(stem)
    assert tasks, f"no TASKS in the answer keys of {stem}"
    for folder in ("notebooks", "exercises"):
        nb = nbformat.read(ROOT / folder / f"{stem}.ipynb", as_version=4)
        placed = task_map(nb)
        assert set(placed) == set(tasks), (folder, sorted(set(tasks) ^ set(placed)))
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    checks = {m for c in nb.cells if c.cell_type == "code"
              for m in re.findall(r'^check\("(\w+)", \w+\)$', c.source, re.M)}
    answers = {c.id for c in nb.cells if c.cell_type == "markdown" and "BEGIN SOLUTION" in c.source}
    for task, tags in placed.items():
        assert tags, f"task {task} has no place"
        for kind, target in tags:
            assert target in (checks if kind == "check" else answers), f"task {task}: no {kind} {target}"


@pytest.mark.parametrize("stem", STEMS)
def test_the_student_writes_at_least_a_quarter_of_the_code(stem):
    m = measures(stem)
    assert m["share"] >= 0.25, m
