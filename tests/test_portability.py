"""The bundle works wherever a class runs it: the notebooks' generated first cells, their
metadata, the package data and the advice given when data is missing.

The scenarios that need other environments (a second Python, a hub, `pip install .`,
repo2docker, other BLAS kernels) are in .ci/portability.sh (`make portability`).
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import helpers.data as data
from helpers.data import DatasetMissing

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(REPO / "scripts"))
import notebook_header  # noqa: E402


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_are_six_notebooks():
    assert len(NOTEBOOKS) == 6


def test_generated_cells_and_links_are_current():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "notebook_header.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_opens_with_badges_title_and_the_same_setup_cell(path):
    cells = _cells(path)
    badges, title, setup = cells[0], cells[1], cells[2]
    assert badges["id"] == "bundle-badges" and "colab-badge.svg" in "".join(badges["source"])
    assert title["cell_type"] == "markdown" and "".join(title["source"]).startswith("# ")
    assert setup["cell_type"] == "code" and setup["id"] == "bundle-setup"
    first = _cells(NOTEBOOKS[0])[2]
    assert "".join(setup["source"]) == "".join(first["source"])
    assert setup["outputs"] == []  # nbval-quiet: nothing to print when all is in place


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_widget_state_and_no_timestamps(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"]
    assert not [i for i, c in enumerate(nb["cells"]) if "execution" in c.get("metadata", {})]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_views_are_replaced_by_a_note_in_cells_nbval_ignores(path):
    for i, cell in enumerate(_cells(path)):
        for out in cell.get("outputs", []):
            assert notebook_header.WIDGET_VIEW not in out.get("data", {}), f"cell {i}"
            if out.get("data", {}).get("text/plain") == notebook_header.WIDGET_NOTE:
                assert "nbval-ignore-output" in cell["metadata"].get("tags", []), f"cell {i}"


def test_notebooks_weigh_under_two_megabytes():
    total = sum(p.stat().st_size for p in NOTEBOOKS)
    assert total < 2_000_000, f"the six notebooks weigh {total / 1e6:.2f} MB"


def _run_setup_cell(cwd, extra_path=()):
    """Run the set-up cell (without its %matplotlib line) in a Python that cannot import
    helpers (-S: no site-packages, so no install); return (returncode, stdout, stderr)."""
    source = "".join(_cells(NOTEBOOKS[0])[2]["source"])
    code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
    code += "\nimport helpers\nprint(Path(helpers.__file__).resolve().parent.parent)\n"
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=cwd, capture_output=True, text=True)
    return proc.returncode, proc.stdout.strip(), proc.stderr


def test_setup_cell_finds_the_checkout_around_the_notebook(tmp_path):
    inside = REPO / "build" / "somewhere" / "deeper"
    inside.mkdir(parents=True, exist_ok=True)
    for cwd in (REPO / "notebooks", inside):
        code, out, err = _run_setup_cell(cwd)
        assert code == 0, err
        assert Path(out) == REPO


def test_setup_cell_outside_a_checkout_raises_one_clear_error(tmp_path):
    code, out, err = _run_setup_cell(tmp_path)
    assert code != 0
    assert "ModuleNotFoundError: this notebook needs the helpers package of https://github.com/" in err
    assert "pip install -e ." in err and err.count("Traceback") == 1


def test_repository_url_is_defined_once_and_everything_is_made_from_it():
    url = notebook_header.repository_url()
    with open(REPO / "pyproject.toml", "rb") as f:
        assert tomllib.load(f)["project"]["urls"]["Repository"] == url
    setup = "".join(_cells(NOTEBOOKS[0])[2]["source"])
    owner_name = url.removeprefix("https://github.com/")
    assert url in setup
    assert owner_name in (REPO / "README.md").read_text(encoding="utf-8")
    teaching = (REPO / "docs" / "teaching.md").read_text(encoding="utf-8")
    assert notebook_header.links(url)["nbgitpuller"] in teaching


def test_shipped_tables_come_from_one_copy_in_data():
    for name in ("iris.csv", "digits.csv.gz"):
        assert data._shipped_file(name).read_bytes() == (REPO / "data" / name).read_bytes()


@pytest.mark.parametrize("git", [True, False], ids=["git clone", "downloaded archive"])
def test_missing_table_in_a_checkout_gives_checkout_advice(monkeypatch, tmp_path, git):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "data").mkdir()
    if git:
        (tmp_path / ".git").mkdir()
    monkeypatch.setattr(data, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(data, "SHIPPED_DATA", tmp_path / "data")
    monkeypatch.setattr(data, "_shipped_file", lambda name: tmp_path / "data" / name)
    with pytest.raises(DatasetMissing) as info:
        data.load_iris()
    msg = str(info.value)
    assert ("git checkout -- data/" in msg) == git and ("download the repository again" in msg) != git
    assert "reinstall" not in msg
    assert "make data" in data._fetch_advice()


def test_missing_table_after_an_install_says_reinstall(monkeypatch, tmp_path):
    # helpers installed in site-packages: no pyproject.toml beside the package
    monkeypatch.setattr(data, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(data, "SHIPPED_DATA", tmp_path / "data")
    monkeypatch.setattr(data, "_shipped_file", lambda name: tmp_path / "helpers" / "_shipped" / name)
    with pytest.raises(DatasetMissing) as info:
        data.load_digits()
    msg = str(info.value)
    assert "reinstall" in msg and "git checkout" not in msg and "make data" not in msg
    assert "make data" not in data._fetch_advice()
