"""When an undated catalogue `current` was first seen, from the stored snapshots (SQLite and
PostgreSQL), and what an evaluation makes of it: the value is drawn from that day on, not from
the cycle's first day (issue 11, defect 9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.policy import Policy
from rules.snapshots import encode, snapshot_of
from service.evaluating import undated_values
from tests.rules.factories import switched_off

CATALOGUE = parse_catalogue(
    {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": [],
        "objectives": [
            {
                "id": "P1",
                "cycle": "2026-Q4",
                "title": "Effortless payments",
                "key_results": [
                    # undated: counts from the first report that shows it
                    {"id": "P1.KR1", "title": "Rate", "start": 0, "target": 100, "current": 60},
                    # dated: not a question of when it was seen
                    {
                        "id": "P1.KR2",
                        "title": "Time",
                        "start": 40,
                        "target": 10,
                        "current": 25,
                        "current_on": "2026-10-20",
                    },
                ],
            }
        ],
    },
    "okrs.yaml",
)
POLICY = Policy(findings=switched_off("KR_WITHOUT_WORK", "STALE_KR", "OFF_PACE"))


def _report(engine: Engine, day: date) -> dict[str, float | None]:
    """Evaluate as the service does (first-seen days from the store), keep the snapshot, and
    return the key results' current values."""
    with Session(engine) as session, session.begin():
        seen = history.first_seen(session, "retail", undated_values(CATALOGUE))
        evaluation = evaluate(CATALOGUE, [], as_of=day, policy=POLICY, first_seen=seen)
        history.save_snapshot(
            session,
            run_id=None,
            portfolio_id="retail",
            cycle_id="2026-Q4",
            as_of=day.isoformat(),
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            data=encode(snapshot_of(evaluation)),
        )
    return {k.key_result.id: k.key_result.current for k in evaluation.objectives[0].key_results}


def test_the_first_report_day_that_showed_the_value(engine: Engine) -> None:
    assert undated_values(CATALOGUE) == {"P1.KR1": 60}
    with Session(engine) as session:
        assert history.first_seen(session, "retail", {"P1.KR1": 60}) == {}
    assert _report(engine, date(2026, 11, 10)) == {"P1.KR1": 60, "P1.KR2": 25}
    _report(engine, date(2026, 11, 17))
    with Session(engine) as session:
        assert history.first_seen(session, "retail", {"P1.KR1": 60}) == {
            "P1.KR1": date(2026, 11, 10)
        }
        assert history.first_seen(session, "retail", {"P1.KR1": 61}) == {}  # another value
        assert history.first_seen(session, "cards", {"P1.KR1": 60}) == {}  # another portfolio


def test_an_earlier_day_evaluated_later_does_not_show_a_value_first_seen_since(
    engine: Engine,
) -> None:
    _report(engine, date(2026, 11, 10))
    # A report for an earlier day (outcomes publish --as-of) draws neither value: P1.KR1 was
    # first seen on 10 November, P1.KR2 measured on 20 October.
    assert _report(engine, date(2026, 10, 15)) == {"P1.KR1": None, "P1.KR2": None}
    assert _report(engine, date(2026, 10, 25)) == {"P1.KR1": None, "P1.KR2": 25}
    assert _report(engine, date(2026, 11, 12)) == {"P1.KR1": 60, "P1.KR2": 25}
