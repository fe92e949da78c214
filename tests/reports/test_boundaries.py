"""reports/ is pure rendering: it imports only rules/, itself and a few libraries."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import reports

ALLOWED_THIRD_PARTY = {"openpyxl", "defusedxml"}
FORBIDDEN = {"connector", "service", "requests", "sqlalchemy", "socket", "urllib.request", "http"}


def imported_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in Path(reports.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[path.name] = names
    return found


def test_reports_import_no_io_layers() -> None:
    for file, names in imported_modules().items():
        for name in names:
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (file, name)
            top = name.split(".")[0]
            local = top in {"reports", "rules", "__future__"}
            assert local or top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, name
