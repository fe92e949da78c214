"""`PageApi.tasks`: a page's tasks, who completed each and when, read through the real clients
on both Confluence APIs (v1's inline tasks, Cloud's v2 tasks), paged, retried, and with errors
that say what to do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.confluence_api import PageApi
from connector.confluence_tasks import PageTask
from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id
from rules.errors import AuthError, RateLimited, Unavailable
from tests.connector.test_publisher import make_api, sandbox
from tests.transit.conftest import KINDS, inject

__all__ = ["sandbox"]  # the fixture, shared

TICKED = datetime(2026, 11, 16, 9, 30, 15, 250000, tzinfo=UTC)
BODY = (
    "<p>Awaiting approval</p><ac:task-list>"
    "<ac:task><ac:task-status>incomplete</ac:task-status>"
    "<ac:task-body>Approve <strong>PAY-1</strong>\n  for P1.KR1 &amp; more</ac:task-body></ac:task>"
    "<ac:task><ac:task-status>incomplete</ac:task-status>"
    "<ac:task-body>Reject PAY-1</ac:task-body></ac:task>"
    "<ac:task><ac:task-status>incomplete</ac:task-status>"
    "<ac:task-body>Approve MOB-2</ac:task-body></ac:task>"
    "</ac:task-list>"
)
# Who completed a task, in each API's terms: an account id on v2, a user name on v1.
PRIYA = {"v1": "priya.patel", "v2": account_id("Priya Patel")}


@pytest.fixture(params=["v1", "v2"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def global_ids(sandbox: Sandbox, page_id: str) -> list[str]:
    return [str(t.global_id) for t in sandbox.confluence.tasks.of_page(page_id)]


def test_tasks_say_who_completed_them_and_when(sandbox: Sandbox, kind: str) -> None:
    api = make_api(kind, sandbox.confluence_url)
    page = api.create("PORT", "Awaiting approval", BODY, None)
    sandbox.confluence.complete_task(page.id, 3, "Priya Patel", at=TICKED)
    first, second, third = global_ids(sandbox, page.id)
    assert api.tasks(page.id) == [
        PageTask(first, "1", "incomplete", "Approve PAY-1 for P1.KR1 & more", None, None, None),
        PageTask(second, "2", "incomplete", "Reject PAY-1", None, None, None),
        PageTask(third, "3", "complete", "Approve MOB-2", PRIYA[kind], "Priya Patel", TICKED),
    ]
    sandbox.confluence.complete_task(page.id, 3, "Priya Patel", done=False)
    assert [t.status for t in api.tasks(page.id)] == ["incomplete"] * 3


def test_every_page_of_tasks_is_read_and_names_are_looked_up_once(
    sandbox: Sandbox, kind: str
) -> None:
    api = make_api(kind, sandbox.confluence_url)
    page = api.create("PORT", "Awaiting approval", BODY, None)
    for number in (1, 2, 3):
        sandbox.confluence.complete_task(page.id, number, "Priya Patel", at=TICKED)
    sandbox.faults.max_page_size = 1  # a busy site answers one task at a time
    sandbox.reset_requests()
    found = api.tasks(page.id)
    assert [(t.local_id, t.completed_by_name) for t in found] == [
        ("1", "Priya Patel"),
        ("2", "Priya Patel"),
        ("3", "Priya Patel"),
    ]
    listing = "/wiki/api/v2/tasks" if kind == "v2" else "/wiki/rest/api/inlinetasks/search"
    assert [r.path for r in sandbox.requests] == [listing] * 3 + ["/wiki/rest/api/user"]


def test_a_page_without_tasks_has_none(sandbox: Sandbox, kind: str) -> None:
    api = make_api(kind, sandbox.confluence_url)
    page = api.create("PORT", "Plain", "<p>No boxes</p>", None)
    assert api.tasks(page.id) == []


def test_a_busy_answer_is_retried(sandbox: Sandbox, kind: str) -> None:
    api = make_api(kind, sandbox.confluence_url)
    page = api.create("PORT", "Awaiting approval", BODY, None)
    prefix = "/wiki/api/v2/tasks" if kind == "v2" else "/wiki/rest/api/inlinetasks"
    sandbox.faults.fail_next(503, count=2, path_prefix=prefix)
    assert len(api.tasks(page.id)) == 3


def test_rejected_credentials_say_what_to_check(sandbox: Sandbox, kind: str) -> None:
    writer = make_api(kind, sandbox.confluence_url)
    page = writer.create("PORT", "Awaiting approval", BODY, None)
    api: PageApi = make_api(kind, sandbox.confluence_url, token="wrong")
    with pytest.raises(AuthError, match=r"rejected the credentials \(401\): check confluence.url"):
        api.tasks(page.id)


def test_a_v1_site_without_the_inline_task_api_reads_the_boxes_from_the_page(
    sandbox: Sandbox,
) -> None:
    api = make_api("v1", sandbox.confluence_url)
    page = api.create("PORT", "Awaiting approval", BODY, None)
    sandbox.confluence.complete_task(page.id, 2, "Priya Patel", at=TICKED)
    sandbox.faults.fail_next(404, path_prefix="/wiki/rest/api/inlinetasks")
    assert api.tasks(page.id) == [
        PageTask(
            f"{page.id}/1", "1", "incomplete", "Approve PAY-1 for P1.KR1 & more", None, None, None
        ),
        PageTask(f"{page.id}/2", "2", "complete", "Reject PAY-1", None, None, None),
        PageTask(f"{page.id}/3", "3", "incomplete", "Approve MOB-2", None, None, None),
    ]


@pytest.mark.parametrize("fault", sorted(set(KINDS) - {"slow"}))
def test_tasks_are_read_through_the_transit_policy(sandbox: Sandbox, kind: str, fault: str) -> None:
    # One garbled or failed answer is tried again; one that stays broken ends in one line that
    # names Confluence and the request (connector/transit.py, connector/retry.py).
    api = make_api(kind, sandbox.confluence_url)
    page = api.create("PORT", "Awaiting approval", BODY, None)
    path = "/wiki/api/v2/tasks" if kind == "v2" else "/wiki/rest/api/inlinetasks/search"
    inject(sandbox, fault, persistent=False, path=path)
    assert len(api.tasks(page.id)) == 3
    inject(sandbox, fault, persistent=True, path=path)
    with pytest.raises((Unavailable, RateLimited)) as raised:
        api.tasks(page.id)
    assert f"Confluence at {sandbox.confluence_url} " in str(raised.value)
    assert f"GET {path}" in str(raised.value)
    said = "(429)" if fault == "429" else f"({KINDS[fault]})"
    assert said in str(raised.value)
