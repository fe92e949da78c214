"""Leaders' decisions on connections (the audit trail), check-ins, and OKRs read from Jira.

Decisions are only ever added: the latest one on a connection wins (see `rules.approval`), and the
earlier ones stay to show who decided what, when, why and from where.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store.models import ConnectionSeen, DecisionRow, OkrSourceRow
from rules.model import ApprovalState, Decision, DecisionOrigin


def record_decision(session: Session, decision: Decision, *, recorded_at: datetime) -> None:
    session.add(
        DecisionRow(
            subject=decision.subject,
            okr_id=decision.okr_id,
            state=decision.state.value,
            decided_at=_aware(decision.at).astimezone(UTC),  # SQLite keeps no offset
            decided_by=decision.by,
            why=decision.why,
            origin=decision.origin.value,
            origin_detail=decision.origin_detail,
            recorded_at=_aware(recorded_at).astimezone(UTC),
            decided_by_id=decision.by_id,
            counted=decision.counted,
        )
    )


def record_new(session: Session, found: Iterable[Decision], *, recorded_at: datetime) -> int:
    """Record the decisions the trail does not hold yet (the catalogue's, seen on every sync)."""
    known = {_identity(d) for d in decisions(session)}
    added = 0
    for decision in found:
        if _identity(decision) not in known:
            record_decision(session, decision, recorded_at=recorded_at)
            known.add(_identity(decision))
            added += 1
    return added


def decisions(session: Session, subject: str | None = None) -> list[Decision]:
    """Every decision (or one subject's), in the order they were recorded."""
    query = select(DecisionRow).order_by(DecisionRow.id)
    if subject is not None:
        query = query.where(DecisionRow.subject == subject)
    return [_decision(row) for row in session.scalars(query)]


def last_from_jira(session: Session) -> dict[tuple[str, str], ApprovalState]:
    """(EPIC, OKR) -> the state of the latest decision the sync recorded from Jira."""
    query = (
        select(DecisionRow)
        .where(DecisionRow.origin == DecisionOrigin.JIRA.value)
        .order_by(DecisionRow.id)
    )
    latest: dict[tuple[str, str], ApprovalState] = {}
    for row in session.scalars(query):
        if row.okr_id is not None:
            latest[(row.subject.upper(), row.okr_id.upper())] = ApprovalState(row.state)
    return latest


def see_connections(
    session: Session, connections: Iterable[tuple[str, str]], *, now: datetime
) -> int:
    """Remember when each (subject, OKR id) connection was first seen; the new ones' count."""
    known = {(row.subject, row.okr_id) for row in session.scalars(select(ConnectionSeen))}
    wanted = {(subject.upper(), okr_id.upper()) for subject, okr_id in connections}
    new = sorted(wanted - known)
    for subject, okr_id in new:
        session.add(ConnectionSeen(subject=subject, okr_id=okr_id, first_seen=_aware(now)))
    return len(new)


def connections_seen(session: Session) -> dict[tuple[str, str], datetime]:
    """(SUBJECT, OKR ID) -> when a sync first saw the connection."""
    return {
        (row.subject, row.okr_id): _aware(row.first_seen)
        for row in session.scalars(select(ConnectionSeen))
    }


def save_okr_source(
    session: Session, name: str, data: dict[str, Any], *, synced_at: datetime
) -> None:
    session.merge(OkrSourceRow(name=name, data=data, synced_at=synced_at))


def okr_source(session: Session, name: str) -> dict[str, Any] | None:
    row = session.get(OkrSourceRow, name)
    return dict(row.data) if row is not None else None


def _decision(row: DecisionRow) -> Decision:
    return Decision(
        subject=row.subject,
        okr_id=row.okr_id,
        state=ApprovalState(row.state),
        at=_aware(row.decided_at),
        by=row.decided_by,
        why=row.why,
        origin=DecisionOrigin(row.origin),
        origin_detail=row.origin_detail,
        by_id=row.decided_by_id,
        counted=bool(row.counted),
    )


def _identity(d: Decision) -> tuple[object, ...]:
    okr = d.okr_id.upper() if d.okr_id else None
    return (d.subject.upper(), okr, d.state, _aware(d.at), d.by, d.why, d.origin, d.by_id)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive times; everything Outcomes writes is timezone-aware.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
