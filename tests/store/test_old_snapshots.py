"""A snapshot an older version left in the store (fewer keys than today's) is read back by every
reader through the one codec (SQLite and PostgreSQL): trends, "new since the last run", the first
day a catalogue value was shown, and the last review's unaligned counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history
from reports.trends import Point
from service.check_json import finding_keys
from service.pipeline import report_history
from service.review_data import previous_review

# Written by hand in an early version's shape: no expected, forecast or measurement dates, key
# results with score, status and current only, findings without a team, no approval count.
OLD = {
    "objectives": {
        "P1": {
            "score": 0.45,
            "status": "on track",
            "key_results": {"P1.KR1": {"score": 0.6, "status": "on track", "current": 60}},
        }
    },
    "findings": [{"code": "UNALIGNED_EPIC", "severity": "warning", "subject": "PAY-103"}],
    "alignment": [
        {"team": "payments", "aligned": 2, "unaligned": 1, "exempt": 0},
        {"team": None, "aligned": 3, "unaligned": 1, "exempt": 0},
    ],
}


def _keep_old(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        history.save_snapshot(
            session,
            run_id=None,
            portfolio_id="retail",
            cycle_id="2026-Q4",
            as_of="2026-11-10",
            created_at=datetime(2026, 11, 10, 7, tzinfo=UTC),
            data=OLD,
        )


def test_an_old_snapshot_reads_back_everywhere(engine: Engine) -> None:
    _keep_old(engine)
    with Session(engine) as session:
        (snapshot,) = report_history(session, "retail", "2026-Q4").snapshots
        row = history.latest_snapshot(session, "retail")
        assert row is not None
        seen = finding_keys(row.data)
        first = history.first_seen(session, "retail", {"P1.KR1": 60.0})
    assert snapshot.objectives == {"P1": Point(0.45, "on track", None)}  # no expected kept
    assert snapshot.key_results == {"P1.KR1": Point(0.6, "on track")}
    assert snapshot.aligned_share == 0.75  # 3 of 4
    assert seen == {("UNALIGNED_EPIC", "PAY-103")}
    assert first == {"P1.KR1": date(2026, 11, 10)}


def test_the_last_review_day_reads_an_old_snapshot(engine: Engine) -> None:
    _keep_old(engine)
    with Session(engine) as session, session.begin():
        history.record_publish(
            session,
            portfolio_id="retail",
            page_key="review:2026-11-10",
            page_id="1",
            title="Review",
            version=1,
            body_hash="x",
            published_at=datetime(2026, 11, 10, 8, tzinfo=UTC),
        )
    with Session(engine) as session:
        review = previous_review(session, "retail", "2026-Q4", date(2026, 11, 17))
    assert review is not None and review.day == date(2026, 11, 10)
    assert review.unaligned == {"payments": 1}
    assert review.snapshot is not None
    assert review.snapshot.findings == frozenset({("UNALIGNED_EPIC", "PAY-103")})
