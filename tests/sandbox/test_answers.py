"""Search answers kept until the data changes, seen through the real `jira` client; the fast
JSON of search pages is byte for byte what the dict renderer gives."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jira import JIRA

from connector.sandbox import Sandbox
from connector.sandbox.jira_json import IssueJson
from connector.sandbox.jira_render import Renderer, select_fields

from .conftest import DATA


def keys(client: JIRA, jql: str) -> list[str]:
    return [issue.key for issue in client.enhanced_search_issues(jql, fields="summary,labels")]


def test_a_repeated_search_is_answered_from_the_cache(sandbox: Sandbox, jira_client: JIRA) -> None:
    assert keys(jira_client, "parent = PAY-1") == ["PAY-2", "PAY-10"]
    sandbox.reset_stats()
    assert keys(jira_client, "parent = PAY-1") == ["PAY-2", "PAY-10"]
    stats = sandbox.stats()
    assert (stats["requests"], stats["cached"]) == (1, 1)


def test_a_changed_page_size_is_not_answered_from_the_cache(
    sandbox: Sandbox, jira_client: JIRA
) -> None:
    assert len(jira_client.enhanced_search_issues("project = PAY", fields="summary")) == 4
    sandbox.faults.max_page_size = 1
    page = jira_client.enhanced_search_issues("project = PAY", fields="summary", maxResults=50)
    assert [issue.key for issue in page] == ["PAY-1"]


def _edit(sandbox: Sandbox, client: JIRA) -> None:
    client.issue("PAY-2").update(fields={"summary": "Retry queue, again"})


def _labels(sandbox: Sandbox, client: JIRA) -> None:
    client.issue("PAY-10").update(fields={"labels": ["backend"]})


def _create(sandbox: Sandbox, client: JIRA) -> None:
    sandbox.jira.add_issue(
        {"project": "PAY", "type": "Story", "status": "To Do", "parent": "PAY-1", "labels": []}
    )


def _delete(sandbox: Sandbox, client: JIRA) -> None:
    sandbox.jira.delete_issue("PAY-1")


def _move(sandbox: Sandbox, client: JIRA) -> None:
    sandbox.jira.move_issue("PAY-1", "MOB")


WRITES: list[tuple[str, Callable[[Sandbox, JIRA], None], str, list[str], list[str]]] = [
    # write, the query asked before and after it, its answer before, its answer after
    ("edit", _edit, "summary ~ again", [], ["PAY-2"]),
    ("label change", _labels, "labels = backend", ["PAY-2"], ["PAY-2", "PAY-10"]),
    ("create", _create, "parent = PAY-1", ["PAY-2", "PAY-10"], ["PAY-2", "PAY-10", "PAY-11"]),
    (
        "delete",
        _delete,
        "project = PAY AND parent is EMPTY",
        ["PAY-1", "PAY-3"],
        ["PAY-2", "PAY-3", "PAY-10"],
    ),
    ("move", _move, "project = MOB", ["MOB-1", "MOB-2"], ["MOB-1", "MOB-2", "MOB-3"]),
]


@pytest.mark.parametrize(
    ("write", "jql", "before", "after"),
    [pytest.param(w, q, b, a, id=name) for name, w, q, b, a in WRITES],
)
def test_every_kind_of_write_retires_the_cached_answers(
    sandbox: Sandbox,
    jira_client: JIRA,
    write: Callable[[Sandbox, JIRA], None],
    jql: str,
    before: list[str],
    after: list[str],
) -> None:
    assert keys(jira_client, jql) == before
    assert keys(jira_client, jql) == before  # now from the cache
    write(sandbox, jira_client)
    assert keys(jira_client, jql) == after


def test_a_moved_epic_keeps_its_children_under_its_new_key(
    sandbox: Sandbox, jira_client: JIRA
) -> None:
    assert keys(jira_client, "parent = PAY-1") == ["PAY-2", "PAY-10"]
    sandbox.jira.move_issue("PAY-1", "MOB")
    assert keys(jira_client, "parent = MOB-3") == ["PAY-2", "PAY-10"]
    issue = jira_client.enhanced_search_issues("key = PAY-2", fields="parent")[0]
    assert issue.fields.parent.key == "MOB-3"


def test_the_sandbox_counts_its_own_time_per_request(sandbox: Sandbox, jira_client: JIRA) -> None:
    sandbox.reset_stats()
    sandbox.reset_requests()
    sandbox.faults.latency_ms = 30
    keys(jira_client, "project = MOB")
    jira_client.server_info()
    stats = sandbox.stats()
    assert stats["requests"] == len(sandbox.requests) >= 2
    assert stats["cached"] == 0
    assert set(stats) == {"requests", "seconds", "ms_per_request", "cpu_ms_per_request", "cached"}


def _datasets() -> list[dict[str, Any]]:
    cloud = copy.deepcopy(DATA)
    server = copy.deepcopy(DATA)
    server["jira"]["deployment"] = "Data Center"
    server["jira"]["fields"].append(
        {"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}
    )
    server["jira"]["link_types"] = [
        {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    ]
    server["jira"]["issues"][1]["links"] = [{"type": "Blocks", "to": "MOB-2"}]
    server["jira"]["issues"][1]["components"] = ["Core", "Ledger"]
    for data in (cloud, server):
        data["jira"]["issues"][0]["summary"] = 'Ledger "épique"'  # a parent's text, escaped
    return [cloud, server]


@pytest.mark.parametrize("data", _datasets(), ids=["cloud", "datacenter"])
@pytest.mark.parametrize("api", ["2", "3"])
@pytest.mark.parametrize(
    "asked",
    [None, ["id"], ["*all"], ["*navigable"], ["summary", "parent", "customfield_10050"]],
)
def test_search_pages_encode_issues_exactly_as_the_renderer_does(
    data: dict[str, Any], api: str, asked: list[str] | None
) -> None:
    with Sandbox(data) as sandbox:
        state = sandbox.jira
        fields = select_fields(asked, state)
        render = Renderer(state, "http://127.0.0.1:8080", api)
        fast = IssueJson(render, fields)
        issues = state.all_issues()
        for rec in issues:
            assert fast(rec) == json.dumps(render.issue(rec, fields)), rec.key
        page = json.dumps([render.issue(rec, fields) for rec in issues])
        assert f"[{fast.join(issues)}]" == page
        assert fast.join([]) == ""
