#!/usr/bin/env python3
"""How much of each assignment is the student's: tasks, exercises, answer cells, lines, words.

    python scripts/student_measures.py [--json]

Per notebook, from the solution notebook and its student version in exercises/:

- tasks: the assignment's tasks (``TASKS`` in the notebook's answer keys, numbered as the
  assignment numbers them), and how many the task map at the top of the notebook places in
  a checked function (``check:NAME``) or a written answer (``answer:CELL-ID``);
- exercises: check cells; answer cells: Markdown cells the student writes (graded by hand);
- lines the student writes: non-blank code lines inside the solution regions;
- given code lines: non-blank, non-comment code lines of the student version (stubs excluded,
  and the generated set-up cell, which only finds helpers wherever the notebook runs);
- share: written / (written + given), the part of the finished notebook's code that is the
  student's (aim: at least a quarter);
- words to read: the words of the student version's Markdown.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TASK_ROW = re.compile(r"^\|\s*([0-9][0-9a-z.()]*)\s*\|(.*)\|\s*$", re.M)
TAG = re.compile(r"<!--\s*(check|answer):([\w-]+)\s*-->")
STUB = "raise NotImplementedError"


def task_map(nb):
    """{task id: [(kind, target), ...]} from the cell with id "task-map" (empty if there is none)."""
    cell = next((c for c in nb.cells if c.get("id") == "task-map"), None)
    if cell is None:
        return {}
    return {m.group(1): TAG.findall(m.group(2)) for m in TASK_ROW.finditer(cell.source)}


def _solution_lines(src):
    inside, n = False, 0
    for line in src.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside and line.strip():
            n += 1
    return n


def measures(stem):
    from coursework.keys import tasks_of

    solution = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    student = nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)
    code = [c for c in solution.cells if c.cell_type == "code"]
    written = sum(_solution_lines(c.source) for c in code)
    given = sum(1 for c in student.cells if c.cell_type == "code" and c.get("id") != "bundle-setup"
                for line in c.source.splitlines()
                if line.strip() and not line.strip().startswith("#") and STUB not in line)
    tasks = tasks_of(stem)
    placed = task_map(solution)
    return {
        "notebook": stem,
        "tasks": len(tasks),
        "tasks placed": sum(1 for t in tasks if placed.get(t)),
        "exercises": sum(len(re.findall(r"^check\(\"\w+\", \w+\)$", c.source, re.M)) for c in code),
        "answer cells": sum(1 for c in solution.cells if c.cell_type == "markdown" and "BEGIN SOLUTION" in c.source),
        "lines written": written,
        "given code lines": given,
        "share": round(written / max(written + given, 1), 3),
        "words to read": sum(len(c.source.split()) for c in student.cells if c.cell_type == "markdown"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [measures(p.stem) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    keys = list(rows[0])[1:]
    print(f"{'notebook':30s}" + "".join(f"{k:>18s}" for k in keys))
    for r in rows:
        print(f"{r['notebook']:30s}" + "".join(f"{r[k]!s:>18s}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
