"""Where each epic stands (team, claims, aligned / unaligned / exempt) and the shares per team."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

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


def team_of(epic: Epic, teams: Sequence[Team]) -> str | None:
    """The team Jira names for the epic (by id, name or alias, when the settings take the team
    from a component, a field or a label prefix), else a team whose labels the epic carries,
    else the team owning its project, else None."""
    if epic.team_key:
        wanted = epic.team_key.casefold()
        for team in teams:
            if wanted in {n.casefold() for n in (team.id, team.name, *team.aliases)}:
                return team.id
    labels = {label.lower() for label in epic.labels}
    for team in teams:
        if labels & {label.lower() for label in team.labels}:
            return team.id
    for team in teams:
        if epic.project.lower() in (project.lower() for project in team.projects):
            return team.id
    return None


def is_exempt(epic: Epic, policy: Policy) -> bool:
    exempt = {label.lower() for label in policy.exempt_labels}
    return any(label.lower() in exempt for label in epic.labels)


def align_epic(
    epic: Epic,
    teams: Sequence[Team],
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
    return EpicAlignment(epic, team_of(epic, teams), state, claims, valid)


def alignment_shares(
    alignments: Sequence[EpicAlignment], teams: Sequence[Team]
) -> tuple[AlignmentShare, ...]:
    """Active epics per team (catalogue order, teams with work only), NO_TEAM, then the total."""
    active = [a for a in alignments if a.epic.active]
    order = [t.id for t in teams] + [NO_TEAM]
    shares = []
    for team_id in order:
        mine = [a for a in active if (a.team if a.team is not None else NO_TEAM) == team_id]
        if mine:
            shares.append(_share(team_id, mine))
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
