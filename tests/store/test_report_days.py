"""The snapshots the History page reads: the last run of each day of one cycle (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connector.store import history
from connector.store.models import SnapshotRow
from connector.store.report_days import daily_snapshots


def save(session: Session, portfolio: str, cycle: str, as_of: str, score: float) -> None:
    history.save_snapshot(
        session,
        run_id=None,
        portfolio_id=portfolio,
        cycle_id=cycle,
        as_of=as_of,
        created_at=datetime(2026, 11, 24, tzinfo=UTC),
        data={"objectives": {"P1": {"score": score, "status": "on track"}}},
    )


def test_the_last_snapshot_of_each_day_of_the_cycle_oldest_first(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        save(session, "retail", "2026-Q4", "2026-11-17", 0.30)
        save(session, "retail", "2026-Q4", "2026-11-10", 0.10)  # saved later, an earlier day
        save(session, "retail", "2026-Q4", "2026-11-17", 0.35)  # the day's later run wins
        save(session, "retail", "2026-Q3", "2026-09-28", 0.90)  # another cycle
        save(session, "cards", "2026-Q4", "2026-11-17", 0.50)  # another portfolio
    with Session(engine) as session:
        rows = daily_snapshots(session, "retail", "2026-Q4")
        found = [(r.as_of, r.data["objectives"]["P1"]["score"]) for r in rows]
    assert found == [("2026-11-10", 0.10), ("2026-11-17", 0.35)]
    with Session(engine) as session:
        assert daily_snapshots(session, "retail", "2027-Q1") == []
        # The day's earlier run is gone from the store, not only from the reports.
        assert session.scalar(select(func.count()).select_from(SnapshotRow)) == 4
