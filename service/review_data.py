"""The last review of a portfolio, as the store remembers it: its day (the publish record of its
page), that day's snapshot and its unaligned epics per team."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history
from connector.store.report_days import daily_snapshots
from reports.pages import REVIEW_PREFIX
from reports.review import PreviousReview
from reports.trends import snapshot_from_stored
from rules.model import Catalogue
from rules.okr_changes import OkrChange
from rules.snapshots import decode
from service import okr_history


def review_days(session: Session, portfolio_id: str) -> list[date]:
    """The days a review page was published for this portfolio, oldest first."""
    days = []
    for record in history.publish_records(session, portfolio_id):
        if record.page_key.startswith(REVIEW_PREFIX):
            try:
                days.append(date.fromisoformat(record.page_key[len(REVIEW_PREFIX) :]))
            except ValueError:
                continue
    return sorted(days)


def previous_review(
    session: Session, portfolio_id: str, cycle_id: str, before: date
) -> PreviousReview | None:
    """The latest review before `before`, with the snapshot kept for its day (in this cycle)."""
    earlier = [d for d in review_days(session, portfolio_id) if d < before]
    if not earlier:
        return None
    day = earlier[-1]
    row = next(
        (r for r in daily_snapshots(session, portfolio_id, cycle_id) if r.as_of == day.isoformat()),
        None,
    )
    if row is None:
        return PreviousReview(day)
    stored = decode(row.data)
    unaligned: dict[str | None, int] = {
        entry.team: entry.unaligned for entry in stored.alignment if entry.team is not None
    }
    return PreviousReview(day, snapshot_from_stored(row.as_of, row.cycle_id, stored), unaligned)


def review_inputs(
    engine: Engine,
    scope: str,
    portfolio_id: str,
    cycle_id: str,
    day: date,
    catalogue: Catalogue | None,
) -> tuple[tuple[OkrChange, ...], PreviousReview | None]:
    """The OKR changes up to `day` (of the deployment `scope`) and the last review before it (the
    workbook's Review sheet)."""
    with Session(engine) as session:
        changes = okr_history.changes_until(session, scope, day, catalogue)
        return changes, previous_review(session, portfolio_id, cycle_id, day)
