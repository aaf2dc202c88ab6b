#!/usr/bin/env python3
"""Give the solution notebooks the nbgrader metadata their exercises imply (``make notebooks`` runs it).

    python scripts/grading_cells.py            # write the metadata into notebooks/*.ipynb
    python scripts/grading_cells.py --check    # exit 1, naming each notebook that is not current

The metadata follows from what the notebooks already say, so it is never written by hand:

- a code cell with ``### BEGIN SOLUTION`` is an autograded answer cell (the student's function);
- a code cell ``check("name", fn)`` is an autograded test cell worth the exercise's points
  (``coursework/data``, from the answer keys); its ``### BEGIN HIDDEN TESTS`` region holds
  ``check("name", fn, hidden=True)``, which nbgrader strips from the student's copy;
- a Markdown cell with ``<!-- BEGIN SOLUTION -->`` is a written answer, graded by hand; its points
  are written in it as ``<!-- points: N -->`` (default 1), and its solution region holds the
  model answer and a short rubric (**Rubric:** ...), which the student's copy replaces by the
  answer prompt.

Every other cell carries no nbgrader metadata. Grade ids are the exercise's name (``check_NAME``,
``answer_FUNCTION``) or, for written answers, the cell's id.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from coursework import EXERCISES  # noqa: E402

CHECK = re.compile(r'^check\("(\w+)", (\w+)\)$', re.M)
DEF = re.compile(r"^def (\w+)\(", re.M)
POINTS = re.compile(r"<!--\s*points:\s*(\d+)\s*-->")


def grading(cell):
    """The nbgrader metadata this cell should carry, or None."""
    base = {"schema_version": 3, "task": False}
    src = cell.source
    if cell.cell_type == "code" and "### BEGIN SOLUTION" in src:
        names = DEF.findall(src)
        return {**base, "grade": False, "solution": True, "locked": False,
                "grade_id": f"answer_{names[0] if names else cell.id}"}
    if cell.cell_type == "code" and CHECK.search(src):
        name = CHECK.search(src).group(1)
        return {**base, "grade": True, "solution": False, "locked": True, "grade_id": f"check_{name}",
                "points": EXERCISES[name].points}
    if cell.cell_type == "markdown" and "BEGIN SOLUTION" in src:
        points = POINTS.search(src)
        return {**base, "grade": True, "solution": True, "locked": False, "grade_id": f"answer_{cell.id}",
                "points": int(points.group(1)) if points else 1}
    return None


def with_grading(nb):
    for cell in nb.cells:
        meta = grading(cell)
        if meta is None:
            cell.metadata.pop("nbgrader", None)
        else:
            cell.metadata["nbgrader"] = meta
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"duplicate grade ids: {', '.join(dupes)} (two cells for one exercise?)")
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not current")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        before = path.read_text(encoding="utf-8")
        after = nbformat.writes(with_grading(nbformat.reads(before, as_version=4))) + "\n"
        if after != before:
            stale.append(path.name)
            if not args.check:
                path.write_text(after, encoding="utf-8")
                print(f"updated {path.name}")
    if args.check and stale:
        print(f"nbgrader metadata not current: {', '.join(stale)}; run `python scripts/grading_cells.py`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
