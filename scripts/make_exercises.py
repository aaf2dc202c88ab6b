#!/usr/bin/env python3
"""Write the student version of every notebook: exercises/NN_*.ipynb (the `make exercises` entry point).

    python scripts/make_exercises.py [--check]

The solution notebooks in notebooks/ mark what a student writes with nbgrader's solution
markers (``### BEGIN SOLUTION`` / ``### END SOLUTION``, in code or Markdown cells).
nbgrader's own preprocessors make the student version: ClearSolutions replaces each
region with a stub that raises NotImplementedError (in Markdown: a prompt to write the
answer), ClearOutput removes every output. The prose, the figures' code, the explorers
and the check cells stay. The result is a pure function of notebooks/: ``--check``
regenerates in memory and exits 1 when a committed exercise notebook differs (CI).

nbgrader is an instructor-side tool (requirements-instructor.txt); students need only the
bundle's own requirements to open and check the exercises.
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearOutput, ClearSolutions

ROOT = Path(__file__).resolve().parent.parent
STUB = 'raise NotImplementedError("write this function, then run the check below it")'
TEXT_STUB = "*Your answer here (double-click to edit).*"


def student_version(path):
    """The student notebook for the solution notebook at ``path``, as a JSON string."""
    nb = nbformat.read(path, as_version=4)
    nb, _ = ClearSolutions(code_stub={"python": STUB}, text_stub=TEXT_STUB, enforce_metadata=False).preprocess(nb, {})
    nb, _ = ClearOutput().preprocess(nb, {})
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate exercises/ from the solution notebooks in notebooks/.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed exercise notebook is stale")
    args = parser.parse_args(argv)
    out_dir = ROOT / "exercises"
    stale = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if "BEGIN SOLUTION" not in path.read_text(encoding="utf-8"):
            print(f"{path.name}: no exercise regions yet, skipped")
            continue
        target = out_dir / path.name
        text = student_version(path)
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(target.relative_to(ROOT))
            continue
        out_dir.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"error: stale student notebooks: {', '.join(map(str, stale))}; run `make exercises` and commit",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
