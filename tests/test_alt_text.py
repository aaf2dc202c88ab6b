"""Alt text for figures (helpers.plots.alt_text): a sentence given in a cell reaches the stored
output's metadata, {"image/png": {"alt": ...}}, and the <img alt="..."> of the HTML export
(nbconvert's classic template, as `make html` runs it)."""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from helpers.plots import _ALT_TEXT, alt_text

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
RISING = "A straight line rising from 0 on the left to 1 on the right."
FALLING = "A straight line falling from 1 to 0."


@pytest.fixture(scope="module")
def shown():
    """A notebook run in a real kernel: figures shown with alt text (axes, figure, after style()
    and before it) and one without; its cells' outputs as the stored notebook keeps them."""
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom helpers.plots import alt_text, style",
        f"fig, ax = plt.subplots()\nax.plot([0, 1])\nalt_text(ax, {RISING!r})\nplt.show()",
        f"style()\nfig, ax = plt.subplots()\nax.plot([1, 0])\nalt_text(fig, {FALLING!r})\nplt.show()",
        "fig, ax = plt.subplots()\nax.plot([1, 1])\nplt.show()",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def _images(cell):
    return [out for out in cell.outputs if "image/png" in out.get("data", {})]


def test_alt_text_lands_in_the_stored_output_metadata(shown):
    rising, falling, without = (_images(c) for c in shown.cells[1:])
    assert len(rising) == len(falling) == len(without) == 1
    assert rising[0].metadata["image/png"]["alt"] == RISING  # the default inline PNG
    assert falling[0].metadata["image/png"]["alt"] == FALLING  # style()'s PNG, with its width and height
    assert falling[0].metadata["image/png"]["width"] > 0
    assert "alt" not in without[0].get("metadata", {}).get("image/png", {})
    # and it survives writing the notebook
    again = nbformat.reads(nbformat.writes(shown), as_version=4)
    assert _images(again.cells[1])[0].metadata["image/png"]["alt"] == RISING


def test_alt_text_lands_in_the_html_export(shown):
    exporter = pytest.importorskip("nbconvert").HTMLExporter(template_name="classic")
    html, _ = exporter.from_notebook_node(shown)
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', html)
    assert alts[:2] == [RISING, FALLING]
    assert alts[2] == "No description has been provided for this image"  # what nbconvert says without it


def test_make_html_exports_with_the_template_that_reads_alt_text():
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nhtml:", 1)[1].split("\n\n", 1)[0]
    assert "nbconvert --to html --template classic" in recipe


def test_alt_text_returns_what_it_was_given_and_follows_subfigures():
    fig, ax = plt.subplots()
    try:
        assert alt_text(ax, "  Axes.  ") is ax and _ALT_TEXT[fig] == "Axes."
        sub = fig.subfigures(1, 2)[0]
        alt_text(sub.add_subplot(), "The left half.")
        assert _ALT_TEXT[fig] == "The left half."
    finally:
        plt.close(fig)


@pytest.mark.parametrize("target,text,error", [
    ("not a figure", "Text.", TypeError),
    (None, "Text.", TypeError),
    ("fig", "", ValueError),
    ("fig", "   ", ValueError),
    ("fig", "Two lines.\nOf text.", ValueError),
    ("fig", 42, ValueError),
])
def test_bad_alt_text_is_one_line(target, text, error):
    fig = plt.figure()
    try:
        with pytest.raises(error) as info:
            alt_text(fig if target == "fig" else target, text)
        assert "\n" not in str(info.value) and "alt" in str(info.value)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_alt_text(path):
    missing = []
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for out in cell.get("outputs", []):
            if any(key.startswith("image/") for key in out.get("data", {})):
                alts = [str(out.get("metadata", {}).get(key, {}).get("alt", "")).strip()
                        for key in out["data"] if key.startswith("image/")]
                if not all(alts):
                    missing.append(f"cell {i} ({cell.get('id')})")
    assert not missing, f"figures without alt text: {', '.join(missing)}; give each one with helpers.plots.alt_text"
