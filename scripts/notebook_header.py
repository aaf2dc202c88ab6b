#!/usr/bin/env python3
"""Write the generated top of every notebook, and keep volatile metadata out of them.

    python scripts/notebook_header.py           # update the notebooks, README.md, docs/teaching.md
    python scripts/notebook_header.py --check   # exit 1, naming each file that is not current

Every notebook starts with two generated cells, identical in all six apart from the
notebook's own name in the badge links:

1. a Markdown cell with the "Open in Colab" and "Launch Binder" badges;
2. after the notebook's title cell, the set-up cell (``SETUP_CELL`` below): figures
   inline whatever MPLBACKEND says, and ``helpers`` found when it is not installed (in
   the checkout around the notebook, or on Colab in a fresh clone). It prints nothing
   when nothing needs doing, so nbval compares it with its stored (empty) output.

The repository's address is read from pyproject.toml ([project.urls] Repository); it is
the one place the address is written. The badges in README.md and the nbgitpuller link in
docs/teaching.md (between ``<!-- begin generated: NAME -->`` and ``<!-- end generated -->``
lines) are written from it too; ``--links`` prints the links.

Writing also drops what must not be committed or would change on every run: widget
state (metadata.widgets), execution timestamps (cell metadata "execution"), the views of
widgets (a random model id, and without the state a viewer could only say "model not
found": a short note takes their place), and the split of a cell's printed text into
several stream outputs. `make notebooks` runs this script before and after executing the
notebooks; tests/test_portability.py runs ``--check``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
BRANCH = "main"
BADGE_ID = "bundle-badges"
SETUP_ID = "bundle-setup"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "Interactive explorer: run the notebook in Jupyter to use it."

SETUP_CELL = '''\
# Set-up for wherever this notebook runs: figures inline (whatever MPLBACKEND says), and the
# helpers package found when it is not installed: in the checkout around this notebook or,
# on Colab, in a fresh clone of the repository. It prints nothing when all is in place.
%matplotlib inline
import sys
from pathlib import Path

try:
    import helpers  # noqa: F401
except ModuleNotFoundError:
    _root = next((d for d in (Path.cwd(), *Path.cwd().parents) if (d / "helpers" / "__init__.py").is_file()), None)
    if _root is None and "google.colab" in sys.modules:
        import subprocess

        from google.colab import output

        _root = Path("/content/{name}")
        if not _root.exists():
            subprocess.run(["git", "clone", "--quiet", "--depth=1", "{url}", str(_root)], check=True)
        output.enable_custom_widget_manager()
    if _root is None:
        raise ModuleNotFoundError(
            "this notebook needs the helpers package of {url}: open the notebook from a clone of "
            "that repository (its notebooks/ folder), or run `pip install -e .` in the clone"
        ) from None
    sys.path.insert(0, str(_root))
'''


def repository_url(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The repository's public address, from pyproject.toml's [project.urls] Repository."""
    with open(pyproject, "rb") as f:
        urls = tomllib.load(f).get("project", {}).get("urls", {})
    url = urls.get("Repository", "").rstrip("/")
    parts = url.removeprefix("https://github.com/").split("/")
    if not url.startswith("https://github.com/") or len(parts) != 2 or not all(parts):
        sys.exit(f"{pyproject}: [project.urls] Repository must be https://github.com/OWNER/NAME, got {url!r}")
    return url


def links(url: str, notebook: str | None = None) -> dict[str, str]:
    """Colab, Binder and nbgitpuller addresses for the repository (or for one notebook)."""
    owner_name = url.removeprefix("https://github.com/")
    name = owner_name.split("/")[1]
    path = f"notebooks/{notebook}" if notebook else "notebooks"
    pull_query = urlencode({"repo": url, "urlpath": f"lab/tree/{name}/{path}", "branch": BRANCH})
    return {
        "colab": f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{path}",
        "binder": f"https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath={quote('lab/tree/' + path, safe='')}",
        "nbgitpuller": f"https://HUB.EXAMPLE.ORG/hub/user-redirect/git-pull?{pull_query}",
    }


def badge_cell(url: str, notebook: str) -> str:
    link = links(url, notebook)
    return (f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({link['colab']}) "
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({link['binder']})")


def setup_cell(url: str) -> str:
    return SETUP_CELL.replace("{url}", url).replace("{name}", url.rsplit("/", 1)[1])


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
            "nbgitpuller": f"```\n{link['nbgitpuller']}\n```",
            "repository": f"`{url}`",
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


def normalized(nb, url: str, notebook: str):
    """The notebook with current generated cells and no volatile metadata (nb is changed in place)."""
    cells = [c for c in nb.cells if c.get("id") not in (BADGE_ID, SETUP_ID)]
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.lstrip().startswith("# "):
        raise SystemExit(f"{notebook}: the first cell must be the Markdown title (# ...)")
    badges = nbformat.v4.new_markdown_cell(badge_cell(url, notebook), id=BADGE_ID)
    setup = nbformat.v4.new_code_cell(setup_cell(url), id=SETUP_ID)
    old = next((c for c in nb.cells if c.get("id") == SETUP_ID), None)
    if old is not None and old.source == setup.source:  # keep the count of its last run (it prints nothing)
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not current")
    parser.add_argument("--links", action="store_true", help="print the Colab, Binder and nbgitpuller links")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    url = repository_url()
    if args.links:
        for kind, link in links(url).items():
            print(f"{kind:12s}{link}")
        return 0
    stale = []
    for path in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        before = path.read_text(encoding="utf-8")
        nb = normalized(nbformat.reads(before, as_version=4), url, path.name)
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
        names = ", ".join(p.name for p in stale)
        print(f"not current: {names}; run `python scripts/notebook_header.py` (or `make notebooks`)", file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
