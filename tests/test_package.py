"""The shape of the helpers package: imports that point one way."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
MODULES = sorted(HELPERS.rglob("*.py"))


def _module_name(path):
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The helpers modules that ``path`` imports, wherever the import statement sits."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[:len(base) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module:  # `from . import x` imports the module x, not the package's names
                found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)  # `from .m import x` may name a module
    known = {_module_name(p) for p in MODULES}
    return {t for t in found if t in known and t != name}


def test_imports_inside_helpers_have_no_cycle_and_never_point_back_at_a_package():
    graph = {_module_name(p): _imports(p) for p in MODULES}
    for path in MODULES:
        name = _module_name(path)
        if path.name != "__init__.py":  # a package's __init__ re-exports; its modules never import it
            parents = {name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)}
            assert not graph[name] & parents, f"{name} imports its own package {graph[name] & parents}"
    state = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", "import cycle: " + " -> ".join(trail + [node])
        state[node] = "open"
        for nxt in sorted(graph[node]):
            visit(nxt, trail + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])


def test_the_cycle_check_sees_relative_imports(tmp_path):
    """The check above would pass vacuously if it read no imports: it must see nn -> losses."""
    graph = {_module_name(p): _imports(p) for p in MODULES}
    assert "helpers.losses" in graph["helpers.nn"]
    assert "helpers.optim" in graph["helpers.train"]


ALIASES = {"helpers.checks", "helpers.exercises"}  # old names kept for one release: they forward to coursework


def test_the_kernels_import_no_course_content():
    """helpers never imports the checks or the answer keys (coursework), apart from the two old names."""
    for path in MODULES:
        name = _module_name(path)
        if name in ALIASES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            assert not [n for n in names if n.split(".")[0] in ("coursework", "answer_keys")], name


@pytest.mark.parametrize("code,moved", [
    ("from helpers.exercises import vanishing as reference; print(reference.largest_escapable_h)",
     "helpers.exercises has moved to coursework.keys"),
    ("from answer_keys import vanishing as reference; print(reference.escapes)",
     "answer_keys has moved to coursework.keys"),
    ("from helpers.checks import check, verdict; check('slope_from_h', lambda h: h * (1 - h))",
     "helpers.checks has moved to coursework"),
])
def test_names_in_saved_notebooks_keep_working_and_say_where_they_went(code, moved):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=HELPERS.parent)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"note: {moved}") and "next release" in lines[0]
    assert len(lines) == 2  # the note, then what the old code printed
