"""Text from Jira and the catalogue is stored as text: never a formula, never an error value."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from reports.excel import render_workbook, sheet_title
from reports.excel_cells import cell_value
from reports.excel_sheets import Column, Kind, Link, SheetData, TableData, Value
from reports.excel_write import unique_headers, write_sheet
from rules.results import EpicAlignment, Evaluation, ObjectiveProgress
from tests.reports.workbook_sample import CATALOGUE, EVALUATION, JIRA

# Everything a spreadsheet might read as a formula (OWASP's list), plus Excel's error literals.
NASTY = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    "=cmd|' /C calc'!A0",
    "#N/A",
]


def nasty_evaluation() -> Evaluation:
    """The sample, with each nasty text as an epic's summary, status and assignee (from Jira)
    and as an objective's and a key result's title (from the catalogue)."""
    template = EVALUATION.epics[1]  # MOB-9
    epics = tuple(
        dataclasses.replace(
            template,
            epic=dataclasses.replace(
                template.epic, key=f"MOB-{20 + n}", summary=text, status=text, assignee=text
            ),
        )
        for n, text in enumerate(NASTY)
    )
    p1 = EVALUATION.objectives[0]
    kr = p1.key_results[0]
    titled = dataclasses.replace(
        p1,
        objective=dataclasses.replace(p1.objective, title=NASTY[0]),
        key_results=(
            dataclasses.replace(kr, key_result=dataclasses.replace(kr.key_result, title=NASTY[1])),
            *p1.key_results[1:],
        ),
    )
    objectives: tuple[ObjectiveProgress, ...] = (titled, *EVALUATION.objectives[1:])
    all_epics: tuple[EpicAlignment, ...] = EVALUATION.epics + epics
    return dataclasses.replace(EVALUATION, epics=all_epics, objectives=objectives)


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_formula_looking_text_is_a_quoted_string_cell_everywhere(write_only: bool) -> None:
    data = render_workbook(
        nasty_evaluation(),
        CATALOGUE,
        portfolio_name="=Retail",  # from the settings file: text too
        jira_url=JIRA,
        write_only=write_only,
    )
    book = load_workbook(BytesIO(data))
    found: dict[str, int] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
                if cell.value in NASTY:
                    found[cell.value] = found.get(cell.value, 0) + 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    if cell.value != "#N/A":  # text, but nothing that starts a formula
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    # Each text shows up as itself, as the summary, status and assignee on Epics (the epics are
    # exempt and claim nothing, so Unaligned and Approvals do not list them).
    assert found == {text: 3 for text in NASTY[2:]} | {
        NASTY[0]: 3 + 2,  # also P1's title on Summary and Objectives
        NASTY[1]: 3 + 1,  # also P1.KR1's title on Key Results
    }
    title = book["Summary"]["A1"]
    assert title.value == "=Retail — outcomes review 2026-Q4, as of 2026-11-24"
    assert (title.data_type, title.quotePrefix) == ("s", True)
    assert book["Objectives"]["E4"].value == "=Ana"  # a catalogue owner
    assert book["Objectives"]["E4"].quotePrefix


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_characters_xml_forbids_are_removed_and_the_rest_kept(write_only: bool) -> None:
    mob_7 = EVALUATION.epics[0]
    odd = dataclasses.replace(
        mob_7,
        epic=dataclasses.replace(
            mob_7.epic, summary="bell\x07 vt\x0b nul\x00 \ufffe ok\ttab\r\nnew line é 🚀"
        ),
    )
    evaluation = dataclasses.replace(EVALUATION, epics=(odd, *EVALUATION.epics[1:]))
    data = render_workbook(
        evaluation, CATALOGUE, portfolio_name="P", jira_url=JIRA, write_only=write_only
    )
    cell = load_workbook(BytesIO(data))["Epics"]["B2"]
    assert cell.value == "bell vt nul  ok\ttab\r\nnew line é 🚀"
    assert cell.data_type == "s"


def test_sheet_titles_are_made_acceptable_to_excel_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("Summary", taken) == "Summary"
    assert sheet_title("summary", taken) == "summary (2)"  # Excel compares names without case
    assert sheet_title("SUMMARY", taken) == "SUMMARY (3)"
    assert sheet_title("Q4: plan/actuals [draft]?*\\", taken) == "Q4_ plan_actuals _draft____"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("", taken) == "Sheet"
    assert sheet_title("History", taken) == "History _"  # reserved by Excel
    assert sheet_title("tab\there\x07", taken) == "tab here"
    long = "An objective title that goes on and on"
    assert sheet_title(long, taken) == long[:31]
    assert sheet_title(long, taken) == long[:27] + " (2)"
    assert taken == {
        "summary",
        "summary (2)",
        "summary (3)",
        "q4_ plan_actuals _draft____",
        "quoted",
        "sheet",
        "history _",
        "tab here",
        long[:31].casefold(),
        (long[:27] + " (2)").casefold(),
    }


def test_table_headers_are_one_line_non_empty_and_unique() -> None:
    headers = ["Score", "score", "", "two\nlines", "P1.KR1", "p1.kr1"]
    assert unique_headers(headers) == [
        "Score",
        "score (2)",
        "Column",
        "two lines",
        "P1.KR1",
        "p1.kr1 (2)",
    ]


def test_a_plain_workbook_cell_keeps_a_leading_tab_and_carriage_return() -> None:
    """Guards the XML layer: a raw CR in XML text would be read back as a line feed."""
    wb = Workbook()
    ws = wb.active
    ws.append([cell_value(ws, "\rstart", Kind.TEXT), cell_value(ws, "\tstart", Kind.TEXT)])
    buffer = BytesIO()
    wb.save(buffer)
    a1, b1 = load_workbook(buffer).active[1]
    assert (a1.value, b1.value) == ("\rstart", "\tstart")
    assert a1.quotePrefix and b1.quotePrefix


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_every_row_keeps_its_own_link_quote_and_format(write_only: bool) -> None:
    """A write-only column carries each row in one reused cell: nothing may leak between rows."""
    columns = (Column("Item"), Column("Share", Kind.PERCENT), Column("On", Kind.DATETIME))
    rows: list[list[Value]] = [
        [Link("=SUM(A1)", "https://jira.example.com/a"), 0.5, datetime(2026, 11, 2, 9, 30)],
        [Link("B-2", "https://jira.example.com/b"), None, None],
        ["=plain", 1, datetime(2026, 11, 3, 10, 0, tzinfo=UTC)],
        [Link("C-3", "https://jira.example.com/c"), 0.25, date(2026, 11, 4)],
    ]
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    write_sheet(wb, "Rows", SheetData("Rows", (TableData("tblRows", columns, rows),)))
    buffer = BytesIO()
    wb.save(buffer)
    ws = load_workbook(buffer)["Rows"]
    seen = [
        (
            c.value,
            c.data_type,
            c.quotePrefix,
            c.hyperlink.target if c.hyperlink else None,
            c.number_format,
        )
        for row in ws.iter_rows(min_row=2)
        for c in row
    ]
    assert seen == [
        ("=SUM(A1)", "s", True, "https://jira.example.com/a", "General"),
        (0.5, "n", False, None, "0%"),
        (datetime(2026, 11, 2, 9, 30), "d", False, None, "yyyy-mm-dd hh:mm"),
        ("B-2", "s", False, "https://jira.example.com/b", "General"),
        (None, "n", False, None, "General"),
        (None, "n", False, None, "General"),
        ("=plain", "s", True, None, "General"),
        (1, "n", False, None, "0%"),
        (datetime(2026, 11, 3, 10, 0), "d", False, None, "yyyy-mm-dd hh:mm"),
        ("C-3", "s", False, "https://jira.example.com/c", "General"),
        (0.25, "n", False, None, "0%"),
        (datetime(2026, 11, 4), "d", False, None, "yyyy-mm-dd hh:mm"),
    ]
    assert all(ws.cell(r, 1).font.u == "single" for r in (2, 3, 5))  # the link style
    assert ws.cell(4, 1).font.u is None
