"""The workbook's history query, on SQLite and PostgreSQL: only the objectives part of snapshots."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history


def save(engine: Engine, portfolio: str, cycle: str, as_of: str, hour: int, score: float) -> None:
    with Session(engine) as session, session.begin():
        history.save_snapshot(
            session,
            run_id=None,
            portfolio_id=portfolio,
            cycle_id=cycle,
            as_of=as_of,
            created_at=datetime(2026, 11, 1, hour, tzinfo=UTC),
            data={
                "objectives": {"P1": {"score": score, "key_results": {"P1.KR1": {"score": score}}}},
                "findings": [{"code": "UNALIGNED_EPIC", "subject": f"PAY-{n}"} for n in range(50)],
            },
        )


def test_a_cycles_earlier_snapshots_oldest_first_objectives_only(engine: Engine) -> None:
    save(engine, "retail", "2026-Q4", "2026-10-05", 1, 0.1)
    save(engine, "retail", "2026-Q3", "2026-09-30", 2, 0.9)  # another cycle
    save(engine, "cards", "2026-Q4", "2026-10-06", 3, 0.8)  # another portfolio
    save(engine, "retail", "2026-Q4", "2026-11-01", 4, 0.2)
    save(engine, "retail", "2026-Q4", "2026-11-15", 5, 0.3)  # the evaluation day itself

    with Session(engine) as session:
        found = history.objective_history(session, "retail", "2026-Q4", before="2026-11-15")

    assert [(as_of, objectives) for as_of, _, objectives in found] == [
        ("2026-10-05", {"P1": {"score": 0.1, "key_results": {"P1.KR1": {"score": 0.1}}}}),
        ("2026-11-01", {"P1": {"score": 0.2, "key_results": {"P1.KR1": {"score": 0.2}}}}),
    ]
    recorded = [created.replace(tzinfo=None) for _, created, _ in found]
    assert recorded == [datetime(2026, 11, 1, 1), datetime(2026, 11, 1, 4)]


def test_the_limit_keeps_the_newest(engine: Engine) -> None:
    for day in range(1, 6):
        save(engine, "retail", "2026-Q4", f"2026-10-0{day}", day, day / 10)

    with Session(engine) as session:
        found = history.objective_history(session, "retail", "2026-Q4", "2026-12-31", limit=2)

    assert [as_of for as_of, _, _ in found] == ["2026-10-04", "2026-10-05"]
