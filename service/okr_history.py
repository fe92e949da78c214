"""How the OKRs changed: each evaluation day's catalogue recorded in the store, and the changes
between the recorded days (rules.okr_changes) for the pages and `outcomes history okrs`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from connector.store.catalogue_days import catalogue_days, record_catalogue_day
from rules.model import Catalogue
from rules.okr_changes import OkrChange, catalogue_record, okr_changes


def record_day(session: Session, catalogue: Catalogue, day: date, *, now: datetime) -> None:
    """Keep the catalogue that the evaluation of `day` read (a later run that day replaces it)."""
    record_catalogue_day(session, day, catalogue_record(catalogue), recorded_at=now)


def changes_until(
    session: Session, day: date, catalogue: Catalogue | None = None
) -> tuple[OkrChange, ...]:
    """The changes recorded up to `day`; with `catalogue`, as if it were that day's record (what
    the run evaluating `day` is about to keep)."""
    days = [(d, data) for d, data in catalogue_days(session, until=day)]
    if catalogue is not None:
        days = [(d, data) for d, data in days if d != day]
        days.append((day, catalogue_record(catalogue)))
    return okr_changes(days)
