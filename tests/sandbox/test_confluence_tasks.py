"""Confluence tasks in the sandbox: numbered on save, ticked by a person, served by the v2 tasks
API (checked against Atlassian's OpenAPI description) and the v1 inline-tasks API, and ticked
through the real clients' own calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests
from atlassian import ConfluenceServer

from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id

from .conftest import TOKEN, USER
from .test_confluence_v2 import answer_schema, check, v2

__all__ = ["v2"]  # the fixture, shared

TICKED = datetime(2026, 11, 16, 9, 30, 15, 250000, tzinfo=UTC)


def task(body: str, status: str = "incomplete", task_id: str | None = None) -> str:
    given = f"<ac:task-id>{task_id}</ac:task-id>" if task_id is not None else ""
    return (
        f"<ac:task>{given}<ac:task-status>{status}</ac:task-status>"
        f"<ac:task-body>{body}</ac:task-body></ac:task>"
    )


def tasks(*items: str) -> str:
    return "<ac:task-list>" + "".join(items) + "</ac:task-list>"


APPROVALS = "<p>Awaiting approval</p>" + tasks(
    task("Approve <strong>PAY-1</strong> for P1.KR1"), task("Reject PAY-1")
)


def new_page(sandbox: Sandbox, body: str, title: str = "Awaiting approval") -> str:
    page = sandbox.confluence.create("PORT", title, body, None, "Demo Bot")
    return page.id


def stored(sandbox: Sandbox, page_id: str) -> str:
    page = sandbox.confluence.get(page_id)
    assert page is not None
    return page.current.body


def get(sandbox: Sandbox, path: str, **params: Any) -> Any:
    answer = requests.get(
        sandbox.confluence_url + path, params=params, auth=(USER, TOKEN), timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_tasks_are_numbered_on_save_keeping_the_ids_a_body_gives(sandbox: Sandbox) -> None:
    body = tasks(task("a", task_id="7"), task("b"), task("c", task_id="7"), task("d", task_id="x"))
    page_id = new_page(sandbox, body)
    ids = [t.local_id for t in sandbox.confluence.tasks.of_page(page_id)]
    assert ids == [7, 8, 9, 10]
    assert stored(sandbox, page_id).startswith(
        "<ac:task-list><ac:task><ac:task-id>7</ac:task-id><ac:task-status>incomplete"
    )
    assert "<ac:task-id>8</ac:task-id><ac:task-status>incomplete</ac:task-status>" in stored(
        sandbox, page_id
    )


def test_a_tick_is_a_new_version_by_the_person_and_the_task_says_who_and_when(
    sandbox: Sandbox,
) -> None:
    page_id = new_page(sandbox, APPROVALS)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    page = sandbox.confluence.get(page_id)
    assert page is not None
    assert [(v.number, v.by) for v in page.versions] == [(1, "Demo Bot"), (2, "Priya Patel")]
    assert page.current.when == TICKED
    assert "<ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>" in (
        page.current.body
    )
    first, second = sandbox.confluence.tasks.of_page(page_id)
    assert (first.status, first.completed_by, first.completed_at) == (
        "complete",
        "Priya Patel",
        TICKED,
    )
    assert (second.status, second.completed_by) == ("incomplete", None)

    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", done=False)
    assert sandbox.confluence.tasks.of_page(page_id)[0].completed_by is None
    assert len(page.versions) == 3


def test_a_tick_can_change_the_body_in_place(sandbox: Sandbox) -> None:
    page_id = new_page(sandbox, APPROVALS)
    sandbox.confluence.complete_task(page_id, 2, "Priya Patel", at=TICKED, new_version=False)
    page = sandbox.confluence.get(page_id)
    assert page is not None
    assert len(page.versions) == 1
    assert "<ac:task-id>2</ac:task-id><ac:task-status>complete</ac:task-status>" in (
        page.current.body
    )


def test_a_task_keeps_its_global_id_across_saves_and_goes_when_it_leaves_the_body(
    sandbox: Sandbox,
) -> None:
    page_id = new_page(sandbox, APPROVALS)
    before = {t.local_id: t.global_id for t in sandbox.confluence.tasks.of_page(page_id)}
    body = stored(sandbox, page_id)
    sandbox.confluence.human_edit(page_id, body.replace("Reject PAY-1", "Reject PAY-1 now"))
    after = {t.local_id: t.global_id for t in sandbox.confluence.tasks.of_page(page_id)}
    assert after == before
    only_first = body.split("<ac:task><ac:task-id>2")[0] + "</ac:task-list>"
    sandbox.confluence.human_edit(page_id, only_first)
    assert [t.local_id for t in sandbox.confluence.tasks.of_page(page_id)] == [1]


def test_v2_tasks_of_a_page_match_the_spec(sandbox: Sandbox, v2: Any) -> None:
    page_id = new_page(sandbox, APPROVALS)
    other = new_page(sandbox, tasks(task("Elsewhere")), title="Other")
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    answer = get(sandbox, "/api/v2/tasks", **{"page-id": page_id, "body-format": "storage"})
    check(answer, answer_schema("/tasks", "get"))
    first, second = answer["results"]
    assert first == {
        "id": first["id"],
        "localId": "1",
        "spaceId": "98305",
        "pageId": page_id,
        "status": "complete",
        "body": {
            "storage": {
                "representation": "storage",
                "value": "Approve <strong>PAY-1</strong> for P1.KR1",
            }
        },
        "createdBy": account_id("Demo Bot"),
        "createdAt": first["createdAt"],
        "updatedAt": "2026-11-16T09:30:15.250Z",
        "completedBy": account_id("Priya Patel"),
        "completedAt": "2026-11-16T09:30:15.250Z",
    }
    assert (second["localId"], second["status"]) == ("2", "incomplete")
    assert "completedBy" not in second and "completedAt" not in second
    # The library's own helper follows the pages; the other page's task is not among them.
    listed = v2.get_tasks(page_ids=[int(page_id)], limit=1)
    assert [t["localId"] for t in listed] == ["1", "2"]
    assert [t["pageId"] for t in v2.get_tasks(page_ids=[int(other)])] == [other]


def test_v2_get_and_update_a_task_match_the_spec(sandbox: Sandbox, v2: Any) -> None:
    page_id = new_page(sandbox, APPROVALS)
    first = sandbox.confluence.tasks.of_page(page_id)[0]
    one = get(sandbox, f"/api/v2/tasks/{first.global_id}")
    check(one, answer_schema("/tasks/{id}", "get"))
    assert (one["status"], one["body"]) == ("incomplete", {})
    updated = v2.update_task(first.global_id, "complete")
    check(updated, answer_schema("/tasks/{id}", "put"))
    # Ticked by the signed-in user, through the API.
    assert (updated["status"], updated["completedBy"]) == ("complete", account_id("Demo Bot"))
    assert "<ac:task-status>complete</ac:task-status>" in stored(sandbox, page_id)


def test_v1_inline_tasks_of_a_page_are_paged_and_name_the_person(sandbox: Sandbox) -> None:
    page_id = new_page(sandbox, APPROVALS)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    first = get(sandbox, "/rest/api/inlinetasks/search", pageId=page_id, limit=1)
    assert (first["start"], first["limit"], first["size"]) == (0, 1, 1)
    assert first["results"][0] == {
        "globalId": first["results"][0]["globalId"],
        "id": 1,
        "contentId": int(page_id),
        "status": "complete",
        "title": "Awaiting approval",
        "body": "Approve <strong>PAY-1</strong> for P1.KR1",
        "creator": "demo.bot",
        "createDate": first["results"][0]["createDate"],
        "updateDate": 1794821415250,
        "completeUser": "priya.patel",
        "completeDate": 1794821415250,
    }
    assert "next" in first["_links"]
    rest = get(sandbox, "/rest/api/inlinetasks/search", pageId=page_id, start=1, limit=1)
    assert [t["id"] for t in rest["results"]] == [2]
    assert "next" not in rest["_links"]
    # The person is known to the user API by user name, as on Data Center.
    user = get(sandbox, "/rest/api/user", username="priya.patel")
    assert user["displayName"] == "Priya Patel"


def test_the_page_s_own_tick_call_through_the_v1_client(sandbox: Sandbox) -> None:
    page_id = new_page(sandbox, APPROVALS)
    client = ConfluenceServer(sandbox.confluence_url, username=USER, password=TOKEN, timeout=10)
    client.set_inline_tasks_checkbox(page_id, 2, "CHECKED")
    client.close()
    ticked = sandbox.confluence.tasks.of_page(page_id)[1]
    assert (ticked.status, ticked.completed_by) == ("complete", "Demo Bot")
    page = sandbox.confluence.get(page_id)
    assert page is not None and page.current.number == 2
