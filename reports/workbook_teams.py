"""The Teams sheet: each team's active epics by alignment, with the points behind them."""

from __future__ import annotations

from reports.excel_sheets import Column, Kind, SheetData, TableData, WorkbookInput


def teams_sheet(source: WorkbookInput) -> SheetData:
    ctx = source.ctx
    columns = (
        Column("Team"),
        Column("Active epics", Kind.INT),
        Column("Aligned", Kind.INT),
        Column("Unaligned", Kind.INT),
        Column("Exempt", Kind.INT),
        Column("Aligned share", Kind.PERCENT),
        Column("Points aligned", Kind.POINTS),
    )
    rows = [
        [
            ctx.team_name(s.team),
            s.total,
            s.aligned,
            s.unaligned,
            s.exempt,
            s.aligned_share,
            s.aligned_points,
        ]
        for s in ctx.evaluation.alignment
        if s.team is not None  # the portfolio's total is on the Summary sheet
    ]
    return SheetData("Teams", (TableData("tblTeams", columns, rows),))
