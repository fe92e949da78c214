"""Atlassian's published OpenAPI descriptions (shared/atlassian-openapi/, beside the repository),
loaded once, with a JSON Schema registry to validate answers and bodies against them.

Missing descriptions skip the tests that need them, except under CI, where they must be there.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import referencing
import referencing.jsonschema

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "atlassian-openapi"


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
    path = FOLDER / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the OpenAPI description at {path}")
        pytest.skip(f"the OpenAPI description is not at {path}")
    return dict(json.loads(path.read_text(encoding="utf-8")))


@cache
def registry(name: str, uri: str) -> Any:
    resource = referencing.Resource.from_contents(
        nullable(spec(name)), default_specification=referencing.jsonschema.DRAFT4
    )
    return referencing.Registry().with_resource(uri, resource)
