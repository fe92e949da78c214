"""Decisions leaders make on the "Awaiting approval" page: ticked tasks read back as decisions.

On each sync and publish, before the pages are rendered again, the tasks of every portfolio's
approvals page (its id is in the publish record) are read through the page API. A completed task
whose text names a connection ("Approve PAY-12 → P1.KR2") becomes a decision with origin `page`:
by the person who ticked it (their account id or user name, their name shown), at the time they
ticked it, with the reason written in the row's last cell (read from the live page body) or,
without one, "no reason given on the page". A decision by someone who is not a named approver is
recorded as not counted.

Never losing a tick: a tick is recorded once (the trail is checked for the same person, time and
connection), and the publisher writes the page only after this ran in the same run; the publish
command reads the tasks a last time just before publishing, so a tick made while the run
evaluated is recorded before the page that would drop it is written. A version that differs from
the one Outcomes wrote only in ticks and reasons, all of them read, is then taken as Outcomes'
own (the publish record moves to it), so a reason typed in a cell does not stop the page; a tick
made after that read makes a newer version, which the publisher checks again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from connector.confluence_api import PageApi, RemotePage
from connector.confluence_tasks import PageTask
from connector.store import decisions as decision_store
from connector.store import history
from connector.store.models import PublishRecord
from reports.approval_loop import NO_REASON
from reports.approval_tasks import notes_of, parse_task, without_decisions
from reports.pages import APPROVALS
from rules.errors import ServiceError, UserError
from rules.model import ApprovalState, Catalogue, Claim, Decision, DecisionOrigin, Epic
from service import approvers
from service.connections import connect_confluence, retry_policy
from service.settings import LoadedSettings

if TYPE_CHECKING:
    from connector.jira_source import JiraSource

log = logging.getLogger(__name__)


def decisions_on_page(tasks: Sequence[PageTask], body: str, *, now: datetime) -> list[Decision]:
    """The decisions the completed tasks make, with the reason from the row's note cell."""
    notes = notes_of(body) if any(t.status == "complete" for t in tasks) else {}
    found = []
    for task in tasks:
        decided = parse_task(task.text) if task.status == "complete" else None
        if decided is None:
            continue
        note = notes.get(decided.connection)
        detail = None
        if note is None and decided.state is ApprovalState.REJECTED:
            detail = NO_REASON
        at = task.completed_at or now
        found.append(
            Decision(
                decided.subject,
                decided.okr_id,
                decided.state,
                at if at.tzinfo else at.replace(tzinfo=UTC),
                task.completed_by_name or task.completed_by,
                note,
                DecisionOrigin.PAGE,
                detail,
                by_id=task.completed_by,
            )
        )
    return found


def read_ticks(
    loaded: LoadedSettings,
    session: Session,
    api: PageApi,
    catalogue: Catalogue,
    *,
    now: datetime,
) -> int:
    """Record the decisions ticked on every portfolio's approvals page; how many were new."""
    added = 0
    for portfolio in loaded.settings.portfolios:
        record = history.publish_record(session, portfolio.id, APPROVALS)
        if record is None:
            continue  # not published yet: nothing to tick
        page = api.get(record.page_id)
        if page is None:
            continue  # deleted: the publisher makes it again
        added += record_page_ticks(loaded, session, api, catalogue, page, now=now)
        _absorb(session, api, record, page, now=now)
    return added


def record_page_ticks(
    loaded: LoadedSettings,
    session: Session,
    api: PageApi,
    catalogue: Catalogue,
    page: RemotePage,
    *,
    now: datetime,
) -> int:
    """Record the decisions ticked on one approvals page, as it is now; how many were new."""
    found = decisions_on_page(api.tasks(page.id), page.body, now=now)
    judged = approvers.judge(loaded, session, catalogue, found) if found else []
    return decision_store.record_new(session, _unrecorded(session, judged), recorded_at=now)


def _absorb(
    session: Session, api: PageApi, record: PublishRecord, page: RemotePage, *, now: datetime
) -> None:
    """A newer version that differs from ours only in leaders' ticks and reasons, all read now,
    is taken as ours: the publisher goes on over it (a reason typed in a cell is no person's
    edit of the report). Any other change still makes it a person's edit."""
    if page.version <= record.version:
        return
    ours = api.version(record.page_id, record.version)
    if ours is None or without_decisions(ours.body) != without_decisions(page.body):
        return
    history.record_publish(
        session,
        portfolio_id=record.portfolio_id,
        page_key=record.page_key,
        page_id=record.page_id,
        title=record.title,
        version=page.version,
        body_hash=record.body_hash,
        published_at=now,
    )


def _unrecorded(session: Session, found: list[Decision]) -> list[Decision]:
    """Ticks the trail does not hold yet: the same connection, state, person and time."""
    seen = {
        (d.subject.upper(), (d.okr_id or "").upper(), d.state, d.by_id, d.at)
        for d in decision_store.decisions(session)
        if d.origin is DecisionOrigin.PAGE
    }
    return [
        d
        for d in found
        if (d.subject.upper(), (d.okr_id or "").upper(), d.state, d.by_id, d.at) not in seen
    ]


def settle(
    loaded: LoadedSettings,
    session: Session,
    source: JiraSource,
    catalogue: Catalogue,
    claims: Sequence[tuple[Epic, Sequence[Claim]]],
    found: Sequence[Decision],
    *,
    now: datetime,
) -> list[Decision]:
    """After a sync, before its decisions are recorded: the approver groups' members read again,
    the connections proposed remembered, the page's ticks recorded; the Jira decisions are
    returned judged (counted or not)."""
    approvers.refresh_groups(loaded, session, source, now=now)
    decision_store.see_connections(session, approvers.connections(catalogue, claims), now=now)
    confluence = loaded.settings.confluence
    if confluence is not None and _published(loaded, session):
        # The sync's own work does not wait for Confluence: without its secrets here, or with
        # Confluence down, the ticks are read by the next publish (which needs both anyway).
        try:
            api = _connect(loaded)
            read_ticks(loaded, session, api, catalogue, now=now)
        except (UserError, ServiceError) as problem:
            log.warning("the approvals pages' tasks wait for the next publish: %s", problem)
    return approvers.judge(loaded, session, catalogue, found)


def _published(loaded: LoadedSettings, session: Session) -> bool:
    return any(
        history.publish_record(session, p.id, APPROVALS) is not None
        for p in loaded.settings.portfolios
    )


def _connect(loaded: LoadedSettings) -> PageApi:
    confluence = loaded.settings.confluence
    assert confluence is not None
    return connect_confluence(confluence, retry_policy(loaded))
