"""What a portfolio review needs on the day, as plain rows: the Confluence review page and the
workbook's Review sheet both render this.

- what needs a leader's decision (connections waiting for approval),
- key results off pace or forecast to miss (with owner, confidence, forecast, the team's own),
- work not tied to an outcome by team, against the last review,
- what changed since the last review: scores and statuses, findings, the OKRs themselves.

The last review is the service's to find (its day, that day's snapshot and unaligned counts);
without one, this is the cycle's first review and changes count from the cycle's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from reports.context import ReportContext
from reports.owners import owner_text
from reports.trends import Snapshot, changes
from rules.alignment import NO_TEAM
from rules.model import Claim, Connection
from rules.okr_changes import OkrChange
from rules.results import KeyResultProgress

OFF_PACE, FORECAST_MISS = "OFF_PACE", "FORECAST_MISS"
REASONS = {OFF_PACE: "off pace", FORECAST_MISS: "forecast to miss"}


@dataclass(frozen=True)
class PreviousReview:
    day: date
    snapshot: Snapshot | None = None  # the snapshot kept for that day, if any
    unaligned: Mapping[str | None, int] = field(default_factory=dict)  # team -> unaligned then


@dataclass(frozen=True)
class DecisionRow:
    subject: str  # an epic key or a team objective id
    kind: str  # "epic claim" | "team objective link"
    okr_id: str
    team: str | None


@dataclass(frozen=True)
class KeyResultRow:
    objective_id: str
    progress: KeyResultProgress
    owner: str
    confidence: float | None
    reasons: tuple[str, ...]  # "off pace", "forecast to miss"


@dataclass(frozen=True)
class TeamRow:
    team: str | None
    unaligned: int
    active: int
    before: int | None  # unaligned at the last review; None: not known

    @property
    def delta(self) -> int | None:
        return None if self.before is None else self.unaligned - self.before


@dataclass(frozen=True)
class ChangeRow:
    kind: str  # "score", "new finding", "resolved finding", "OKR"
    subject: str
    text: str


@dataclass(frozen=True)
class Review:
    day: date
    previous: date | None  # the last review's day
    decisions: tuple[DecisionRow, ...]
    key_results: tuple[KeyResultRow, ...]
    teams: tuple[TeamRow, ...]
    changes: tuple[ChangeRow, ...]


def build_review(ctx: ReportContext, previous: PreviousReview | None) -> Review:
    evaluation = ctx.evaluation
    return Review(
        day=evaluation.as_of,
        previous=previous.day if previous else None,
        decisions=tuple(_decision(ctx, w) for w in evaluation.awaiting_approval()),
        key_results=_key_results(ctx),
        teams=_teams(ctx, previous),
        changes=_changes(ctx, previous),
    )


def _decision(ctx: ReportContext, waiting: Claim | Connection) -> DecisionRow:
    if isinstance(waiting, Connection):
        objective = ctx.objectives.get(waiting.objective_id)
        team = objective.objective.team if objective else None
        return DecisionRow(waiting.objective_id, "team objective link", waiting.okr_id, team)
    epic = ctx.epics.get(waiting.epic_key)
    return DecisionRow(waiting.epic_key, "epic claim", waiting.okr_id, epic.team if epic else None)


def _key_results(ctx: ReportContext) -> tuple[KeyResultRow, ...]:
    flagged: dict[str, list[str]] = {}
    for f in ctx.evaluation.findings:
        if f.code in REASONS:
            flagged.setdefault(f.subject.upper(), []).append(REASONS[f.code])
    rows = []
    for op in ctx.evaluation.objectives:
        for krp in op.key_results:
            reasons = flagged.get(krp.key_result.id.upper())
            if not reasons:
                continue
            kr = krp.key_result
            rows.append(
                KeyResultRow(
                    op.objective.id,
                    krp,
                    owner_text(kr.owner) if kr.owner else "—",
                    ctx.kr_confidence(kr),
                    tuple(dict.fromkeys(reasons)),
                )
            )
    return tuple(rows)


def _teams(ctx: ReportContext, previous: PreviousReview | None) -> tuple[TeamRow, ...]:
    rows = []
    for share in ctx.evaluation.alignment:
        if share.team is None or not share.total:
            continue  # the portfolio total; a team with no active work
        team = None if share.team == NO_TEAM else share.team
        before = None
        if previous is not None and previous.unaligned:
            before = previous.unaligned.get(share.team, 0)
        rows.append(TeamRow(team, share.unaligned, share.total, before))
    return tuple(rows)


def _changes(ctx: ReportContext, previous: PreviousReview | None) -> tuple[ChangeRow, ...]:
    evaluation = ctx.evaluation
    rows: list[ChangeRow] = []
    if previous is not None and previous.snapshot is not None:
        since = changes(previous.snapshot, evaluation)
        for move in since.moves:
            points = round(move.delta * 100)
            status = f"; {move.before.status} → {move.after.status}" if move.status_changed else ""
            rows.append(
                ChangeRow(
                    "score",
                    move.id,
                    f"{round(move.before.score * 100)}% → {round(move.after.score * 100)}% "
                    f"({points:+d} pts){status}",
                )
            )
        rows += [ChangeRow("new finding", subject, code) for code, subject in since.new_findings]
        rows += [
            ChangeRow("resolved finding", subject, code)
            for code, subject in since.resolved_findings
        ]
    start = previous.day if previous is not None else None
    rows += [
        ChangeRow("OKR", c.subject, f"{c.describe()} (on {c.day.isoformat()})")
        for c in _okr_changes(ctx.okr_changes, evaluation.cycle.start, start, evaluation.as_of)
    ]
    return tuple(rows)


def _okr_changes(
    all_changes: tuple[OkrChange, ...], cycle_start: date, after: date | None, until: date
) -> list[OkrChange]:
    """This cycle's changes after the last review (all of the cycle's on a first review)."""
    return [
        c for c in all_changes if cycle_start <= c.day <= until and (after is None or c.day > after)
    ]
