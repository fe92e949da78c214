"""Named approvers: whose decisions on a connection count.

The settings name people (Atlassian account ids or emails; Data Center user names) and groups,
for every portfolio (`approval.approvers`), per portfolio (`portfolios[].approvers`) and per
portfolio objective (`approval.approvers_by_objective`); the service resolves the groups to
their members (read from Jira by the sync) and hands the result here as data. With nobody
named, every decision counts, as before approvers existed.

A decision by anyone else is kept in the audit trail with `counted=False`: `rules.approval`
ignores it and `DECISION_BY_NON_APPROVER` names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from rules.model import Catalogue, Decision, DecisionOrigin


def _fold(names: Iterable[str | None]) -> frozenset[str]:
    return frozenset(n.strip().casefold() for n in names if n and n.strip())


@dataclass(frozen=True)
class Approvers:
    """People and groups whose decisions count, with the groups' members as last read."""

    people: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    members: frozenset[str] = frozenset()  # the groups' members: ids, user names, emails

    @property
    def named(self) -> bool:
        return bool(self.people or self.groups)

    def includes(self, *identities: str | None) -> bool:
        """Whether one of these names one of the approvers (case-insensitive)."""
        allowed = _fold(self.people) | _fold(self.members)
        return bool(_fold(identities) & allowed)

    def describe(self) -> str:
        """'priya@acme.example, raj or a member of okr-leads'."""
        parts = list(self.people)
        if self.groups:
            groups = ", ".join(self.groups)
            parts.append(
                f"a member of {groups}" if len(self.groups) == 1 else f"members of {groups}"
            )
        if not parts:
            return "anyone"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


ANYONE = Approvers()


@dataclass(frozen=True)
class ApproverRules:
    """Who may decide where: a default, and per portfolio objective (upper-cased id)."""

    default: Approvers = ANYONE
    by_objective: Mapping[str, Approvers] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return self.default.named or any(a.named for a in self.by_objective.values())

    def for_okr(self, okr_id: str | None, catalogue: Catalogue) -> Approvers:
        """The approvers of a connection to this OKR: its objective's, else the default."""
        if okr_id is None or not self.by_objective:
            return self.default
        wanted = okr_id.upper()
        for objective in catalogue.objectives:
            ids = {objective.id.upper(), *(kr.id.upper() for kr in objective.key_results)}
            if wanted in ids:
                return self.by_objective.get(objective.id.upper(), self.default)
        return self.default


EVERYONE = ApproverRules()  # nobody named: every decision counts


def counts(decision: Decision, approvers: Approvers) -> bool:
    """Whether this decision counts: anyone's when nobody is named; else only an approver's.
    The catalogue's decisions are the portfolio office's own record and always count."""
    if not approvers.named or decision.origin is DecisionOrigin.CATALOGUE:
        return True
    return approvers.includes(decision.by_id)


def judged(decision: Decision, rules: ApproverRules, catalogue: Catalogue) -> Decision:
    """The decision marked counted or not, as it goes into the audit trail."""
    approvers = rules.for_okr(decision.okr_id, catalogue)
    return replace(decision, counted=counts(decision, approvers))


def group_members(listed: Mapping[str, Iterable[str]], groups: Iterable[str]) -> frozenset[str]:
    """The members of these groups, from what the sync read (group name -> identities)."""
    by_name = {name.casefold(): members for name, members in listed.items()}
    return _fold(m for g in groups for m in by_name.get(g.casefold(), ()))
