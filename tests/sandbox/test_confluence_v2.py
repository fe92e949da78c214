"""Confluence Cloud's v2 pages API over HTTP: driven by the real `atlassian.ConfluenceV2` client,
and every answer (and what Outcomes sends) checked against Atlassian's published OpenAPI
description, confluence-cloud.v2.json."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
from atlassian import ConfluenceV2

from connector.confluence_v2 import V2Pages
from connector.sandbox import Sandbox
from tests.openapi_specs import registry, spec

from .conftest import TOKEN, USER

SPEC_NAME = "confluence-cloud.v2.json"
SPEC_URI = "urn:confluence-cloud-v2"


def _spec() -> dict[str, Any]:
    return spec(SPEC_NAME)


def _registry() -> Any:
    return registry(SPEC_NAME, SPEC_URI)


def check(instance: Any, schema: dict[str, Any]) -> None:
    text = json.dumps(schema).replace('"#/components/', f'"{SPEC_URI}#/components/')
    validator = jsonschema.Draft4Validator(json.loads(text), registry=_registry())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def answer_schema(path: str, method: str) -> dict[str, Any]:
    content = _spec()["paths"][path][method]["responses"]["200"]["content"]
    return dict(content["application/json"]["schema"])


def request_schema(name: str) -> dict[str, Any]:
    """A request body's schema. Its `body` is a oneOf of PageBodyWrite and PageNestedBodyWrite,
    neither of which requires a property, so every object matches both and a strict oneOf would
    refuse every body: it is read as anyOf, and the tests check the body's own shape besides."""
    body = _spec()["components"]["requestBodies"][name]
    schema = body["content"]["application/json"]["schema"]
    return dict(json.loads(json.dumps(schema).replace('"oneOf"', '"anyOf"')))


@pytest.fixture
def v2(sandbox: Sandbox) -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "V1 methods are deprecated", DeprecationWarning)
        client = ConfluenceV2(sandbox.confluence_url, username=USER, password=TOKEN, timeout=10)
    yield client
    client.close()


def call(sb: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    with requests.Session() as session:
        return session.request(
            method, sb.confluence_url + path, auth=(USER, TOKEN), timeout=10, **kwargs
        )


def test_spaces_by_key_match_the_spec(sandbox: Sandbox, v2: Any) -> None:
    body = call(sandbox, "GET", "/api/v2/spaces", params={"keys": "PORT"}).json()
    check(body, answer_schema("/spaces", "get"))
    assert [(s["id"], s["key"], s["name"]) for s in body["results"]] == [
        ("98305", "PORT", "Portfolio")
    ]
    assert v2.get_space_by_key("PORT")["id"] == "98305"


def test_pages_by_space_and_title_match_the_spec(sandbox: Sandbox, v2: Any) -> None:
    params = {"space-id": "98305", "title": "History", "body-format": "storage"}
    body = call(sandbox, "GET", "/api/v2/pages", params=params).json()
    check(body, answer_schema("/pages", "get"))
    (found,) = body["results"]
    assert found["title"] == "History"
    assert found["body"]["storage"] == {
        "representation": "storage",
        "value": "<p>Old&nbsp;runs<br /></p>",
    }
    root = v2.get_pages(space_id="98305", title="Portfolio outcomes")
    assert found["parentId"] == root[0]["id"]
    assert root[0]["body"] == {}  # no body unless body-format asks for one
    assert v2.get_pages(space_id="98305", title="history") == []  # v2 matches titles exactly


def test_listing_pages_with_a_cursor(sandbox: Sandbox, v2: Any) -> None:
    first = call(sandbox, "GET", "/api/v2/pages", params={"space-id": "98305", "limit": 1})
    body = first.json()
    check(body, answer_schema("/pages", "get"))
    assert [p["title"] for p in body["results"]] == ["Portfolio outcomes"]
    assert body["_links"]["next"].startswith("/wiki/api/v2/pages?")
    assert 'rel="next"' in first.headers["Link"]
    # The client follows the cursor to the end.
    titles = [p["title"] for p in v2.get_pages(space_id="98305", limit=1)]
    assert titles == ["Portfolio outcomes", "History"]
    bad = call(sandbox, "GET", "/api/v2/pages", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "INVALID_REQUEST_PARAMETER"


def test_create_read_update_match_the_spec(sandbox: Sandbox, v2: Any) -> None:
    root = v2.get_pages(space_id="98305", title="Portfolio outcomes")[0]
    created = call(
        sandbox,
        "POST",
        "/api/v2/pages",
        json={
            "spaceId": "98305",
            "status": "current",
            "title": "Team Payments",
            "parentId": root["id"],
            "body": {"representation": "storage", "value": "<p>one<br/>two</p>"},
        },
    ).json()
    check(created, answer_schema("/pages", "post"))
    assert (created["version"]["number"], created["parentId"]) == (1, root["id"])
    page_id = created["id"]

    read = call(sandbox, "GET", f"/api/v2/pages/{page_id}", params={"body-format": "storage"})
    check(read.json(), answer_schema("/pages/{id}", "get"))
    assert read.json()["body"]["storage"]["value"] == "<p>one<br />two</p>"

    update = {
        "id": page_id,
        "status": "current",
        "title": "Team Payments",
        "body": {"representation": "storage", "value": "<p>three</p>"},
        "version": {"number": 2, "message": "second"},
    }
    updated = call(sandbox, "PUT", f"/api/v2/pages/{page_id}", json=update)
    check(updated.json(), answer_schema("/pages/{id}", "put"))
    assert updated.json()["version"]["number"] == 2
    stale = call(sandbox, "PUT", f"/api/v2/pages/{page_id}", json=update)
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["status"] == 409
    old = call(sandbox, "GET", f"/api/v2/pages/{page_id}?body-format=storage&version=1").json()
    assert (old["status"], old["body"]["storage"]["value"]) == ("historical", "<p>one<br />two</p>")


def test_the_library_s_update_page_is_refused_for_leaving_out_the_status(
    sandbox: Sandbox, v2: Any
) -> None:
    """Why Outcomes calls PUT /pages/{id} itself: the v2 API requires `status`."""
    made = v2.create_page(space_id="98305", title="Helper", body="<p>x</p>")
    with pytest.raises(requests.HTTPError) as err:
        v2.update_page(made["id"], title="Helper", body="<p>y</p>")
    assert err.value.response is not None and err.value.response.status_code == 400
    assert "status" in err.value.response.json()["errors"][0]["title"]
    kept = sandbox.confluence.find_page("PORT", "Helper")
    assert kept is not None and (kept["version"], kept["body"]) == (1, "<p>x</p>")


def test_what_outcomes_sends_matches_the_spec(sandbox: Sandbox) -> None:
    api = V2Pages(sandbox.confluence_url, user=USER, token=TOKEN, timeout=10)
    sent: list[tuple[str, str, Any]] = []

    def keep(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        if request.method in ("POST", "PUT") and request.body:
            sent.append((request.method, request.path_url, json.loads(request.body)))

    api.client.session.hooks["response"].append(keep)
    made = api.create("PORT", "Checked", "<p>a</p>", None)
    api.update(made.id, "Checked", "<p>b</p>", made.version + 1)
    assert [(m, path.split("?")[0]) for m, path, _ in sent] == [
        ("POST", "/wiki/api/v2/pages"),
        ("PUT", f"/wiki/api/v2/pages/{made.id}"),
    ]
    check(sent[0][2], request_schema("PageCreateRequest"))
    check(sent[1][2], request_schema("PageUpdateRequest"))
    body_write = {"$ref": "#/components/schemas/PageBodyWrite"}
    for _, _, data in sent:
        check(data["body"], body_write)
        assert set(data["body"]) == {"representation", "value"}
    assert sent[1][2]["version"]["number"] == 2
    assert sent[1][2]["status"] == "current"


def test_attachments_of_a_page_match_the_spec(sandbox: Sandbox) -> None:
    api = V2Pages(sandbox.confluence_url, user=USER, token=TOKEN, timeout=10)
    made = api.create("PORT", "With file", "<p>a</p>", None)
    api.attach(made.id, "chart.png", b"\x89PNG", "image/png")
    body = call(sandbox, "GET", f"/api/v2/pages/{made.id}/attachments").json()
    check(body, answer_schema("/pages/{id}/attachments", "get"))
    assert [(a["title"], a["mediaType"], a["fileSize"]) for a in body["results"]] == [
        ("chart.png", "image/png", 4)
    ]


def test_v2_errors_take_the_v2_shape(sandbox: Sandbox) -> None:
    missing = call(sandbox, "GET", "/api/v2/pages/424242")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NOT_FOUND"
    with requests.Session() as session:
        denied = session.get(sandbox.confluence_url + "/api/v2/pages", auth=(USER, "no"))
    assert denied.status_code == 401 and denied.json()["errors"][0]["code"] == "UNAUTHORIZED"
    wrong = call(sandbox, "GET", "/api/v2/pages", params={"body-format": "view"})
    assert wrong.status_code == 400
