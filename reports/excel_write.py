"""Write one sheet's plain rows (from the sheet builders) as real Excel tables.

Both workbook modes go through the same code: every row is built here as a list of plain values and
styled cells and handed to `Worksheet.append`, so a normal and a write-only workbook hold the same
cells. Everything a write-only sheet needs before its first row (column widths, frozen panes) is
computed from the content first.

Cells are made safe in `excel_cells`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Color, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet  # also stands for a write-only one

from reports.excel_cells import LINK_STYLE, cell_value, column_converter, set_text
from reports.excel_charts import TablePlace, add_charts
from reports.excel_sheets import GREEN, GREY, RED, YELLOW, Kind, Link, SheetData, Value
from reports.text import clean

MAX_WIDTH = 60
FILTER_BUTTON = 3  # characters a header needs beside its text for the filter button
TABLE_STYLE = "TableStyleMedium2"
GAP = 2  # empty rows between the blocks of a sheet

# Excel's own "Good", "Neutral" and "Bad" cell styles: (fill, font colour).
_COLOURS = {
    GREEN: ("C6EFCE", "006100"),
    YELLOW: ("FFEB9C", "9C5700"),
    RED: ("FFC7CE", "9C0006"),
    GREY: ("EDEDED", "3F3F3F"),
}
# Excel's built-in "Hyperlink" style, as Excel defines it (openpyxl's copy lacks the underline).
_LINK_FONT = Font(
    name="Calibri", size=11, family=2, scheme="minor", color=Color(theme=10), u="single"
)
_BOLD = Font(bold=True)
_HEADING = Font(bold=True, size=14)
_TABLE_HEADING = Font(bold=True, size=12)
_WRITE_ONLY_TABLE = "In write-only mode you must add table columns manually"

Row = list[object]  # what Worksheet.append takes: plain values and styled cells


def write_sheet(wb: Workbook, title: str, sheet: SheetData) -> None:
    """Add the sheet to the workbook (normal or write-only) and write it top to bottom."""
    if LINK_STYLE not in wb.named_styles:  # a style object binds to one workbook: a new one
        wb.add_named_style(NamedStyle(name=LINK_STYLE, builtinId=8, font=_LINK_FONT))
    ws = wb.create_sheet(title)
    places = _plan(sheet)
    widths = _widths(sheet)
    # Settings a write-only sheet writes before its first row.
    ws.freeze_panes = "A2"  # the header row (or the sheet's title line) stays in view ...
    if not sheet.heading and not sheet.preamble and len(sheet.tables) == 1:
        ws.print_title_rows = "1:1"  # ... and a table's header is on every printed page
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, width + 2)
    # Printed for a review: landscape, as wide as one page, as long as it takes.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    for row in _rows(ws, sheet):
        ws.append(row)
        if not wb.write_only:  # (write-only mode does this itself)
            for item in row:
                # A styled cell gets its place on append; its link must name that place too.
                if isinstance(item, Cell) and item.hyperlink is not None:
                    item.hyperlink.ref = item.coordinate

    for place in places:
        _add_table(ws, place)
    # Charts right of the widest table (one column free), from the first line below the title.
    first_row = 3 if sheet.heading else 1
    add_charts(ws, sheet.charts, places, column=max(widths, default=1) + 2, row=first_row)


def _plan(sheet: SheetData) -> list[TablePlace]:
    """Where each table goes; `_rows` writes them there, row by row."""
    row = 1 + (2 if sheet.heading else 0) + (len(sheet.preamble) + 1 if sheet.preamble else 0)
    places = []
    for n, table in enumerate(sheet.tables):
        row += (GAP if n else 0) + (1 if table.heading else 0)
        last = row + max(1, len(table.rows))  # Excel wants a data row, an empty one will do
        places.append(
            TablePlace(table, unique_headers([c.header for c in table.columns]), row, last)
        )
        row = last + 1
    return places


def _rows(ws: Worksheet, sheet: SheetData) -> Iterator[Row]:
    if sheet.heading:
        yield [_styled(ws, sheet.heading, _HEADING)]
        yield []
    for label, value, kind in sheet.preamble:
        yield [_styled(ws, label, _BOLD), cell_value(ws, value, kind)]
    if sheet.preamble:
        yield []
    for n, table in enumerate(sheet.tables):
        for _ in range(GAP if n else 0):
            yield []
        if table.heading:
            yield [_styled(ws, table.heading, _TABLE_HEADING)]
        headers = unique_headers([c.header for c in table.columns])
        yield [cell_value(ws, h, Kind.TEXT) for h in headers]
        converters = [column_converter(ws, c.kind) for c in table.columns]
        for values in table.rows:
            yield [convert(v) for convert, v in zip(converters, values, strict=True)]
        if not table.rows:
            yield []


def _widths(sheet: SheetData) -> dict[int, int]:
    """The longest text per column (openpyxl has no auto-fit); headings may overflow."""
    widths: dict[int, int] = {}

    def note(col: int, length: int) -> None:
        widths[col] = max(widths.get(col, 0), length)

    for label, value, kind in sheet.preamble:
        note(1, len(label))
        note(2, _width(value, kind))
    for table in sheet.tables:
        for c, column in enumerate(table.columns):
            note(c + 1, len(column.header) + FILTER_BUTTON)
            distinct = {row[c] for row in table.rows} - {None}  # teams, states: few values
            note(c + 1, max((_width(v, column.kind) for v in distinct), default=0))
    return widths


def _add_table(ws: Worksheet, place: TablePlace) -> None:
    last = get_column_letter(len(place.headers))
    ref = f"A{place.header_row}:{last}{place.last_row}"
    excel_table = Table(
        displayName=place.table.name,
        ref=ref,
        autoFilter=AutoFilter(ref=ref),
        tableColumns=[TableColumn(id=i, name=h) for i, h in enumerate(place.headers, start=1)],
        tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True),
    )
    with warnings.catch_warnings():
        # We do name the columns ourselves (above); openpyxl warns in write-only mode regardless.
        warnings.filterwarnings("ignore", message=_WRITE_ONLY_TABLE, category=UserWarning)
        ws.add_table(excel_table)

    for c, column in enumerate(place.table.columns, start=1):
        letter = get_column_letter(c)
        cells = f"{letter}{place.header_row + 1}:{letter}{place.last_row}"
        for text, colour in column.fills.items():
            fill, font = _COLOURS[colour]
            rule = CellIsRule(
                operator="equal",
                formula=['"' + text.replace('"', '""') + '"'],
                fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"),
                font=Font(color=font),
            )
            ws.conditional_formatting.add(cells, rule)


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Table column names: one line, not empty, unique regardless of case (Excel insists)."""
    seen: set[str] = set()
    unique = []
    for header in headers:
        base = " ".join(clean(header).split()) or "Column"
        name, n = base, 2
        while name.casefold() in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name.casefold())
        unique.append(name)
    return unique


def _styled(ws: Worksheet, text: str, font: Font) -> Cell:
    cell = WriteOnlyCell(ws)
    set_text(cell, clean(text))
    cell.font = font
    return cell


def _width(value: Value, kind: Kind) -> int:
    """Roughly how many characters Excel shows, for column widths."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value) if "\n" not in value else max(map(len, value.splitlines()))
    if isinstance(value, Link):
        return len(value.text)
    if kind is Kind.PERCENT and isinstance(value, float | int):
        return len(f"{value:.0%}")
    if isinstance(value, datetime) or kind is Kind.DATETIME:
        return len("yyyy-mm-dd hh:mm")
    if isinstance(value, date):
        return len("yyyy-mm-dd")
    return min(11, len(str(value)))  # the General format shows at most 11 characters
