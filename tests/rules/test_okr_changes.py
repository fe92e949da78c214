"""How the OKRs changed between recorded days, worked out by hand."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from rules.catalogue import parse_catalogue
from rules.okr_changes import ChangeKind, OkrChange, about, catalogue_record, okr_changes

BASE: dict[str, Any] = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [{"id": "payments", "name": "Payments"}],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Payments",
            "owner": "Priya",
            "key_results": [
                {"id": "P1.KR1", "title": "Instant", "start": 0, "target": 100},
                {"id": "P1.KR2", "title": "Transfer time", "start": 42, "target": 10},
            ],
        },
        {
            "id": "PAY-O1",
            "cycle": "2026-Q4",
            "team": "payments",
            "title": "Fewer failures",
            "supports": ["P1.KR1"],
            "key_results": [],
        },
    ],
}


def record(change: Any = None) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    if change is not None:
        change(data)
    return catalogue_record(parse_catalogue(data, "okrs.yaml"))


def edited(data: dict[str, Any]) -> None:
    p1, pay = data["objectives"]
    p1["key_results"][0]["target"] = 120  # moved
    p1["key_results"][1]["start"] = 40  # moved
    del p1["key_results"][1]["title"]
    p1["key_results"][1]["title"] = "P2P time"  # renamed
    p1["key_results"].append({"id": "P1.KR3", "title": "Disputes", "start": 9, "target": 3})
    pay["supports"] = ["P1.KR1", "P1.KR3"]


def test_the_first_day_is_the_baseline_and_shows_nothing() -> None:
    assert okr_changes([(date(2026, 11, 1), record())]) == ()
    assert okr_changes([]) == ()


def test_an_unchanged_catalogue_shows_nothing() -> None:
    assert okr_changes([(date(2026, 11, 1), record()), (date(2026, 11, 2), record())]) == ()


def test_moves_additions_renames_and_supports_are_dated_by_the_day_that_saw_them() -> None:
    nov2, nov9 = date(2026, 11, 2), date(2026, 11, 9)
    changes = okr_changes(
        [(nov9, record(edited)), (date(2026, 11, 1), record()), (nov2, record())]  # any order
    )
    assert changes == (
        OkrChange(nov9, "P1", "P1.KR1", ChangeKind.MOVED, "target", 100.0, 120.0),
        OkrChange(nov9, "P1", "P1.KR2", ChangeKind.MOVED, "start", 42.0, 40.0),
        OkrChange(nov9, "P1", "P1.KR2", ChangeKind.EDITED, "title", "Transfer time", "P2P time"),
        OkrChange(nov9, "P1", "P1.KR3", ChangeKind.ADDED),
        OkrChange(
            nov9, "PAY-O1", "PAY-O1", ChangeKind.SUPPORTS, "supports", ["P1.KR1"],
            ["P1.KR1", "P1.KR3"],
        ),
    )  # fmt: skip
    assert [c.describe() for c in changes] == [
        "target moved 100 → 120",
        "start moved 42 → 40",
        "title changed Transfer time → P2P time",
        "key result added",
        "supports changed P1.KR1 → P1.KR1, P1.KR3",
    ]
    assert [c.subject for c in about(changes, "p1.kr2")] == ["P1.KR2", "P1.KR2"]
    assert len(about(changes, "P1")) == 4  # the objective and its key results


def test_retired_removed_and_returned() -> None:
    def retire(data: dict[str, Any]) -> None:
        data["objectives"][0]["retired"] = True
        data["objectives"][0]["key_results"].pop()  # P1.KR2 leaves the catalogue
        data["objectives"].pop()  # PAY-O1 too

    days = [
        (date(2026, 11, 1), record()),
        (date(2026, 11, 2), record(retire)),
        (date(2026, 11, 3), record()),
    ]
    assert [(c.day.day, c.subject, c.describe()) for c in okr_changes(days)] == [
        (2, "P1", "objective retired"),
        (2, "P1.KR2", "key result removed from the catalogue"),
        (2, "PAY-O1", "objective removed from the catalogue"),
        (3, "P1", "objective no longer retired"),
        (3, "P1.KR2", "key result added"),
        (3, "PAY-O1", "objective added"),
    ]


def test_a_key_result_owner_defaults_to_the_objective_owner_and_its_change_shows() -> None:
    def hand_over(data: dict[str, Any]) -> None:
        data["objectives"][0]["owner"] = "Marco"

    changes = okr_changes([(date(2026, 11, 1), record()), (date(2026, 11, 2), record(hand_over))])
    assert [c.describe() for c in changes] == [
        "owner changed Priya → Marco",
        "owner changed Priya → Marco",
        "owner changed Priya → Marco",
    ]
    assert [c.subject for c in changes] == ["P1", "P1.KR1", "P1.KR2"]
