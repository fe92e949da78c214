"""`outcomes demo` end to end: sandbox, pipeline, workbook and a preview that a browser opens."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reports.excel import SHEETS
from service.cli import cli


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "outcomes-demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--as-of", "2026-11-24"])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.e2e
def test_demo_prints_objectives_unaligned_work_and_where_the_files_are(
    demo_out: tuple[Path, str],
) -> None:
    out, output = demo_out
    assert "2026-Q4, as of 2026-11-24 (60% of the cycle elapsed)" in output
    for objective in ("P1", "P2", "P3"):
        assert f"  {objective} " in output
    assert "Work not tied to an outcome:" in output
    # P1's forecast: P1.KR1 heads past its target (100 %), P1.KR2 to 20.79 s, (42 − 20.79) / 32
    # = 66 %; the milestone P1.KR3 has none: (100 % + 66 %) / 2 = 83 %.
    assert "  P1        49%  on track   forecast  83%  Make everyday payments effortless" in output
    for team in ("payments", "onboarding", "mobile", "cards", "risk", "platform"):
        assert team in output
    assert str(out / "preview" / "index.html") in output


@pytest.mark.e2e
def test_demo_workbook_has_every_sheet_filled(demo_out: tuple[Path, str]) -> None:
    out, _ = demo_out
    workbook = load_workbook(out / "outcomes-retail-2026-Q4-2026-11-24.xlsx")
    assert len(workbook.sheetnames) == len(SHEETS)  # the registry (test_excel names them)
    assert workbook["Epics"].max_row - 1 >= 60
    assert workbook["Key Results"].max_row - 1 >= 9
    assert workbook["Unaligned"].max_row - 1 >= 5


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for the preview test (.ci/run installs it)")
        pytest.skip("Chromium is not installed")
    return found


def _dom(browser: str, page: Path) -> str:
    """The page as Chromium built it, after parsing and styling."""
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


@pytest.mark.e2e
def test_demo_preview_opens_in_a_browser(demo_out: tuple[Path, str]) -> None:
    out, _ = demo_out
    browser = _chromium()
    index = _dom(browser, out / "preview" / "index.html")
    assert "Retail banking — Outcomes" in index
    assert "Retail banking — Work not tied to an outcome" in index
    overview = _dom(browser, out / "preview" / "overview.html")
    assert "Portfolio objectives" in overview
    assert 'class="lozenge lozenge-' in overview
    unaligned = _dom(browser, out / "preview" / "unaligned.html")
    assert "okr-exempt" in unaligned


@pytest.mark.e2e
def test_demo_review_page_opens_in_a_browser(demo_out: tuple[Path, str]) -> None:
    out, _ = demo_out
    browser = _chromium()
    index = _dom(browser, out / "preview" / "index.html")
    assert "Retail banking — Review 2026-11-24" in index
    review = _dom(browser, out / "preview" / "review-2026-11-24.html")
    for heading in (
        "What needs a leader's decision",
        "Key results off pace or forecast to miss",
        "Work not tied to an outcome, by team",
        "What changed this cycle (the first review)",
        "Decisions and actions",
    ):
        assert heading in review
    # The teams' own forecasts stand beside the computed ones: P1.KR2's team says 16 s.
    objective = _dom(browser, out / "preview" / "objective-p1.html")
    assert "Forecast at the cycle's end" in objective
    assert "16 s (81%), 2026-11-18" in objective
