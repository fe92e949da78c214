"""Stored snapshots read back as plain values, one per day, and what changed since the last day."""

from __future__ import annotations

import dataclasses
from datetime import date

from reports.trends import History, Point, Snapshot, changes, snapshot_from_data
from tests.reports.confluence_data import HISTORY, RICH


def test_stored_data_is_read_and_unknown_or_broken_parts_are_skipped() -> None:
    data = {
        "objectives": {
            "P1": {
                "score": 0.5,
                "expected": 0.4,
                "status": "on track",
                "key_results": {"P1.KR1": {"score": 0.25, "status": "at risk"}, "bad": "x"},
            },
            "P9": {"status": "no score stored"},
        },
        "findings": [{"code": "OFF_PACE", "subject": "P1.KR1", "severity": "error"}, "junk"],
        "alignment": [
            {"team": "payments", "aligned": 9, "unaligned": 0, "exempt": 0},
            {"team": None, "aligned": 3, "unaligned": 1, "exempt": 0},
        ],
        "something_newer": {"ignored": True},
    }
    snap = snapshot_from_data("2026-11-17", "2026-Q4", data)
    assert snap == Snapshot(
        date(2026, 11, 17),
        "2026-Q4",
        {"P1": Point(0.5, "on track", 0.4)},
        {"P1.KR1": Point(0.25, "at risk")},
        frozenset({("OFF_PACE", "P1.KR1")}),
        0.75,
    )
    assert snapshot_from_data(date(2026, 11, 1), "2026-Q4", {}) == Snapshot(
        date(2026, 11, 1), "2026-Q4"
    )


def test_one_snapshot_per_day_the_last_run_wins_oldest_first() -> None:
    days = [(s.as_of.isoformat(), s.objectives.get("P1")) for s in HISTORY.snapshots]
    assert [d for d, _ in days] == ["2026-09-28", "2026-11-10", "2026-11-17", "2026-11-24"]
    assert days[1][1] == Point(0.45, "on track", 0.5)


def test_series_keeps_this_cycle_up_to_the_evaluation_day() -> None:
    later = Snapshot(date(2026, 12, 1), "2026-Q4", {"P1": Point(0.9, "on track")})
    history = History((*HISTORY.snapshots, later))  # a run "in the future" of --as-of
    series = history.series(RICH)
    assert [s.as_of.isoformat() for s in series] == ["2026-11-10", "2026-11-17", "2026-11-24"]
    assert series[-1].objectives["P1"] == Point(0.56, "on track", 0.6)  # the evaluation itself
    previous = history.previous(RICH)
    assert previous is not None and previous.as_of == date(2026, 11, 17)


def test_no_earlier_day_means_no_previous_report() -> None:
    assert History().previous(RICH) is None
    only_today = History((Snapshot(date(2026, 11, 24), "2026-Q4"),))
    assert only_today.previous(RICH) is None


def test_changes_since_the_previous_day() -> None:
    previous = HISTORY.previous(RICH)
    assert previous is not None
    delta = changes(previous, RICH)
    assert delta.since == date(2026, 11, 17)
    assert [(m.id, round(m.delta, 4), m.status_changed) for m in delta.moves] == [
        ("P1", 0.06, False),
        ("P1.KR1", 0.06, False),
        ("P1.KR2", 0.0, True),
    ]
    assert delta.new_findings == (
        ("UNKNOWN_OKR", "PAY-103"),
        ("UNALIGNED_EPIC", "MOB-7"),
        ("KR_WITHOUT_WORK", "P2.KR1"),
    )
    assert delta.resolved_findings == (("UNALIGNED_EPIC", "MOB-4"),)
    assert delta.aligned_share == (0.2, 0.25)


def test_a_rounding_wobble_is_not_a_move() -> None:
    previous = HISTORY.previous(RICH)
    assert previous is not None
    wobble = dict(previous.objectives)
    wobble["P1"] = Point(0.5599, "on track")  # 0.56 now: less than half a point apart
    delta = changes(dataclasses.replace(previous, objectives=wobble), RICH)
    assert "P1" not in [m.id for m in delta.moves]
