"""The sandbox keeps each issue's changelog as Jira does, and serves it in Jira's shapes (checked
against Atlassian's OpenAPI description): Cloud's paged changelog and bulk fetch, and
`expand=changelog` on an issue and on Data Center's search."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from connector.sandbox import Sandbox

from .conftest import DATA, TOKEN, USER
from .test_schema import call, check, ref, response_schema


def approve(sandbox: Sandbox) -> None:
    sandbox.jira.update_issue(
        "PAY-1",
        by="Priya Raman",
        labels=["okr:P1.KR1", "okr-approved"],
        updated="2026-11-21T09:30:00Z",
    )


def test_a_change_is_recorded_with_its_author_time_and_items(sandbox: Sandbox) -> None:
    approve(sandbox)
    sandbox.jira.update_issue("PAY-1", fields={"customfield_10040": "Edge"}, status="Done")
    body = call(sandbox, "GET", "/rest/api/3/issue/PAY-1/changelog")
    check(body, response_schema("/rest/api/3/issue/{issueIdOrKey}/changelog", "get"))
    first, second = body["values"]
    assert (body["total"], body["isLast"]) == (2, True)
    assert first["author"]["displayName"] == "Priya Raman"
    assert first["author"]["accountId"]
    assert first["created"] == "2026-11-21T09:30:00.000+0000"
    assert first["items"] == [
        {
            "field": "labels",
            "fieldtype": "jira",
            "fieldId": "labels",
            "fromString": "okr:P1.KR1",
            "toString": "okr-approved okr:P1.KR1",
        }
    ]
    # Without `by`, the first user of the dataset made the change.
    assert second["author"]["displayName"] == "Demo Bot"
    changed = {(i["field"], i["fromString"], i["toString"]) for i in second["items"]}
    assert changed == {("status", "In Progress", "Done"), ("Team", "Core", "Edge")}


def test_the_changelog_is_paged(sandbox: Sandbox) -> None:
    for n in range(3):
        sandbox.jira.update_issue("PAY-1", summary=f"Summary {n}")
    body = call(sandbox, "GET", "/rest/api/2/issue/PAY-1/changelog", params={"maxResults": 2})
    assert (body["total"], body["isLast"], len(body["values"])) == (3, False, 2)
    assert body["nextPage"].endswith("startAt=2")
    last = call(sandbox, "GET", "/rest/api/2/issue/PAY-1/changelog", params={"startAt": 2})
    assert [v["items"][0]["toString"] for v in last["values"]] == ["Summary 2"]


def test_bulk_fetch_filters_by_field(sandbox: Sandbox) -> None:
    approve(sandbox)
    sandbox.jira.update_issue("PAY-1", summary="Renamed")
    request = {"issueIdsOrKeys": ["PAY-1", "PAY-2"], "fieldIds": ["labels"]}
    body = call(sandbox, "POST", "/rest/api/3/changelog/bulkfetch", json=request)
    check(body, response_schema("/rest/api/3/changelog/bulkfetch", "post"))
    (pay1,) = body["issueChangeLogs"]  # PAY-2 has no history
    assert pay1["issueId"] == "10000"
    assert [h["items"][0]["field"] for h in pay1["changeHistories"]] == ["labels"]
    assert "nextPageToken" not in body


def test_bulk_fetch_is_paged_across_issues(sandbox: Sandbox) -> None:
    approve(sandbox)
    sandbox.jira.update_issue("PAY-2", summary="Renamed")
    sandbox.jira.update_issue("PAY-1", summary="Renamed too")
    request: dict[str, Any] = {"issueIdsOrKeys": ["PAY-1", "PAY-2"], "maxResults": 2}
    first = call(sandbox, "POST", "/rest/api/3/changelog/bulkfetch", json=request)
    assert [(log["issueId"], len(log["changeHistories"])) for log in first["issueChangeLogs"]] == [
        ("10000", 2)
    ]
    request["nextPageToken"] = first["nextPageToken"]
    second = call(sandbox, "POST", "/rest/api/3/changelog/bulkfetch", json=request)
    assert [(log["issueId"], len(log["changeHistories"])) for log in second["issueChangeLogs"]] == [
        ("10001", 1)
    ]
    assert "nextPageToken" not in second


def test_an_issue_expanded_with_its_changelog(sandbox: Sandbox) -> None:
    approve(sandbox)
    body = call(sandbox, "GET", "/rest/api/3/issue/PAY-1", params={"expand": "changelog"})
    check(body["changelog"], ref("PageOfChangelogs"))
    assert [h["author"]["displayName"] for h in body["changelog"]["histories"]] == ["Priya Raman"]
    plain = call(sandbox, "GET", "/rest/api/3/issue/PAY-1")
    assert "changelog" not in plain


def test_data_center_search_expands_changelogs_with_user_names() -> None:
    data: dict[str, Any] = copy.deepcopy(DATA)
    data["jira"]["deployment"] = "Server"
    with Sandbox(data) as sandbox:
        approve(sandbox)
        query = {"jql": "key = PAY-1", "fields": "labels", "expand": "changelog"}
        body = call(sandbox, "GET", "/rest/api/2/search", params=query)
        (history,) = body["issues"][0]["changelog"]["histories"]
        assert history["author"]["name"] == "priya.raman"
        assert history["author"]["displayName"] == "Priya Raman"
        assert "fieldId" not in history["items"][0]
        with requests.Session() as session:
            cloud_only = session.get(
                sandbox.url + "/rest/api/2/issue/PAY-1/changelog", auth=(USER, TOKEN), timeout=10
            )
        assert cloud_only.status_code == 404


def test_a_site_can_refuse_the_changelog(sandbox: Sandbox) -> None:
    approve(sandbox)
    sandbox.jira.changelog_status = 403
    with requests.Session() as session:
        answer = session.get(
            sandbox.url + "/rest/api/3/issue/PAY-1/changelog", auth=(USER, TOKEN), timeout=10
        )
    assert answer.status_code == 403
    body = call(sandbox, "GET", "/rest/api/3/issue/PAY-1", params={"expand": "changelog"})
    assert "changelog" not in body


def test_a_user_s_edit_through_the_jira_client_is_in_the_changelog_under_their_name() -> None:
    data: dict[str, Any] = copy.deepcopy(DATA)
    data["auth"].append({"user": "priya@example.com", "token": "p-token", "name": "Priya Raman"})
    with Sandbox(data) as sandbox:
        leader = JIRA(sandbox.url, basic_auth=("priya@example.com", "p-token"), max_retries=0)
        issue = leader.issue("PAY-1")
        issue.add_field_value("labels", "okr-approved")
        issue.update(fields={"customfield_10040": {"value": "Edge"}})
        with pytest.raises(JIRAError) as refused:
            issue.update(fields={"customfield_99999": "x"})
        body = call(sandbox, "GET", "/rest/api/3/issue/PAY-1/changelog")
        fields = call(sandbox, "GET", "/rest/api/3/issue/PAY-1")["fields"]
    assert refused.value.status_code == 400
    assert [
        (v["author"]["displayName"], [(i["field"], i.get("toString")) for i in v["items"]])
        for v in body["values"]
    ] == [
        ("Priya Raman", [("labels", "okr-approved okr:P1.KR1")]),
        ("Priya Raman", [("Team", "Edge")]),
    ]
    assert fields["labels"] == ["okr:P1.KR1", "okr-approved"]
