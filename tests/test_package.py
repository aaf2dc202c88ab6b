"""The shape of the helpers package: imports that point one way, and no function over the length budget."""

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
MODULES = sorted(HELPERS.rglob("*.py"))


def _module_name(path, root=HELPERS):
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path, root=HELPERS, modules=None):
    """The modules that ``path`` imports, wherever the import statement sits, as dotted names.

    ``from . import x`` and ``from .m import x`` are resolved as Python resolves them: the
    module ``x`` when the package has one, otherwise the package itself (x is one of its names);
    ``from .m import x`` imports ``m`` (and ``m.x`` when that is a module). With ``modules`` (the
    known dotted names), only those are kept."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[:len(base) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                found.add(target)
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if modules is None or sub in modules else target)
    return {t for t in found if t != name and (modules is None or t in modules)}


def _graph():
    known = {_module_name(p) for p in MODULES}
    return {_module_name(p): _imports(p, modules=known) for p in MODULES}


def test_imports_inside_helpers_have_no_cycle_and_never_point_back_at_a_package():
    graph = _graph()
    for path in MODULES:
        name = _module_name(path)
        # a package's __init__ re-exports; its modules never import it. __main__ is the package run as a
        # script (python -m): Python imports the package before it, and nothing imports __main__.
        if path.name not in ("__init__.py", "__main__.py"):
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


def test_the_import_check_sees_relative_imports(tmp_path):
    """The checks above would pass vacuously if they read no imports: every spelling of an import is seen."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    for f in ("__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py"):
        (pkg / f).write_text("")
    (pkg / "sub" / "d.py").write_text(
        "from . import c\nfrom .. import a, helper\nfrom ..b import thing\nimport json\n"
        "def late():\n    from pkg.sub import name\n")
    known = {_module_name(p, pkg) for p in pkg.rglob("*.py")}
    assert _imports(pkg / "sub" / "d.py", pkg, known) == {"pkg.sub.c", "pkg.a", "pkg", "pkg.b", "pkg.sub"}
    assert _imports(pkg / "sub" / "d.py", pkg) >= {"json", "pkg.sub.name"}
    graph = _graph()  # and in helpers itself, relative imports and package-level names
    assert {"helpers.losses", "helpers._checks"} <= graph["helpers.nn"]
    assert "helpers._idx" in graph["helpers.data"] and "helpers.optim" in graph["helpers.train"]
    assert "helpers.train" in graph["helpers.train.__main__"]  # `from . import fit`: fit is the package's


ALIASES = {"helpers.checks", "helpers.exercises"}  # old names kept for one release: they forward to coursework
COURSE = ("coursework", "answer_keys")


def test_the_kernels_import_no_course_content():
    """helpers never imports the checks or the answer keys (coursework, answer_keys): one exception, the
    deprecated aliases helpers.checks and helpers.exercises (names in saved notebooks keep working for a
    release), and nothing else in helpers imports those aliases."""
    for path in MODULES:
        name = _module_name(path)
        imported = _imports(path)
        course = {t for t in imported if t.split(".")[0] in COURSE}
        assert name in ALIASES or not course, f"{name} imports course content: {sorted(course)}"
        aliases = {t for t in imported if t in ALIASES or t.startswith(tuple(a + "." for a in ALIASES))}
        assert name in ALIASES or not aliases, f"{name} imports the deprecated alias {sorted(aliases)}"
    assert any(t.split(".")[0] == "coursework" for t in _imports(HELPERS / "checks.py"))  # the check can fail


def test_importing_any_helpers_module_loads_no_course_content():
    """What Python really loads (imports inside functions, re-exports, __init__ files included): every
    helpers module but the aliases, imported in a fresh interpreter, brings in none of coursework."""
    names = sorted(_module_name(p) for p in MODULES if _module_name(p) not in ALIASES and p.name != "__main__.py")
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n    importlib.import_module(name)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {COURSE!r} or m in {sorted(ALIASES)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=HELPERS.parent,
                         env={**os.environ, "MPLBACKEND": "Agg"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"importing helpers loaded {out.stdout.strip()}"
    assert len(names) > 10


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


def _bench_size():
    spec = importlib.util.spec_from_file_location("bench_size", HELPERS.parent / "bench" / "bench_size.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_function_in_helpers_is_longer_than_the_budget():
    size = _bench_size()
    over = [(f, n) for p in MODULES for f, n in size.function_lengths(p) if n > size.LONGEST]
    assert not over, f"functions over {size.LONGEST} lines (issue 23's budget): {over}"


def test_function_lengths_count_from_the_first_decorator_and_name_methods_by_class(tmp_path):
    path = tmp_path / "pkg" / "mod.py"
    path.parent.mkdir()
    body = "\n".join(f"        x{i} = {i}" for i in range(49))
    path.write_text(f"import functools\n\n\nclass A:\n    @functools.cache\n    def long(self):\n{body}\n\n\n"
                    "def short():\n    def inner():\n        pass\n", encoding="utf-8")
    assert dict(_bench_size().function_lengths(path, root=tmp_path)) == {"mod.A.long": 51, "mod.short": 3,
                                                                          "mod.short.inner": 2}
