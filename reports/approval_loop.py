"""The loop of one connection, as the page and the workbook show it: proposed by (the team, and
when a sync first saw the connection), decided by, when, how (page, Jira, CLI, catalogue), why;
and the decisions that did not count because their author is not a named approver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reports.context import ReportContext
from rules.model import ApprovalState, Decision, DecisionOrigin

HOW = {
    DecisionOrigin.PAGE: "ticked on the page",
    DecisionOrigin.JIRA: "in Jira",
    DecisionOrigin.CLI: "outcomes approve/reject",
    DecisionOrigin.CATALOGUE: "in the catalogue",
}
NO_REASON = "no reason given on the page"


@dataclass(frozen=True)
class Loop:
    """One connection, from proposal to decision."""

    kind: str  # "Epic claim" | "Team objective"
    subject: str
    okr_id: str
    team: str | None  # who proposed it
    proposed_at: datetime | None
    state: ApprovalState
    decision: Decision | None


def who(decision: Decision) -> str:
    """The decider's name, with the id the approvers list would name where it differs."""
    name = decision.by or ("someone in Jira" if decision.origin is DecisionOrigin.JIRA else "")
    if decision.by_id and decision.by_id != name:
        return f"{name} ({decision.by_id})" if name else decision.by_id
    return name or "not recorded"


def how(decision: Decision) -> str:
    words = HOW.get(decision.origin, decision.origin.value)
    return f"{words} ({decision.origin_detail})" if decision.origin_detail else words


def why(decision: Decision) -> str:
    return decision.why or ""


def decided(ctx: ReportContext) -> list[Loop]:
    """Every decided connection of the evaluation: team objectives' links, then epics' claims."""
    loops = [
        Loop(
            "Team objective",
            op.objective.id,
            link.okr_id,
            op.objective.team,
            link.proposed_at,
            link.state,
            link.decision,
        )
        for op in ctx.evaluation.team_objectives()
        for link in op.connections
        if link.decision is not None and link.state is not ApprovalState.PROPOSED
    ]
    loops += [
        Loop("Epic claim", ea.epic.key, c.okr_id, ea.team, c.proposed_at, c.state, c.decision)
        for ea in ctx.evaluation.epics
        for c in ea.claims
        if c.decision is not None and c.state is not ApprovalState.PROPOSED
    ]
    return loops


def team_of(ctx: ReportContext, subject: str) -> str | None:
    if subject in ctx.epics:
        return ctx.epics[subject].team
    op = ctx.objectives.get(subject)
    return op.objective.team if op is not None else None
