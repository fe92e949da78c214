from __future__ import annotations

import dataclasses
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import render_workbook, set_value
from reports.excel_sheets import Kind, Link
from rules.model import AlignmentState
from tests.reports.sample import CATALOGUE, EVALUATION, FORMULA, INJECTION, JIRA, PORTFOLIO


@pytest.fixture(scope="module")
def book() -> Workbook:
    data = render_workbook(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    return load_workbook(BytesIO(data))


def values(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def test_sheets_in_order(book: Workbook) -> None:
    assert book.sheetnames == ["Summary", "Key Results", "Epics", "Unaligned"]


def test_key_results_sheet_cell_by_cell(book: Workbook) -> None:
    ws = book["Key Results"]
    assert values(ws, 1) == [
        "Objective",
        "Key result",
        "Title",
        "Unit",
        "Start",
        "Current",
        "Target",
        "Score",
        "Expected",
        "Status",
        "Epics",
        "Epics done",
        "Child issues done",
        "Child issues total",
        "Points done",
        "Points total",
    ]
    assert values(ws, 2) == [
        "P1",
        "P1.KR1",
        "Instant-payment success rate",
        "%",
        97.2,
        98.9,
        99.5,
        0.74,
        0.6,
        "on track",
        1,
        0,
        6,
        10,
        13,
        21,
    ]
    assert values(ws, 3)[:10] == [
        "P1",
        "P1.KR2",
        "Median P2P transfer time",
        "s",
        42,
        30,
        10,
        0.375,
        0.6,
        "at risk",
    ]
    assert values(ws, 4) == [
        "P2",
        "P2.KR1",
        "Onboarding completed same day",
        "%",
        40,
        44,
        80,
        0.1,
        0.6,
        "off track",
        0,
        0,
        0,
        0,
        0,
        0,
    ]
    assert values(ws, 5)[:2] == ["PAY-O1", "PAY-O1.KR1"]  # team objectives after portfolio ones
    assert ws.max_row == 5
    assert ws["H2"].number_format == "0%"
    assert ws["I2"].number_format == "0%"
    assert ws["O2"].number_format == "0.0"


def test_tables_cover_the_data_and_headers_stay_in_view(book: Workbook) -> None:
    refs = {
        (ws.title, table.name): table.ref for ws in book.worksheets for table in ws.tables.values()
    }
    assert refs == {
        # Summary: 6 lines of preamble, a blank line, then a heading above each table.
        ("Summary", "tblObjectives"): "A9:J12",
        ("Summary", "tblAlignment"): "A15:H18",
        ("Key Results", "tblKeyResults"): "A1:P5",
        ("Epics", "tblEpics"): "A1:N6",
        ("Unaligned", "tblUnaligned"): "A1:G3",
    }
    for ws in book.worksheets:
        for table in ws.tables.values():
            assert table.tableStyleInfo.name == "TableStyleMedium2"
    assert [ws.freeze_panes for ws in book.worksheets] == [None, "A2", "A2", "A2"]


def test_summary_sheet(book: Workbook) -> None:
    ws = book["Summary"]
    assert [values(ws, r)[:2] for r in range(1, 7)] == [
        ["Portfolio", "Retail banking"],
        ["Cycle", "2026-Q4"],
        ["Cycle start", datetime(2026, 10, 1)],
        ["Cycle end", datetime(2026, 12, 31)],
        ["As of", datetime(2026, 11, 24)],
        ["Cycle elapsed", pytest.approx(55 / 92)],
    ]
    assert ws["B3"].number_format == "yyyy-mm-dd"
    assert ws["B6"].number_format == "0%"
    assert ws["A8"].value == "Objectives"
    assert values(ws, 10) == [
        "portfolio",
        None,
        "P1",
        "Make everyday payments effortless",
        "Priya",
        0.56,
        0.6,
        "on track",
        None,
        "PAY-O1",
    ]
    assert values(ws, 12) == [
        "team",
        "Payments",
        "PAY-O1",
        "Cut failed instant payments in half",
        "Ana",
        0.29,
        0.6,
        "at risk",
        "P1.KR1",
        None,
    ]
    assert ws["F10"].number_format == "0%"
    assert values(ws, 18)[:8] == ["Portfolio total", 1, 2, 1, 0.25, 21, 5, 3]
    assert ws["E18"].number_format == "0%"


def test_epics_sheet(book: Workbook) -> None:
    ws = book["Epics"]
    assert values(ws, 2) == [
        "PAY-101",
        "Retry failed instant payments",
        "Payments",
        "In Progress",
        "In Progress",
        "Ana",
        "aligned",
        "P1.KR1 (label)",
        "P1.KR1",
        10,
        6,
        21,
        13,
        datetime(2026, 11, 20, 9, 30),
    ]
    assert ws["N2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["L2"].number_format == "0.0"
    assert values(ws, 4)[:9] == [
        "PAY-103",
        INJECTION,
        "Payments",
        "In Progress",
        "In Progress",
        "Cleo",
        "unaligned",
        "P9.KR1 (label)",
        None,
    ]


def test_epic_keys_link_to_jira(book: Workbook) -> None:
    targets = {
        ws.title: [ws.cell(r, 1).hyperlink.target for r in range(2, ws.max_row + 1)]
        for ws in (book["Epics"], book["Unaligned"])
    }
    base = "https://jira.example.com/browse/"
    assert targets == {
        "Epics": [base + k for k in ("PAY-101", "PAY-102", "PAY-103", "MOB-7", "MOB-9")],
        "Unaligned": [base + "PAY-103", base + "MOB-7"],
    }


def test_formula_looking_text_stays_text(book: Workbook) -> None:
    for ws, coordinate in ((book["Epics"], "B5"), (book["Unaligned"], "B3")):
        cell = ws[coordinate]
        assert cell.value == FORMULA
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_unaligned_sheet(book: Workbook) -> None:
    ws = book["Unaligned"]
    assert values(ws, 1) == ["Key", "Summary", "Team", "Status", "Assignee", "Reason", "Hint"]
    assert values(ws, 2) == [
        "PAY-103",
        INJECTION,
        "Payments",
        "In Progress",
        "Cleo",
        "Claims P9.KR1, which is not in the catalogue.; "
        "No valid claim on an outcome of this cycle.",
        "Check the spelling of the label. Add the label okr:<key result id>, or okr-exempt.",
    ]
    assert values(ws, 3)[:5] == ["MOB-7", FORMULA, "Mobile", "To Do", None]


def test_status_columns_have_conditional_fills(book: Workbook) -> None:
    ws = book["Key Results"]
    rules = {
        (str(rng.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb)
        for rng in ws.conditional_formatting
        for rule in rng.rules
    }
    assert rules == {
        ("J2:J5", '"on track"', "00C6EFCE"),
        ("J2:J5", '"at risk"', "00FFEB9C"),
        ("J2:J5", '"off track"', "00FFC7CE"),
        ("J2:J5", '"too early"', "00EDEDED"),
    }


def test_column_widths_follow_content(book: Workbook) -> None:
    ws = book["Epics"]
    assert ws.column_dimensions["B"].width == 60  # the 70-character summary hits the cap
    assert ws.column_dimensions["C"].width == len("Payments") + 2
    assert ws.column_dimensions["A"].width == len("PAY-101") + 2
    # A header is widened for the filter button: "Status category" is longer than any value.
    assert ws.column_dimensions["E"].width == len("Status category") + 3 + 2
    assert all(d.width <= 60 for d in ws.column_dimensions.values())


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("=1+1", "=1+1"),
        ("+SUM(A1:A2)", "+SUM(A1:A2)"),
        ("-2+3", "-2+3"),
        ("@cmd", "@cmd"),
        ("#N/A", "#N/A"),
        ("bell\x07 tab\t ok", "bell tab\t ok"),
    ],
)
def test_strings_are_stored_literally(given: str, stored: str) -> None:
    wb = Workbook()
    set_value(wb.active["A1"], given, Kind.TEXT)
    buffer = BytesIO()
    wb.save(buffer)
    cell = load_workbook(buffer).active["A1"]
    assert cell.value == stored
    assert cell.data_type == "s"


def test_empty_unaligned_sheet_is_still_a_valid_table() -> None:
    evaluation = dataclasses.replace(
        EVALUATION,
        epics=tuple(e for e in EVALUATION.epics if e.state is not AlignmentState.UNALIGNED),
    )
    data = render_workbook(evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    ws = load_workbook(BytesIO(data))["Unaligned"]
    assert [t.ref for t in ws.tables.values()] == ["A1:G2"]  # header plus one empty row
    assert ws.max_row == 1 or all(c.value is None for c in ws[2])


def test_a_linked_cell_keeps_formula_looking_text_literal() -> None:
    wb = Workbook()
    set_value(wb.active["A1"], Link("=EVIL()", "https://jira.example.com/browse/X-1"), Kind.TEXT)
    buffer = BytesIO()
    wb.save(buffer)
    cell = load_workbook(buffer).active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=EVIL()", "s", True)
    assert cell.hyperlink.target == "https://jira.example.com/browse/X-1"
