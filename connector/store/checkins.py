"""Key-result check-ins in the store: manual ones (`outcomes checkin`) and measured ones (sync).

Precedence: a check-in's instant is when it was recorded, time of day kept (`recorded_at`); a
measured value's is the instant of the sync that measured it. Of one day's check-ins the latest
instant wins. A sync that measures the value it measured before that day keeps the earlier instant:
nothing changed, so a check-in made since still stands.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connector.store.models import CheckinRow
from rules.model import CheckIn

MANUAL = "manual"


def add_checkin(session: Session, kr_id: str, checkin: CheckIn, *, recorded_at: datetime) -> None:
    """Keep a check-in; several on one day are all kept (the last recorded is the latest)."""
    session.add(
        CheckinRow(
            kr_id=kr_id,
            on_date=checkin.on,
            value=checkin.value,
            confidence=checkin.confidence,
            note=checkin.note,
            checked_by=checkin.by,
            source=checkin.source,
            recorded_at=recorded_at.astimezone(UTC),
            forecast=checkin.forecast,
        )
    )


def record_measurement(
    session: Session, kr_id: str, checkin: CheckIn, *, recorded_at: datetime
) -> None:
    """A value measured at sync time: one per key result, source and day (the newest wins; the
    same value again keeps its first instant)."""
    same_day = (
        CheckinRow.kr_id == kr_id,
        CheckinRow.source == checkin.source,
        CheckinRow.on_date == checkin.on,
    )
    earlier = session.scalars(select(CheckinRow).where(*same_day)).all()
    if len(earlier) == 1 and earlier[0].value == checkin.value:
        return
    session.execute(delete(CheckinRow).where(*same_day))
    add_checkin(session, kr_id, checkin, recorded_at=recorded_at)


def checkins(session: Session, kr_id: str | None = None) -> dict[str, list[CheckIn]]:
    """Key result id -> its check-ins, oldest first (same day: by the instant recorded)."""
    query = select(CheckinRow).order_by(CheckinRow.on_date, CheckinRow.recorded_at, CheckinRow.id)
    if kr_id is not None:
        query = query.where(CheckinRow.kr_id == kr_id)
    found: dict[str, list[CheckIn]] = defaultdict(list)
    for row in session.scalars(query):
        found[row.kr_id].append(
            CheckIn(
                on=row.on_date,
                value=row.value,
                confidence=row.confidence,
                note=row.note,
                source=row.source,
                by=row.checked_by,
                forecast=row.forecast,
            )
        )
    return dict(found)
