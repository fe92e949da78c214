"""The domain model: plain, immutable, typed values.

Nothing here does I/O or reads the clock. The catalogue types (cycles, teams, objectives,
key results) come from `rules.catalogue.parse_catalogue`; epics come from the store; the results
of one evaluation (`Evaluation`) come from `rules.evaluate.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property


class StatusCategory(StrEnum):
    """Jira's three status categories, by their stable keys."""

    NEW = "new"
    IN_PROGRESS = "indeterminate"
    DONE = "done"


class Level(StrEnum):
    PORTFOLIO = "portfolio"
    TEAM = "team"


class KrKind(StrEnum):
    METRIC = "metric"
    MILESTONE = "milestone"
    BOOLEAN = "boolean"


class ApprovalState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ClaimSource(StrEnum):
    LABEL = "label"
    FIELD = "field"
    LINK = "link"
    PARENT = "parent"
    OVERRIDE = "override"


class DecisionOrigin(StrEnum):
    """Where a leader's decision on a connection came from."""

    CATALOGUE = "catalogue"
    JIRA = "jira"
    CLI = "cli"
    PAGE = "page"  # a task ticked on the "Awaiting approval" page


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class PaceStatus(StrEnum):
    TOO_EARLY = "too early"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_KEY_RESULTS = "no key results"  # an objective with nothing to score has no pace either


class AlignmentState(StrEnum):
    ALIGNED = "aligned"
    UNALIGNED = "unaligned"
    EXEMPT = "exempt"


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    id: str
    start: date
    end: date

    def elapsed_share(self, as_of: date) -> float:
        """Share of the cycle that has passed at the end of `as_of`, in [0, 1]."""
        days = (self.end - self.start).days + 1
        passed = (as_of - self.start).days + 1
        return min(1.0, max(0.0, passed / days))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Approval:
    state: ApprovalState
    by: str | None = None
    at: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Milestone:
    title: str
    done: bool


@dataclass(frozen=True)
class CheckIn:
    on: date
    value: float
    confidence: float | None = None
    note: str | None = None
    source: str = "catalogue"  # catalogue | manual (outcomes checkin) | jira-field | jql
    by: str | None = None
    forecast: float | None = None  # the team's own forecast of the value at the cycle's end


@dataclass(frozen=True)
class KeyResult:
    id: str
    objective_id: str
    title: str
    kind: KrKind = KrKind.METRIC
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str = ""
    weight: float = 1.0
    confidence: float | None = None
    needs_work: bool = True
    milestones: tuple[Milestone, ...] = ()
    done: bool = False  # for boolean key results
    measure_jql: str | None = None
    checkins: tuple[CheckIn, ...] = ()
    jira_key: str | None = None  # the Jira issue that holds this key result, if any
    current_on: date | None = None  # when `current` was measured (see rules.measurement)
    measure_issue: str | None = None  # measured from a numeric field of this Jira issue ...
    measure_field: str | None = None  # ... named so (read at sync time)
    owner: str | None = None  # who answers for it (the objective's owner unless given)

    @property
    def direction(self) -> str:
        if self.start is not None and self.target is not None and self.target < self.start:
            return "decrease"
        return "increase"


@dataclass(frozen=True)
class Objective:
    id: str
    title: str
    level: Level
    cycle_id: str
    team: str | None = None
    owner: str | None = None
    supports: tuple[str, ...] = ()
    approval: Approval | None = None
    retired: bool = False
    key_results: tuple[KeyResult, ...] = ()
    jira_key: str | None = None  # the Jira issue that holds this objective, if any


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    projects: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # an epic with one of these labels belongs to the team
    aliases: tuple[str, ...] = ()  # names Jira gives the team (components, Team field values)


@dataclass(frozen=True)
class Catalogue:
    cycles: tuple[Cycle, ...]
    teams: tuple[Team, ...]
    objectives: tuple[Objective, ...]
    decisions: tuple[Decision, ...] = ()  # the catalogue's `approvals` of epic claims

    def cycle(self, cycle_id: str) -> Cycle:
        return next(c for c in self.cycles if c.id == cycle_id)

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)

    def key_results(self) -> tuple[KeyResult, ...]:
        return tuple(kr for o in self.objectives for kr in o.key_results)

    def okr_ids(self) -> dict[str, Objective]:
        """Every claimable id (objective or key result, upper-cased) -> its objective."""
        index: dict[str, Objective] = {}
        for o in self.objectives:
            index[o.id.upper()] = o
            for kr in o.key_results:
                index[kr.id.upper()] = o
        return index

    def team_name(self, team_id: str | None) -> str:
        name = self._team_names.get(team_id) if team_id else None
        return name or team_id or "No team"

    @cached_property
    def _team_names(self) -> dict[str, str]:  # reports ask once per row
        names: dict[str, str] = {}
        for team in self.teams:
            names.setdefault(team.id, team.name)
        return names


# --- work from Jira ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildStats:
    """Child issues of an epic, counted by the sync (never read from a field on the epic)."""

    total: int = 0
    by_category: dict[StatusCategory, int] = field(default_factory=dict)
    points_total: float = 0.0
    points_done: float = 0.0

    @property
    def done(self) -> int:
        return self.by_category.get(StatusCategory.DONE, 0)


@dataclass(frozen=True)
class Epic:
    key: str
    summary: str
    project: str
    status: str
    status_category: StatusCategory
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    parent_key: str | None = None
    claim_field: tuple[str, ...] = ()  # values of the configured "Key Result" field
    children: ChildStats = field(default_factory=ChildStats)
    links: tuple[IssueLink, ...] = ()  # issue links of the configured claim type
    parent_type: str | None = None  # the parent's issue type (an Objective, an Initiative...)
    approval_value: str | None = None  # the configured Jira approval field's value
    team_names: tuple[str, ...] = ()  # as Jira names the team (components, Team field, labels)
    # Extra fields the settings read (jira.epic_fields), typed: a date, a number or a text, e.g.
    # {"target_start": date(2026, 10, 5)}; a field without a value is absent.
    extra: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def active(self) -> bool:
        return self.status_category is not StatusCategory.DONE


@dataclass(frozen=True)
class IssueLink:
    """A Jira issue link as seen from the epic: `direction` outward means "epic <verb> key"."""

    type: str
    key: str
    direction: str = "outward"


@dataclass(frozen=True)
class Decision:
    """A leader's word on a connection: an epic's claim, or a team objective's `supports` link."""

    subject: str  # an epic key or a team objective id
    okr_id: str | None  # the claimed or supported id; None: every connection of the subject
    state: ApprovalState
    at: datetime
    by: str | None = None
    why: str | None = None
    origin: DecisionOrigin = DecisionOrigin.CLI
    origin_detail: str | None = None  # e.g. "Jira label, changelog unavailable"
    by_id: str | None = None  # who, as the approvers list names people: account id, user name
    counted: bool = True  # False: not a named approver's; kept in the trail, ignored


@dataclass(frozen=True)
class Claim:
    epic_key: str
    okr_id: str  # as written by the team, normalised to upper case
    source: ClaimSource
    state: ApprovalState = ApprovalState.PROPOSED
    also_from: tuple[ClaimSource, ...] = ()  # other sources that name the same id
    # Shown, not compared: how it was written ("label OKR:p1.kr2") and who decided.
    detail: str = field(default="", compare=False)
    decision: Decision | None = field(default=None, compare=False)
    proposed_at: datetime | None = field(default=None, compare=False)  # first sync that saw it

    @property
    def sources(self) -> tuple[ClaimSource, ...]:
        return (self.source, *self.also_from)


@dataclass(frozen=True)
class Connection:
    """A team objective's `supports` link to a portfolio objective or key result."""

    objective_id: str
    okr_id: str
    state: ApprovalState
    decision: Decision | None = None
    proposed_at: datetime | None = None  # the first sync that saw the link in the catalogue


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    subject: str  # an epic key, an OKR id or a team id
    message: str
    hint: str = ""
    team: str | None = None
