"""The catalogue each evaluation day read (see `rules.okr_changes`): one row per deployment
(`scope`) and day, the last run of the day replacing the earlier ones, as snapshots do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store.models import CatalogueDay


def record_catalogue_day(
    session: Session, scope: str, day: date, data: dict[str, Any], *, recorded_at: datetime
) -> None:
    row = CatalogueDay(scope=scope, day=day.isoformat(), data=data, recorded_at=recorded_at)
    session.merge(row)


def catalogue_days(
    session: Session, scope: str, until: date | None = None
) -> list[tuple[date, dict[str, Any]]]:
    """(day, catalogue record) of every day `scope` recorded up to `until`, oldest first."""
    query = (
        select(CatalogueDay.day, CatalogueDay.data)
        .where(CatalogueDay.scope == scope)
        .order_by(CatalogueDay.day)
    )
    if until is not None:
        query = query.where(CatalogueDay.day <= until.isoformat())
    return [(date.fromisoformat(day), data) for day, data in session.execute(query)]
