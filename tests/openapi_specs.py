"""Atlassian's published OpenAPI descriptions, vendored in tests/openapi/ (xz-compressed; see
tests/openapi/README.md for their source), loaded once, with a JSON Schema registry to validate
the sandbox's answers and the connector's bodies against them.
"""

from __future__ import annotations

import json
import lzma
from functools import cache
from pathlib import Path
from typing import Any

import referencing
import referencing.jsonschema

FOLDER = Path(__file__).resolve().parent / "openapi"


def nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` in JSON Schema terms: the type also allows null."""
    if isinstance(node, dict):
        out = {k: nullable(v) for k, v in node.items()}
        if out.pop("nullable", False) and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [nullable(v) for v in node]
    return node


@cache
def spec(name: str) -> dict[str, Any]:
    with lzma.open(FOLDER / f"{name}.xz", "rt", encoding="utf-8") as described:
        return dict(json.load(described))


@cache
def registry(name: str, uri: str) -> Any:
    resource = referencing.Resource.from_contents(
        nullable(spec(name)), default_specification=referencing.jsonschema.DRAFT4
    )
    return referencing.Registry().with_resource(uri, resource)
