"""The layering holds, module by module: `service -> connector, reports -> rules`, and no import
loops inside a package.

Every import is read from the source with `ast`, including imports inside functions (they are how
a loop hides); imports under `if TYPE_CHECKING:` never run and are left out. The rules, from the
README's architecture section:

- `rules` imports no project package but itself;
- `reports` imports only `rules` and itself, and of the outside world only pure libraries;
- `connector` never imports `service` or `reports`;
- `service` may import every package;
- no two modules of one package reach each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rules", "reports", "connector", "service")

# What each package may import of the project (itself always).
ALLOWED: dict[str, set[str]] = {
    "rules": set(),
    "reports": {"rules"},
    "connector": {"rules"},
    "service": {"rules", "reports", "connector"},
}
# Outside libraries the pure layers may use; anything else must be the standard library, and of
# that, nothing that reaches the network, the disk's database or a process.
PURE_LIBRARIES = {
    "rules": {"pydantic", "pydantic_core"},
    "reports": {"openpyxl", "defusedxml"},
}
TYPE_CHECKING = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
IMPURE_STDLIB = {"socket", "http", "urllib.request", "sqlite3", "subprocess", "requests"}

# Loops inside a package that are tolerated, each named by its modules, sorted: none. The test
# fails when a loop is listed but gone, so the list stays exact.
KNOWN_LOOPS: set[tuple[str, ...]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def walk_run_time(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, leaving out `if TYPE_CHECKING:` blocks: those imports never run."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING:
            yield from (n for child in node.orelse for n in [child, *walk_run_time(child)])
            continue
        yield node
        yield from walk_run_time(node)


def imports_of(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module `path` imports, absolute, with its line; `from a import b` yields `a.b` too
    (b may be a module)."""
    is_package = path.name == "__init__.py"
    for node in walk_run_time(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


MODULES = modules()
IMPORTS = {name: sorted(set(imports_of(name, path))) for name, path in MODULES.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def test_every_package_is_read() -> None:
    # The walk finds the code (a wrong root would pass every rule below on nothing).
    assert {"rules.policy", "reports.excel", "connector.sync", "service.cli"} <= set(MODULES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_the_layers_below(package: str) -> None:
    wrong = [
        f"{MODULES[name].relative_to(ROOT)}:{line} imports {imported}"
        for name in MODULES
        if top(name) == package
        for imported, line in IMPORTS[name]
        if top(imported) in PACKAGES and top(imported) not in ALLOWED[package] | {package}
    ]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(PURE_LIBRARIES))
def test_pure_layers_use_only_pure_libraries(package: str) -> None:
    allowed = PURE_LIBRARIES[package] | set(PACKAGES) | {"__future__"}
    wrong = [
        f"{MODULES[name].relative_to(ROOT)}:{line} imports {imported}"
        for name in MODULES
        if top(name) == package
        for imported, line in IMPORTS[name]
        if top(imported) not in allowed
        and (
            top(imported) not in sys.stdlib_module_names
            or any(imported == b or imported.startswith(b + ".") for b in IMPURE_STDLIB)
        )
    ]
    assert wrong == []


def graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (a package's `__init__` counts only
    when imported by its own name)."""
    names = {name for name in MODULES if top(name) == package}
    edges: dict[str, set[str]] = {name: set() for name in names}
    for name in names:
        for imported, _ in IMPORTS[name]:
            if imported in names and imported != name and not name.startswith(imported + "."):
                edges[name].add(imported)
    return edges


def loops(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(edges[node]):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_loops_are_found() -> None:
    # The finder itself: a three-module loop and a tail hanging off it.
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert loops(edges) == {("a", "b", "c")}


def test_no_import_loop_inside_a_package() -> None:
    found = set().union(*(loops(graph(package)) for package in PACKAGES))
    assert found - KNOWN_LOOPS == set(), "import loops (counting imports inside functions)"
    assert KNOWN_LOOPS - found == set(), "listed as known but gone: take them off KNOWN_LOOPS"
