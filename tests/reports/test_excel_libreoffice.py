"""The workbook opened by a real spreadsheet program: LibreOffice Calc, headless.

Skipped, with the reason, only where LibreOffice is missing and CI is not set; under CI it must run
(.ci/run installs libreoffice-calc).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.excel import SHEETS, render_workbook
from tests.reports.workbook_sample import CATALOGUE, CREATED, EVALUATION, FORMULA, HISTORY, JIRA

EPICS_SHEET = 4  # Summary, Objectives, Key Results, Epics
# LibreOffice's CSV filter: comma, double quote, UTF-8, from line 1, default cell format, locale
# en-US, quoted text as text, no special numbers, *cells as shown*, no formulas, keep spaces, sheet.
CSV_FILTER = (
    f"csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,false,true,false,false,{EPICS_SHEET}"
)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs LibreOffice for the workbook render check (.ci/run installs it)")
        pytest.skip("LibreOffice (soffice) is not installed; apt-get install libreoffice-calc")
    return found


def _convert(soffice: str, workbook: Path, target: str, out: Path) -> None:
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(out / 'profile').as_uri()}",  # a private, throwaway profile
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("libreoffice")
    path = folder / "review.xlsx"
    path.write_bytes(
        render_workbook(
            EVALUATION,
            CATALOGUE,
            portfolio_name="Retail banking",
            jira_url=JIRA,
            history=HISTORY,
            created=CREATED,
        )
    )
    return path


def test_calc_reads_the_epics_sheet_as_text_and_formatted_values(workbook: Path) -> None:
    soffice = _soffice()
    out = workbook.parent / "csv"
    _convert(soffice, workbook, CSV_FILTER, out)
    (produced,) = out.glob("*.csv")
    assert produced.name == "review-Epics.csv"
    with produced.open(encoding="utf-8", newline="") as file:
        rows = {row[0]: row for row in csv.reader(file)}
    assert rows["Key"][:3] == ["Key", "Summary", "Team"]
    # The formula-looking summary is shown as that very text, not computed, not an error.
    assert rows["PAY-103"][:3] == ["PAY-103", FORMULA, "Payments"]
    assert rows["MOB-7"][1] == "-1 crash on start"
    assert rows["MOB-7"][5] == "@dev-team"
    # Number formats as a reader sees them: a share, points, a date with time.
    assert rows["PAY-101"][12:16] == ["60%", "21", "13", "2026-11-20 09:30"]


def test_calc_prints_the_workbook_to_a_pdf_with_pages(workbook: Path) -> None:
    soffice = _soffice()
    out = workbook.parent / "pdf"
    _convert(soffice, workbook, "pdf", out)
    pdf = (out / "review.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf, re.S)
    assert pages is not None
    # Every sheet fitted to one page wide; the small sample needs no second page.
    assert int(pages.group(1)) == len(SHEETS)
