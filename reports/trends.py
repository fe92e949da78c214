"""Scores over time: the stored snapshots as plain typed values, and what changed since last time.

The service reads the store's snapshot rows and hands each one's `as_of`, `cycle_id` and `data`
(what `rules.snapshots.encode` wrote) to `snapshot_from_data`; nothing here knows about
the database. Pages show one point per day: when several runs evaluated the same day, the last one
counts, and today's point is always the evaluation being rendered. So re-running on a day with no
data change renders the very same pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rules.results import Evaluation
from rules.snapshots import StoredSnapshot, decode


@dataclass(frozen=True)
class Point:
    score: float
    status: str
    expected: float | None = None


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    cycle_id: str
    objectives: Mapping[str, Point] = field(default_factory=dict)
    key_results: Mapping[str, Point] = field(default_factory=dict)
    findings: frozenset[tuple[str, str]] = frozenset()  # (code, subject)
    aligned_share: float | None = None  # the portfolio's, by active epics


@dataclass(frozen=True)
class History:
    """Snapshots oldest first, one per evaluation date."""

    snapshots: tuple[Snapshot, ...] = ()

    @classmethod
    def of(cls, snapshots: Iterable[Snapshot]) -> History:
        by_day: dict[date, Snapshot] = {}
        for snap in snapshots:  # in stored order: a later run of the same day wins
            by_day[snap.as_of] = snap
        return cls(tuple(by_day[d] for d in sorted(by_day)))

    def series(self, evaluation: Evaluation) -> tuple[Snapshot, ...]:
        """This cycle's days before the evaluation date, then the evaluation itself."""
        earlier = tuple(
            s
            for s in self.snapshots
            if s.cycle_id == evaluation.cycle.id and s.as_of < evaluation.as_of
        )
        return (*earlier, current_snapshot(evaluation))

    def previous(self, evaluation: Evaluation) -> Snapshot | None:
        """The last report of this cycle on an earlier day, to say what is new since."""
        series = self.series(evaluation)
        return series[-2] if len(series) > 1 else None


def snapshot_from_data(as_of: date | str, cycle_id: str, data: Mapping[str, Any]) -> Snapshot:
    """Read a stored snapshot's data (through `rules.snapshots.decode`, which tolerates keys that
    older versions did not write)."""
    return snapshot_from_stored(as_of, cycle_id, decode(data))


def snapshot_from_stored(as_of: date | str, cycle_id: str, stored: StoredSnapshot) -> Snapshot:
    """A decoded snapshot as the points the reports draw: what has a score."""
    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    objectives: dict[str, Point] = {}
    key_results: dict[str, Point] = {}
    for oid, o in stored.objectives.items():
        if o.score is None:
            continue  # an objective without key results: no score to draw
        objectives[oid] = Point(o.score, o.status, o.expected)
        for kid, k in o.key_results.items():
            if k.score is not None:
                key_results[kid] = Point(k.score, k.status)
    findings = frozenset((f.code, f.subject) for f in stored.findings)
    total = stored.portfolio_alignment()
    share = total.aligned_share if total is not None else None
    return Snapshot(day, cycle_id, objectives, key_results, findings, share)


def current_snapshot(evaluation: Evaluation) -> Snapshot:
    """The evaluation as a snapshot, rounded as the store keeps it."""
    objectives = {
        o.objective.id: Point(round(o.score, 4), o.status.value, round(o.expected, 4))
        for o in evaluation.objectives
        if o.score is not None  # no key results: no score to draw or compare
    }
    key_results = {
        k.key_result.id: Point(round(k.score, 4), k.status.value)
        for o in evaluation.objectives
        for k in o.key_results
    }
    total = next((a for a in evaluation.alignment if a.team is None), None)
    return Snapshot(
        evaluation.as_of,
        evaluation.cycle.id,
        objectives,
        key_results,
        frozenset((f.code, f.subject) for f in evaluation.findings),
        total.aligned_share if total is not None else None,
    )


@dataclass(frozen=True)
class Move:
    """A score or status change of one objective or key result since the previous report."""

    id: str
    before: Point
    after: Point

    @property
    def delta(self) -> float:
        return self.after.score - self.before.score

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status


@dataclass(frozen=True)
class Changes:
    since: date
    moves: tuple[Move, ...]  # objectives and key results whose score or status moved
    new_findings: tuple[tuple[str, str], ...]  # (code, subject), in the evaluation's order
    resolved_findings: tuple[tuple[str, str], ...]  # sorted
    aligned_share: tuple[float | None, float | None] = (None, None)  # before, after


MIN_MOVE = 0.005  # half a percentage point: smaller moves are rounding, not news


def changes(previous: Snapshot, evaluation: Evaluation) -> Changes:
    now = current_snapshot(evaluation)
    moves = []
    for table_before, table_after in (
        (previous.objectives, now.objectives),
        (previous.key_results, now.key_results),
    ):
        for key, after in table_after.items():
            before = table_before.get(key)
            if before is None:
                continue
            move = Move(key, before, after)
            if abs(move.delta) >= MIN_MOVE or move.status_changed:
                moves.append(move)
    ordered = [(f.code, f.subject) for f in evaluation.findings]
    new = tuple(dict.fromkeys(f for f in ordered if f not in previous.findings))
    resolved = tuple(sorted(previous.findings - now.findings))
    return Changes(
        previous.as_of, tuple(moves), new, resolved, (previous.aligned_share, now.aligned_share)
    )


def trend(history: History, evaluation: Evaluation, okr_id: str) -> float | None:
    """Score change of an objective or key result since the previous report, if both exist."""
    previous = history.previous(evaluation)
    if previous is None:
        return None
    now = current_snapshot(evaluation)
    before = previous.objectives.get(okr_id) or previous.key_results.get(okr_id)
    after = now.objectives.get(okr_id) or now.key_results.get(okr_id)
    if before is None or after is None:
        return None
    return after.score - before.score
