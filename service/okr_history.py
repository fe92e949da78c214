"""How the OKRs changed: each evaluation day's catalogue recorded in the store, and the changes
between the recorded days (rules.okr_changes) for the pages and `outcomes history okrs`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from connector.store.catalogue_days import catalogue_days, record_catalogue_day
from rules.model import Catalogue
from rules.okr_changes import OkrChange, catalogue_record, okr_changes


def scope_of(portfolio_ids: Iterable[str]) -> str:
    """The deployment whose catalogue is recorded: its portfolios (settings files that share a
    store report on different portfolios)."""
    return ",".join(sorted(set(portfolio_ids)))[:255]


def record_day(
    session: Session, scope: str, catalogue: Catalogue, day: date, *, now: datetime
) -> None:
    """Keep the catalogue that the evaluation of `day` read (a later run that day replaces it)."""
    record_catalogue_day(session, scope, day, catalogue_record(catalogue), recorded_at=now)


def changes_until(
    session: Session, scope: str, day: date, catalogue: Catalogue | None = None
) -> tuple[OkrChange, ...]:
    """The changes recorded up to `day`; with `catalogue`, as if it were that day's record (what
    the run evaluating `day` is about to keep)."""
    days = [(d, data) for d, data in catalogue_days(session, scope, until=day)]
    if catalogue is not None:
        days = [(d, data) for d, data in days if d != day]
        days.append((day, catalogue_record(catalogue)))
    return okr_changes(days)
