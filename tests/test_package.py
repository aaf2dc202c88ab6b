"""The shape of the helpers package: imports that point one way."""

import ast
from pathlib import Path

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
