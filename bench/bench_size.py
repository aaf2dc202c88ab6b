"""The size of the kernels package: lines of every helpers module (docstrings, comments and blank
lines included, as `wc -l` counts them), split into code, docstrings and blank or comment lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 3000  # the cap for helpers/


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


if __name__ == "__main__":
    main()
