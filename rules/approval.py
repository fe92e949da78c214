"""Leadership's approval of connections: teams propose, leaders approve or reject.

A connection is an epic's claim on an OKR, or a team objective's `supports` link. Decisions
come from the catalogue (an objective's `approval`, the top-level `approvals` list), from Jira (a
label or a field a leader sets, recorded by the sync when it changes) and from `outcomes
approve|reject`; the store keeps every one of them. For each connection the latest decision on
or before the evaluation date wins; a decision without an OKR id covers every connection of its
subject.

Where the settings do not require approval for a kind of connection, it counts as approved unless a
leader rejected it. A proposed claim still counts for alignment (the team says the epic serves the
outcome); a rejected one does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from rules.model import (
    Approval,
    ApprovalState,
    Catalogue,
    Claim,
    Connection,
    Decision,
    DecisionOrigin,
    Epic,
    Level,
    Objective,
)
from rules.policy import EPIC_CLAIMS, TEAM_OBJECTIVES, Policy

_YES = frozenset({"approved", "approve", "yes", "true", "accepted"})
_NO = frozenset({"rejected", "reject", "no", "false", "declined"})


def aware(moment: datetime) -> datetime:
    """A naive time is taken as UTC (SQLite hands back naive times), so all times compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


Proposed = Mapping[tuple[str, str], datetime]  # (SUBJECT, OKR ID) -> the first sync that saw it


@dataclass(frozen=True)
class DecisionBook:
    """Counted decisions by subject (upper-cased), oldest first; later entries win ties. The
    decisions by people who are not approvers are kept aside (`not_counted`), and `proposed`
    says when each connection first appeared."""

    by_subject: Mapping[str, tuple[Decision, ...]]
    not_counted: tuple[Decision, ...] = ()
    proposed: Proposed = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        decisions: Iterable[Decision],
        as_of: date | None = None,
        proposed: Proposed | None = None,
    ) -> DecisionBook:
        kept = [d for d in decisions if as_of is None or aware(d.at).date() <= as_of]
        ordered = sorted(kept, key=lambda d: aware(d.at))  # stable: input order breaks ties
        by_subject: dict[str, list[Decision]] = {}
        for decision in ordered:
            if decision.counted:
                by_subject.setdefault(decision.subject.upper(), []).append(decision)
        ignored = tuple(d for d in ordered if not d.counted)
        return cls({k: tuple(v) for k, v in by_subject.items()}, ignored, proposed or {})

    def proposed_at(self, subject: str, okr_id: str) -> datetime | None:
        return self.proposed.get((subject.upper(), okr_id.upper()))

    def still_open(self, decision: Decision) -> bool:
        """Whether no counted decision came after this one on its connection."""
        latest = self.latest(decision.subject, decision.okr_id)
        return latest is None or aware(latest.at) < aware(decision.at)

    def latest(self, subject: str, okr_id: str | None) -> Decision | None:
        """The latest decision on this connection (or on all of the subject's connections)."""
        found = None
        for decision in self.by_subject.get(subject.upper(), ()):
            if decision.okr_id is None or (
                okr_id is not None and decision.okr_id.upper() == okr_id.upper()
            ):
                found = decision
        return found

    def history(self, subject: str) -> tuple[Decision, ...]:
        return self.by_subject.get(subject.upper(), ())


def state_of(decision: Decision | None, required: bool) -> ApprovalState:
    if decision is not None and decision.state is not ApprovalState.PROPOSED:
        return decision.state
    return ApprovalState.PROPOSED if required else ApprovalState.APPROVED


def decide_claims(claims: Sequence[Claim], book: DecisionBook, policy: Policy) -> tuple[Claim, ...]:
    required = policy.needs_approval(EPIC_CLAIMS)
    decided = []
    for claim in claims:
        decision = book.latest(claim.epic_key, claim.okr_id)
        decided.append(
            replace(
                claim,
                state=state_of(decision, required),
                decision=decision,
                proposed_at=book.proposed_at(claim.epic_key, claim.okr_id),
            )
        )
    return tuple(decided)


def connections_of(
    objective: Objective, book: DecisionBook, policy: Policy
) -> tuple[Connection, ...]:
    if objective.level is not Level.TEAM:
        return ()
    required = policy.needs_approval(TEAM_OBJECTIVES)
    result = []
    for okr_id in objective.supports:
        decision = book.latest(objective.id, okr_id)
        state = state_of(decision, required)
        since = book.proposed_at(objective.id, okr_id)
        result.append(Connection(objective.id, okr_id, state, decision, since))
    return tuple(result)


def summary_approval(
    objective: Objective, connections: Sequence[Connection], book: DecisionBook, policy: Policy
) -> Approval | None:
    """One state for a team objective: proposed while any link waits; rejected if all are."""
    if objective.level is not Level.TEAM:
        return objective.approval
    if not connections:
        decision = book.latest(objective.id, None)
        state = state_of(decision, policy.needs_approval(TEAM_OBJECTIVES))
        return _approval(state, decision)
    states = {c.state for c in connections}
    if ApprovalState.PROPOSED in states:
        state = ApprovalState.PROPOSED
    elif ApprovalState.APPROVED in states:
        state = ApprovalState.APPROVED
    else:
        state = ApprovalState.REJECTED
    deciding = [c.decision for c in connections if c.decision is not None and c.state is state]
    latest = max(deciding, key=lambda d: aware(d.at), default=None)
    return _approval(state, latest)


def _approval(state: ApprovalState, decision: Decision | None) -> Approval:
    if decision is None:
        return Approval(state)
    return Approval(state, decision.by, aware(decision.at).date(), decision.why)


def catalogue_decisions(catalogue: Catalogue) -> tuple[Decision, ...]:
    """Decisions written in the catalogue: objectives' `approval` and the `approvals` list."""
    found = []
    cycles = {c.id: c for c in catalogue.cycles}
    for objective in catalogue.objectives:
        approval = objective.approval
        if objective.level is not Level.TEAM or approval is None:
            continue
        if approval.state is ApprovalState.PROPOSED:
            continue  # nobody has decided yet
        # An undated decision counts from the start of the objective's cycle.
        day = approval.at or cycles[objective.cycle_id].start
        found.append(
            Decision(
                objective.id,
                None,
                approval.state,
                day_start(day),
                approval.by,
                approval.note,
                DecisionOrigin.CATALOGUE,
            )
        )
    return (*found, *catalogue.decisions)


def jira_state(epic: Epic, policy: Policy) -> tuple[ApprovalState, str] | None:
    """What Jira says about an epic's claims (field first, then labels), and where it says so."""
    if epic.approval_value:
        value = epic.approval_value.strip().casefold()
        if value in _YES:
            return ApprovalState.APPROVED, f"approval field says {epic.approval_value!r}"
        if value in _NO:
            return ApprovalState.REJECTED, f"approval field says {epic.approval_value!r}"
    labels = {label.casefold() for label in epic.labels}
    if policy.rejection_label and policy.rejection_label.casefold() in labels:
        return ApprovalState.REJECTED, f"label {policy.rejection_label}"
    if policy.approval_label and policy.approval_label.casefold() in labels:
        return ApprovalState.APPROVED, f"label {policy.approval_label}"
    return None


def jira_decisions(
    claims_by_epic: Sequence[tuple[Epic, Sequence[Claim]]],
    last_from_jira: Mapping[tuple[str, str], ApprovalState],
    policy: Policy,
    at: datetime,
) -> list[Decision]:
    """New decisions to record after a sync: where Jira's signal differs from the last one seen.

    `last_from_jira` maps (EPIC KEY, OKR ID), upper-cased, to the state of the latest decision
    recorded from Jira. A label that disappears withdraws the decision (back to proposed). A
    decision is dated by the epic's last update (when the label was added, at the latest),
    or `at` (the sync) when that is unknown.
    """
    found = []
    for epic, claims in claims_by_epic:
        said = jira_state(epic, policy)
        # Jira does not say when a label was added; the epic's last change is the closest.
        when = aware(epic.updated) if epic.updated and aware(epic.updated) <= aware(at) else at
        for claim in claims:
            previous = last_from_jira.get((epic.key.upper(), claim.okr_id.upper()))
            if said is not None and previous is not said[0]:
                state, why = said
            elif said is None and previous in (ApprovalState.APPROVED, ApprovalState.REJECTED):
                state, why = ApprovalState.PROPOSED, "the approval signal was removed in Jira"
            else:
                continue
            found.append(
                Decision(epic.key, claim.okr_id, state, when, None, why, DecisionOrigin.JIRA)
            )
    return found
