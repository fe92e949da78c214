"""Runs, snapshots and publish records: what Outcomes did, computed and wrote."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connector.store.models import PublishRecord, SnapshotRow
from rules.snapshots import decode_objectives


def save_snapshot(
    session: Session,
    *,
    run_id: int | None,
    portfolio_id: str,
    cycle_id: str,
    as_of: str,
    created_at: datetime,
    data: dict[str, Any],
) -> None:
    """Keep one snapshot per portfolio, cycle and evaluation day: the newest. The reports read
    only that one, and a snapshot holds every finding (megabytes for a large portfolio), so an
    hourly check would otherwise grow the store by a day's worth of copies."""
    session.execute(
        delete(SnapshotRow).where(
            SnapshotRow.portfolio_id == portfolio_id,
            SnapshotRow.cycle_id == cycle_id,
            SnapshotRow.as_of == as_of,
        )
    )
    session.add(
        SnapshotRow(
            run_id=run_id,
            portfolio_id=portfolio_id,
            cycle_id=cycle_id,
            as_of=as_of,
            created_at=created_at,
            data=data,
        )
    )


def latest_snapshot(session: Session, portfolio_id: str) -> SnapshotRow | None:
    return session.scalars(
        select(SnapshotRow)
        .where(SnapshotRow.portfolio_id == portfolio_id)
        .order_by(SnapshotRow.id.desc())
        .limit(1)
    ).first()


def objective_history(
    session: Session, portfolio_id: str, cycle_id: str, before: str, limit: int = 1000
) -> list[tuple[str, datetime, Any]]:
    """(as_of, created_at, data["objectives"]) of a cycle's snapshots before a day, oldest first.

    Only the objectives part of each snapshot is read: a large portfolio's findings are big.
    """
    rows = session.execute(
        select(SnapshotRow.as_of, SnapshotRow.created_at, SnapshotRow.data["objectives"])
        .where(
            SnapshotRow.portfolio_id == portfolio_id,
            SnapshotRow.cycle_id == cycle_id,
            SnapshotRow.as_of < before,
        )
        .order_by(SnapshotRow.id.desc())
        .limit(limit)
    ).all()
    return [(as_of, created_at, objectives) for as_of, created_at, objectives in reversed(rows)]


def first_seen(session: Session, portfolio_id: str, values: Mapping[str, float]) -> dict[str, date]:
    """Upper-cased key result id -> the first report day whose snapshot shows that key result's
    current value as `values` has it: when an undated catalogue value was first seen.

    Only the objectives part of each snapshot is read (a large portfolio's findings are big),
    and nothing at all when no value is asked for.
    """
    found: dict[str, date] = {}
    if not values:
        return found
    rows = session.execute(
        select(SnapshotRow.as_of, SnapshotRow.data["objectives"])
        .where(SnapshotRow.portfolio_id == portfolio_id)
        .order_by(SnapshotRow.as_of, SnapshotRow.id)
    )
    for as_of, objectives in rows:
        for objective in decode_objectives(objectives).values():
            for kr_id, kr in objective.key_results.items():
                key = kr_id.upper()
                if key in values and key not in found and kr.current == values[key]:
                    found[key] = date.fromisoformat(as_of)
        if len(found) == len(values):
            break
    return found


def publish_record(session: Session, portfolio_id: str, page_key: str) -> PublishRecord | None:
    return session.get(PublishRecord, (portfolio_id, page_key))


def publish_records(session: Session, portfolio_id: str) -> list[PublishRecord]:
    query = select(PublishRecord).where(PublishRecord.portfolio_id == portfolio_id)
    return list(session.scalars(query.order_by(PublishRecord.page_key)))


def forget_publish(session: Session, portfolio_id: str, page_key: str) -> None:
    record = session.get(PublishRecord, (portfolio_id, page_key))
    if record is not None:
        session.delete(record)


def record_publish(
    session: Session,
    *,
    portfolio_id: str,
    page_key: str,
    page_id: str,
    title: str,
    version: int,
    body_hash: str,
    published_at: datetime,
) -> None:
    session.merge(
        PublishRecord(
            portfolio_id=portfolio_id,
            page_key=page_key,
            page_id=page_id,
            title=title,
            version=version,
            body_hash=body_hash,
            published_at=published_at,
        )
    )
