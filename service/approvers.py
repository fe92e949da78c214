"""Who may decide a connection, from the settings and the groups' members the sync read.

`approval.approvers` names the people and Jira groups for every portfolio; `portfolios[].approvers`
replaces them for one portfolio's epics; `approval.approvers_by_objective` replaces both for the
connections to one portfolio objective (or its key results). A team objective belongs to no one
portfolio: its links are decided by `approval.approvers`, or, where that is not set, by any
portfolio's approvers. With nobody named anywhere, every decision counts.

The groups' members are read from Jira by each sync (`GET /rest/api/2/group/member`) and kept in
the store, so the commands that do not talk to Jira (`approve`, `check`, `publish`) know them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from connector.jira_groups import group_members
from connector.jira_source import JiraSource
from connector.store import decisions as decision_store
from connector.store.issues import issue_ids, scope_ids
from rules.approvers import ApproverRules, Approvers, judged
from rules.errors import NotFound, UserError
from rules.model import Catalogue, Claim, Decision, Epic, Level
from service.settings import LoadedSettings, Settings
from service.settings_alignment import ApproverSettings

GROUPS = "approver-groups"  # the okr_sources row that holds the groups' members


def named_groups(settings: Settings) -> list[str]:
    listed = [settings.approval.approvers, *settings.approval.approvers_by_objective.values()]
    listed += [p.approvers for p in settings.portfolios]
    return sorted({g for a in listed if a is not None for g in a.groups})


def _approvers(chosen: Sequence[ApproverSettings], members: Mapping[str, list[str]]) -> Approvers:
    people = tuple(dict.fromkeys(p for a in chosen for p in a.people))
    groups = tuple(dict.fromkeys(g for a in chosen for g in a.groups))
    by_name = {name.casefold(): names for name, names in members.items()}
    found = frozenset(m.casefold() for g in groups for m in by_name.get(g.casefold(), ()))
    return Approvers(people, groups, found)


def rules_for(
    settings: Settings, portfolio_id: str | None, members: Mapping[str, list[str]]
) -> ApproverRules:
    """The approvers of one portfolio's connections (None: of team objectives' links)."""
    approval = settings.approval
    portfolio = next((p for p in settings.portfolios if p.id == portfolio_id), None)
    if portfolio is not None and portfolio.approvers is not None:
        chosen = [portfolio.approvers]
    elif approval.approvers is not None:
        chosen = [approval.approvers]
    elif portfolio_id is None:
        chosen = [p.approvers for p in settings.portfolios if p.approvers is not None]
    else:
        chosen = []
    by_objective = {
        objective_id.upper(): _approvers([listed], members)
        for objective_id, listed in approval.approvers_by_objective.items()
    }
    return ApproverRules(_approvers(chosen, members), by_objective)


def rules_stored(settings: Settings, session: Session, portfolio_id: str) -> ApproverRules:
    """A portfolio's approvers with the groups' members as the last sync read them."""
    return rules_for(settings, portfolio_id, stored_members(session))


def stored_members(session: Session) -> dict[str, list[str]]:
    data = decision_store.okr_source(session, GROUPS) or {}
    return {str(k): [str(m) for m in v] for k, v in data.items()}


def refresh_groups(
    loaded: LoadedSettings, session: Session, source: JiraSource, *, now: datetime
) -> None:
    """Read the named groups' members from Jira and keep them."""
    members: dict[str, list[str]] = {}
    for group in named_groups(loaded.settings):
        try:
            members[group] = group_members(source, group)
        except NotFound:
            raise UserError(
                f"{loaded.path}: approvers: Jira has no group {group!r}; name an existing group"
            ) from None
    decision_store.save_okr_source(session, GROUPS, members, synced_at=now)


def portfolio_of(loaded: LoadedSettings, session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Epic key -> the first portfolio whose scope holds it."""
    ids = issue_ids(session, set(keys))
    found: dict[str, str] = {}
    for portfolio in loaded.settings.portfolios:
        scope = scope_ids(session, portfolio.id)
        for key, issue_id in ids.items():
            if issue_id in scope:
                found.setdefault(key, portfolio.id)
    return found


def _home(
    loaded: LoadedSettings, session: Session, catalogue: Catalogue, found: Sequence[Decision]
) -> dict[str, str | None]:
    """Subject -> the portfolio whose approvers decide it (None: a team objective's links)."""
    objectives = {o.id.upper() for o in catalogue.objectives if o.level is Level.TEAM}
    homes = portfolio_of(loaded, session, {d.subject for d in found})
    return {
        d.subject: None if d.subject.upper() in objectives else homes.get(d.subject) for d in found
    }


def who_may(
    loaded: LoadedSettings, session: Session, catalogue: Catalogue, decision: Decision
) -> str:
    """'priya@acme.example or a member of okr-leads': who may decide this connection."""
    home = _home(loaded, session, catalogue, [decision])[decision.subject]
    rules = rules_for(loaded.settings, home, stored_members(session))
    return rules.for_okr(decision.okr_id, catalogue).describe()


def judge(
    loaded: LoadedSettings, session: Session, catalogue: Catalogue, found: Sequence[Decision]
) -> list[Decision]:
    """The decisions marked counted or not (by whom they may be made), for the audit trail."""
    settings, members = loaded.settings, stored_members(session)
    homes = _home(loaded, session, catalogue, found)
    return [judged(d, rules_for(settings, homes[d.subject], members), catalogue) for d in found]


def connections(
    catalogue: Catalogue, claims: Sequence[tuple[Epic, Sequence[Claim]]]
) -> list[tuple[str, str]]:
    """Every (subject, OKR id) a team proposes: epics' claims and team objectives' links."""
    found = [(epic.key, c.okr_id) for epic, listed in claims for c in listed]
    found += [
        (o.id, okr_id)
        for o in catalogue.objectives
        if o.level is Level.TEAM
        for okr_id in o.supports
    ]
    return found
