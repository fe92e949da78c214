"""Jira over HTTP, driven by the real ``jira`` client (and plain requests where the client hides
what the server answers)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from connector.sandbox import Sandbox

from .conftest import TOKEN, USER

AUTH = (USER, TOKEN)


def get(sb: Sandbox, path: str, **params: Any) -> requests.Response:
    with requests.Session() as session:
        return session.get(sb.url + path, params=params, auth=AUTH, timeout=10)


def test_client_connects_and_reads_server_info(sandbox: Sandbox, jira_client: JIRA) -> None:
    info = jira_client.server_info()
    assert info["deploymentType"] == "Cloud"
    assert info["baseUrl"] == sandbox.url
    assert [r.path for r in sandbox.requests] == ["/rest/api/2/serverInfo"] * 2


def test_pages_through_with_next_page_token(sandbox: Sandbox, jira_client: JIRA) -> None:
    sandbox.reset_requests()
    jql, seen, token, pages = "project in (PAY, MOB) ORDER BY key", [], None, []
    while True:
        page = jira_client.enhanced_search_issues(
            jql, nextPageToken=token, maxResults=2, fields=["summary"], json_result=True
        )
        assert isinstance(page, dict)
        pages.append(page)
        seen += [issue["key"] for issue in page["issues"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert seen == ["MOB-1", "MOB-2", "PAY-1", "PAY-2", "PAY-3", "PAY-10"]
    assert [p["isLast"] for p in pages] == [False, False, True]
    assert "nextPageToken" not in pages[-1] and "total" not in pages[-1]
    searches = [r for r in sandbox.requests if r.path == "/rest/api/2/search/jql"]
    assert len(searches) == 3
    # Naming fields made the client read /field first, once.
    assert sum(r.path == "/rest/api/2/field" for r in sandbox.requests) == 1


def test_page_tokens_are_stable_and_bound_to_their_query(sandbox: Sandbox) -> None:
    first = get(sandbox, "/rest/api/3/search/jql", jql="project = PAY", maxResults=1).json()
    again = get(sandbox, "/rest/api/3/search/jql", jql="project = PAY", maxResults=1).json()
    assert first["nextPageToken"] == again["nextPageToken"]
    other = get(
        sandbox, "/rest/api/3/search/jql", jql="project = MOB", nextPageToken=first["nextPageToken"]
    )
    assert other.status_code == 400
    junk = get(sandbox, "/rest/api/3/search/jql", jql="project = PAY", nextPageToken="x!y")
    assert junk.status_code == 400
    assert junk.json()["errorMessages"] == ["The provided next page token is invalid or expired."]


def test_default_fields_are_the_id_only(sandbox: Sandbox, jira_client: JIRA) -> None:
    raw = get(sandbox, "/rest/api/3/search/jql", jql="project = MOB").json()
    assert raw == {"issues": [{"id": "10004"}, {"id": "10005"}], "isLast": True}
    via_client = jira_client.enhanced_search_issues("project = MOB", fields="", json_result=True)
    assert isinstance(via_client, dict)
    assert via_client["issues"] == [{"id": "10004"}, {"id": "10005"}]


def test_fields_filtering_and_shapes(sandbox: Sandbox, jira_client: JIRA) -> None:
    page = jira_client.enhanced_search_issues(
        "key = PAY-2",
        fields=["summary", "status", "parent", "Story Points", "assignee", "labels", "updated"],
        json_result=True,
    )
    assert isinstance(page, dict)
    issue = page["issues"][0]
    assert (issue["id"], issue["key"]) == ("10001", "PAY-2")
    assert issue["self"] == f"{sandbox.url}/rest/api/2/issue/10001"
    fields = issue["fields"]
    assert set(fields) == {
        "summary",
        "status",
        "parent",
        "customfield_10016",
        "assignee",
        "labels",
        "updated",
    }
    assert fields["summary"] == "Retry queue"
    assert fields["status"]["name"] == "Done"
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["status"]["statusCategory"]["name"] == "Done"
    assert fields["parent"]["key"] == "PAY-1"
    assert fields["parent"]["fields"]["issuetype"]["name"] == "Epic"
    assert fields["parent"]["fields"]["status"]["name"] == "In Progress"
    assert fields["customfield_10016"] == 5
    assert fields["assignee"]["displayName"] == "Ana Ruiz"
    assert fields["assignee"]["active"] is True
    assert fields["labels"] == ["backend"]
    assert fields["updated"] == "2026-11-01T08:00:00.000+0000"


def test_fields_accept_comma_separated_repeated_all_and_exclusions(sandbox: Sandbox) -> None:
    one = get(
        sandbox,
        "/rest/api/2/search/jql",
        jql="key = PAY-10",
        fields=["summary,labels", "customfield_10050"],
    ).json()["issues"][0]["fields"]
    assert one == {
        "summary": "Retry dashboard",
        "labels": [],
        "customfield_10050": [
            {
                "self": one["customfield_10050"][0]["self"],
                "value": "iOS",
                "id": one["customfield_10050"][0]["id"],
            },
            {
                "self": one["customfield_10050"][1]["self"],
                "value": "Android",
                "id": one["customfield_10050"][1]["id"],
            },
        ],
    }
    every = get(
        sandbox, "/rest/api/2/search/jql", jql="key = PAY-10", fields="*all,-labels"
    ).json()["issues"][0]["fields"]
    assert set(every) == {
        "summary",
        "issuetype",
        "status",
        "project",
        "parent",
        "assignee",
        "priority",
        "created",
        "updated",
        "issuelinks",  # as in Jira: *all includes the links (none here)
        "components",
        "customfield_10016",
        "customfield_10030",
        "customfield_10040",
        "customfield_10050",
    }
    assert every["issuelinks"] == []
    assert every["components"] == []
    assert every["assignee"] is None and every["priority"] is None
    assert every["project"]["key"] == "PAY"


def test_pages_are_capped_like_cloud(sandbox: Sandbox) -> None:
    for n in range(200):
        sandbox.jira.add_issue({"key": f"MOB-{n + 10}", "type": "Task", "status": "To Do"})
    with_fields = get(
        sandbox, "/rest/api/3/search/jql", jql="project = MOB", maxResults=500, fields="summary"
    ).json()
    assert len(with_fields["issues"]) == 100 and with_fields["isLast"] is False
    ids_only = get(sandbox, "/rest/api/3/search/jql", jql="project = MOB", maxResults=500).json()
    assert len(ids_only["issues"]) == 202 and ids_only["isLast"] is True


def test_post_search_and_approximate_count(jira_client: JIRA) -> None:
    page = jira_client.enhanced_search_issues(
        "labels = mobile", fields="summary", json_result=True, use_post=True
    )
    assert isinstance(page, dict)
    assert [i["key"] for i in page["issues"]] == ["MOB-1", "MOB-2"]
    assert jira_client.approximate_issue_count("project = PAY") == 4


def test_client_without_json_result_fetches_every_page(jira_client: JIRA) -> None:
    issues = jira_client.enhanced_search_issues("project = PAY", maxResults=0, fields="summary")
    assert [i.key for i in issues] == ["PAY-1", "PAY-2", "PAY-3", "PAY-10"]


def test_old_search_is_gone_on_cloud(sandbox: Sandbox) -> None:
    resp = get(sandbox, "/rest/api/2/search", jql="project = PAY")
    assert resp.status_code == 410
    assert resp.json()["errorMessages"][0].startswith("The requested API has been removed.")


def test_bad_credentials_answer_401(sandbox: Sandbox) -> None:
    with pytest.raises(JIRAError) as err:
        JIRA(server=sandbox.url, basic_auth=(USER, "wrong"), max_retries=0, timeout=10)
    assert err.value.status_code == 401
    assert get(sandbox, "/rest/api/2/serverInfo").status_code == 200
    with requests.Session() as s:
        assert s.get(sandbox.url + "/rest/api/2/serverInfo", timeout=10).status_code == 401
        bearer = s.get(
            sandbox.url + "/rest/api/2/myself",
            timeout=10,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert bearer.status_code == 200 and bearer.json()["displayName"] == "Demo Bot"


def test_bad_jql_answers_400_naming_the_problem(jira_client: JIRA) -> None:
    with pytest.raises(JIRAError) as err:
        jira_client.enhanced_search_issues("project = PAY AND nope = 1", json_result=True)
    assert err.value.status_code == 400
    assert "Field 'nope' does not exist" in str(err.value.text)
    with pytest.raises(JIRAError) as unbounded:
        jira_client.enhanced_search_issues("order by key", json_result=True)
    assert unbounded.value.status_code == 400
    assert "Unbounded JQL" in str(unbounded.value.text)


def test_get_issue_and_missing_issue(sandbox: Sandbox, jira_client: JIRA) -> None:
    issue = jira_client.issue("PAY-3")
    assert issue.fields.summary == 'Card "tokens"'
    assert issue.fields.issuetype.name == "Epic"
    assert get(sandbox, "/rest/api/3/issue/PAY-99").status_code == 404


def test_state_changes_are_seen_by_the_next_search(sandbox: Sandbox, jira_client: JIRA) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    sandbox.jira.update_issue("PAY-3", status="Done", labels=["okr:P1.KR2"])
    key = sandbox.jira.add_issue(
        {
            "key": "PAY-11",
            "type": "Story",
            "summary": "New child",
            "status": "To Do",
            "parent": "PAY-3",
        }
    )
    sandbox.jira.delete_issue("PAY-10")
    page = jira_client.enhanced_search_issues(
        "project = PAY AND statusCategory = Done OR parent = PAY-3",
        fields="labels,updated",
        json_result=True,
    )
    assert isinstance(page, dict)
    assert [(i["key"], i["id"]) for i in page["issues"]] == [
        ("PAY-2", "10001"),
        ("PAY-3", "10003"),
        (key, "10006"),
    ]
    pay3 = page["issues"][1]["fields"]
    assert pay3["labels"] == ["okr:P1.KR2"]
    assert pay3["updated"] >= before.strftime("%Y-%m-%dT%H:%M:%S")
    children = jira_client.enhanced_search_issues(
        "parent = PAY-1", fields="summary", json_result=True
    )
    assert isinstance(children, dict)
    assert [i["key"] for i in children["issues"]] == ["PAY-2"]
    with pytest.raises(JIRAError) as gone:
        jira_client.enhanced_search_issues("key = PAY-10", json_result=True)
    assert "An issue with key 'PAY-10' does not exist" in str(gone.value.text)
    sandbox.jira.update_issue("PAY-3", updated="2026-12-01T00:00:00Z")
    rec = sandbox.jira.get("PAY-3")
    assert rec is not None and rec.updated == datetime(2026, 12, 1, tzinfo=UTC)


def test_concurrent_searches_while_the_state_changes(sandbox: Sandbox) -> None:
    def search(n: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.get(
                    sandbox.url + "/rest/api/3/search/jql",
                    auth=AUTH,
                    timeout=10,
                    params={"jql": "project = PAY", "fields": "*all"},
                ).status_code
                for _ in range(15)
            ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(search, n) for n in range(6)]
        for n in range(30):
            sandbox.jira.add_issue(
                {
                    "key": f"PAY-{100 + n}",
                    "type": f"Type{n}",
                    "status": "To Do",
                    "priority": f"P{n}",
                }
            )
        statuses = [s for f in futures for s in f.result()]
    assert statuses == [200] * 90


def test_serve_forever_blocks_until_stopped(data: dict[str, Any]) -> None:
    sb = Sandbox(data)
    thread = threading.Thread(target=sb.serve_forever)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                url = sb.url
                break
            except RuntimeError:
                time.sleep(0.01)
        assert get(sb, "/rest/api/2/serverInfo").json()["baseUrl"] == url
    finally:
        sb.stop()
        thread.join(5)
    assert not thread.is_alive()


def test_server_deployment_pages_with_start_at(data: dict[str, Any]) -> None:
    data["jira"]["deployment"] = "Server"
    with Sandbox(data) as sb:
        client = JIRA(server=sb.url, basic_auth=AUTH, max_retries=0, timeout=10)
        try:
            assert client.server_info()["deploymentType"] == "Server"
            page = client.search_issues("project = PAY", startAt=1, maxResults=2, fields="summary")
            assert [i.key for i in page] == ["PAY-2", "PAY-3"]
            assert page.total == 4
        finally:
            client.close()
        assert get(sb, "/rest/api/2/search/jql", jql="project = PAY").status_code == 404


def test_server_deployment_refuses_pages_past_the_result_window(data: dict[str, Any]) -> None:
    data["jira"]["deployment"] = "Server"
    data["jira"]["issues"] = [
        {"key": f"PAY-{n}", "type": "Task", "status": "To Do", "updated": "2026-11-01T00:00:00Z"}
        for n in range(1, 10_012)
    ]
    with Sandbox(data) as sb:
        inside = get(sb, "/rest/api/2/search", jql="project = PAY", startAt=9_990, maxResults=10)
        assert inside.status_code == 200 and inside.json()["total"] == 10_011
        beyond = get(sb, "/rest/api/2/search", jql="project = PAY", startAt=9_995, maxResults=10)
        assert beyond.status_code == 500
        assert beyond.json()["errorMessages"][0].startswith("Search limit exceeded.")
