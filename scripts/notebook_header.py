#!/usr/bin/env python3
"""Write the generated top of every notebook, and keep volatile metadata out of them.

    python scripts/notebook_header.py           # update the notebooks, README.md, docs/teaching.md
    python scripts/notebook_header.py --check   # exit 1, naming each file that is not current
    python scripts/notebook_header.py --repository https://github.com/ORG/REPO
                                                # set the public address, then update everything
                                                # (`make repository URL=...`)

Every notebook (the solutions in notebooks/ and the student versions in exercises/) starts
with two generated cells, identical in all of them apart from the notebook's own name in the
badge links:

1. a Markdown cell with the "Open in Colab" and "Launch Binder" badges;
2. after the notebook's title cell, the set-up cell (``SETUP_CELL`` below): figures
   inline whatever MPLBACKEND says, and ``helpers`` found when it is not installed: in the
   checkout around the notebook, searched from the kernel's working folder and from the
   notebook's own path where the kernel knows it (VS Code's ``__vsc_ipynb_file__``,
   jupyter-server's ``JPY_SESSION_NAME``), or on Colab in a fresh clone. What goes wrong is
   one line (the folders searched, or the clone that failed and why) and no traceback. It
   prints nothing when nothing needs doing, so nbval compares it with its stored (empty)
   output.

The repository's address is read from pyproject.toml ([project.urls] Repository); it is
the one place the address is written, and ``--repository`` writes it. The badges in
README.md and the links and commands in docs/teaching.md (between
``<!-- begin generated: NAME -->`` and ``<!-- end generated -->`` lines) are written from it
too; ``--links`` prints the links. While it is the placeholder (``YOUR_ORG``), ``--warn``
prints one warning line (`make test` runs it).

Writing also drops what must not be committed or would change on every run: widget
state (metadata.widgets), execution timestamps (cell metadata "execution"), the views of
widgets (a random model id, and without the state a viewer could only say "model not
found": a short note takes their place), and the split of a cell's printed text into
several stream outputs. `make notebooks` runs this script before and after executing the
notebooks; tests/test_portability.py runs ``--check``. The student notebooks are otherwise
written by `make exercises` (nbgrader), which copies these two cells from notebooks/ as
this script writes them.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
FOLDERS = ("notebooks", "exercises")  # every notebook in them gets the generated cells
PLACEHOLDER_OWNER = "YOUR_ORG"  # pyproject.toml's address until the course's owner sets it
GITHUB_URL = re.compile(r"https://github\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
BRANCH = "main"
BADGE_ID = "bundle-badges"
SETUP_ID = "bundle-setup"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "Interactive explorer: run the notebook in Jupyter to use it."

SETUP_CELL = '''\
# Set-up for wherever this notebook runs: figures inline (whatever MPLBACKEND says), and the
# helpers package found when it is not installed: in the checkout around this notebook (looked
# for from the working folder and from the notebook's own path where VS Code or Jupyter give it)
# or, on Colab, in a fresh clone of the repository. It prints nothing when all is in place.
%matplotlib inline
import importlib.util
import os
import sys
from pathlib import Path

if importlib.util.find_spec("helpers") is None:

    class SetupError(Exception):
        def _render_traceback_(self):  # Jupyter shows this one line instead of a traceback
            return [f"SetupError: {self}"]

    _url = "{url}"
    _hints = (globals().get("__vsc_ipynb_file__"), os.environ.get("JPY_SESSION_NAME"))  # VS Code, Jupyter
    _starts = list(dict.fromkeys([Path.cwd(), *(Path(h).parent for h in _hints if h and Path(h).is_absolute())]))
    _root = next((d for s in _starts for d in (s, *s.parents) if (d / "helpers" / "__init__.py").is_file()), None)
    if _root is None and "google.colab" in sys.modules:
        import subprocess

        from google.colab import output

        _root = Path.cwd() / "{name}"  # /content/{name}
        if "/{placeholder}/" in _url:
            raise SetupError(f"cannot clone {_url}: the course's address is still a placeholder; ask your "
                             "instructor for the course's own link (its owner sets it with `make repository`)")
        if not (_root / "helpers" / "__init__.py").is_file():
            _git = subprocess.run(["git", "clone", "--quiet", "--depth=1", _url, str(_root)],
                                  capture_output=True, text=True)
            if _git.returncode != 0:
                _why = (_git.stderr.strip().splitlines() or [f"git exited with status {_git.returncode}"])[-1]
                raise SetupError(f"cannot clone {_url} into {_root} ({_why}): check that this session "
                                 "is online, then run this cell again")
        output.enable_custom_widget_manager()
    if _root is None:
        _where = "; ".join(f"{s} and the folders above it" for s in _starts)
        raise SetupError(f"helpers (from {_url}) is not installed and no folder holding helpers/ is in "
                         f"{_where}: start this notebook from its folder in a clone of that repository "
                         "(papermill: --cwd that folder), or run `pip install -e .` in the clone")
    sys.path.insert(0, str(_root))
'''


def repository_url(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The repository's public address, from pyproject.toml's [project.urls] Repository."""
    with open(pyproject, "rb") as f:
        urls = tomllib.load(f).get("project", {}).get("urls", {})
    url = urls.get("Repository", "").rstrip("/")
    if not (GITHUB_URL.fullmatch(url) or is_placeholder(url) and url.count("/") == 4):
        sys.exit(f"{pyproject}: [project.urls] Repository must be https://github.com/OWNER/NAME, got {url!r}")
    return url


def is_placeholder(url: str) -> bool:
    return url.startswith(f"https://github.com/{PLACEHOLDER_OWNER}/")


def set_repository_url(url: str, pyproject: Path = REPO / "pyproject.toml") -> str:
    """Write ``url`` as pyproject.toml's [project.urls] Repository (the only line changed); return it
    cleaned (no trailing slash or .git). A malformed address raises ValueError with the fix."""
    url = url.strip().rstrip("/").removesuffix(".git")
    if not GITHUB_URL.fullmatch(url) or is_placeholder(url):
        raise ValueError(f"URL must be the repository's GitHub address, https://github.com/OWNER/NAME, got {url!r}")
    text = pyproject.read_text(encoding="utf-8")
    head, found, rest = text.partition("\n[project.urls]\n")
    new_rest, n = re.subn(r'^Repository = "[^"]*"$', f'Repository = "{url}"', rest, count=1, flags=re.M)
    if not found or n != 1:
        raise ValueError(f"{pyproject}: no 'Repository = \"...\"' line under [project.urls]")
    pyproject.write_text(head + found + new_rest, encoding="utf-8")
    return url


def links(url: str, notebook: str | None = None, folder: str = "notebooks") -> dict[str, str]:
    """Colab, Binder and nbgitpuller addresses for the repository (or for one notebook of ``folder``:
    a student notebook's links open student notebooks). The nbgitpuller link opens exercises/."""
    owner_name = url.removeprefix("https://github.com/")
    name = owner_name.split("/")[1]
    path = f"{folder}/{notebook}" if notebook else folder
    pull_query = urlencode({"repo": url, "urlpath": f"lab/tree/{name}/exercises", "branch": BRANCH})
    return {
        "colab": f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{path}",
        "binder": f"https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath={quote('lab/tree/' + path, safe='')}",
        "nbgitpuller": f"https://HUB.EXAMPLE.ORG/hub/user-redirect/git-pull?{pull_query}",
    }


def badge_cell(url: str, notebook: str, folder: str = "notebooks") -> str:
    link = links(url, notebook, folder)
    return (f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({link['colab']}) "
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({link['binder']})")


def setup_cell(url: str) -> str:
    return (SETUP_CELL.replace("{url}", url).replace("{name}", url.rsplit("/", 1)[1])
            .replace("{placeholder}", PLACEHOLDER_OWNER))


def generated_text(url: str) -> dict[str, dict[str, str]]:
    """file -> {region name -> Markdown} for the generated regions outside the notebooks."""
    link = links(url)
    first = sorted(NOTEBOOKS.glob("*.ipynb"))[0].name  # Colab opens one notebook, not a folder
    badges = (f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({link['binder']}) "
              f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
              f"({links(url, first)['colab']})")
    return {
        "README.md": {"badges": badges},
        "docs/teaching.md": {
            "repository": f"`{url}`",
            "nbgitpuller": f"```\n{link['nbgitpuller']}\n```",
            "repo2docker": ("```\npip install jupyter-repo2docker\n"
                            "jupyter-repo2docker --no-run --push --user-id 1000 --user-name jovyan \\\n"
                            "    --image-name registry.example.org/course/image:2025-autumn \\\n"
                            f"    {url}\n```"),
        },
    }


def with_regions(text: str, regions: dict[str, str], where: str) -> str:
    """``text`` with each generated region replaced by its current content."""
    for name, body in regions.items():
        begin, end = f"<!-- begin generated: {name} -->\n", "<!-- end generated -->"
        head, found, rest = text.partition(begin)
        if not found or end not in rest:
            raise SystemExit(f"{where}: no region '{begin.strip()} ... {end}'")
        text = head + begin + body + "\n" + rest[rest.index(end):]
    return text


def normalized(nb, url: str, notebook: str, folder: str = "notebooks"):
    """The notebook with current generated cells and no volatile metadata (nb is changed in place)."""
    import nbformat  # here, not at the top: it takes seconds to import, and --warn needs none of it

    cells = [c for c in nb.cells if c.get("id") not in (BADGE_ID, SETUP_ID)]
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.lstrip().startswith("# "):
        raise SystemExit(f"{notebook}: the first cell must be the Markdown title (# ...)")
    badges = nbformat.v4.new_markdown_cell(badge_cell(url, notebook, folder), id=BADGE_ID)
    setup = nbformat.v4.new_code_cell(setup_cell(url), id=SETUP_ID)
    old = next((c for c in nb.cells if c.get("id") == SETUP_ID), None)
    if old is not None:  # keep the count of its last run (it prints nothing, before or after a change)
        setup.execution_count = old.execution_count
    nb.cells = [badges, cells[0], setup, *cells[1:]]
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = steady_outputs(cell.outputs)
    return nb


def steady_outputs(outputs):
    """The outputs with consecutive streams of one name joined and widget views replaced."""
    import nbformat

    steady = []
    for out in outputs:
        if (out.output_type == "stream" and steady and steady[-1].output_type == "stream"
                and steady[-1].name == out.name):
            steady[-1].text += out.text
            continue
        if WIDGET_VIEW in out.get("data", {}):
            out.data = nbformat.from_dict({"text/plain": WIDGET_NOTE})
        steady.append(out)
    return steady


def notebook_paths() -> list[Path]:
    return [p for folder in FOLDERS for p in sorted((REPO / folder).glob("*.ipynb"))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not current")
    parser.add_argument("--links", action="store_true", help="print the Colab, Binder and nbgitpuller links")
    parser.add_argument("--repository", metavar="URL",
                        help="write URL (https://github.com/ORG/REPO) to pyproject.toml, then update everything")
    parser.add_argument("--warn", action="store_true", help="print one warning line while the address is a placeholder")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb and exercises/*.ipynb")
    args = parser.parse_args(argv)
    if args.repository is not None:
        try:
            print(f"repository: {set_repository_url(args.repository)} (pyproject.toml)")
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    url = repository_url()
    if args.warn:
        if is_placeholder(url):
            print(f"warning: the repository address is still the placeholder {url}: the Colab and Binder badges, "
                  "the nbgitpuller link and Colab's clone point nowhere; set it with "
                  "`make repository URL=https://github.com/ORG/REPO`")
        return 0
    if args.links:
        for kind, link in links(url).items():
            print(f"{kind:12s}{link}")
        return 0
    import nbformat

    stale = []
    for path in args.notebooks or notebook_paths():
        before = path.read_text(encoding="utf-8")
        nb = normalized(nbformat.reads(before, as_version=4), url, path.name, path.parent.name)
        after = nbformat.writes(nb) + "\n"
        if after != before:
            stale.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    for name, regions in ({} if args.notebooks else generated_text(url)).items():
        path = REPO / name
        before = path.read_text(encoding="utf-8")
        after = with_regions(before, regions, name)
        if after != before:
            stale.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in stale)
        print(f"not current: {names}; run `python scripts/notebook_header.py` (or `make notebooks`)", file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
