"""The application packages depend one way: agencies ← dossiers ← {staff,
citizens, reports}. This walks every import statement of their modules
(module level and inside functions alike, since a lazy import is still a
dependency) and fails on an import against that direction or on a cycle
between packages."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("agencies", "dossiers", "staff", "citizens", "reports")
# What each package may import besides itself. `lienthong` holds the
# project's small shared utilities (errors, text, forms, formatting, paging)
# and, as the composition root, its settings, URLs, Celery app and WSGI entry.
ALLOWED = {
    "lienthong": set(),
    "agencies": {"lienthong"},
    "dossiers": {"agencies", "lienthong"},
    "staff": {"dossiers", "agencies", "lienthong"},
    "citizens": {"dossiers", "agencies", "lienthong"},
    "reports": {"dossiers", "agencies", "lienthong"},
}
# The composition root may import every app: it wires them together.
ROOT_MODULES = {"lienthong/urls.py", "lienthong/settings.py", "lienthong/wsgi.py", "lienthong/celery.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _package_edges() -> dict[str, dict[str, list[str]]]:
    """package → imported package → the files that import it."""
    edges: dict[str, dict[str, list[str]]] = {}
    for package in (*APPS, "lienthong"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ROOT_MODULES or "/migrations/" in rel:
                continue
            for target in _imports(path) & {*APPS, "lienthong"}:
                if target != package:
                    edges.setdefault(package, {}).setdefault(target, []).append(rel)
    return edges


def test_the_walk_sees_the_imports_it_judges() -> None:
    # Guard against a walk that finds nothing and so passes vacuously.
    edges = _package_edges()
    assert "agencies" in edges["dossiers"] and "dossiers" in edges["staff"]


@pytest.mark.parametrize("package", [*APPS, "lienthong"])
def test_package_imports_only_what_lies_below_it(package: str) -> None:
    wrong = {target: files for target, files in _package_edges().get(package, {}).items()
             if target not in ALLOWED[package]}
    assert not wrong, f"{package} imports against the layering: {wrong}"


def test_no_cycle_between_packages() -> None:
    edges = {p: set(t) for p, t in _package_edges().items()}
    seen: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(node):], node]))
        if node in seen:
            return
        for target in sorted(edges.get(node, ())):
            visit(target, [*path, node])
        seen.add(node)

    for package in sorted(edges):
        visit(package, [])
