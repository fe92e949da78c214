"""The sandbox's Jira answers checked against Atlassian's published OpenAPI description."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema
import requests

from connector.sandbox import Sandbox

from .conftest import TOKEN, USER

# shared/ sits beside the repository (in a checkout and in CI).
SPEC = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "atlassian-openapi"
    / "jira-cloud-platform.v3.json"
)
SPEC_URI = "urn:jira-cloud-platform"


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` in JSON Schema terms: the type also allows null."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items()}
        if out.pop("nullable", False) and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@cache
def _spec() -> dict[str, Any]:
    if not SPEC.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the OpenAPI description at {SPEC}")
        pytest.skip(f"the OpenAPI description is not at {SPEC}")
    return dict(json.loads(SPEC.read_text(encoding="utf-8")))


@cache
def _registry() -> Any:
    spec = _nullable(_spec())
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT4
    )
    return referencing.Registry().with_resource(SPEC_URI, resource)


def check(instance: Any, schema: dict[str, Any]) -> None:
    """Validate, with ``$ref: "#/components/..."`` pointing into the spec."""
    text = json.dumps(schema).replace('"#/components/', f'"{SPEC_URI}#/components/')
    validator = jsonschema.Draft4Validator(json.loads(text), registry=_registry())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def response_schema(path: str, method: str, status: str = "200") -> dict[str, Any]:
    content = _spec()["paths"][path][method]["responses"][status]["content"]
    return dict(content["application/json"]["schema"])


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def call(sb: Sandbox, method: str, path: str, **kwargs: Any) -> Any:
    with requests.Session() as session:
        resp = session.request(method, sb.url + path, auth=(USER, TOKEN), timeout=10, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.mark.parametrize("version", ["2", "3"])
def test_server_info_matches_the_spec(sandbox: Sandbox, version: str) -> None:
    check(
        call(sandbox, "GET", f"/rest/api/{version}/serverInfo"),
        response_schema("/rest/api/3/serverInfo", "get"),
    )


def test_fields_match_the_spec(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", "/rest/api/3/field")
    check(body, response_schema("/rest/api/3/field", "get"))
    by_id = {f["id"]: f for f in body}
    assert by_id["customfield_10016"]["schema"] == {
        "type": "number",
        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
        "customId": 10016,
    }
    assert by_id["status"]["schema"] == {"type": "status", "system": "status"}
    assert "Story Points" in by_id["customfield_10016"]["clauseNames"]


@pytest.mark.parametrize(("method", "version"), [("get", "2"), ("get", "3"), ("post", "3")])
def test_search_jql_matches_the_spec(sandbox: Sandbox, method: str, version: str) -> None:
    path = f"/rest/api/{version}/search/jql"
    query = {
        "jql": "project in (PAY, MOB)",
        "fields": "*all",
        "maxResults": 4,
        "expand": "names,schema",
    }
    body = (
        call(sandbox, "POST", path, json={**query, "fields": ["*all"]})
        if method == "post"
        else call(sandbox, "GET", path, params=query)
    )
    check(body, response_schema("/rest/api/3/search/jql", method))
    assert body["isLast"] is False and len(body["issues"]) == 4
    for issue in body["issues"]:
        fields = issue["fields"]
        check(fields["status"], ref("StatusDetails"))
        check(fields["issuetype"], ref("IssueTypeDetails"))
        check(fields["project"], ref("ProjectDetails"))
        if fields["assignee"] is not None:
            check(fields["assignee"], ref("UserDetails"))
        if fields["priority"] is not None:
            check(fields["priority"], ref("Priority"))
        if "parent" in fields:
            check({k: v for k, v in fields["parent"].items() if k != "fields"}, ref("IssueBean"))


def test_id_only_search_and_count_match_the_spec(sandbox: Sandbox) -> None:
    body = call(sandbox, "GET", "/rest/api/3/search/jql", params={"jql": "project = PAY"})
    check(body, response_schema("/rest/api/3/search/jql", "get"))
    count = call(
        sandbox, "POST", "/rest/api/3/search/approximate-count", json={"jql": "project = PAY"}
    )
    check(count, response_schema("/rest/api/3/search/approximate-count", "post"))
    assert count == {"count": 4}
