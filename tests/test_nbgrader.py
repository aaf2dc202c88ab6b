"""The exercises graded the way instructors grade: nbgrader's own commands on a copy of the course.

A course directory is made by scripts/nbgrader_course.py; then, as in docs/grading.md:
generate_assignment (its release is exercises/ byte for byte), validate (a stub and a wrong
notebook fail, a right one passes), release, fetch and submit through nbgrader's local file
exchange, collect, autograde (the score is the points of the right answers), generate_feedback
(the hints are in it). nbgrader is an instructor dependency: these tests run where it is
installed (`make check-exercises` installs it and runs them) and are skipped elsewhere.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.instructor


@pytest.fixture(autouse=True, scope="module")
def _nbgrader_installed():
    """Skip unless nbgrader is installed (make check-exercises installs it); imported only when these
    tests run, not when make test collects them (importing it costs about a second)."""
    pytest.importorskip("nbgrader")


ROOT = Path(__file__).resolve().parents[1]
NB = "02_two_layer_worked_example"
BIN = Path(sys.executable).parent
STUDENTS_ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def nbgrader(*args, cwd):
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=STUDENTS_ENV, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    home = tmp_path_factory.mktemp("nbgrader")
    course = home / "course"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "nbgrader_course.py"), str(course),
                    "--exchange", str(home / "exchange")], check=True, capture_output=True)
    out = nbgrader("generate_assignment", "*", "--force", cwd=course)  # every assignment (a glob): one start-up
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(p.parent.name for p in (course / "release").glob("*/*.ipynb")) == sorted(
        p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return course


def _solution_code(cell):
    return "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)


def _answers(**changes):
    """The released notebook with the answer cells of the named functions replaced: "right" takes the
    solution's code, "stub" leaves the stub, other text is the student's own code."""
    release = nbformat.read(ROOT / "exercises" / f"{NB}.ipynb", as_version=4)
    solution = {c.metadata.get("nbgrader", {}).get("grade_id"): c
                for c in nbformat.read(ROOT / "notebooks" / f"{NB}.ipynb", as_version=4).cells}
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        fn = grade_id.removeprefix("answer_")
        if cell.cell_type == "code" and grade_id.startswith("answer_"):
            how = changes.get(fn, "right")
            if how != "stub":
                cell.source = _solution_code(solution[grade_id]) if how == "right" else how
        elif cell.cell_type == "markdown" and grade_id.startswith("answer_") and changes.get("written") != "stub":
            cell.source = solution[grade_id].source.replace("<!-- BEGIN SOLUTION -->\n", "").replace(
                "<!-- END SOLUTION -->\n", "")
    return release


def _wrong_ten_gradients():
    solution = next(c for c in nbformat.read(ROOT / "notebooks" / f"{NB}.ipynb", as_version=4).cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_ten_gradients")
    code = _solution_code(solution)
    wrong = code.replace("d_h1 * h1 * (1 - h1), d_h2 * h2 * (1 - h2)", "d_h1, d_h2")  # sigma'(z) forgotten
    assert wrong != code
    return wrong


def _failed_cells(output):
    return re.findall(r"The following cell failed:\n\n    (.+)\n", output)


def test_the_release_is_the_student_version(course):
    for path in sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")):
        released = course / "release" / path.stem / path.name
        assert json.loads(released.read_text()) == json.loads(path.read_text()), path.name


def test_the_release_holds_no_answers_and_no_hidden_tests(course):
    for path in sorted((course / "release").glob("*/*.ipynb")):
        text = path.read_text()
        assert "hidden=True" not in text and "BEGIN HIDDEN TESTS" not in text and "coursework.keys" not in text
        assert "BEGIN SOLUTION" not in text and "BEGIN MARK SCHEME" not in text


def _checks_and_answers():
    """The notebook's check lines in order, and how many written answers it has."""
    cells = nbformat.read(ROOT / "notebooks" / f"{NB}.ipynb", as_version=4).cells
    checks = [m.group(0) for c in cells if c.cell_type == "code"
              for m in re.finditer(r'^check\("\w+", \w+\)$', c.source, re.M)]
    written = sum(1 for c in cells if c.cell_type == "markdown" and "BEGIN SOLUTION" in c.source)
    return checks, written


#: the exercises of the notebook whose functions call ten_gradients (they fail with it)
USES_TEN_GRADIENTS = ("worked_gradients", "worked_train", "worked_rates")


def test_validate_fails_a_stub_and_a_wrong_notebook_and_passes_a_right_one(tmp_path, course):
    checks, written = _checks_and_answers()
    stub = {re.search(r", (\w+)\)", c).group(1): "stub" for c in checks} | {"written": "stub"}
    cases = {"stub": _answers(**stub), "wrong": _answers(ten_gradients=_wrong_ten_gradients()), "right": _answers()}
    for name, nb in cases.items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    # one nbgrader validate for the three (its start-up takes seconds): it reports each notebook in the
    # order given, each report opening with its verdict line
    out = nbgrader("validate", *(str(tmp_path / f"{name}.ipynb") for name in cases), cwd=course)
    reports = re.split(r"^(?=Success! Your notebook passes all the tests\.|VALIDATION FAILED ON )", out.stdout,
                       flags=re.M)[1:]
    assert len(reports) == len(cases), out.stdout + out.stderr
    results = dict(zip(cases, reports))
    assert "Success! Your notebook passes all the tests." in results["right"], results["right"][-3000:]
    assert len(checks) >= 4 and written >= 2
    failed = _failed_cells(results["stub"])  # the checks and the written answers, and only they, fail
    assert [f for f in failed if f.startswith("check(")] == checks, results["stub"][-3000:]
    assert len(failed) == len(checks) + written and results["stub"].count("You did not provide a response.") == written
    assert "not yet written" in results["stub"]
    # the wrong gradients fail, and what is built on them fails with them
    assert _failed_cells(results["wrong"]) == [c for c in checks if c.split('"')[1] in USES_TEN_GRADIENTS], \
        results["wrong"][-3000:]
    assert "Success!" not in results["wrong"]


def test_release_collect_autograde_and_feedback_on_the_local_exchange(tmp_path, course):
    assert nbgrader("release_assignment", NB, "--force", cwd=course).returncode == 0
    student = tmp_path / "student"
    student.mkdir()
    (student / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text())
    out = nbgrader("fetch_assignment", NB, cwd=student)
    assert out.returncode == 0, out.stdout + out.stderr
    fetched = student / NB / f"{NB}.ipynb"
    assert json.loads(fetched.read_text()) == json.loads((ROOT / "exercises" / f"{NB}.ipynb").read_text())
    # mixed answers: most right, one wrong, one not written, and the functions built on the wrong gradients
    nbformat.write(_answers(ten_gradients=_wrong_ten_gradients(), backward_batch="stub"), fetched)
    out = nbgrader("submit", NB, cwd=student)
    assert out.returncode == 0, out.stdout + out.stderr
    for command in (("collect", NB), ("autograde", NB, "--create"), ("generate_feedback", NB)):
        out = nbgrader(*command, cwd=course)
        assert out.returncode == 0, command + (out.stdout + out.stderr,)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(NB, NB, os.environ.get("USER") or _user())
        grades = {g.name: g.score for g in submission.grades if g.auto_score is not None}
        auto_total = sum(g.max_score for g in submission.grades if g.auto_score is not None)
    from coursework import EXERCISES

    points = {f"check_{n}": EXERCISES[n].points for n in EXERCISES if EXERCISES[n].notebook == NB}
    expected = {k: (0.0 if k.removeprefix("check_") in USES_TEN_GRADIENTS + ("worked_backward",) else v)
                for k, v in points.items()}
    assert grades == expected and auto_total == sum(points.values())
    feedback = next((course / "feedback").glob(f"*/{NB}/{NB}.html")).read_text()
    assert "worked_gradients: not right yet: the hidden gradients miss the factor" in feedback
    assert "worked_backward: not yet written" in feedback


def _user():
    import getpass

    return getpass.getuser()
