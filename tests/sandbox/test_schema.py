"""The sandbox's Jira answers checked against Atlassian's published OpenAPI description."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import requests

from connector.sandbox import Sandbox
from tests.openapi_specs import registry, spec

from .conftest import TOKEN, USER

SPEC_NAME = "jira-cloud-platform.v3.json"
SPEC_URI = "urn:jira-cloud-platform"


def _spec() -> dict[str, Any]:
    return spec(SPEC_NAME)


def _registry() -> Any:
    return registry(SPEC_NAME, SPEC_URI)


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
