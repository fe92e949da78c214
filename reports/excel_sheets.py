"""What goes into each sheet of the workbook, as plain rows: no openpyxl here.

Keeping the content apart from the writing means the writer can switch to openpyxl's write-only mode
for large portfolios without touching what a sheet says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from reports.context import ReportContext
from reports.storage import issue_url
from reports.text import CATEGORY_LABEL, kr_unit, kr_values
from rules.model import (
    AlignmentState,
    EpicAlignment,
    KeyResultProgress,
    ObjectiveProgress,
    PaceStatus,
)


class Kind(Enum):
    """How a column is formatted."""

    TEXT = "@"
    INT = "0"
    NUMBER = "General"
    POINTS = "0.0"
    PERCENT = "0%"
    DATE = "yyyy-mm-dd"
    DATETIME = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Value = str | int | float | date | datetime | Link | None

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"

STATUS_FILLS = {
    PaceStatus.ON_TRACK.value: GREEN,
    PaceStatus.AT_RISK.value: YELLOW,
    PaceStatus.OFF_TRACK.value: RED,
    PaceStatus.TOO_EARLY.value: GREY,
}
ALIGNMENT_FILLS = {
    AlignmentState.ALIGNED.value: GREEN,
    AlignmentState.UNALIGNED.value: RED,
    AlignmentState.EXEMPT.value: GREY,
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    fills: Mapping[str, str] = field(default_factory=dict)  # cell text -> fill colour


@dataclass(frozen=True)
class TableData:
    name: str  # the Excel table name: unique in the workbook, no spaces
    columns: tuple[Column, ...]
    rows: list[list[Value]]
    heading: str | None = None  # a bold line above the table


@dataclass(frozen=True)
class SheetData:
    title: str
    tables: tuple[TableData, ...]
    preamble: tuple[tuple[str, Value, Kind], ...] = ()  # label, value, format: above the tables


def build_sheets(ctx: ReportContext) -> list[SheetData]:
    return [summary(ctx), key_results(ctx), epics(ctx), unaligned(ctx)]


def _ordered_objectives(ctx: ReportContext) -> tuple[ObjectiveProgress, ...]:
    return ctx.evaluation.portfolio_objectives() + ctx.evaluation.team_objectives()


def summary(ctx: ReportContext) -> SheetData:
    ev = ctx.evaluation
    preamble = (
        ("Portfolio", ctx.portfolio_name, Kind.TEXT),
        ("Cycle", ev.cycle.id, Kind.TEXT),
        ("Cycle start", ev.cycle.start, Kind.DATE),
        ("Cycle end", ev.cycle.end, Kind.DATE),
        ("As of", ev.as_of, Kind.DATE),
        ("Cycle elapsed", ev.cycle.elapsed_share(ev.as_of), Kind.PERCENT),
    )
    objectives = TableData(
        "tblObjectives",
        (
            Column("Level"),
            Column("Team"),
            Column("Objective"),
            Column("Title"),
            Column("Owner"),
            Column("Score", Kind.PERCENT),
            Column("Expected", Kind.PERCENT),
            Column("Status", fills=STATUS_FILLS),
            Column("Supports"),
            Column("Supported by"),
        ),
        [
            [
                op.objective.level.value,
                ctx.team_name(op.objective.team) if op.objective.team else None,
                op.objective.id,
                op.objective.title,
                op.objective.owner,
                op.score,
                op.expected,
                op.status.value,
                ", ".join(op.objective.supports) or None,
                ", ".join(op.supported_by) or None,
            ]
            for op in _ordered_objectives(ctx)
        ],
        heading="Objectives",
    )
    alignment = TableData(
        "tblAlignment",
        (
            Column("Team"),
            Column("Aligned epics", Kind.INT),
            Column("Unaligned epics", Kind.INT),
            Column("Exempt epics", Kind.INT),
            Column("Aligned share", Kind.PERCENT),
            Column("Aligned points", Kind.POINTS),
            Column("Unaligned points", Kind.POINTS),
            Column("Exempt points", Kind.POINTS),
        ),
        [
            [
                "Portfolio total" if a.team is None else ctx.team_name(a.team),
                a.aligned,
                a.unaligned,
                a.exempt,
                a.aligned_share,
                a.aligned_points,
                a.unaligned_points,
                a.exempt_points,
            ]
            for a in ev.alignment
        ],
        heading="Alignment of active epics",
    )
    return SheetData("Summary", (objectives, alignment), preamble)


def key_results(ctx: ReportContext) -> SheetData:
    columns = (
        Column("Objective"),
        Column("Key result"),
        Column("Title"),
        Column("Unit"),
        Column("Start", Kind.NUMBER),
        Column("Current", Kind.NUMBER),
        Column("Target", Kind.NUMBER),
        Column("Score", Kind.PERCENT),
        Column("Expected", Kind.PERCENT),
        Column("Status", fills=STATUS_FILLS),
        Column("Epics", Kind.INT),
        Column("Epics done", Kind.INT),
        Column("Child issues done", Kind.INT),
        Column("Child issues total", Kind.INT),
        Column("Points done", Kind.POINTS),
        Column("Points total", Kind.POINTS),
    )
    rows = [_kr_row(op, krp) for op in _ordered_objectives(ctx) for krp in op.key_results]
    return SheetData("Key Results", (TableData("tblKeyResults", columns, rows),))


def _kr_row(op: ObjectiveProgress, krp: KeyResultProgress) -> list[Value]:
    kr, out = krp.key_result, krp.output
    start, current, target = kr_values(kr)
    return [
        op.objective.id,
        kr.id,
        kr.title,
        kr_unit(kr) or None,
        start,
        current,
        target,
        krp.score,
        krp.expected,
        krp.status.value,
        out.epics_total,
        out.epics_done,
        out.children_done,
        out.children_total,
        out.points_done,
        out.points_total,
    ]


def epics(ctx: ReportContext) -> SheetData:
    columns = (
        Column("Key"),
        Column("Summary"),
        Column("Team"),
        Column("Status"),
        Column("Status category"),
        Column("Assignee"),
        Column("Alignment", fills=ALIGNMENT_FILLS),
        Column("Claims"),
        Column("Valid OKRs"),
        Column("Child issues total", Kind.INT),
        Column("Child issues done", Kind.INT),
        Column("Points total", Kind.POINTS),
        Column("Points done", Kind.POINTS),
        Column("Updated (UTC)", Kind.DATETIME),
    )
    rows = [_epic_row(ctx, ea) for ea in ctx.evaluation.epics]
    return SheetData("Epics", (TableData("tblEpics", columns, rows),))


def _epic_row(ctx: ReportContext, ea: EpicAlignment) -> list[Value]:
    e = ea.epic
    return [
        Link(e.key, issue_url(ctx.jira_url, e.key)),
        e.summary,
        ctx.team_name(ea.team),
        e.status,
        CATEGORY_LABEL[e.status_category],
        e.assignee,
        ea.state.value,
        ", ".join(f"{c.okr_id} ({c.source.value})" for c in ea.claims) or None,
        ", ".join(ea.valid_okr_ids) or None,
        e.children.total,
        e.children.done,
        e.children.points_total,
        e.children.points_done,
        e.updated,
    ]


def unaligned(ctx: ReportContext) -> SheetData:
    columns = (
        Column("Key"),
        Column("Summary"),
        Column("Team"),
        Column("Status"),
        Column("Assignee"),
        Column("Reason"),
        Column("Hint"),
    )
    rows: list[list[Value]] = []
    for ea in ctx.evaluation.unaligned():
        e = ea.epic
        reasons, hints = ctx.why_unaligned(e.key)
        rows.append(
            [
                Link(e.key, issue_url(ctx.jira_url, e.key)),
                e.summary,
                ctx.team_name(ea.team),
                e.status,
                e.assignee,
                "; ".join(reasons),
                " ".join(hints),
            ]
        )
    return SheetData("Unaligned", (TableData("tblUnaligned", columns, rows),))
