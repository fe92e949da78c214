"""The demo's trend charts rise from the start value (issue 11, defect 9): on its earlier report
days the demo shows the check-ins of their time, not today's value on the first day."""

from __future__ import annotations

from datetime import date

from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.policy import Policy
from service.demo import _earlier_report_days
from service.demo_portfolio import build_demo

TODAY = date(2026, 11, 24)


def _series() -> dict[str, list[float]]:
    """Each current key result's score on every report day the demo stores, oldest first."""
    catalogue = parse_catalogue(build_demo(TODAY).catalogue, "okrs.yaml")
    days = [*_earlier_report_days(catalogue, TODAY), TODAY]
    assert days[0] == date(2026, 10, 6)  # weekly back from today, within the quarter
    series: dict[str, list[float]] = {}
    for day in days:
        evaluation = evaluate(catalogue, [], as_of=day, policy=Policy())
        for objective in evaluation.objectives:
            for kr in objective.key_results:
                series.setdefault(kr.key_result.id, []).append(kr.score)
    return series


def test_every_key_result_rises_from_its_start_and_never_dips() -> None:
    series = _series()
    # P1.KR1: 97.2 -> 99.5, check-ins 97.5 (7 Oct), 97.9 (21 Oct), 98.2 (4 Nov), 98.6 (18 Nov).
    # On 6 October nothing is measured yet: 0, not today's 61 %.
    assert [round(score * 100) for score in series["P1.KR1"]] == [0, 13, 13, 30, 30, 43, 43, 61]
    for kr_id, scores in series.items():
        assert scores == sorted(scores), kr_id  # never down: the demo's values only improve
        assert scores[0] <= scores[-1], kr_id
