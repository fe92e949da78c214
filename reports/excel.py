"""Write the workbook: each sheet's rows (from `excel_sheets`) become real Excel tables.

Text from Jira or the catalogue is data, never a formula: every string cell is forced to the string
type after assignment (openpyxl would otherwise turn "=HYPERLINK(...)" into a live formula) and gets
Excel's quote prefix when it looks like one, so editing the cell in Excel keeps it text too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from reports.context import ReportContext, Tagging
from reports.excel_sheets import (
    GREEN,
    GREY,
    RED,
    YELLOW,
    Kind,
    Link,
    SheetData,
    TableData,
    Value,
    build_sheets,
)
from reports.text import clean
from rules.model import Catalogue, Evaluation

FORMULA_START = ("=", "+", "-", "@")
MAX_WIDTH = 60
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
TABLE_STYLE = "TableStyleMedium2"

Note = Callable[[int, str], None]  # records a cell's display text for its column's width

# Excel's own "Good", "Neutral" and "Bad" cell styles: (fill, font colour).
_COLOURS = {
    GREEN: ("C6EFCE", "006100"),
    YELLOW: ("FFEB9C", "9C5700"),
    RED: ("FFC7CE", "9C0006"),
    GREY: ("EDEDED", "3F3F3F"),
}


def render_workbook(
    evaluation: Evaluation,
    catalogue: Catalogue,
    *,
    portfolio_name: str,
    jira_url: str,
    tagging: Tagging | None = None,
) -> bytes:
    ctx = ReportContext(evaluation, catalogue, portfolio_name, jira_url, tagging or Tagging())
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in build_sheets(ctx):
        _write_sheet(wb.create_sheet(sheet.title), sheet)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def set_value(cell: Cell, value: Value, kind: Kind) -> str:
    """Store a value safely and return its display text (for column widths)."""
    if isinstance(value, Link):
        cell.style = "Hyperlink"  # first: a named style replaces the whole style, quote prefix too
        cell.hyperlink = value.url
        return set_value(cell, value.text, Kind.TEXT)
    if isinstance(value, str):
        text = clean(value)[:MAX_CELL_TEXT]
        cell.value = text
        cell.data_type = "s"  # never a formula or an error code, whatever it looks like
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
        return text
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    cell.value = value
    if value is not None and kind is not Kind.TEXT:
        cell.number_format = kind.value
    return _display(value, kind)


def _display(value: Value, kind: Kind) -> str:
    if value is None:
        return ""
    if kind is Kind.PERCENT and isinstance(value, float | int):
        return f"{value:.0%}"
    if kind is Kind.POINTS and isinstance(value, float | int):
        return f"{value:,.1f}"
    if kind is Kind.DATETIME:
        return "yyyy-mm-dd hh:mm"
    if kind is Kind.DATE:
        return "yyyy-mm-dd"
    return str(value)


def _write_sheet(ws: Worksheet, sheet: SheetData) -> None:
    widths: dict[int, int] = {}

    def note(col: int, text: str) -> None:
        longest = max((len(line) for line in text.splitlines()), default=0)
        widths[col] = max(widths.get(col, 0), longest)

    row = 1
    for label, value, kind in sheet.preamble:
        set_value(ws.cell(row, 1), label, Kind.TEXT)
        ws.cell(row, 1).font = Font(bold=True)
        note(1, label)
        note(2, set_value(ws.cell(row, 2), value, kind))
        row += 1
    if sheet.preamble:
        row += 1

    for table in sheet.tables:
        if table.heading:
            set_value(ws.cell(row, 1), table.heading, Kind.TEXT)
            ws.cell(row, 1).font = Font(bold=True, size=12)
            row += 1
        row = _write_table(ws, table, row, note) + 2

    # A single table that starts at the top: keep its header in view while scrolling.
    if not sheet.preamble and len(sheet.tables) == 1 and not sheet.tables[0].heading:
        ws.freeze_panes = "A2"
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)


def _write_table(ws: Worksheet, table: TableData, top: int, note: Note) -> int:
    """Write header and rows from row `top`; return the last row the table covers."""
    for c, column in enumerate(table.columns, start=1):
        set_value(ws.cell(top, c), column.header, Kind.TEXT)
        note(c, column.header + "   ")  # room for the filter button
    for r, values in enumerate(table.rows, start=top + 1):
        for c, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            note(c, set_value(ws.cell(r, c), value, column.kind))
    # Excel wants at least one data row in a table; an empty one is fine.
    bottom = top + max(1, len(table.rows))
    last = get_column_letter(len(table.columns))
    excel_table = Table(displayName=table.name, ref=f"A{top}:{last}{bottom}")
    excel_table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(excel_table)

    for c, column in enumerate(table.columns, start=1):
        if not column.fills:
            continue
        letter = get_column_letter(c)
        cells = f"{letter}{top + 1}:{letter}{bottom}"
        for text, colour in column.fills.items():
            fill, font = _COLOURS[colour]
            rule = CellIsRule(
                operator="equal",
                formula=[f'"{text}"'],
                fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"),
                font=Font(color=font),
            )
            ws.conditional_formatting.add(cells, rule)
    return bottom
