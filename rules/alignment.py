"""Where each epic stands (team, claims, aligned / unaligned / exempt) and the shares per team."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rules.approval import DecisionBook, decide_claims
from rules.claims import OkrIndex, Verdict, extract_claims
from rules.model import AlignmentState, ApprovalState, Epic, Team
from rules.overrides import Override
from rules.policy import Policy
from rules.results import AlignmentShare, EpicAlignment

NO_TEAM = ""  # the share of active epics that match no team; "" is never a catalogue team id


def natural_key(text: str) -> tuple[str | int, ...]:
    """'PAY-10' sorts after 'PAY-2': digit runs compare as numbers."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


@dataclass(frozen=True)
class TeamChoice:
    team: str | None  # the team the epic counts under
    others: tuple[str, ...] = ()  # further teams its names point at (AMBIGUOUS_TEAM)


def team_choice(epic: Epic, teams: Sequence[Team] | TeamLookup) -> TeamChoice:
    """The teams Jira names for the epic (any of its components, Team field values or team
    labels, by a team's id, name or alias), else the teams whose catalogue labels it carries,
    else the team owning its project, else none. Where several teams are named, the project's
    team counts if it is among them, else the first in catalogue order; the others are kept.

    An evaluation passes `team_lookup(teams)`, built once: hashing thousands of teams for every
    epic made evaluating quadratic."""
    lookup = teams if isinstance(teams, TeamLookup) else team_lookup(tuple(teams))
    named = {found for name in epic.team_names if (found := lookup.by_name.get(name.casefold()))}
    if not named:
        named = {found for label in epic.labels if (found := lookup.by_label.get(label.lower()))}
    own = lookup.by_project.get(epic.project.lower())
    if not named:
        return TeamChoice(own)
    ordered = [team_id for _, team_id in sorted(named)]
    chosen = own if own in ordered else ordered[0]
    return TeamChoice(chosen, tuple(t for t in ordered if t != chosen))


def team_of(epic: Epic, teams: Sequence[Team] | TeamLookup) -> str | None:
    return team_choice(epic, teams).team


@dataclass(frozen=True)
class TeamLookup:
    by_name: dict[str, tuple[int, str]]  # casefolded id, name or alias -> (team's place, id)
    by_label: dict[str, tuple[int, str]]  # lower-cased label -> (team's place, team id)
    by_project: dict[str, str]  # lower-cased project key -> team id


@lru_cache(maxsize=8)  # one catalogue or policy at a time, in practice
def team_lookup(teams: tuple[Team, ...]) -> TeamLookup:
    """Indexes of a catalogue's teams (an evaluation asks for every epic's team)."""
    lookup = TeamLookup({}, {}, {})
    for place, team in enumerate(teams):
        for name in (team.id, team.name, *team.aliases):
            lookup.by_name.setdefault(name.casefold(), (place, team.id))
        for label in team.labels:
            lookup.by_label.setdefault(label.lower(), (place, team.id))
        for project in team.projects:
            lookup.by_project.setdefault(project.lower(), team.id)
    return lookup


def is_exempt(epic: Epic, policy: Policy) -> bool:
    exempt = _lowered(policy.exempt_labels)
    return any(label.lower() in exempt for label in epic.labels)


@lru_cache(maxsize=8)  # one catalogue or policy at a time, in practice
def _lowered(labels: tuple[str, ...]) -> frozenset[str]:
    return frozenset(label.lower() for label in labels)


def align_epic(
    epic: Epic,
    teams: Sequence[Team] | TeamLookup,
    index: OkrIndex,
    as_of: date,
    policy: Policy,
    book: DecisionBook | None = None,
    overrides: Sequence[Override] = (),
) -> EpicAlignment:
    claims = extract_claims(epic, policy, index, overrides)
    claims = decide_claims(claims, book or DecisionBook({}), policy)
    # A claim counts when it names a current OKR and no leader rejected it.
    valid = tuple(
        index.spelling[c.okr_id]
        for c in claims
        if index.verdict(c.okr_id, as_of) is Verdict.VALID and c.state is not ApprovalState.REJECTED
    )
    if is_exempt(epic, policy):
        state = AlignmentState.EXEMPT  # even when it also claims an OKR: the team said so
    elif valid:
        state = AlignmentState.ALIGNED
    else:
        state = AlignmentState.UNALIGNED
    choice = team_choice(epic, teams)
    return EpicAlignment(epic, choice.team, state, claims, valid, choice.others)


def alignment_shares(
    alignments: Sequence[EpicAlignment], teams: Sequence[Team]
) -> tuple[AlignmentShare, ...]:
    """Active epics per team (catalogue order, teams with work only), NO_TEAM, then the total."""
    active = [a for a in alignments if a.epic.active]
    by_team: dict[str, list[EpicAlignment]] = {}  # grouped once: one pass, not one per team
    for a in active:
        by_team.setdefault(a.team if a.team is not None else NO_TEAM, []).append(a)
    order = dict.fromkeys([*(t.id for t in teams), NO_TEAM])
    shares = [_share(team_id, by_team[team_id]) for team_id in order if team_id in by_team]
    shares.append(_share(None, active))
    return tuple(shares)


def _share(team: str | None, alignments: Sequence[EpicAlignment]) -> AlignmentShare:
    counts = {state: 0 for state in AlignmentState}
    points = {state: 0.0 for state in AlignmentState}
    for a in alignments:
        counts[a.state] += 1
        points[a.state] += a.epic.children.points_total
    return AlignmentShare(
        team=team,
        aligned=counts[AlignmentState.ALIGNED],
        unaligned=counts[AlignmentState.UNALIGNED],
        exempt=counts[AlignmentState.EXEMPT],
        aligned_points=points[AlignmentState.ALIGNED],
        unaligned_points=points[AlignmentState.UNALIGNED],
        exempt_points=points[AlignmentState.EXEMPT],
    )
