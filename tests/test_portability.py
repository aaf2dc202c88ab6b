"""The bundle works wherever a class runs it: the notebooks' generated first cells, their
metadata, the package data and the advice given when data is missing.

The scenarios that need other environments (a second Python, a hub, `pip install .`,
repo2docker, other BLAS kernels) are in .ci/portability.sh (`make portability`).
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
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


def test_generated_cells_and_links_are_current(capsys):
    assert notebook_header.main(["--check"]) == 0, capsys.readouterr().err


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


def _setup_source():
    return "".join(_cells(NOTEBOOKS[0])[2]["source"])


_WITHOUT_PYTHONPATH = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a checkout put first on the path


def _run_setup_cell(cwd, prelude="", env=None, source=None):
    """Run the set-up cell (without its %matplotlib line) in a Python that cannot import
    helpers (-S: no site-packages, so no install; no PYTHONPATH); return (returncode, stdout, stderr)."""
    source = source or _setup_source()
    code = prelude + "\n".join(line for line in source.splitlines() if not line.startswith("%"))
    code += "\nimport helpers\nprint(Path(helpers.__file__).resolve().parent.parent)\n"
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=cwd, capture_output=True, text=True,
                          env={**_WITHOUT_PYTHONPATH, **(env or {})}, timeout=60)
    return proc.returncode, proc.stdout.strip(), proc.stderr


def _one_line_error(err):
    """The set-up cell's error line (Jupyter shows only this line; plain Python a traceback above it)."""
    last = err.strip().splitlines()[-1]
    assert last.startswith("SetupError: ") and err.count("Traceback") == 1, err
    return last


def test_setup_cell_finds_the_checkout_around_the_notebook():
    inside = REPO / "tests" / "e2e"  # a folder two levels down (nothing is written into the checkout)
    for cwd in (REPO / "notebooks", REPO / "exercises", inside):
        code, out, err = _run_setup_cell(cwd)
        assert code == 0, err
        assert Path(out) == REPO


@pytest.mark.parametrize("how", ["VS Code", "Jupyter server"])
def test_setup_cell_finds_the_checkout_from_the_notebooks_own_path(tmp_path, how):
    # the kernel runs elsewhere (VS Code's workspace as notebook root, a server started in $HOME)
    notebook = REPO / "exercises" / NOTEBOOKS[0].name
    prelude = f"__vsc_ipynb_file__ = {str(notebook)!r}\n" if how == "VS Code" else ""
    env = {"JPY_SESSION_NAME": str(notebook)} if how == "Jupyter server" else {"JPY_SESSION_NAME": ""}
    code, out, err = _run_setup_cell(tmp_path, prelude, env)
    assert code == 0, err
    assert Path(out) == REPO


def test_setup_cell_outside_a_checkout_says_in_one_line_where_it_looked(tmp_path):
    moved = tmp_path / "moved" / NOTEBOOKS[0].name  # a notebook moved out of the clone, run from elsewhere
    moved.parent.mkdir()
    (tmp_path / "cwd").mkdir()
    code, out, err = _run_setup_cell(tmp_path / "cwd", env={"JPY_SESSION_NAME": str(moved)})
    assert code != 0
    line = _one_line_error(err)
    assert "helpers (from https://github.com/" in line and "is not installed" in line
    assert f"{tmp_path / 'cwd'} and the folders above it; {tmp_path / 'moved'} and the folders above it" in line
    assert "pip install -e ." in line and "papermill: --cwd" in line


@pytest.fixture
def colab(tmp_path):
    """A stand-in for Colab: a google.colab module (its output.enable_custom_widget_manager
    records the call) and a `git` on PATH that plays what is asked of it; no network."""
    if sys.platform == "win32":
        pytest.skip("the stand-in git is a shell script")
    stand_in = tmp_path / "stand-in"
    (stand_in / "google" / "colab").mkdir(parents=True)
    (stand_in / "google" / "colab" / "__init__.py").write_text("")
    (stand_in / "google" / "colab" / "output.py").write_text(
        "def enable_custom_widget_manager():\n    print('custom widget manager enabled')\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    content = tmp_path / "content"  # Colab's working folder, /content
    content.mkdir()

    def with_git(script):
        git = bin_dir / "git"
        git.write_text("#!/bin/sh\necho \"$@\" >> " + str(tmp_path / "git.log") + "\n" + script)
        git.chmod(0o755)
        return {"PYTHONPATH": str(stand_in), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}

    return content, with_git, tmp_path / "git.log"


def _with_address(url):
    """The set-up cell as `make repository URL=url` writes it."""
    return notebook_header.setup_cell(url)


def test_colab_offline_is_one_line_naming_the_clone_and_why(colab):
    content, with_git, log = colab
    env = with_git("echo \"fatal: unable to access '$4/': Could not resolve host: github.com\" >&2\nexit 128\n")
    url = "https://github.com/example-org/course-x"
    code, out, err = _run_setup_cell(content, "import google.colab\n", env, _with_address(url))
    assert code != 0
    line = _one_line_error(err)
    assert line.startswith(f"SetupError: cannot clone {url} into {content / 'course-x'} (fatal: unable to access")
    assert "Could not resolve host: github.com" in line and "run this cell again" in line
    assert "CalledProcessError" not in err
    assert log.read_text().split() == ["clone", "--quiet", "--depth=1", url, str(content / "course-x")]


def test_colab_with_the_placeholder_address_says_so_without_cloning(colab):
    content, with_git, log = colab
    env = with_git("exit 0\n")
    code, out, err = _run_setup_cell(content, "import google.colab\n", env,
                                     _with_address("https://github.com/YOUR_ORG/nn-course-companion"))
    line = _one_line_error(err)
    assert "the course's address is still a placeholder" in line and "make repository" in line
    assert not log.exists()


def test_colab_clones_once_and_turns_on_the_widget_manager(colab):
    content, with_git, log = colab
    env = with_git(f"mkdir -p \"$5\" && cp -R {REPO / 'helpers'} \"$5/helpers\"\n")
    source = _with_address("https://github.com/example-org/course-x")
    for _ in range(2):  # the second run finds the clone
        code, out, err = _run_setup_cell(content, "import google.colab\n", env, source)
        assert code == 0, err
        assert out.splitlines() == ["custom widget manager enabled", str(content / "course-x")]
    assert len(log.read_text().splitlines()) == 1


@pytest.mark.portability  # run by make portability (.ci/portability.sh, make-targets)
def test_in_a_kernel_the_setup_error_is_one_line_without_traceback(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    hide = ("import importlib.util, sys\n"  # this kernel has helpers installed (editable): hide it
            "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in getattr(f, '__module__', '')]\n"
            "assert importlib.util.find_spec('helpers') is None")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(hide), nbformat.v4.new_code_cell(_setup_source())])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                    resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env={**_WITHOUT_PYTHONPATH, "JPY_SESSION_NAME": ""})
    assert nb.cells[0].outputs == []
    (error,) = nb.cells[1].outputs
    assert error.output_type == "error" and len(error.traceback) == 1
    assert error.traceback[0].startswith("SetupError: helpers (from https://github.com/")
    assert f"{tmp_path} and the folders above it" in error.traceback[0]


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


def _copy_of_the_repository(dest):
    """The checkout's tracked files (as they are in the working tree) copied to ``dest``."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True)
    for name in filter(None, files.stdout.split("\0")):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def _text_files(root):
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and path.suffix not in (".png", ".gz"):
            out[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return out


@pytest.mark.portability  # run by make portability (.ci/portability.sh, make-targets)
def test_make_repository_rewrites_every_generated_link_and_nothing_else(tmp_path):
    copy = _copy_of_the_repository(tmp_path / "copy")
    old_url = notebook_header.repository_url()
    old_owner, old_name = old_url.removeprefix("https://github.com/").split("/")
    new_owner, new_name = "example-org", "course-x"
    before = _text_files(copy)
    proc = subprocess.run([sys.executable, "scripts/notebook_header.py", "--repository",
                           f"https://github.com/{new_owner}/{new_name}.git"], cwd=copy, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    after = _text_files(copy)
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == sorted(["pyproject.toml", "README.md", "docs/teaching.md",
                              *(f"{folder}/{p.name}" for folder in ("notebooks", "exercises") for p in NOTEBOOKS)])
    for name in changed:
        # every change is the address: the old owner and name put back give the file as it was
        assert after[name].replace(new_owner, old_owner).replace(new_name, old_name) == before[name], name
        for old in (f"github.com/{old_owner}/", f"github.com%2F{old_owner}%2F", f"gh/{old_owner}/"):
            assert old not in after[name], f"{name} still has {old}"
    assert after["pyproject.toml"].count(f'Repository = "https://github.com/{new_owner}/{new_name}"') == 1
    assert subprocess.run([sys.executable, "scripts/notebook_header.py", "--check"], cwd=copy).returncode == 0
    warn = subprocess.run([sys.executable, "scripts/notebook_header.py", "--warn"], cwd=copy,
                          capture_output=True, text=True)
    assert warn.returncode == 0 and warn.stdout == ""


@pytest.mark.parametrize("url", ["github.com/org/repo", "https://github.com/org",
                                 "https://github.com/YOUR_ORG/nn-course-companion"])
def test_make_repository_refuses_a_bad_address_in_one_line(tmp_path, url):
    copy = tmp_path / "copy"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "notebook_header.py", copy / "scripts")
    shutil.copy2(REPO / "pyproject.toml", copy)
    proc = subprocess.run([sys.executable, "scripts/notebook_header.py", "--repository", url], cwd=copy,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: URL must be") and proc.stderr.count("\n") == 1
    assert (copy / "pyproject.toml").read_text() == (REPO / "pyproject.toml").read_text()


def test_make_test_warns_while_the_address_is_the_placeholder():
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/notebook_header.py --warn" in recipe
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "notebook_header.py"), "--warn"],
                          capture_output=True, text=True)
    assert proc.returncode == 0
    if notebook_header.is_placeholder(notebook_header.repository_url()):
        assert proc.stdout.startswith("warning: the repository address is still the placeholder")
        assert "make repository URL=" in proc.stdout and proc.stdout.count("\n") == 1


def test_a_plain_pip_install_brings_ipywidgets():
    with open(REPO / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    assert "ipywidgets" in project["dependencies"]


@pytest.mark.parametrize("version,ok", [((3, 15, 0), False), ((3, 14, 0), False), ((3, 11, 1), False),
                                        ((3, 10, 12), False), ((3, 11, 2), True), ((3, 13, 9), True)])
def test_an_untested_python_stops_the_install_in_one_line(version, ok):
    # setup.py runs before pip fetches anything; what it decides for each version
    code = ("import sys, types\n"  # a stand-in setuptools (a venv of Python 3.12+ has none)
            "sys.modules['setuptools'] = types.SimpleNamespace(setup=lambda **kw: print('setup'),\n"
            "                                                  find_packages=lambda **kw: [])\n"
            f"sys.version_info = {version + ('final', 0)!r}\n"
            "exec(compile(open('setup.py').read(), 'setup.py', 'exec'))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    if ok:
        assert proc.returncode == 0 and proc.stdout == "setup\n", proc.stderr
    else:
        v = ".".join(map(str, version))
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.startswith(f"error: this is Python {v}; the bundle needs Python 3.11.2 to 3.13")
        assert "py -3.13 -m venv .venv" in proc.stderr and proc.stderr.count("\n") == 1
    with open(REPO / "pyproject.toml", "rb") as f:
        assert tomllib.load(f)["project"]["requires-python"] == ">=3.11.2,<3.14"


def _make(*args, env=None):
    if shutil.which("make") is None or sys.platform == "win32":
        pytest.skip("make is for Linux and macOS (on Windows the plain commands are tested instead)")
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.mark.parametrize("system,display,opens", [("Darwin", "", True), ("Linux", "", False),
                                                  ("Linux", ":0", True)])
def test_make_lab_lets_jupyter_open_a_browser_where_there_is_one(system, display, opens):
    env = {"DISPLAY": display, "WAYLAND_DISPLAY": ""}
    proc = _make("-n", "lab", "notebook", f"UNAME={system}", f"PYTHON={sys.executable}", env=env)
    for target in ("lab", "notebook"):
        line = [ln for ln in proc.stdout.splitlines() if f"/bin/jupyter {target}" in ln]
        assert len(line) == 1, proc.stdout + proc.stderr
        assert ("--no-browser" not in line[0]) == opens
        assert ("--allow-root" in line[0]) == (hasattr(os, "geteuid") and os.geteuid() == 0)


def _other_python():
    """A supported Python other than this one (realpath of its base install), or None."""
    here = (os.path.realpath(sys.base_prefix), sys.version_info[:3])
    names = [f"python3.{minor}" for minor in (11, 12, 13)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(n) for n in names] + [str(p) for p in pyenv.glob("3.1[123].*/bin/python3")]
    for exe in filter(None, candidates):
        code = ("import os, sys; print(os.path.realpath(sys.base_prefix)); print(*sys.version_info[:3]); "
                "sys.exit(not (3, 11, 2) <= sys.version_info[:3] < (3, 14))")
        probe = subprocess.run([exe, "-c", code], capture_output=True, text=True)
        if probe.returncode == 0:
            prefix, version = probe.stdout.splitlines()
            if (prefix, tuple(map(int, version.split()))) != here:
                return exe
    return None


@pytest.mark.portability  # run by make portability (.ci/portability.sh, make-targets)
def test_make_says_which_python_the_venv_runs_and_remakes_it_for_another(tmp_path):
    other = _other_python()
    if other is None:
        pytest.skip("needs a second supported Python")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # made by this Python
    cfg = f"{venv}/pyvenv.cfg"
    kept = _make(cfg, f"VENV={venv}")  # no PYTHON=: the venv is kept, and make says what it runs
    version = ".".join(map(str, sys.version_info[:3]))
    assert kept.returncode == 0 and kept.stdout.startswith(f"{venv}: Python {version} ("), kept.stdout + kept.stderr
    assert len(kept.stdout.splitlines()) == 1
    switched = _make(cfg, f"VENV={venv}", f"PYTHON={other}")
    assert switched.returncode == 0, switched.stdout + switched.stderr
    assert f"PYTHON={other} is another: making {venv} again" in switched.stdout
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.version)"],
                           capture_output=True, text=True)
    other_version = subprocess.run([other, "-c", "import sys; print(sys.version)"], capture_output=True, text=True)
    assert probe.stdout == other_version.stdout
    again = _make(cfg, f"VENV={venv}", f"PYTHON={other}")  # the same Python: nothing to do
    assert again.stdout.splitlines() == [switched.stdout.splitlines()[-1]]


def test_the_ci_workflow_runs_the_readme_commands_on_three_systems_and_three_pythons():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    test = workflow["jobs"]["test"]
    assert test["strategy"]["matrix"] == {"os": ["ubuntu-latest", "macos-latest", "windows-latest"],
                                          "python": ["3.11", "3.12", "3.13"]}
    runs = {step.get("if", ""): [] for step in test["steps"]}
    for step in test["steps"]:
        runs[step.get("if", "")].append(step.get("run", ""))
    assert runs["runner.os != 'Windows'"] == ['make test PYTHON="$(command -v python)"']
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in runs["runner.os == 'Windows'"][1:]:  # the README's own lines (the venv is made by `python`)
        assert command.replace("\\", "/").replace(".venv/Scripts/python", ".venv/bin/python") in readme \
            or command in readme, command
    assert "make lint" in workflow["jobs"]["lint"]["steps"][-1]["run"]
    lint = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "actionlint" in lint and ".github/workflows/*.yml" in lint
