"""The sandbox's Jira Cloud answers, checked against Atlassian's published OpenAPI description
with openapi-core (request and response together, formats included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from connector.sandbox import Sandbox
from tests.openapi_specs import spec as load_spec
from tests.sync.conftest import TOKEN, USER, portfolio


def jira_date_time(value: str) -> bool:
    """Jira writes its timestamps as 2026-11-24T09:00:00.000+0000 (no colon in the offset), in
    real answers as in the sandbox's, though the description says RFC 3339 `date-time`."""
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def checked() -> Iterator[tuple[Sandbox, OpenAPI, requests.Session]]:
    spec = dict(load_spec("jira-cloud-platform.v3.json"))  # a copy: its servers change below
    with Sandbox(portfolio("Cloud")) as sandbox:
        spec["servers"] = [{"url": sandbox.url}]
        # The description itself fails strict spec validation (an enum whose default is ''),
        # so its own check is off; requests and responses are still validated in full.
        config = Config(
            spec_validator_cls=None, extra_format_validators={"date-time": jira_date_time}
        )
        session = requests.Session()
        session.auth = (USER, TOKEN)
        yield sandbox, OpenAPI.from_dict(spec, config=config), session


def check(api: OpenAPI, response: requests.Response) -> Any:
    api.validate_request(RequestsOpenAPIRequest(response.request))
    api.validate_response(
        RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
    )
    return response.json()


def test_enhanced_search_pages_match_the_description(
    checked: tuple[Sandbox, OpenAPI, requests.Session],
) -> None:
    sandbox, api, session = checked
    url = f"{sandbox.url}/rest/api/3/search/jql"
    params: dict[str, Any] = {
        "jql": "project in (PAY, MOB) ORDER BY key",
        "fields": "summary,status,issuetype,parent,labels,updated,customfield_10016",
        "maxResults": 4,
    }
    first = check(api, session.get(url, params=params))
    assert [i["key"] for i in first["issues"]] == ["MOB-1", "MOB-2", "MOB-3", "MOB-4"]
    assert first["isLast"] is False
    last = check(api, session.get(url, params={**params, "nextPageToken": first["nextPageToken"]}))
    assert [i["key"] for i in last["issues"]] == ["PAY-1", "PAY-2", "PAY-3", "PAY-4"]
    posted = check(api, session.post(url, json={"jql": "parent = PAY-1", "fields": ["summary"]}))
    assert [i["key"] for i in posted["issues"]] == ["PAY-2", "PAY-3", "PAY-4"]


@pytest.mark.parametrize("path", ["/rest/api/3/serverInfo", "/rest/api/3/field"])
def test_server_info_and_fields_match_the_description(
    checked: tuple[Sandbox, OpenAPI, requests.Session], path: str
) -> None:
    sandbox, api, session = checked
    assert check(api, session.get(sandbox.url + path))


def test_jql_validation_and_counting_match_the_description(
    checked: tuple[Sandbox, OpenAPI, requests.Session],
) -> None:
    sandbox, api, session = checked
    parsed = check(
        api,
        session.post(
            f"{sandbox.url}/rest/api/3/jql/parse",
            params={"validation": "strict"},
            json={"queries": ["project = PAY", "sprint = 3"]},
        ),
    )
    assert parsed["queries"][0]["errors"] == []
    assert "sprint" in parsed["queries"][1]["errors"][0]
    count = check(
        api,
        session.post(
            f"{sandbox.url}/rest/api/3/search/approximate-count", json={"jql": "project = MOB"}
        ),
    )
    assert count == {"count": 4}
