"""The Findings and Approvals sheets: what leaders should look at, and what waits for a decision.

Epic keys here are plain text: the Epics sheet links every epic to Jira once. A link costs openpyxl
about four times a plain cell, and these two sheets hold a row per finding and per claim (30,000
links for 20,000 epics, a sixth of the workbook's render time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from reports.approval_loop import team_of, who
from reports.excel_sheets import (
    APPROVAL_FILLS,
    SEVERITY_FILLS,
    Column,
    Kind,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from reports.text import CATEGORY_LABEL, severity_word
from reports.workbook_okrs import approval_state
from reports.workbook_work import sources
from rules.model import ApprovalState, Claim, Decision
from rules.results import ObjectiveProgress

TEAM_OBJECTIVE, EPIC_CLAIM = "team objective", "epic claim"


def findings_sheet(source: WorkbookInput) -> SheetData:
    ctx = source.ctx
    columns = (
        Column("Severity", fills=SEVERITY_FILLS),
        Column("Code"),
        Column("Subject"),
        Column("Team"),
        Column("Message"),
        Column("Hint"),
    )
    # The evaluation already sorts findings: errors first, then by code and subject.
    rows = [
        [
            severity_word(f.severity),  # a leader's words; the code stays for operators
            f.code,
            f.subject,
            ctx.team_name(f.team) if f.team is not None else None,
            f.message,
            f.hint or None,
        ]
        for f in ctx.evaluation.findings
    ]
    return SheetData("Findings", (TableData("tblFindings", columns, rows),))


def approvals_sheet(source: WorkbookInput) -> SheetData:
    """Team objectives' links to what they support, then epics' claims: those waiting for a
    decision and those decided (the Epics sheet shows every claim)."""
    ctx = source.ctx
    columns = (
        Column("Kind"),
        Column("Item"),
        Column("Title"),
        Column("Team"),
        Column("Serves"),
        Column("Claimed via"),
        Column("Proposed on", Kind.DATE),
        Column("State", fills=APPROVAL_FILLS),
        Column("Decided by"),
        Column("Decided on", Kind.DATE),
        Column("Decided via"),
        Column("Note"),
        Column("Counted"),
        Column("Work status"),
    )
    rows: list[list[Value]] = []
    for op in ctx.evaluation.team_objectives():
        rows += _objective_rows(source, op)
    # An undecided claim is listed while a leader can decide it, as on the "Awaiting approval"
    # page: a finished epic's claim, or one on an unknown or ended OKR, waits for nobody.
    waiting = {
        (c.epic_key, c.okr_id) for c in ctx.evaluation.awaiting_approval() if isinstance(c, Claim)
    }
    for ea in ctx.evaluation.epics:
        e = ea.epic
        for claim in ea.claims:
            if claim.state is ApprovalState.PROPOSED and (e.key, claim.okr_id) not in waiting:
                continue
            rows.append(
                [
                    EPIC_CLAIM,
                    e.key,
                    e.summary,
                    ctx.team_name(ea.team),
                    claim.okr_id,
                    sources(claim),
                    _day(claim.proposed_at),
                    claim.state.value,
                    *_decision(claim.decision),
                    CATEGORY_LABEL[e.status_category],
                ]
            )
    rows += [_ignored_row(source, d) for d in ctx.evaluation.not_counted]
    return SheetData("Approvals", (TableData("tblApprovals", columns, rows),))


def _ignored_row(source: WorkbookInput, d: Decision) -> list[Value]:
    """A decision by someone who is not an approver: kept, shown, not counted."""
    ctx = source.ctx
    ea = ctx.epics.get(d.subject)
    op = ctx.objectives.get(d.subject)
    kind, title = (EPIC_CLAIM, ea.epic.summary) if ea else (TEAM_OBJECTIVE, None)
    if op is not None:
        title = op.objective.title
    team = ctx.team_name(team_of(ctx, d.subject))
    decided = [who(d), _day(d.at), d.origin.value, d.why, "no: not an approver"]
    return [
        kind,
        d.subject,
        title,
        team,
        d.okr_id or "*",
        None,
        None,
        d.state.value,
        *decided,
        None,
    ]


def _day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def _objective_rows(source: WorkbookInput, op: ObjectiveProgress) -> list[list[Value]]:
    """One row per `supports` link; an objective that supports nothing shows its own approval."""
    o = op.objective
    item = [TEAM_OBJECTIVE, o.id, o.title, source.ctx.team_name(o.team)]
    if not op.connections:
        a = o.approval
        decided: list[Value] = [a.by, a.at, None, a.note, None] if a else [None] * 5
        return [[*item, None, "catalogue", None, approval_state(op), *decided, None]]
    return [
        [
            *item,
            link.okr_id,
            "catalogue",
            _day(link.proposed_at),
            link.state.value,
            *_decision(link.decision),
            None,
        ]
        for link in op.connections
    ]


def _decision(decision: Decision | None) -> list[Value]:
    """Decided by, on, via, note, counted."""
    if decision is None:
        return [None] * 5
    return [who(decision), _day(decision.at), decision.origin.value, decision.why, "yes"]
