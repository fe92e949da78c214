"""Outcome arithmetic: key-result scores, objective scores, pace, and the output behind them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rules.model import Epic, KeyResult, KrKind, PaceStatus
from rules.policy import Policy
from rules.results import Output

TOO_EARLY_SHARE = 0.1  # in the first tenth of a cycle, pace says nothing yet
_TOLERANCE = 1e-9  # so 0.35 / 0.5 counts as reaching 0.7 despite float rounding


def kr_score(kr: KeyResult) -> float:
    """How far the key result has come from start to target, in [0, 1]."""
    if kr.kind is KrKind.BOOLEAN:
        return 1.0 if kr.done else 0.0
    if kr.kind is KrKind.MILESTONE:
        if not kr.milestones:
            return 0.0
        return sum(m.done for m in kr.milestones) / len(kr.milestones)
    if kr.current is None or kr.start is None or kr.target is None or kr.start == kr.target:
        return 0.0  # not measured yet (start == target cannot come from a valid catalogue)
    # Direction-aware by itself: for a decrease, both differences are negative.
    raw = (kr.current - kr.start) / (kr.target - kr.start)
    return min(1.0, max(0.0, raw))


def objective_score(key_results: Sequence[KeyResult]) -> float | None:
    """Weighted mean of the key-result scores; None for an objective without key results (its
    progress is the key results it supports and its epics' output, not 0 %)."""
    if not key_results:
        return None
    total_weight = sum(kr.weight for kr in key_results)
    if not total_weight:
        return 0.0
    return sum(kr.weight * kr_score(kr) for kr in key_results) / total_weight


def pace_status(score: float, expected: float, policy: Policy) -> PaceStatus:
    """Compare progress with the share of the cycle that has passed."""
    if expected < TOO_EARLY_SHARE:
        return PaceStatus.TOO_EARLY
    pace = score / expected
    if pace >= policy.on_track - _TOLERANCE:
        return PaceStatus.ON_TRACK
    if pace >= policy.at_risk - _TOLERANCE:
        return PaceStatus.AT_RISK
    return PaceStatus.OFF_TRACK


def output_of(epics: Sequence[Epic]) -> Output:
    """The work behind an outcome: epics by status category, child issues, story points."""
    return Output(
        epics_total=len(epics),
        epics_by_category=dict(Counter(e.status_category for e in epics)),
        children_total=sum(e.children.total for e in epics),
        children_done=sum(e.children.done for e in epics),
        points_total=sum((e.children.points_total for e in epics), 0.0),
        points_done=sum((e.children.points_done for e in epics), 0.0),
    )
