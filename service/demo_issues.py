"""The demo's Jira issues: epic timelines, child issues, keys, statuses and story points,
generated from the plan in `config/demo/portfolio.yaml` with a seeded random generator
(`service.demo_portfolio` builds the whole portfolio around them).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rules.model import Cycle

PORTFOLIO_RESOURCE = "demo/portfolio.yaml"
"""Where the hand-written part lives, in `config/` (installed as the package `service.config`)."""

_RELATIVE_DATE = re.compile(
    r"(?P<anchor>cycle_start|cycle_end|previous_start|previous_end)"
    r"(?:(?P<sign>[+-])(?P<days>\d+)d)?"
)


class DemoPortfolioError(ValueError):
    """The hand-written demo portfolio is inconsistent; the message names the file and the key."""


def resolve_date(value: Any, anchors: Mapping[str, date], where: str = "date") -> date:
    """`cycle_start+12d`, `previous_end-3d`, ... (or a real date) -> a date."""
    if isinstance(value, date):
        return value
    match = _RELATIVE_DATE.fullmatch(str(value).replace(" ", ""))
    if match is None:
        raise DemoPortfolioError(
            f"{PORTFOLIO_RESOURCE}: {where}: expected a date like cycle_start+12d, got {value!r}"
        )
    offset = int(match["days"] or 0) * (-1 if match["sign"] == "-" else 1)
    return anchors[match["anchor"]] + timedelta(days=offset)


STORY_POINTS_FIELD = "customfield_10016"
STATUSES: tuple[tuple[str, str], ...] = (
    ("To Do", "new"),
    ("In Progress", "indeterminate"),
    ("In Review", "indeterminate"),
    ("Done", "done"),
)
PLANNING_DAYS = 30
"""Epics are created from this many days before the cycle starts (quarterly planning)."""

_CHILD_COUNTS = (3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 10)
_EPIC_STATUS_WEIGHTS = {"To Do": 2.5, "In Progress": 5.0, "In Review": 1.5, "Done": 1.0}
# Keep-the-lights-on work recurs: it is never done.
_KTLO_STATUS_WEIGHTS = {"To Do": 1.0, "In Progress": 4.0, "In Review": 0.5, "Done": 0.0}
_CHILD_TYPE_WEIGHTS = {"Story": 5.0, "Task": 3.0, "Bug": 2.0}
_POINTS: dict[str, tuple[float, tuple[int, ...], tuple[int, ...]]] = {
    # type: (share estimated, values, weights)
    "Story": (0.9, (1, 2, 3, 5, 8, 13), (2, 4, 5, 5, 3, 1)),
    "Task": (0.7, (1, 2, 3, 5), (3, 4, 3, 1)),
    "Bug": (0.3, (1, 2, 3), (3, 2, 1)),
}
_PRIORITIES = ("Highest", "High", "Medium", "Low")
_PRIORITY_WEIGHTS = {
    "Epic": (1, 4, 8, 2),
    "Story": (1, 3, 10, 3),
    "Task": (1, 3, 10, 3),
    "Bug": (2, 5, 6, 1),
}


# --- the sandbox dataset --------------------------------------------------------------------------


@dataclass
class _EpicPlan:
    team: Mapping[str, Any]
    summary: str
    status: str
    labels: list[str]
    children: int | None = None
    assignee: str | None = None
    assignee_given: bool = False
    created: date | None = None
    mostly_done: bool = False


@dataclass
class _Issue:
    project: str
    type: str
    summary: str
    status: str
    labels: list[str]
    assignee: str | None
    priority: str
    created: datetime
    updated: datetime
    fields: dict[str, Any]
    parent: _Issue | None = None
    key: str = ""
    children: list[_Issue] = field(default_factory=list)

    def as_seed(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "summary": self.summary,
            "status": self.status,
            "labels": list(self.labels),
            "parent": self.parent.key if self.parent else None,
            "assignee": self.assignee,
            "priority": self.priority,
            "created": _stamp(self.created),
            "updated": _stamp(self.updated),
            "fields": dict(self.fields),
        }


def _build_dataset(
    spec: Mapping[str, Any],
    cycle: Cycle,
    anchors: Mapping[str, date],
    today: date,
    rng: random.Random,
) -> dict[str, Any]:
    plans = _plan_epics(spec, anchors, rng)
    clock = _Clock(
        first=cycle.start - timedelta(days=PLANNING_DAYS), last=today - timedelta(days=1)
    )
    issues: dict[str, list[_Issue]] = {team["project"]: [] for team in spec["teams"]}
    for plan in plans:
        epic = _make_epic(plan, clock, rng)
        epic.children = [
            _make_child(plan, epic, clock, rng) for _ in range(_child_count(plan, rng))
        ]
        _pick_child_summaries(plan, epic.children, spec["common_work"], rng)
        issues[epic.project] += [epic, *epic.children]

    seeds: list[dict[str, Any]] = []
    for project, project_issues in issues.items():
        # Keys follow creation order, as in a real project: epics and children interleave.
        ordered = sorted(enumerate(project_issues), key=lambda pair: (pair[1].created, pair[0]))
        for number, (_, issue) in enumerate(ordered, start=1):
            issue.key = f"{project}-{number}"
        seeds += [issue.as_seed() for _, issue in ordered]

    portfolio = spec["portfolio"]
    confluence = portfolio["confluence"]
    return {
        "auth": [{"user": portfolio["user"], "token": portfolio["token"]}],
        "jira": {
            "deployment": "Cloud",
            "statuses": [{"name": name, "category": category} for name, category in STATUSES],
            "fields": [{"id": STORY_POINTS_FIELD, "name": "Story Points", "type": "number"}],
            "projects": [{"key": t["project"], "name": t["name"]} for t in spec["teams"]],
            "issues": seeds,
        },
        "confluence": {
            "spaces": [dict(confluence["space"])],
            "pages": [
                {
                    "space": confluence["space"]["key"],
                    "title": confluence["parent_title"],
                    "parent": None,
                    "body": confluence["parent_body"],
                }
            ],
        },
    }


def _plan_epics(
    spec: Mapping[str, Any], anchors: Mapping[str, date], rng: random.Random
) -> list[_EpicPlan]:
    gen = spec["generation"]
    mostly_done = {claim.upper() for claim in gen["mostly_done"]}
    other_labels: list[str] = list(gen["other_labels"])
    plans: list[_EpicPlan] = []
    for team in spec["teams"]:
        features: list[str] = list(team["epics"])
        unaligned = set(
            rng.sample(range(len(features)), k=min(gen["unaligned_per_team"], len(features)))
        )
        claims: list[str] = list(team["claims"])
        rng.shuffle(claims)
        next_claim = 0
        for index, summary in enumerate(features):
            if index in unaligned:
                labels = rng.sample(other_labels, k=rng.choice((0, 0, 1)))
                plans.append(_EpicPlan(team, summary, _weighted(rng, _EPIC_STATUS_WEIGHTS), labels))
                continue
            claim = claims[next_claim % len(claims)]
            next_claim += 1
            labels = [_claim_label(rng, claim)]
            if rng.random() < gen["second_claim_share"] and len(claims) > 1:
                labels.append(_claim_label(rng, rng.choice([c for c in claims if c != claim])))
            if rng.random() < gen["approved_share"]:
                labels.append(gen["approved_label"])
            if rng.random() < 0.3:
                labels.append(rng.choice(other_labels))
            heavy = claim.upper() in mostly_done
            status = (
                rng.choice(("Done", "Done", "In Review", "In Progress"))
                if heavy
                else _weighted(rng, _EPIC_STATUS_WEIGHTS)
            )
            plans.append(_EpicPlan(team, summary, status, labels, mostly_done=heavy))
        for summary in team["ktlo"]:
            plans.append(
                _EpicPlan(
                    team,
                    summary,
                    _weighted(rng, _KTLO_STATUS_WEIGHTS),
                    ["okr-exempt"],
                    children=rng.randint(3, 5),
                )
            )

    teams = {team["id"]: team for team in spec["teams"]}
    for i, edge in enumerate(spec["edge_epics"]):
        created = (
            resolve_date(edge["created"], anchors, f"edge_epics[{i}].created")
            if "created" in edge
            else None
        )
        plans.append(
            _EpicPlan(
                teams[edge["team"]],
                str(edge["summary"]),
                edge["status"],
                list(edge["labels"]),
                children=edge.get("children"),
                assignee=edge.get("assignee"),
                assignee_given="assignee" in edge,
                created=created,
            )
        )
    return plans


def _claim_label(rng: random.Random, okr_id: str) -> str:
    """A label that claims `okr_id`, written the way people do (the prefix is case-insensitive)."""
    style = rng.choices(range(4), weights=(6, 2, 1, 1))[0]
    return (f"okr:{okr_id}", f"OKR:{okr_id.lower()}", f"okr:{okr_id.lower()}", f"OKR:{okr_id}")[
        style
    ]


@dataclass(frozen=True)
class _Clock:
    """Timestamps between the start of planning and the evening before `today`."""

    first: date
    last: date

    @property
    def limit(self) -> datetime:
        return datetime.combine(self.last, time(19, 0), UTC)

    def epic_created(self, rng: random.Random, day: date | None) -> datetime:
        if day is None:
            span = max(0, (self.last - self.first).days)
            day = self.first + timedelta(days=rng.randint(0, int(span * 0.7)))
        day = min(day, self.last)
        return datetime.combine(day, time(rng.randint(8, 16), rng.randrange(0, 60, 5)), UTC)

    def between(
        self, rng: random.Random, low: datetime, high: datetime, skew: float = 1.0
    ) -> datetime:
        """A minute in [low, high], leaning towards `high` when skew < 1."""
        if high <= low:
            return low
        seconds = (high - low).total_seconds() * rng.random() ** skew
        return low + timedelta(minutes=int(seconds // 60))


def _make_epic(plan: _EpicPlan, clock: _Clock, rng: random.Random) -> _Issue:
    people: list[str] = list(plan.team["people"])
    if plan.assignee_given:
        assignee = plan.assignee
    else:
        assignee = people[0] if rng.random() < 0.35 else rng.choice(people[1:] or people)
    created = clock.epic_created(rng, plan.created)
    updated = clock.between(rng, created + timedelta(minutes=5), clock.limit, skew=0.4)
    return _Issue(
        project=plan.team["project"],
        type="Epic",
        summary=plan.summary,
        status=plan.status,
        labels=list(plan.labels),
        assignee=assignee,
        priority=_priority(rng, "Epic"),
        created=created,
        updated=updated,
        fields={},
    )


def _child_count(plan: _EpicPlan, rng: random.Random) -> int:
    return plan.children if plan.children is not None else rng.choice(_CHILD_COUNTS)


def _make_child(plan: _EpicPlan, epic: _Issue, clock: _Clock, rng: random.Random) -> _Issue:
    kind = _weighted(rng, _CHILD_TYPE_WEIGHTS)
    created = clock.between(
        rng, epic.created + timedelta(minutes=10), clock.limit - timedelta(hours=1)
    )
    updated = clock.between(rng, created + timedelta(minutes=5), clock.limit, skew=0.6)
    estimated, values, weights = _POINTS[kind]
    fields: dict[str, Any] = {}
    if rng.random() < estimated:
        fields[STORY_POINTS_FIELD] = rng.choices(values, weights=weights)[0]
    people: list[str] = list(plan.team["people"])
    return _Issue(
        project=epic.project,
        type=kind,
        summary="",
        status=_child_status(plan, rng),
        labels=[],
        assignee=None if rng.random() < 0.1 else rng.choice(people),
        priority=_priority(rng, kind),
        created=created,
        updated=updated,
        fields=fields,
        parent=epic,
    )


def _pick_child_summaries(
    plan: _EpicPlan, children: Sequence[_Issue], common: Mapping[str, Any], rng: random.Random
) -> None:
    """Summaries from the team's pool and the common one, without repeats inside one epic."""
    used: set[str] = set()
    for child in children:
        pool = [*plan.team["work"][child.type], *common[child.type]]
        fresh = [s for s in pool if s not in used] or pool
        child.summary = rng.choice(fresh)
        used.add(child.summary)


def _child_status(plan: _EpicPlan, rng: random.Random) -> str:
    """Children follow their epic: a Done epic has done work, a new one has mostly new work."""
    if plan.status == "Done":
        return "Done"
    if plan.mostly_done:
        weights = {"To Do": 0.0, "In Progress": 0.05, "In Review": 0.1, "Done": 0.85}
    elif plan.status == "To Do":
        weights = {"To Do": 0.85, "In Progress": 0.15, "In Review": 0.0, "Done": 0.0}
    elif plan.status == "In Review":
        weights = {"To Do": 0.05, "In Progress": 0.1, "In Review": 0.25, "Done": 0.6}
    else:
        weights = {"To Do": 0.25, "In Progress": 0.25, "In Review": 0.1, "Done": 0.4}
    return _weighted(rng, weights)


def _priority(rng: random.Random, kind: str) -> str:
    return rng.choices(_PRIORITIES, weights=_PRIORITY_WEIGHTS[kind])[0]


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
