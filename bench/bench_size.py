"""The size of the kernels package: lines of every helpers module (docstrings, comments and blank
lines included, as `wc -l` counts them), split into code, docstrings and blank or comment lines;
and its longest functions (issue 23's budgets: 3,000 lines, no function over 50)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 3000  # the cap for helpers/
LONGEST = 50  # lines of one function, decorators and docstring included


def kinds(path):
    """(code, docstring, blank or comment) line counts of one file."""
    text = path.read_text()
    doc = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            doc.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = text.splitlines()
    other = sum(1 for i, line in enumerate(lines, 1) if i not in doc and (not line.strip() or line.lstrip()[0] == "#"))
    return len(lines) - len(doc) - other, len(doc), other


def function_lengths(path, root=ROOT):
    """("module.Class.function", lines) of every function and method in the file at ``path``, from its first
    decorator (or its def) to its last line."""
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = f"{prefix}.{getattr(child, 'name', '')}"
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                yield name, child.end_lineno - first + 1
            scope = isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            yield from walk(child, name if scope else prefix)

    module = ".".join(path.relative_to(root).with_suffix("").parts[1:]).removesuffix(".__init__")
    return list(walk(ast.parse(path.read_text(encoding="utf-8")), module))


def main():
    for package in ("helpers", "coursework"):
        files = sorted((ROOT / package).rglob("*.py"))
        counts = [kinds(p) for p in files]
        code, doc, other = (sum(c[i] for c in counts) for i in range(3))
        total = code + doc + other
        budget = f" (budget {BUDGET:,}: {'within' if total <= BUDGET else f'{total - BUDGET:,} over'})" \
            if package == "helpers" else ""
        print(f"{package}/: {total:,} lines in {len(files)} files{budget}: {code:,} code, {doc:,} docstring, "
              f"{other:,} blank or comment")
        if package == "helpers":
            top = sorted(zip(files, counts), key=lambda fc: -sum(fc[1]))[:6]
            print("  largest: " + ", ".join(f"{p.relative_to(ROOT / package)} {sum(c)}" for p, c in top))
            longest = sorted((fl for p in files for fl in function_lengths(p)), key=lambda fl: -fl[1])
            over = sum(n > LONGEST for _, n in longest)
            print(f"  longest functions (budget {LONGEST} lines: {over or 'none'} over): "
                  + ", ".join(f"{f} {n}" for f, n in longest[:4]))


if __name__ == "__main__":
    main()
