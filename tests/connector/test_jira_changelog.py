"""Reading changelogs through the real `jira` client: Cloud in bulk or one issue at a time, Data
Center with the issue, every page followed; a refused changelog reads as None."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connector.jira_changelog import Change, read_changelogs
from connector.jira_source import JiraCredentials, JiraSource
from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id

USER, TOKEN = "reader@example.com", "reader-token"
APPROVAL = "customfield_10101"


def dataset(deployment: str) -> dict[str, Any]:
    def epic(key: str) -> dict[str, Any]:
        return {"key": key, "type": "Epic", "summary": key, "status": "To Do"}

    return {
        "auth": [{"user": USER, "token": TOKEN, "name": "Reader"}],
        "jira": {
            "deployment": deployment,
            "fields": [{"id": APPROVAL, "name": "OKR approval", "type": "option"}],
            "projects": [{"key": "PAY", "name": "Payments"}],
            "issues": [epic("PAY-1"), epic("PAY-2"), epic("PAY-3")],
        },
    }


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def history(sandbox: Sandbox) -> None:
    jira = sandbox.jira
    jira.update_issue("PAY-1", by="Ana", labels=["okr-approved"], updated="2026-11-02T09:00:00Z")
    jira.update_issue("PAY-1", by="Ana", summary="Renamed", updated="2026-11-03T09:00:00Z")
    jira.update_issue("PAY-2", by="Priya Raman", fields={APPROVAL: "Approved"}, updated=at(4, 10))
    jira.update_issue("PAY-2", by="Marcus", labels=["x"], updated="2026-11-05T11:00:00+01:00")


# Cloud names the author by account id as well (what `approval.approvers` matches).
EXPECTED = {
    "PAY-1": [Change("Ana", at(2, 9), "labels", "labels", None, "okr-approved", account_id("Ana"))],
    "PAY-2": [
        Change(
            "Priya Raman",
            at(4, 10),
            "OKR approval",
            APPROVAL,
            None,
            "Approved",
            account_id("Priya Raman"),
        ),
        Change("Marcus", at(5, 10), "labels", "labels", None, "x", account_id("Marcus")),
    ],
    "PAY-3": [],
}


def source(sandbox: Sandbox) -> JiraSource:
    return JiraSource(JiraCredentials(sandbox.url, TOKEN, USER, timeout=10))


def keyed(sandbox: Sandbox) -> dict[str, str]:
    return {
        key: str(rec.id) for key in ("PAY-1", "PAY-2", "PAY-3") if (rec := sandbox.jira.get(key))
    }


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one-by-one"])
def test_cloud_changelogs_of_the_asked_fields_every_page(bulk: bool) -> None:
    with Sandbox(dataset("Cloud")) as sandbox:
        history(sandbox)
        sandbox.jira.changelog_bulk = bulk
        sandbox.faults.max_page_size = 1  # one history per page
        found = read_changelogs(source(sandbox), keyed(sandbox), ["labels", APPROVAL])
    if bulk:
        assert found == EXPECTED  # the bulk answer holds only the fields asked for
    else:
        # One issue's changelog holds every field; the matchers pick what they need.
        assert [c.field for c in found["PAY-1"] or []] == ["labels", "summary"]
        assert found["PAY-2"] == EXPECTED["PAY-2"]


def test_data_center_changelogs_name_fields_without_ids() -> None:
    with Sandbox(dataset("Server")) as sandbox:
        history(sandbox)
        found = read_changelogs(source(sandbox), keyed(sandbox), ["labels", APPROVAL])
    # Data Center names the author by user name as well.
    assert found["PAY-2"] == [
        Change("Priya Raman", at(4, 10), "OKR approval", None, None, "Approved", "priya.raman"),
        Change("Marcus", at(5, 10), "labels", None, None, "x", "marcus"),
    ]
    assert found["PAY-3"] == []


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_a_withheld_changelog_reads_as_none(deployment: str) -> None:
    with Sandbox(dataset(deployment)) as sandbox:
        history(sandbox)
        sandbox.jira.changelog_status = 403
        found = read_changelogs(source(sandbox), keyed(sandbox), ["labels"])
    # Cloud answers 403; Data Center leaves the changelog out of the expanded issue.
    assert found == {"PAY-1": None, "PAY-2": None, "PAY-3": None}
