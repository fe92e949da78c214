"""What goes into the workbook, as plain rows: the types that every sheet builder returns.

No openpyxl here. Keeping the content apart from the writing means the writer can switch to
openpyxl's write-only mode for large portfolios without touching what a sheet says, and both modes
write the very same cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from reports.context import ReportContext
from reports.review import PreviousReview
from reports.text import severity_word
from rules.model import AlignmentState, ApprovalState, PaceStatus, Severity


class Kind(Enum):
    """What a column holds, which decides its number format (see excel_write.NUMBER_FORMATS)."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"  # a key result's own figures: as precise as the catalogue wrote them
    POINTS = "points"  # story points: 13 and 2.5, as Jira shows them
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Link:
    """Text shown in a cell that links to `url` (an issue in Jira)."""

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
# Only an objective can be without key results.
OBJECTIVE_STATUS_FILLS = {**STATUS_FILLS, PaceStatus.NO_KEY_RESULTS.value: GREY}
ALIGNMENT_FILLS = {
    AlignmentState.ALIGNED.value: GREEN,
    AlignmentState.UNALIGNED.value: RED,
    AlignmentState.EXEMPT.value: GREY,
}
APPROVAL_FILLS = {
    ApprovalState.APPROVED.value: GREEN,
    ApprovalState.PROPOSED.value: YELLOW,
    ApprovalState.REJECTED.value: RED,
}
SEVERITY_FILLS = {  # keyed by the words the Findings sheet shows
    severity_word(Severity.ERROR): RED,
    severity_word(Severity.WARNING): YELLOW,
    severity_word(Severity.INFO): GREY,
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    fills: Mapping[str, str] = field(default_factory=dict)  # cell text -> fill colour


@dataclass(frozen=True)
class TableData:
    name: str  # the Excel table name: unique in the workbook, letters, digits and _ only
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Value]]
    heading: str | None = None  # a bold line above the table


@dataclass(frozen=True)
class Chart:
    """A chart drawn from one table's columns, placed to the right of the tables."""

    title: str
    table: str  # the TableData name it reads
    categories: str  # header of the column along the x axis
    series: tuple[str, ...]  # headers of the value columns, one series each
    style: str = "bar"  # "bar" (side by side), "stacked" or "line"
    percent: bool = False  # values are shares in [0, 1]
    y_title: str | None = None
    skip_last_row: bool = False  # leave a total row out of the picture
    colours: tuple[str, ...] = ()  # RGB hex per series, e.g. green for aligned; else Excel's own


@dataclass(frozen=True)
class SheetData:
    title: str
    tables: tuple[TableData, ...]
    preamble: tuple[tuple[str, Value, Kind], ...] = ()  # label, value, format: above the tables
    heading: str | None = None  # the sheet's own title line, in row 1
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class HistoryRun:
    """The key-result scores one earlier run recorded (the service reads them from the store)."""

    as_of: date
    cycle_id: str
    scores: Mapping[str, float]  # key-result id -> score in [0, 1]
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class WorkbookInput:
    """Everything one workbook is made from."""

    ctx: ReportContext
    history: Sequence[HistoryRun] = ()
    previous_review: PreviousReview | None = None  # for the Review sheet's "since the last review"
