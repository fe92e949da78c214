"""Decisions ticked on the "Awaiting approval" page, read back through a page API (the contract
`connector.confluence_tasks` fulfils; here a hand-written one that holds one page) into the store
that `outcomes sync` filled from the sandbox.

The page body below is written by hand as Confluence keeps it after a leader ticked tasks and
typed a reason: task ids added, the note in a paragraph, an entity in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from connector.confluence_api import RemotePage
from connector.sandbox.jira_render import account_id
from connector.store import decisions as decision_store
from connector.store import history
from connector.store.db import open_store
from reports.approval_tasks import notes_of, parse_task, task_text, without_decisions
from rules.model import ApprovalState, DecisionOrigin
from service import page_decisions, pipeline, publishing
from service.settings import load_settings
from tests.service.test_alignment_cli import check, config, found, sandbox, synced

__all__ = ["config", "sandbox"]  # fixtures, used by name

PAGE_ID = "900"
NOTE = "Fits P1, clearly"  # as a reader sees it: the no-break space is a space
NOW = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)
PRIYA = account_id("Priya Raman")
SAM = account_id("Sam Lee")


def row(subject: str, okr: str, approve: bool, reject: bool, note: str = "") -> str:
    def task(n: int, done: bool, verb: str) -> str:
        status = "complete" if done else "incomplete"
        return (
            f"<ac:task><ac:task-id>{n}</ac:task-id><ac:task-status>{status}</ac:task-status>"
            f"<ac:task-body>{verb} {subject} → {okr}</ac:task-body></ac:task>"
        )

    tasks = f"<ac:task-list>{task(1, approve, 'Approve')}{task(2, reject, 'Reject')}</ac:task-list>"
    cell = f"<p>{note}</p>" if note else ""
    return f"<tr><td>{subject}</td><td>{tasks}</td><td>{cell}</td></tr>"


BODY = (
    "<p>3 connections wait.</p><table><tbody>"
    "<tr><th>Epic</th><th>Decide</th><th>Reason (write it here before ticking Reject)</th></tr>"
    + row("PAY-1", "P1.KR1", True, False, "Fits&nbsp;P1, <strong>clearly</strong>")
    + row("PAY-2", "P1.KR2", False, True)
    + row("PAY-O1", "P1.KR1", False, False, "thinking about it")
    + "</tbody></table>"
)


@dataclass(frozen=True)
class Task:
    status: str
    text: str
    completed_by: str | None = None
    completed_by_name: str | None = None
    completed_at: datetime | None = None


@dataclass
class OnePage:
    """A page API with one page and its tasks (what a leader ticked)."""

    body: str = BODY
    ticked: list[Task] = field(default_factory=list)
    reads: int = 0

    def get(self, page_id: str) -> RemotePage | None:
        return RemotePage(PAGE_ID, "Approvals", 3, self.body) if page_id == PAGE_ID else None

    def version(self, page_id: str, number: int) -> RemotePage | None:
        return None  # Confluence no longer has it: nothing is taken as Outcomes' own

    def tasks(self, page_id: str) -> Sequence[Task]:
        self.reads += 1
        return list(self.ticked) if page_id == PAGE_ID else []


def ticked(verb: str, subject: str, okr: str, who: str, name: str, hour: int) -> Task:
    at = datetime(2026, 11, 13, hour, 0, tzinfo=UTC)
    return Task("complete", task_text(verb, subject, okr), who, name, at)


def test_a_task_s_text_names_its_connection() -> None:
    decided = parse_task("  Approve  pay-12 -> P1.KR2 ")
    assert decided is not None
    assert (decided.state, decided.connection) == (ApprovalState.APPROVED, ("PAY-12", "P1.KR2"))
    assert parse_task("Reject PAY-O1 → P1").state is ApprovalState.REJECTED  # type: ignore[union-attr]
    assert parse_task("Buy milk") is None


def test_the_reason_is_read_from_the_row_s_last_cell() -> None:
    assert notes_of(BODY) == {
        ("PAY-1", "P1.KR1"): NOTE,
        ("PAY-O1", "P1.KR1"): "thinking about it",
    }


def test_ticks_and_reasons_are_all_that_differs() -> None:
    ours = BODY.replace("Fits&nbsp;P1, <strong>clearly</strong>", "").replace(
        "<p>thinking about it</p>", ""
    )
    ours = ours.replace("complete<", "incomplete<").replace("inincomplete", "incomplete")
    assert without_decisions(ours) == without_decisions(BODY)
    assert without_decisions(BODY.replace("3 connections", "4 connections")) != (
        without_decisions(BODY)
    )
    renamed = BODY.replace("<td>PAY-1</td>", "<td>PAY-1 (edited)</td>")
    assert without_decisions(renamed) != without_decisions(BODY)


def test_completed_tasks_become_decisions_with_person_time_and_reason() -> None:
    tasks = [
        ticked("Approve", "PAY-1", "P1.KR1", PRIYA, "Priya Raman", 9),
        ticked("Reject", "PAY-2", "P1.KR2", PRIYA, "Priya Raman", 10),
        Task("incomplete", "Approve PAY-O1 → P1.KR1"),
        Task("complete", "Buy milk", PRIYA, "Priya Raman", NOW),
    ]
    found_ = page_decisions.decisions_on_page(tasks, BODY, now=NOW)
    assert [
        (d.subject, d.okr_id, d.state, d.by, d.by_id, d.at.hour, d.why, d.origin_detail)
        for d in found_
    ] == [
        (
            "PAY-1",
            "P1.KR1",
            ApprovalState.APPROVED,
            "Priya Raman",
            PRIYA,
            9,
            NOTE,
            None,
        ),
        (
            "PAY-2",
            "P1.KR2",
            ApprovalState.REJECTED,
            "Priya Raman",
            PRIYA,
            10,
            None,
            "no reason given on the page",
        ),
    ]
    assert {d.origin for d in found_} == {DecisionOrigin.PAGE}


@pytest.fixture
def leaders(config: Path) -> Path:
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["approval"] = {"approvers": {"people": [PRIYA]}}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    synced(config)
    engine = open_store(load_settings(config).store_url())
    with Session(engine) as session, session.begin():
        history.record_publish(
            session,
            portfolio_id="retail",
            page_key="approvals",
            page_id=PAGE_ID,
            title="Retail banking — Awaiting approval",
            version=2,
            body_hash="x",
            published_at=NOW,
        )
    engine.dispose()
    return config


def read(config: Path, api: OnePage) -> int:
    loaded = load_settings(config)
    catalogue = pipeline.load_catalogue(loaded, None)
    engine = open_store(loaded.store_url())
    try:
        with Session(engine) as session, session.begin():
            return page_decisions.read_ticks(loaded, session, api, catalogue, now=NOW)
    finally:
        engine.dispose()


def trail(config: Path) -> list[tuple[object, ...]]:
    engine = open_store(load_settings(config).store_url())
    with Session(engine) as session:
        kept = decision_store.decisions(session)
    engine.dispose()
    return [
        (d.subject, d.okr_id, d.state.value, d.by, d.why, d.origin_detail, d.counted) for d in kept
    ]


def test_ticks_are_recorded_once_and_only_an_approver_s_count(leaders: Path) -> None:
    api = OnePage(
        ticked=[
            ticked("Approve", "PAY-1", "P1.KR1", PRIYA, "Priya Raman", 9),
            ticked("Reject", "PAY-2", "P1.KR2", SAM, "Sam Lee", 10),
        ]
    )
    assert read(leaders, api) == 2
    assert read(leaders, api) == 0  # the same ticks, seen again by the next run
    assert trail(leaders) == [
        ("PAY-1", "P1.KR1", "approved", "Priya Raman", NOTE, None, True),
        ("PAY-2", "P1.KR2", "rejected", "Sam Lee", None, "no reason given on the page", False),
    ]
    _, portfolio = check(leaders)
    codes = found(portfolio)
    assert ("AWAITING_APPROVAL", "PAY-1") not in codes
    assert ("AWAITING_APPROVAL", "PAY-2") in codes  # Sam's rejection does not count
    assert ("REJECTED_CLAIM", "PAY-2") not in codes
    assert ("DECISION_BY_NON_APPROVER", "PAY-2") in codes


def test_a_rejection_with_a_reason(leaders: Path) -> None:
    body = BODY.replace(
        row("PAY-2", "P1.KR2", False, True), row("PAY-2", "P1.KR2", False, True, "Not an outcome")
    )
    api = OnePage(body, [ticked("Reject", "PAY-2", "P1.KR2", PRIYA, "Priya Raman", 10)])
    assert read(leaders, api) == 1
    assert trail(leaders) == [
        ("PAY-2", "P1.KR2", "rejected", "Priya Raman", "Not an outcome", None, True)
    ]


def test_a_tick_made_while_the_run_evaluated_is_recorded_before_the_page_is_written(
    leaders: Path,
) -> None:
    loaded = load_settings(leaders)
    catalogue = pipeline.load_catalogue(loaded, None)
    engine = open_store(loaded.store_url())
    try:
        results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=date(2026, 11, 15))
        (before,) = [p for p in results[0].pages if p.key == "approvals"]
        assert "Approve PAY-1 → P1.KR1" in before.body
        # Priya ticks while the run evaluates: the pages about to be written do not know it.
        api = OnePage(ticked=[ticked("Approve", "PAY-1", "P1.KR1", PRIYA, "Priya Raman", 11)])
        results = publishing._ticked(loaded, engine, api, results, now=NOW)
    finally:
        engine.dispose()
    (after,) = [p for p in results[0].pages if p.key == "approvals"]
    assert api.reads == 1
    assert "Approve PAY-1 → P1.KR1" not in after.body  # decided: no tasks to tick any more
    assert "Priya Raman" in after.body and "ticked on the page" in after.body
    assert trail(leaders)[0][:4] == ("PAY-1", "P1.KR1", "approved", "Priya Raman")
