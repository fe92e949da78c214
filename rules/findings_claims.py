"""Findings about the connection between work and outcomes: claims and their approval."""

from __future__ import annotations

from collections.abc import Iterator

from rules.claims import Verdict
from rules.finding_base import FindingContext, Flag, claim_name, decided_by, epic_name, okr_name
from rules.model import AlignmentState, ApprovalState, Claim, Level
from rules.policy import Policy
from rules.results import EpicAlignment

_STALE = frozenset({Verdict.RETIRED, Verdict.ENDED, Verdict.NOT_BEGUN})


def unaligned_epic(context: FindingContext) -> Iterator[Flag]:
    policy = context.policy
    hint = f"Add a label {policy.label_for('<key result id>')} naming the key result it serves"
    exempt = policy.exempt_labels
    hint += f", or {exempt[0]} for keep-the-lights-on work." if exempt else "."
    for alignment in context.epics:
        if not alignment.epic.active or alignment.state is not AlignmentState.UNALIGNED:
            continue
        yield Flag(
            alignment.epic.key,
            f"{epic_name(alignment.epic)} serves no outcome: {_why_unaligned(alignment, context)}",
            hint,
            alignment.team,
        )


def _why_unaligned(alignment: EpicAlignment, context: FindingContext) -> str:
    claims = alignment.claims
    if not claims:
        return "it has " + _and(_missing_sources(context.policy))
    rejected = [c.okr_id for c in claims if c.state is ApprovalState.REJECTED]
    invalid = [c.okr_id for c in claims if c.okr_id not in rejected]
    if not rejected:
        if len(invalid) == 1:
            return f"its only claim ({invalid[0]}) is unknown or out of cycle"
        return f"its only claims ({', '.join(invalid)}) are unknown or out of cycle"
    if not invalid:
        if len(rejected) == 1:
            return f"its only claim ({rejected[0]}) was rejected"
        return f"its claims ({', '.join(rejected)}) were rejected"
    return (
        f"its claims are unknown or out of cycle ({', '.join(invalid)}) "
        f"or rejected ({', '.join(rejected)})"
    )


def _missing_sources(policy: Policy) -> list[str]:
    label = policy.label_prefix if not policy.label_suffix else policy.label_pattern
    parts = [f"no {label} label"]
    if policy.use_field:
        parts.append("no key result field value")
    if policy.link_type:
        parts.append(f"no {policy.link_type} link to an OKR")
    if policy.use_parent:
        parts.append("no objective or key result as its parent")
    return parts


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def unknown_okr(context: FindingContext) -> Iterator[Flag]:
    for alignment, claim in _claims_with(context, {Verdict.UNKNOWN}):
        epic = alignment.epic
        name = claim_name(epic, claim, context.policy)
        close = context.index.closest_valid(claim.okr_id, context.as_of)
        hint = f"Fix {name} on {epic.key}"
        hint += f": did you mean {close}?" if close else ", or remove it."
        yield Flag(
            epic.key,
            f"{epic_name(epic)} claims {claim.okr_id}, which is not in the OKR catalogue",
            hint,
            alignment.team,
        )


def out_of_cycle(context: FindingContext) -> Iterator[Flag]:
    for alignment, claim in _claims_with(context, _STALE):
        epic, okr_id = alignment.epic, claim.okr_id
        written = context.index.spelling[okr_id]
        verdict = context.index.verdict(okr_id, context.as_of)
        if verdict is Verdict.RETIRED:
            objective = context.index.objective_of[okr_id]
            why = f"whose objective {objective.id} is retired"
        else:
            cycle = context.index.cycle_of(okr_id)
            state = "has ended" if verdict is Verdict.ENDED else "has not begun"
            why = f"of cycle {cycle.id}, which {state}"
        name = claim_name(epic, claim, context.policy)
        yield Flag(
            epic.key,
            f"{epic_name(epic)} claims {written}, {why}",
            f"Point {name} at a key result of the current cycle, or remove it.",
            alignment.team,
        )


def awaiting_approval(context: FindingContext) -> Iterator[Flag]:
    for alignment, claims in _active_claims(context, ApprovalState.PROPOSED):
        epic = alignment.epic
        ids = ", ".join(context.index.spelling[c.okr_id] for c in claims)
        first = context.index.spelling[claims[0].okr_id]
        yield Flag(
            epic.key,
            f"{epic_name(epic)} claims {ids}; a leader has not yet approved the connection",
            f"A portfolio leader decides: outcomes approve {epic.key} --okr {first} --by NAME "
            f"(or outcomes reject ... --why TEXT){_jira_way(context.policy)}.",
            alignment.team,
        )
    for progress in context.current_objectives():
        objective = progress.objective
        waiting = [c.okr_id for c in progress.connections if c.state is ApprovalState.PROPOSED]
        if objective.level is Level.TEAM and waiting:
            yield Flag(
                objective.id,
                f"Team objective {okr_name(objective)} supports {', '.join(waiting)}; "
                "a leader has not yet approved the connection",
                f"A portfolio leader decides: outcomes approve {objective.id} --okr {waiting[0]} "
                "--by NAME, or an approval in the catalogue.",
                objective.team,
            )


def _jira_way(policy: Policy) -> str:
    return f", or the label {policy.approval_label} in Jira" if policy.approval_label else ""


def rejected_claim(context: FindingContext) -> Iterator[Flag]:
    for alignment, claims in _active_claims(context, ApprovalState.REJECTED):
        epic = alignment.epic
        for claim in claims:
            yield Flag(
                epic.key,
                f"{epic_name(epic)} goes on, but its claim on {claim.okr_id} was rejected by "
                f"{decided_by(claim.decision)}",
                f"Talk with the leader: stop the work, tie it to an outcome they agree with, or "
                f"remove {claim_name(epic, claim, context.policy)}.",
                alignment.team,
            )
    for progress in context.current_objectives():
        objective = progress.objective
        for link in progress.connections:
            if link.state is ApprovalState.REJECTED:
                yield Flag(
                    objective.id,
                    f"Team objective {okr_name(objective)} goes on, but its support of "
                    f"{link.okr_id} was rejected by {decided_by(link.decision)}",
                    "Retire the objective, or connect it to a portfolio objective or key result "
                    "leadership agrees with.",
                    objective.team,
                )


def _claims_with(
    context: FindingContext, verdicts: frozenset[Verdict] | set[Verdict]
) -> Iterator[tuple[EpicAlignment, Claim]]:
    """(epic, claim) for every claim of an active epic with one of these verdicts."""
    for alignment in context.epics:
        if not alignment.epic.active:
            continue  # done work needs no fixing
        for claim in alignment.claims:
            if context.index.verdict(claim.okr_id, context.as_of) in verdicts:
                yield alignment, claim


def _active_claims(
    context: FindingContext, state: ApprovalState
) -> Iterator[tuple[EpicAlignment, list[Claim]]]:
    """Active epics with claims on current OKRs in this approval state."""
    for alignment in context.epics:
        if not alignment.epic.active:
            continue
        found = [
            c
            for c in alignment.claims
            if c.state is state and context.index.verdict(c.okr_id, context.as_of) is Verdict.VALID
        ]
        if found:
            yield alignment, found


def decision_by_non_approver(context: FindingContext) -> Iterator[Flag]:
    """A decision by someone who is not a named approver: kept, not counted."""
    for decision in context.not_counted:
        who = decision.by or decision.by_id or "someone unnamed"
        target = decision.okr_id or "all its connections"
        where = _ORIGIN_WORDS.get(decision.origin.value, decision.origin.value)
        may = context.approvers.for_okr(decision.okr_id, context.catalogue).describe()
        verb = "approved" if decision.state is ApprovalState.APPROVED else decision.state.value
        if decision.state is ApprovalState.PROPOSED:
            verb = "withdrew the decision on"
        yield Flag(
            decision.subject,
            f"{who} {verb} {decision.subject} → {target} {where} on "
            f"{decision.at.date().isoformat()}, but is not an approver: not counted",
            f"Only {may} may decide this connection; ask one of them, or add {who} to "
            "approval.approvers in the settings.",
            _team_of(context, decision.subject),
        )


_ORIGIN_WORDS = {"page": "on the page", "jira": "in Jira", "cli": "with outcomes approve"}


def _team_of(context: FindingContext, subject: str) -> str | None:
    for alignment in context.epics:
        if alignment.epic.key.upper() == subject.upper():
            return alignment.team
    for progress in context.objectives:
        if progress.objective.id.upper() == subject.upper():
            return progress.objective.team
    return None
