"""The Epics and Unaligned sheets: the work behind the outcomes, each epic linked to Jira."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date, datetime

from reports.excel_sheets import (
    ALIGNMENT_FILLS,
    APPROVAL_FILLS,
    Column,
    Kind,
    Link,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from reports.storage import issue_url
from reports.text import CATEGORY_LABEL, sentences
from rules.model import AlignmentState, ApprovalState, Claim, Epic
from rules.results import EpicAlignment

# The state that needs a leader's eye most decides an epic's overall claim approval.
_APPROVAL_RANK = (ApprovalState.REJECTED, ApprovalState.PROPOSED, ApprovalState.APPROVED)


def epic_link(source: WorkbookInput, key: str) -> Link:
    return Link(key, issue_url(source.ctx.jira_url, key))


UNKNOWN_OKR = "unknown OKR"  # no leader can approve a claim on an id the catalogue lacks


def claims_text(claims: Sequence[Claim], known: Container[str]) -> str | None:
    """E.g. "P1.KR1 (label, approved); P9.KR1 (label+field, unknown OKR)"; `known`: the
    catalogue's upper-cased ids."""
    return "; ".join(f"{c.okr_id} ({sources(c)}, {_state(c, known)})" for c in claims) or None


def _state(claim: Claim, known: Container[str]) -> str:
    return claim.state.value if claim.okr_id.upper() in known else UNKNOWN_OKR


def sources(claim: Claim) -> str:
    return "+".join(s.value for s in claim.sources)


def claim_approval(claims: Sequence[Claim], known: Container[str]) -> str | None:
    """The approval that needs a leader's eye most, of the claims on OKRs the catalogue has."""
    states = {c.state for c in claims if c.okr_id.upper() in known}
    return next((s.value for s in _APPROVAL_RANK if s in states), None)


def alignment_text(ea: EpicAlignment) -> str:
    """A finished epic without a valid claim is done work, not work that is "unaligned"."""
    if not ea.epic.active and ea.state is AlignmentState.UNALIGNED:
        return "done"
    return ea.state.value


def epics_sheet(source: WorkbookInput) -> SheetData:
    columns: tuple[Column, ...] = (
        Column("Key"),
        Column("Summary"),
        Column("Team"),
        Column("Status"),
        Column("Status category"),
        Column("Assignee"),
        Column("Alignment", fills=ALIGNMENT_FILLS),
        Column("Claims"),
        Column("Claim approval", fills=APPROVAL_FILLS),
        Column("Valid OKRs"),
        Column("Child issues", Kind.INT),
        Column("Child issues done", Kind.INT),
        Column("Child completion", Kind.PERCENT),
        Column("Points total", Kind.POINTS),
        Column("Points done", Kind.POINTS),
        Column(f"Updated ({source.ctx.zone_name})", Kind.DATETIME),
    )
    epics = source.ctx.evaluation.epics
    extra = extra_fields([ea.epic for ea in epics])
    columns += tuple(Column(_title(key), kind) for key, kind in extra.items())
    rows = [[*_epic_row(source, ea), *(_cell(ea.epic.extra.get(k)) for k in extra)] for ea in epics]
    return SheetData("Epics", (TableData("tblEpics", columns, rows),))


def extra_fields(epics: Sequence[Epic]) -> dict[str, Kind]:
    """The extra epic fields (settings: jira.epic_fields) that some epic has, each with the
    column kind its values take: one column each, in key order."""
    kinds: dict[str, Kind] = {}
    for epic in epics:
        for key, value in epic.extra.items():
            kinds.setdefault(key, _kind(value))
    return dict(sorted(kinds.items()))


def _kind(value: object) -> Kind:
    if isinstance(value, datetime):
        return Kind.DATETIME
    if isinstance(value, date):
        return Kind.DATE
    return Kind.NUMBER if isinstance(value, int | float) else Kind.TEXT


def _title(key: str) -> str:
    return key.replace("_", " ").capitalize()  # target_start: "Target start"


def _cell(value: object) -> Value:
    return value if isinstance(value, str | int | float | date) or value is None else str(value)


def _epic_row(source: WorkbookInput, ea: EpicAlignment) -> list[Value]:
    e = ea.epic
    children = e.children
    return [
        epic_link(source, e.key),
        e.summary,
        source.ctx.team_name(ea.team),
        e.status,
        CATEGORY_LABEL[e.status_category],
        e.assignee,
        alignment_text(ea),
        claims_text(ea.claims, source.ctx.known_okr_ids),
        claim_approval(ea.claims, source.ctx.known_okr_ids),
        ", ".join(ea.valid_okr_ids) or None,
        children.total,
        children.done,
        children.done / children.total if children.total else None,
        children.points_total,
        children.points_done,
        source.ctx.wall_time(e.updated),
    ]


def unaligned_sheet(source: WorkbookInput) -> SheetData:
    ctx = source.ctx
    columns = (
        Column("Key"),
        Column("Summary"),
        Column("Team"),
        Column("Status"),
        Column("Assignee"),
        Column("Points total", Kind.POINTS),
        Column(f"Updated ({source.ctx.zone_name})", Kind.DATETIME),
        Column("Reason"),
        Column("Hint"),
    )
    unaligned = ctx.evaluation.unaligned()
    # Team by team (catalogue order), each in the evaluation's key order: sorted() is stable.
    order = {team: i for i, team in enumerate(ctx.team_order(ea.team for ea in unaligned))}
    rows: list[list[Value]] = []
    for ea in sorted(unaligned, key=lambda ea: order[ea.team]):
        e = ea.epic
        reasons, hints = ctx.why_unaligned(e.key)
        rows.append(
            [
                epic_link(source, e.key),
                e.summary,
                ctx.team_name(ea.team),
                e.status,
                e.assignee,
                e.children.points_total,
                ctx.wall_time(e.updated),
                sentences(reasons),
                sentences(hints),
            ]
        )
    return SheetData("Unaligned", (TableData("tblUnaligned", columns, rows),))
