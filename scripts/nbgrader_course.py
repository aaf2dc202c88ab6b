#!/usr/bin/env python3
"""Make an nbgrader course directory from this repository's solution notebooks.

    python scripts/nbgrader_course.py COURSE_DIR [--course-id ID] [--exchange DIR] [NOTEBOOK ...]

COURSE_DIR gets what ``nbgrader`` expects (docs/grading.md walks through a term with it):

- ``nbgrader_config.py``: the course id, nbgrader's local file exchange (``--exchange``, default
  COURSE_DIR/exchange), the same stubs ``make exercises`` writes, and PYTHONPATH pointing at
  this repository, so that the hidden tests (``check(..., hidden=True)``) find the answer keys
  in ``coursework/keys`` when nbgrader runs the notebooks;
- ``source/NN_name/NN_name.ipynb`` for each notebook (default: all six), one assignment each.

Then, in COURSE_DIR: ``nbgrader generate_assignment 01_rosenbrock`` (the release equals
exercises/01_rosenbrock.ipynb), ``nbgrader release_assignment``, ``nbgrader collect``,
``nbgrader autograde``, ``nbgrader generate_feedback``. Running it again refreshes the config
and the source notebooks.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbformat  # noqa: E402
import notebook_header  # noqa: E402
from make_exercises import STUB, TEXT_STUB  # noqa: E402

CONFIG = '''\
# nbgrader settings of this course, written by scripts/nbgrader_course.py (run it again to refresh).
import os

c = get_config()  # noqa: F821  (nbgrader provides it)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.ClearSolutions.text_stub = {text_stub!r}
c.ExecutePreprocessor.timeout = 300
# the hidden tests of each check cell import the answer keys from the course's repository
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [{repo!r}, os.environ.get("PYTHONPATH")]))
'''


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course_dir", type=Path)
    parser.add_argument("--course-id", default="nn-course")
    parser.add_argument("--exchange", type=Path, help="nbgrader's exchange folder (default: COURSE_DIR/exchange)")
    parser.add_argument("notebooks", nargs="*", help="e.g. 01_rosenbrock (default: all)")
    args = parser.parse_args(argv)
    course = args.course_dir.expanduser().resolve()
    exchange = (args.exchange.expanduser().resolve() if args.exchange else course / "exchange")
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    wanted = {Path(n).stem for n in args.notebooks}
    unknown = wanted - {p.stem for p in sources}
    if unknown:
        print(f"error: no notebook {', '.join(sorted(unknown))}; choose from {', '.join(p.stem for p in sources)}",
              file=sys.stderr)
        return 2
    course.mkdir(parents=True, exist_ok=True)
    exchange.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(
        course_id=args.course_id, exchange=str(exchange), stub=STUB, text_stub=TEXT_STUB, repo=str(ROOT)),
        encoding="utf-8")
    for path in sources:
        if wanted and path.stem not in wanted:
            continue
        target = course / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:  # the release is a student notebook: its links open student notebooks
            if cell.get("id") == notebook_header.BADGE_ID:
                cell.source = notebook_header.badge_cell(notebook_header.repository_url(), path.name, "exercises")
        nbformat.write(nb, target)
        print(f"source/{path.stem}/{path.name}")
    print(f"course {args.course_id!r} in {course}; exchange {exchange}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
