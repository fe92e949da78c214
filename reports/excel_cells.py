"""Values made into what `Worksheet.append` takes: plain values, or styled cells made safe.

Text from Jira or the catalogue is data, never a formula: a string cell is always of type "s"
(openpyxl would otherwise make "=HYPERLINK(...)" a live formula and "#N/A" an error value), and
text that a spreadsheet could read as a formula gets Excel's quote prefix, so editing the cell
keeps it text too.

Each table column gets one converter, chosen by the column's kind, so the per-cell work is only
what that kind needs (a large workbook has over half a million cells). A write-only sheet writes
each row as it is appended, so a column's converter can carry every row's value in one styled cell
(openpyxl's own `append` reuses its plain cell the same way); setting a style on a fresh cell costs
more than writing it. Such a cell's style is set once and never changed: openpyxl registers the
style array itself, so changing it later would restyle the rows already written. A normal sheet
keeps its cells, so there every styled value gets a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from openpyxl.cell.cell import ERROR_CODES, Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet  # also stands for a write-only one

from reports.excel_sheets import Kind, Link, Value
from reports.text import clean

# What OWASP lists as the start of a spreadsheet formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell

# Formats beyond Excel's General (which shows 13, 2.5 and 97.25 as they are).
NUMBER_FORMATS = {
    Kind.PERCENT: "0%",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}
# Excel's built-in "Hyperlink" style (see excel_write, which adds it to the workbook). A named
# style is also much cheaper per cell than a font of its own.
LINK_STYLE = "Hyperlink"

Converter = Callable[[Value], object]


def cell_value(ws: Worksheet, value: Value, kind: Kind) -> object:
    """A plain value when openpyxl stores it as it is; else a new styled cell, made safe."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text(ws, value)
    if isinstance(value, Link):
        return _link(WriteOnlyCell(ws), value)
    value = _naive(value)
    number_format = NUMBER_FORMATS.get(kind)
    if number_format is None and not isinstance(value, date):
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = number_format or NUMBER_FORMATS[Kind.DATE]
    return cell


def column_converter(ws: Worksheet, kind: Kind) -> Converter:
    """`cell_value` for one column of `kind`, faster for the values that column usually holds."""
    if not ws.parent.write_only:
        return lambda value: cell_value(ws, value, kind)
    number_format = NUMBER_FORMATS.get(kind)
    formatted = (int, float, date, datetime) if number_format else ()
    plain = () if number_format else (int, float)  # stored as they are, in Excel's General
    link_cell: Cell | None = None
    number_cell: Cell | None = None

    def convert(value: Value) -> object:
        nonlocal link_cell, number_cell
        if value is None:
            return None
        if value.__class__ is str:  # the commonest case first: this runs for every cell
            return _text(ws, value)
        if value.__class__ in plain:
            return value
        if value.__class__ is Link:
            text = clean(value.text)[:MAX_CELL_TEXT]
            if text.startswith(FORMULA_START):
                return cell_value(ws, value, kind)  # quoted: a style of its own (see above)
            if link_cell is None:
                link_cell = WriteOnlyCell(ws)
                link_cell.style = LINK_STYLE
            link_cell.value = text
            link_cell.data_type = "s"
            link_cell.hyperlink = value.url
            return link_cell
        if value.__class__ in formatted:
            if number_cell is None:
                number_cell = WriteOnlyCell(ws)
                number_cell.number_format = number_format
            number_cell.value = _naive(value)
            return number_cell
        return cell_value(ws, value, kind)

    return convert


def set_text(cell: Cell, text: str) -> None:
    """Store text as text, whatever it looks like (already cleaned of XML-illegal characters)."""
    cell.value = text
    cell.data_type = "s"  # never a formula or an error code
    cell.quotePrefix = text.startswith(FORMULA_START)


def _text(ws: Worksheet, value: str) -> object:
    text = clean(value)[:MAX_CELL_TEXT]
    if not text.startswith(FORMULA_START) and text not in ERROR_CODES:
        return text  # openpyxl makes any other string a plain string cell
    cell = WriteOnlyCell(ws)
    set_text(cell, text)
    return cell


def _link(cell: Cell, link: Link) -> Cell:
    """`cell` showing the link's text and going to its URL."""
    cell.style = LINK_STYLE  # first: a named style replaces the whole style, quote prefix too
    set_text(cell, clean(link.text)[:MAX_CELL_TEXT])
    cell.hyperlink = link.url  # after the text: an empty cell would take the URL as its text
    return cell


def _naive(value: Value) -> Value:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    return value
