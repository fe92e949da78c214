"""The results of one evaluation: progress per objective and key result, where each epic
stands, alignment shares, findings — what reports render and snapshots keep.

The types they refer to (objectives, epics, claims, findings) are in `rules.model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rules.forecast import Forecast, TeamForecast
from rules.model import (
    AlignmentState,
    ApprovalState,
    CheckIn,
    Claim,
    Connection,
    Cycle,
    Decision,
    Epic,
    Finding,
    KeyResult,
    Level,
    Objective,
    PaceStatus,
    StatusCategory,
)


@dataclass(frozen=True)
class Output:
    """The work behind an outcome: epics by status category, child issues and points."""

    epics_total: int = 0
    epics_by_category: dict[StatusCategory, int] = field(default_factory=dict)
    children_total: int = 0
    children_done: int = 0
    points_total: float = 0.0
    points_done: float = 0.0

    @property
    def epics_done(self) -> int:
        return self.epics_by_category.get(StatusCategory.DONE, 0)


@dataclass(frozen=True)
class KeyResultProgress:
    key_result: KeyResult
    score: float  # in [0, 1]
    expected: float  # share of the cycle elapsed
    status: PaceStatus
    epic_keys: tuple[str, ...] = ()  # epics with a valid claim on this key result
    output: Output = field(default_factory=Output)
    last_checkin: CheckIn | None = None  # the latest on or before the evaluation date
    forecast: Forecast | None = None  # computed (metric key results only; see rules.forecast)
    team_forecast: TeamForecast | None = None  # the team's own, from a check-in


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    score: float | None  # None: no key results, so no score and no pace (NO_KEY_RESULTS)
    expected: float
    status: PaceStatus
    key_results: tuple[KeyResultProgress, ...] = ()
    supported_by: tuple[str, ...] = ()  # ids of team objectives that support this one
    epic_keys: tuple[str, ...] = ()  # epics claiming the objective itself or one of its KRs
    connections: tuple[Connection, ...] = ()  # a team objective's supports links, with states
    forecast_score: float | None = None  # key results' forecast scores by weight, where known


@dataclass(frozen=True)
class EpicAlignment:
    epic: Epic
    team: str | None
    state: AlignmentState
    claims: tuple[Claim, ...] = ()
    valid_okr_ids: tuple[str, ...] = ()  # claims on a known, current OKR, not rejected
    other_teams: tuple[str, ...] = ()  # further teams Jira names for the epic (AMBIGUOUS_TEAM)


@dataclass(frozen=True)
class AlignmentShare:
    """Aligned / unaligned / exempt active epics of one team (team=None: the whole portfolio)."""

    team: str | None
    aligned: int = 0
    unaligned: int = 0
    exempt: int = 0
    aligned_points: float = 0.0
    unaligned_points: float = 0.0
    exempt_points: float = 0.0

    @property
    def total(self) -> int:
        return self.aligned + self.unaligned + self.exempt

    @property
    def aligned_share(self) -> float:
        return self.aligned / self.total if self.total else 0.0


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    cycle: Cycle
    objectives: tuple[ObjectiveProgress, ...]
    epics: tuple[EpicAlignment, ...]
    findings: tuple[Finding, ...]
    alignment: tuple[AlignmentShare, ...]  # per team, then the portfolio total (team=None) last
    not_counted: tuple[Decision, ...] = ()  # decisions by non-approvers no approver has overruled

    def portfolio_objectives(self) -> tuple[ObjectiveProgress, ...]:
        return tuple(o for o in self.objectives if o.objective.level is Level.PORTFOLIO)

    def team_objectives(self) -> tuple[ObjectiveProgress, ...]:
        return tuple(o for o in self.objectives if o.objective.level is Level.TEAM)

    def awaiting_approval(self) -> tuple[Claim | Connection, ...]:
        """Claims of active epics and team objectives' links that still wait for a decision."""
        claims = tuple(
            c
            for e in self.epics
            if e.epic.active
            for c in e.claims
            if c.state is ApprovalState.PROPOSED and c.okr_id.upper() in _upper(e.valid_okr_ids)
        )
        links = tuple(
            c
            for o in self.team_objectives()
            for c in o.connections
            if c.state is ApprovalState.PROPOSED
        )
        return (*claims, *links)

    def unaligned(self) -> tuple[EpicAlignment, ...]:
        """Active work tied to no outcome (a finished epic is no longer work going on)."""
        return tuple(e for e in self.epics if e.state is AlignmentState.UNALIGNED and e.epic.active)


def _upper(ids: tuple[str, ...]) -> set[str]:
    return {i.upper() for i in ids}
