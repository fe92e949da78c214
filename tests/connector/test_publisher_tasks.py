"""A leader's tick on a published page is an expected edit: publishing goes on over it. Any other
edit still stops the page. On both Confluence APIs, through the real clients."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.confluence_api import PageApi
from connector.publish_results import Action, Draft, OnForeignEdit, PageRecord, SkipReason
from connector.sandbox import Sandbox
from tests.connector.test_publisher import make_api, page, publish, sandbox, writes

__all__ = ["sandbox"]  # the fixture, shared

TICKED = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def approvals(*rows: tuple[str, str]) -> str:
    """An "Awaiting approval" body: one task per (status, text) row."""
    tasks = "".join(
        f"<ac:task><ac:task-status>{status}</ac:task-status>"
        f"<ac:task-body>{text}</ac:task-body></ac:task>"
        for status, text in rows
    )
    return f"<p>Decide below.</p><ac:task-list>{tasks}</ac:task-list>"


FIRST = approvals(("incomplete", "Approve PAY-1"), ("incomplete", "Reject PAY-1"))
# What the next run renders once the tick is a decision: PAY-1 decided, MOB-2 awaiting.
DECIDED = "<p>PAY-1: approved by Priya.</p>" + approvals(
    ("incomplete", "Approve MOB-2"), ("incomplete", "Reject MOB-2")
)


@pytest.fixture(params=["v1", "v2"])
def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> PageApi:
    return make_api(request.param, sandbox.confluence_url)


def first_publish(api: PageApi) -> tuple[dict[str, PageRecord], str]:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("approvals", "Awaiting approval", None, FIRST)], records)
    return records, records["approvals"].page_id


def test_a_tick_does_not_stop_publishing(sandbox: Sandbox, api: PageApi) -> None:
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    result = publish(api, [Draft("approvals", "Awaiting approval", None, DECIDED)], records)
    assert result["approvals"].action is Action.UPDATED
    found = page(sandbox, "Awaiting approval")
    assert found["version"] == 3  # ours, Priya's tick, ours
    assert found["body"].startswith("<p>PAY-1: approved by Priya.</p>")
    assert [t.status for t in sandbox.confluence.tasks.of_page(page_id)] == ["incomplete"] * 2
    assert records["approvals"].version == 3


def test_ticks_by_two_people_and_an_untick_still_do_not_stop_it(
    sandbox: Sandbox, api: PageApi
) -> None:
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    sandbox.confluence.complete_task(page_id, 2, "Omar Haddad", at=TICKED)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", done=False)
    result = publish(api, [Draft("approvals", "Awaiting approval", None, DECIDED)], records)
    assert result["approvals"].action is Action.UPDATED


def test_a_tick_and_a_text_edit_is_a_person_s_edit(sandbox: Sandbox, api: PageApi) -> None:
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    body = page(sandbox, "Awaiting approval")["body"]
    sandbox.confluence.human_edit(
        page_id, body.replace("Decide below.", "Decide below, please."), author="Priya Patel"
    )
    sandbox.reset_requests()
    result = publish(api, [Draft("approvals", "Awaiting approval", None, DECIDED)], records)
    assert result["approvals"].action is Action.SKIPPED
    assert result["approvals"].skipped is SkipReason.EDITED
    assert "edited by Priya Patel" in result["approvals"].message
    assert writes(sandbox) == []
    assert "Decide below, please." in page(sandbox, "Awaiting approval")["body"]


def test_a_tick_and_a_text_edit_is_still_overwritten_when_told_to(
    sandbox: Sandbox, api: PageApi
) -> None:
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    body = page(sandbox, "Awaiting approval")["body"]
    sandbox.confluence.human_edit(page_id, body.replace("Decide", "Please decide"))
    drafts = [Draft("approvals", "Awaiting approval", None, DECIDED)]
    result = publish(api, drafts, records, mode=OnForeignEdit.OVERWRITE)
    assert result["approvals"].action is Action.OVERWRITTEN


def test_a_tick_alone_with_nothing_new_to_say_is_left_on_the_page(
    sandbox: Sandbox, api: PageApi
) -> None:
    # The run renders what it wrote before (the tick is not a decision yet, or not one that
    # counts): Outcomes does not write only to take a leader's tick away.
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    sandbox.reset_requests()
    result = publish(api, [Draft("approvals", "Awaiting approval", None, FIRST)], records)
    assert result["approvals"].action is Action.UNCHANGED
    assert writes(sandbox) == []
    assert [t.status for t in sandbox.confluence.tasks.of_page(page_id)] == [
        "complete",
        "incomplete",
    ]
    assert records["approvals"].version == 2  # the record follows the ticked version
    # The next run finds the page as recorded: it only reads the page.
    sandbox.reset_requests()
    again = publish(api, [Draft("approvals", "Awaiting approval", None, FIRST)], records)
    assert again["approvals"].action is Action.UNCHANGED
    assert [r.method for r in sandbox.requests] == ["GET"] * len(sandbox.requests)
    assert len([r for r in sandbox.requests if f"/{page_id}" in r.path]) == 1
    # A later tick is again no person's edit, and a new report is written over it.
    sandbox.confluence.complete_task(page_id, 2, "Priya Patel", at=TICKED)
    last = publish(api, [Draft("approvals", "Awaiting approval", None, DECIDED)], records)
    assert last["approvals"].action is Action.UPDATED


def test_a_tick_made_in_place_without_a_version_is_written_over(
    sandbox: Sandbox, api: PageApi
) -> None:
    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED, new_version=False)
    result = publish(api, [Draft("approvals", "Awaiting approval", None, DECIDED)], records)
    assert result["approvals"].action is Action.UPDATED
    assert page(sandbox, "Awaiting approval")["version"] == 2


def test_a_ticked_page_that_left_the_report_is_marked_not_released(
    sandbox: Sandbox, api: PageApi
) -> None:
    from connector.publisher import Publisher

    records, page_id = first_publish(api)
    sandbox.confluence.complete_task(page_id, 1, "Priya Patel", at=TICKED)
    publisher = Publisher(api, space="PORT", root_title="Portfolio outcomes")
    [result] = publisher.retire([("approvals", "Awaiting approval", records["approvals"])])
    assert result.action is Action.RETIRED
