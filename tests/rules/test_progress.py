"""Scores, pace and the share of a cycle that has passed: expected values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from rules.model import Cycle, KeyResult, KrKind, Milestone, PaceStatus
from rules.policy import Policy
from rules.progress import kr_score, objective_score, output_of, pace_status
from rules.results import Output
from tests.rules.factories import DONE, IN_PROGRESS, NEW, epic

Q4 = Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))  # 92 days


def metric(start: float, target: float, current: float | None, weight: float = 1.0) -> KeyResult:
    return KeyResult("K", "O", "t", start=start, target=target, current=current, weight=weight)


def test_metric_increase() -> None:
    # (98.9 - 97.2) / (99.5 - 97.2) = 1.7 / 2.3
    assert kr_score(metric(97.2, 99.5, 98.9)) == pytest.approx(0.7391304)


def test_metric_decrease() -> None:
    # (30 - 42) / (10 - 42) = -12 / -32
    assert kr_score(metric(42, 10, 30)) == pytest.approx(0.375)


@pytest.mark.parametrize(
    ("start", "target", "current", "score"),
    [
        (0, 100, 150, 1.0),  # beyond the target
        (0, 100, -5, 0.0),  # worse than the start
        (42, 10, 5, 1.0),  # decrease, beyond the target
        (42, 10, 50, 0.0),  # decrease, got worse
        (0, 100, 100, 1.0),
        (0, 100, 0, 0.0),
    ],
)
def test_metric_is_clamped(start: float, target: float, current: float, score: float) -> None:
    assert kr_score(metric(start, target, current)) == score


def test_unmeasured_metric_scores_zero() -> None:
    assert kr_score(metric(0, 100, None)) == 0.0


def test_boolean() -> None:
    assert kr_score(KeyResult("K", "O", "t", kind=KrKind.BOOLEAN, done=True)) == 1.0
    assert kr_score(KeyResult("K", "O", "t", kind=KrKind.BOOLEAN, done=False)) == 0.0


def test_milestones_done_over_total() -> None:
    milestones = (Milestone("a", True), Milestone("b", False), Milestone("c", False))
    kr = KeyResult("K", "O", "t", kind=KrKind.MILESTONE, milestones=milestones)
    assert kr_score(kr) == pytest.approx(1 / 3)
    assert kr_score(KeyResult("K", "O", "t", kind=KrKind.MILESTONE)) == 0.0


def test_objective_score_is_the_weighted_mean() -> None:
    half = metric(0, 10, 5, weight=1)  # 0.5
    full = metric(0, 10, 10, weight=3)  # 1.0
    assert objective_score([half, full]) == pytest.approx((0.5 * 1 + 1.0 * 3) / 4)  # 0.875
    assert objective_score([]) is None  # no key results: no score at all, not 0 %


@pytest.mark.parametrize(
    ("score", "expected", "status"),
    [
        (0.0, 0.0, PaceStatus.TOO_EARLY),
        (1.0, 0.099, PaceStatus.TOO_EARLY),  # the first tenth of a cycle
        (0.07, 0.1, PaceStatus.ON_TRACK),  # 0.07 / 0.1 = 0.7, exactly on the band
        (0.069, 0.1, PaceStatus.AT_RISK),
        (0.35, 0.5, PaceStatus.ON_TRACK),  # 0.7
        (0.34, 0.5, PaceStatus.AT_RISK),  # 0.68
        (0.2, 0.5, PaceStatus.AT_RISK),  # 0.4
        (0.19, 0.5, PaceStatus.OFF_TRACK),  # 0.38
        (0.0, 1.0, PaceStatus.OFF_TRACK),
        (1.0, 0.5, PaceStatus.ON_TRACK),  # ahead of time
    ],
)
def test_pace_status(score: float, expected: float, status: PaceStatus) -> None:
    assert pace_status(score, expected, Policy()) is status


def test_pace_bands_come_from_the_policy() -> None:
    strict = Policy(on_track=0.9, at_risk=0.6)
    assert pace_status(0.4, 0.5, strict) is PaceStatus.AT_RISK  # 0.8
    assert pace_status(0.45, 0.5, strict) is PaceStatus.ON_TRACK  # 0.9
    assert pace_status(0.25, 0.5, strict) is PaceStatus.OFF_TRACK  # 0.5


def test_policy_rejects_bands_out_of_order() -> None:
    with pytest.raises(ValueError, match="at_risk <= on_track"):
        Policy(on_track=0.3, at_risk=0.5)


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (date(2026, 9, 30), 0.0),  # before the cycle
        (date(2026, 10, 1), 1 / 92),  # the end of the first day
        (date(2026, 10, 9), 9 / 92),  # 0.098: still too early
        (date(2026, 10, 10), 10 / 92),  # 0.109
        (date(2026, 11, 15), 0.5),  # 31 + 15 = 46 of 92 days
        (date(2026, 12, 31), 1.0),
        (date(2027, 1, 5), 1.0),  # after the cycle
    ],
)
def test_cycle_elapsed_share(day: date, share: float) -> None:
    assert Q4.elapsed_share(day) == pytest.approx(share)


def test_the_tenth_day_of_q4_is_no_longer_too_early() -> None:
    assert pace_status(0.0, Q4.elapsed_share(date(2026, 10, 9)), Policy()) is PaceStatus.TOO_EARLY
    assert pace_status(0.0, Q4.elapsed_share(date(2026, 10, 10)), Policy()) is PaceStatus.OFF_TRACK


def test_output_sums_the_epics_behind_an_outcome() -> None:
    epics = [
        epic("PAY-1", category=DONE, children=(3, 3), points=(5, 5)),
        epic("PAY-2", category=IN_PROGRESS, children=(4, 1), points=(8, 2)),
        epic("PAY-3", category=NEW, children=(0, 0)),
    ]
    assert output_of(epics) == Output(
        epics_total=3,
        epics_by_category={DONE: 1, IN_PROGRESS: 1, NEW: 1},
        children_total=7,
        children_done=4,
        points_total=13.0,
        points_done=7.0,
    )
    assert output_of([]) == Output()
