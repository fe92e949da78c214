"""`rules.measurement`: which value is a key result's `current` on a given day."""

from __future__ import annotations

from datetime import date

from rules.measurement import last_checkin, measure
from rules.model import CheckIn, KeyResult, KrKind
from rules.progress import kr_score

CYCLE_START = date(2026, 10, 1)
KR = KeyResult("P1.KR2", "P1", "Transfer time", start=42, target=10, current=30, confidence=0.5)


def test_without_check_ins_the_catalogue_value_stands() -> None:
    measured = measure(KR, [], date(2026, 11, 15), CYCLE_START)
    assert (measured.current, measured.confidence, last_checkin(measured)) == (30, 0.5, None)


def test_the_latest_check_in_becomes_current_with_its_confidence() -> None:
    checkins = [
        CheckIn(date(2026, 11, 2), 28, 0.6, "New routing", source="manual"),
        CheckIn(date(2026, 10, 20), 35, 0.4, source="manual"),
    ]
    measured = measure(KR, checkins, date(2026, 11, 15), CYCLE_START)
    assert (measured.current, measured.confidence) == (28, 0.6)
    assert [c.on for c in measured.checkins] == [date(2026, 10, 20), date(2026, 11, 2)]
    assert last_checkin(measured) == checkins[0]
    assert kr_score(measured) == (28 - 42) / (10 - 42)  # 0.4375


def test_a_check_in_without_confidence_keeps_the_catalogue_confidence() -> None:
    measured = measure(KR, [CheckIn(date(2026, 11, 2), 28)], date(2026, 11, 15), CYCLE_START)
    assert (measured.current, measured.confidence) == (28, 0.5)


def test_check_ins_after_the_evaluation_date_are_ignored() -> None:
    later = [CheckIn(date(2026, 11, 20), 12, 0.9)]
    measured = measure(KR, later, date(2026, 11, 15), CYCLE_START)
    assert (measured.current, measured.checkins) == (30, ())


def test_a_dated_catalogue_value_wins_over_older_check_ins_only() -> None:
    dated = KeyResult("K", "O", "t", start=0, target=100, current=70, current_on=date(2026, 11, 5))
    older = [CheckIn(date(2026, 11, 1), 40)]
    assert measure(dated, older, date(2026, 11, 15), CYCLE_START).current == 70
    same_day = [CheckIn(date(2026, 11, 5), 40)]  # "newer than" is strict
    assert measure(dated, same_day, date(2026, 11, 15), CYCLE_START).current == 70
    newer = [CheckIn(date(2026, 11, 6), 40)]
    assert measure(dated, newer, date(2026, 11, 15), CYCLE_START).current == 40


def test_a_key_result_without_current_takes_any_check_in() -> None:
    unmeasured = KeyResult("K", "O", "t", start=0, target=10, current_on=date(2026, 11, 30))
    measured = measure(unmeasured, [CheckIn(date(2026, 11, 1), 4)], date(2026, 11, 15), CYCLE_START)
    assert measured.current == 4


def test_same_day_check_ins_the_last_recorded_wins() -> None:
    day = date(2026, 11, 2)
    measured = measure(KR, [CheckIn(day, 29), CheckIn(day, 27)], date(2026, 11, 15), CYCLE_START)
    assert measured.current == 27


def test_a_boolean_key_result_is_done_from_a_check_in_of_one() -> None:
    flag = KeyResult("K", "O", "Wallet live", kind=KrKind.BOOLEAN)
    done = measure(flag, [CheckIn(date(2026, 11, 2), 1)], date(2026, 11, 15), CYCLE_START)
    assert done.done is True and kr_score(done) == 1.0
    undone = measure(
        flag,
        [CheckIn(date(2026, 11, 2), 1), CheckIn(date(2026, 11, 3), 0)],
        date(2026, 11, 15),
        CYCLE_START,
    )
    assert undone.done is False and kr_score(undone) == 0.0


def test_an_undated_value_counts_only_from_the_day_it_was_first_seen() -> None:
    seen = date(2026, 11, 12)  # the first report that showed current 30
    before = measure(KR, [], date(2026, 11, 10), CYCLE_START, seen)
    assert (before.current, kr_score(before)) == (None, 0.0)  # not today's value on an earlier day
    assert measure(KR, [], seen, CYCLE_START, seen).current == 30
    # Before it was seen the check-ins of the time stand; after, a check-in still wins over it.
    older = [CheckIn(date(2026, 10, 20), 35)]
    assert measure(KR, older, date(2026, 11, 10), CYCLE_START, seen).current == 35
    assert measure(KR, older, date(2026, 11, 15), CYCLE_START, seen).current == 35


def test_an_undated_value_no_report_has_seen_is_seen_by_this_one() -> None:
    assert measure(KR, [], date(2026, 10, 2), CYCLE_START, None).current == 30


def test_a_value_dated_after_the_evaluation_date_is_not_known_yet() -> None:
    dated = KeyResult("K", "O", "t", start=0, target=100, current=70, current_on=date(2026, 11, 5))
    early = measure(dated, [], date(2026, 11, 1), CYCLE_START)
    assert (early.current, early.current_on) == (None, None)
    older = [CheckIn(date(2026, 10, 20), 40)]
    assert measure(dated, older, date(2026, 11, 1), CYCLE_START).current == 40
    assert measure(dated, older, date(2026, 11, 5), CYCLE_START).current == 70
