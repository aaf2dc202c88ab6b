#!/usr/bin/env python3
"""Write the student version of every notebook: exercises/NN_*.ipynb (the `make exercises` entry point).

    python scripts/make_exercises.py [--check]

The student version is what nbgrader itself releases: this runs the preprocessors of
``nbgrader generate_assignment`` in its order (lock cells, clear solutions, clear outputs,
check the metadata, compute checksums, clear the hidden tests and the mark schemes, compute
the checksums again), with the course's settings from ``STUBS`` below, on each solution
notebook in notebooks/. Only the step that needs nbgrader's database (recording the cells
in the gradebook) is left out; ``tests/test_nbgrader.py`` proves the result equals
``nbgrader generate_assignment``'s release. The nbgrader metadata stays in the student copy,
so a collected submission can be autograded.

First the stored answers the student's checks compare with (coursework/data) are brought up
to date from the answer keys. The result is a pure function of notebooks/ and the keys:
``--check`` regenerates in memory and exits 1 when a committed file is stale (CI).

nbgrader is an instructor-side tool (requirements-instructor.txt); students need only the
bundle's own requirements to open and check the exercises.
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import notebook_header  # noqa: E402

STUB = 'raise NotImplementedError("write this function, then run the check below it")'
TEXT_STUB = "*Your answer here (double-click to edit).*"
#: the course settings nbgrader needs to write the same stubs (also written into nbgrader_config.py)
STUBS = {"ClearSolutions": {"code_stub": {"python": STUB}, "text_stub": TEXT_STUB}}


def release_preprocessors():
    """nbgrader generate_assignment's chain, without the gradebook step (SaveCells)."""
    return [LockCells(), ClearSolutions(**STUBS["ClearSolutions"]), ClearOutput(), CheckCellMetadata(),
            ComputeChecksums(), ClearHiddenTests(), ClearMarkScheme(), ComputeChecksums(), CheckCellMetadata()]


def student_version(path):
    """The student notebook for the solution notebook at ``path``, as a JSON string."""
    nb = nbformat.read(path, as_version=4)
    resources = {}
    for pre in release_preprocessors():
        nb, resources = pre.preprocess(nb, resources)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
        if cell.get("id") == notebook_header.BADGE_ID:  # a student notebook's links open student notebooks
            cell.source = notebook_header.badge_cell(notebook_header.repository_url(), Path(path).name, "exercises")
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate exercises/ from the solution notebooks in notebooks/.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed exercise notebook is stale")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from coursework import keys

    stale = [p.relative_to(ROOT) for p in keys.stale()] if args.check else []
    if not args.check:
        keys.write()
    out_dir = ROOT / "exercises"
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
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"error: stale: {', '.join(map(str, stale))}; run `make exercises` and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
