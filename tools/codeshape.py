"""The shape of Folio's code: the longest functions, the views, and the seams.

Prints the ten longest functions and every view (a function decorated with
``@<blueprint>.get/post/put/patch/delete/route``) with its length, counted from
its ``def`` line through its last line, docstring included, and the views'
average. Exits 1 when a view is longer than MAX_VIEW_LINES, or when a module of
one blueprint imports a module of another blueprint that is not public.

A blueprint's public modules are the ones its ``__init__.py`` docstring names on
a line ``Public modules: page, publishing.``; ``views`` never is one.

Usage: python tools/codeshape.py [ROOT]   (ROOT defaults to the repository)
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_VIEW_LINES = 40
TOP = 10
VIEW_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}
SKIPPED_DIRS = {"tests", "bench", "migrations", "node_modules", "__pycache__"}
PUBLIC_LINE = re.compile(r"^Public modules:\s*(?P<names>[^.]*)\.?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Function:
    """One function definition: where it is, how long, whether it is a view."""

    path: str
    line: int
    name: str
    length: int
    is_view: bool


def python_files(root: Path) -> list[Path]:
    """The application's Python files under root (no tests, bench or hidden dirs)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts[:-1]
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts):
            continue
        if parts and parts[0] in {"venv", "env"}:
            continue
        found.append(path)
    return found


def _is_view(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when a decorator registers the function as a route."""
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in VIEW_DECORATORS:
            return True
    return False


def functions(tree: ast.AST, path: str) -> list[Function]:
    """Every function and method in a module's tree."""
    return [
        Function(
            path=path,
            line=node.lineno,
            name=node.name,
            length=node.end_lineno - node.lineno + 1,
            is_view=_is_view(node),
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def public_modules(root: Path) -> dict[str, set[str]]:
    """Each blueprint package's public modules, from its __init__ docstring."""
    public: dict[str, set[str]] = {}
    for init in sorted((root / "blueprints").glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
        match = PUBLIC_LINE.search(docstring)
        names = match.group("names") if match else ""
        listed = {n.strip() for n in names.split(",") if n.strip()}
        public[init.parent.name] = listed - {"none"}
    return public


def _module_name(path: Path, root: Path) -> list[str]:
    """A file's dotted module name, as parts (a package's __init__ is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(tree: ast.AST, path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, dotted name) for every module a file imports, names imported from a
    package counted as its submodules when such a file exists."""
    here = _module_name(path, root)
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                as_path = root.joinpath(*candidate.split("."))
                is_module = as_path.with_suffix(".py").exists() or as_path.is_dir()
                found.append((node.lineno, candidate if is_module else base))
    return found


def seam_problems(root: Path, files: list[Path]) -> list[str]:
    """Imports of another blueprint's non-public module, and views listed as public."""
    public = public_modules(root)
    problems = [
        f"blueprints/{name}/__init__.py: views is never a public module"
        for name, modules in public.items()
        if "views" in modules
    ]
    for path in files:
        parts = _module_name(path, root)
        if len(parts) < 2 or parts[0] != "blueprints":
            continue
        tree = ast.parse(path.read_text(), str(path))
        seen: set[str] = set()
        for line, name in imported_modules(tree, path, root):
            if name in seen:
                continue
            seen.add(name)
            target = name.split(".")
            if len(target) < 2 or target[0] != "blueprints" or target[1] == parts[1]:
                continue
            module = target[2] if len(target) > 2 else "__init__"
            if module == "views" or module not in public.get(target[1], set()):
                where = path.relative_to(root)
                problems.append(
                    f"{where}:{line}: imports {name}, not a public module of "
                    f"blueprints.{target[1]}"
                )
    return problems


def report(root: Path) -> tuple[list[str], list[str]]:
    """The printed report's lines, and the problems that fail the check."""
    files = python_files(root)
    found: list[Function] = []
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        found += functions(tree, str(path.relative_to(root)))
    lines = [f"The {TOP} longest functions:"]
    for fn in sorted(found, key=lambda f: -f.length)[:TOP]:
        lines.append(f"  {fn.length:4}  {fn.name}  {fn.path}:{fn.line}")
    views = sorted((f for f in found if f.is_view), key=lambda f: -f.length)
    average = sum(f.length for f in views) / len(views) if views else 0.0
    lines.append(f"Views: {len(views)}, {average:.1f} lines on average:")
    for fn in views:
        lines.append(f"  {fn.length:4}  {fn.name}  {fn.path}:{fn.line}")
    problems = [
        f"{fn.path}:{fn.line}: view {fn.name} is {fn.length} lines "
        f"(at most {MAX_VIEW_LINES})"
        for fn in views
        if fn.length > MAX_VIEW_LINES
    ]
    return lines, problems + seam_problems(root, files)


def main(argv: list[str]) -> int:
    """Print the report; 1 when a view is too long or a seam is crossed."""
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    lines, problems = report(root)
    print("\n".join(lines))
    if problems:
        print("Problems:")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1
    print("No view over 40 lines; blueprints meet through public modules only.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
