"""The portfolio review workbook: every sheet as an Excel table, saved as the same bytes each time.

`render_workbook` reads no clock (the creation time is a parameter) and no input files; the same
input gives the same bytes. Past `WRITE_ONLY_ABOVE` epics it uses openpyxl's write-only mode, which
streams rows to temporary files instead of keeping every cell in memory; both modes write the same
cells (see `excel_write`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, tzinfo
from io import BytesIO
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.writer.excel import ExcelWriter

from reports.context import ReportContext, Tagging
from reports.excel_sheets import HistoryRun, SheetData, WorkbookInput
from reports.excel_write import write_sheet
from reports.review import PreviousReview
from reports.text import clean
from reports.workbook_history import history_sheet
from reports.workbook_okrs import key_results_sheet, objectives_sheet
from reports.workbook_review import approvals_sheet, findings_sheet
from reports.workbook_review_sheet import review_sheet
from reports.workbook_summary import summary_sheet
from reports.workbook_work import epics_sheet, unaligned_sheet
from rules.model import Catalogue
from rules.okr_changes import OkrChange
from rules.results import Evaluation

WRITE_ONLY_ABOVE = 1000  # epics; beyond this the workbook streams its rows (twice as fast at 5,000)

# Every sheet, in the order a review reads them.
SHEETS: tuple[Callable[[WorkbookInput], SheetData], ...] = (
    summary_sheet,
    objectives_sheet,
    key_results_sheet,
    epics_sheet,
    unaligned_sheet,
    findings_sheet,
    approvals_sheet,
    history_sheet,
    review_sheet,
)

# zlib's level: 3 compresses 20,000 epics' 53 MB of XML in a third of the default's time (6),
# for a file 13% larger.
COMPRESS_LEVEL = 3
MAX_SHEET_TITLE = 31
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_TITLES = {"history"}  # Excel keeps "History" for its change tracking
# Creation and modification times; its title and description repeat what the sheets and the
# custom properties (docProps/custom.xml) hold.
_TIMES_PART = "docProps/core.xml"


def render_workbook(
    evaluation: Evaluation,
    catalogue: Catalogue,
    *,
    portfolio_name: str,
    jira_url: str,
    tagging: Tagging | None = None,
    history: Sequence[HistoryRun] = (),
    created: datetime | None = None,
    write_only: bool | None = None,
    zone: tzinfo = UTC,
    okr_changes: tuple[OkrChange, ...] = (),
    previous_review: PreviousReview | None = None,
) -> bytes:
    """The workbook as .xlsx bytes.

    `created` stamps the file (default: the start of the evaluation day, UTC); `write_only` forces
    a mode (default: write-only past WRITE_ONLY_ABOVE epics); `zone` is the one times are shown in.
    """
    ctx = ReportContext(
        evaluation,
        catalogue,
        portfolio_name,
        jira_url,
        tagging or Tagging(),
        zone=zone,
        okr_changes=okr_changes,
    )
    source = WorkbookInput(ctx, tuple(history), previous_review)
    if write_only is None:
        write_only = len(evaluation.epics) > WRITE_ONLY_ABOVE
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    taken: set[str] = set()
    for build in SHEETS:
        sheet = build(source)
        write_sheet(wb, sheet_title(sheet.title, taken), sheet)
    stamp = created or datetime.combine(evaluation.as_of, time(), tzinfo=UTC)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)  # the file format's times are UTC
    _set_properties(wb, source, stamp)
    return _save(wb, stamp)


def content_digest(data: bytes) -> str:
    """SHA-256 of a workbook's content without its times: two exports of the same evaluation
    made minutes apart differ only in the document properties' times and the zip entries' dates."""
    digest = hashlib.sha256()
    with ZipFile(BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename == _TIMES_PART:
                continue
            digest.update(info.filename.encode() + b"\0")
            digest.update(archive.read(info) + b"\0")
    return digest.hexdigest()


def sheet_title(name: str, taken: set[str]) -> str:
    """A name Excel accepts, unique in the workbook regardless of case; adds it to `taken`."""
    base = _TITLE_FORBIDDEN.sub("_", " ".join(clean(name).split())).strip("'")
    base = base[:MAX_SHEET_TITLE] or "Sheet"
    if base.casefold() in _RESERVED_TITLES:
        base = f"{base} _"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[: MAX_SHEET_TITLE - len(suffix)].rstrip("'") + suffix, n + 1
    taken.add(title.casefold())
    return title


def _set_properties(wb: Workbook, source: WorkbookInput, stamp: datetime) -> None:
    ctx = source.ctx
    ev = ctx.evaluation
    props = wb.properties
    props.title = clean(f"{ctx.portfolio_name} — outcomes review {ev.cycle.id}")
    props.subject = f"Portfolio review as of {ev.as_of.isoformat()}"
    props.creator = "Outcomes"
    props.lastModifiedBy = "Outcomes"
    props.created = stamp
    props.modified = stamp
    props.keywords = "OKR; portfolio review; outcomes"
    props.description = clean(
        f"Jira epics from {ctx.jira_url} mapped to the OKR catalogue of cycle {ev.cycle.id}, "
        f"evaluated as of {ev.as_of.isoformat()}."
    )
    for name, value in (
        ("Source", clean(ctx.jira_url)),
        ("Portfolio", clean(ctx.portfolio_name)),
        ("Cycle", ev.cycle.id),
        ("As of", ev.as_of.isoformat()),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def _save(wb: Workbook, stamp: datetime) -> bytes:
    """Save like `Workbook.save`, but keep our times: the same input gives the same bytes."""
    buffer = BytesIO()
    archive = _StampedZip(buffer, stamp)
    ExcelWriter(wb, archive).save()  # Workbook.save would stamp "modified" with the clock
    return buffer.getvalue()


class _StampedZip(ZipFile):
    """A zip whose entries carry one given time instead of the clock's or a temporary file's."""

    def __init__(self, file: IO[bytes], stamp: datetime) -> None:
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL)
        # Zip times start in 1980; seconds are stored halved, so whole minutes keep it simple.
        self._date_time = max((1980, 1, 1, 0, 0, 0), (*stamp.timetuple()[:5], 0))

    def _entry(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=self._date_time)
        info.compress_type = ZIP_DEFLATED
        # ZipFile.open takes the level from the entry (3.13 renames it compress_level, keeps this).
        info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl writes each worksheet to a temporary file first: copy it in, streaming.
        with open(filename, "rb") as source, self.open(self._entry(arcname), "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)
