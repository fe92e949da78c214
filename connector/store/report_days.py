"""The snapshots the reports show: the last run of each evaluation day of one cycle.

History pages show one point per day, and a run saves a snapshot each time (a scheduled check may
run hourly), so reading every snapshot would grow with the run count; this reads only the ids and
days first, then the one snapshot per day that counts.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store.models import SnapshotRow


def daily_snapshots(session: Session, portfolio_id: str, cycle_id: str) -> list[SnapshotRow]:
    """The last snapshot saved for each `as_of` day of the cycle, oldest day first."""
    last_of_day = (
        select(func.max(SnapshotRow.id))
        .where(SnapshotRow.portfolio_id == portfolio_id, SnapshotRow.cycle_id == cycle_id)
        .group_by(SnapshotRow.as_of)
    )
    query = select(SnapshotRow).where(SnapshotRow.id.in_(last_of_day)).order_by(SnapshotRow.as_of)
    return list(session.scalars(query))
