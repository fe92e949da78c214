"""The review workbook read back with openpyxl: content, types and formats, sheet by sheet.

Every expected value is written by hand from tests/reports/workbook_sample.py.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import render_workbook
from rules.model import StatusCategory
from tests.reports.workbook_sample import (
    BROWSE,
    CATALOGUE,
    CREATED,
    EVALUATION,
    EXPECTED,
    FORMULA,
    HISTORY,
    JIRA,
    PORTFOLIO,
    TAG_HINT,
    UNALIGNED_MSG,
)

SHEETS = [
    "Summary",
    "Objectives",
    "Key Results",
    "Epics",
    "Unaligned",
    "Findings",
    "Approvals",
    "Score History",
    "Review",
]


@pytest.fixture(scope="module")
def book() -> Workbook:
    data = render_workbook(
        EVALUATION,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        history=HISTORY,
        created=CREATED,
    )
    return load_workbook(BytesIO(data))


def values(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def column(ws: Worksheet, letter: str) -> list[object]:
    return [c.value for c in ws[letter][1:]]


def test_sheets_in_review_order(book: Workbook) -> None:
    assert book.sheetnames == SHEETS


def test_every_data_sheet_is_one_filterable_table_with_a_frozen_header(book: Workbook) -> None:
    refs = {
        ws.title: [(t.name, t.ref, t.autoFilter.ref) for t in ws.tables.values()]
        for ws in book.worksheets
    }
    assert refs == {
        # Summary: title, blank, 15 headline rows, blank, then a heading above each table.
        "Summary": [
            ("tblObjectiveScores", "A20:H22", "A20:H22"),
            ("tblAlignment", "A26:H30", "A26:H30"),
        ],
        "Objectives": [("tblObjectives", "A1:S5", "A1:S5")],
        "Key Results": [("tblKeyResults", "A1:AE5", "A1:AE5")],
        "Epics": [("tblEpics", "A1:P7", "A1:P7")],
        "Unaligned": [("tblUnaligned", "A1:I4", "A1:I4")],
        "Findings": [("tblFindings", "A1:F7", "A1:F7")],
        "Approvals": [("tblApprovals", "A1:N5", "A1:N5")],
        "Score History": [("tblScoreHistory", "A1:H5", "A1:H5")],
        # Review: title, blank, then a heading above each table, two blank rows between tables;
        # one decision (PAY-O1's link to P1.KR2), one key result, three teams, and an empty row
        # where there is nothing yet (no changes on a first review; the meeting's actions).
        "Review": [
            ("tblReviewDecisions", "A4:D5", "A4:D5"),
            ("tblReviewKeyResults", "A9:L10", "A9:L10"),
            ("tblReviewUnaligned", "A14:D17", "A14:D17"),
            ("tblReviewChanges", "A21:C22", "A21:C22"),
            ("tblReviewActions", "A26:C27", "A26:C27"),
        ],
    }
    for ws in book.worksheets:
        for table in ws.tables.values():
            assert table.tableStyleInfo.name == "TableStyleMedium2"
            # The table's column names are the header cells' text, as Excel requires.
            header_row = ws[table.ref.split(":")[0][1:]]
            assert table.column_names == [c.value for c in header_row][: len(table.column_names)]
    # Summary keeps its title line in view; the others their table's header.
    assert [ws.freeze_panes for ws in book.worksheets] == ["A2"] * len(SHEETS)


def test_summary_headlines(book: Workbook) -> None:
    ws = book["Summary"]
    assert ws["A1"].value == "Retail banking — outcomes review 2026-Q4, as of 2026-11-24"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert [values(ws, r)[:2] for r in range(3, 18)] == [
        ["Cycle", "2026-Q4"],
        ["Cycle start", datetime(2026, 10, 1)],
        ["Cycle end", datetime(2026, 12, 31)],
        ["As of", datetime(2026, 11, 24)],
        ["Cycle elapsed", pytest.approx(55 / 92)],
        ["Portfolio objectives", 2],
        ["Objectives by status", "1 on track, 1 at risk"],
        ["Active epics", 5],  # PAY-102 is done
        ["Tied to an outcome", 0.2],  # PAY-101 of 5
        ["Tied to an outcome, by points", pytest.approx(21 / 29)],  # 21 of 21 + 5 + 3 points
        ["Work not tied to an outcome", 3],
        ["Exempt (keep the lights on)", 1],
        ["Findings: need fixing", 1],
        ["Findings: worth a look", 4],
        ["Awaiting approval", 1],  # PAY-O1's link to P1.KR2
    ]
    assert ws["A3"].font.b
    assert [ws[f"B{r}"].number_format for r in (4, 5, 6, 7, 11, 12)] == [
        "yyyy-mm-dd",
        "yyyy-mm-dd",
        "yyyy-mm-dd",
        "0%",
        "0%",
        "0%",
    ]
    assert ws["B4"].is_date


def test_summary_tables(book: Workbook) -> None:
    ws = book["Summary"]
    assert ws["A19"].value == "Portfolio objective scores"
    assert values(ws, 20) == [
        "Objective",
        "Title",
        "Owner",
        "Score",
        "Expected",
        "Status",
        "Key results",
        "Team objectives",
    ]
    assert values(ws, 21) == [
        "P1",
        "Make everyday payments effortless",
        "Priya",
        0.56,
        pytest.approx(EXPECTED),
        "on track",
        2,
        "PAY-O1",
    ]
    assert values(ws, 22) == [
        "P2",
        "Open accounts in minutes",
        "Marco",
        0.25,
        pytest.approx(EXPECTED),
        "at risk",
        1,
        None,
    ]
    assert (ws["D21"].number_format, ws["E21"].number_format) == ("0%", "0%")
    assert ws["A25"].value == "Alignment of active epics"
    assert [values(ws, r) for r in range(27, 31)] == [
        ["Payments", 1, 1, 0, 0.5, 21, 5, 0],
        ["Mobile", 0, 1, 1, 0, 0, 0, 3],
        ["No team", 0, 1, 0, 0, 0, 0, 0],
        ["Portfolio total", 1, 3, 1, 0.2, 21, 5, 3],
    ]
    assert (ws["E27"].number_format, ws["F27"].number_format) == ("0%", "General")


def test_summary_charts_read_their_tables(book: Workbook) -> None:
    charts = book["Summary"]._charts
    assert [(type(c).__name__, c.grouping) for c in charts] == [
        ("BarChart", "clustered"),
        ("BarChart", "stacked"),
    ]
    scores, alignment = charts
    assert [s.val.numRef.f for s in scores.series] == [
        "'Summary'!$D$21:$D$22",
        "'Summary'!$E$21:$E$22",
    ]
    assert scores.series[0].cat.numRef.f == "'Summary'!$A$21:$A$22"
    assert scores.y_axis.number_format.formatCode == "0%"
    assert (scores.y_axis.scaling.min, scores.y_axis.scaling.max) == (0, 1)
    # Teams only: the portfolio total (row 30) would dwarf them.
    assert [s.val.numRef.f for s in alignment.series] == [
        "'Summary'!$B$27:$B$29",
        "'Summary'!$C$27:$C$29",
        "'Summary'!$D$27:$D$29",
    ]
    assert [s.tx.strRef.f for s in alignment.series] == [
        "'Summary'!B26",
        "'Summary'!C26",
        "'Summary'!D26",
    ]
    # Aligned green, unaligned red, exempt grey: as the Epics sheet colours them.
    fills = [s.graphicalProperties.solidFill.srgbClr for s in alignment.series]
    assert fills == ["70AD47", "C0504D", "A5A5A5"]
    # Right of the widest table (8 columns, then one free), from row 3, one below the other.
    anchors = [(c.anchor._from.col, c.anchor._from.row) for c in charts]
    assert anchors == [(9, 2), (9, 20)]  # zero-based: J3 and J21


def test_objectives_sheet(book: Workbook) -> None:
    ws = book["Objectives"]
    assert values(ws, 1) == [
        "Level",
        "Team",
        "Objective",
        "Title",
        "Owner",
        "Score",
        "Expected",
        "Status",
        "Key results",
        "Supports",
        "Supported by",
        "Approval",
        "Decided by",
        "Decided on",
        "Epics",
        "Epics done",
        "Points done",
        "Points total",
        "Forecast score",
    ]
    # P1's work: PAY-101 (13 of 21 points) and PAY-102 (done, 8 of 8).
    assert values(ws, 2) == [
        "portfolio",
        None,
        "P1",
        "Make everyday payments effortless",
        "Priya",
        0.56,
        pytest.approx(EXPECTED),
        "on track",
        2,
        None,
        "PAY-O1",
        None,
        None,
        None,
        2,
        1,
        21,
        29,
        1,  # its key results' forecasts by weight
    ]
    assert values(ws, 4)[:14] == [
        "team",
        "Payments",
        "PAY-O1",
        "Cut failed instant payments in half",
        "=Ana",
        0.2857,
        pytest.approx(EXPECTED),
        "at risk",
        1,
        "P1.KR1, P1.KR2",
        None,
        "proposed",
        None,
        None,
    ]
    # No decision recorded: a team objective is still proposed.
    assert values(ws, 5)[:12] == [
        "team",
        "Mobile",
        "MOB-O1",
        "Ship a calmer app",
        None,
        None,  # no key results: no score, not 0 %
        pytest.approx(EXPECTED),
        "no key results",  # and no pace, not "off track"
        0,
        None,
        None,
        "proposed",
    ]
    assert [ws[f"{c}2"].number_format for c in "FGQ"] == ["0%", "0%", "General"]


def test_key_results_sheet(book: Workbook) -> None:
    ws = book["Key Results"]
    assert values(ws, 1) == [
        "Objective",
        "Key result",
        "Title",
        "Kind",
        "Unit",
        "Direction",
        "Start",
        "Current",
        "Target",
        "Score",
        "Expected",
        "Status",
        "Confidence",
        "Last check-in",
        "Check-in note",
        "Measured by",
        "Weight",
        "Epics",
        "Epics done",
        "Child issues done",
        "Child issues total",
        "Points done",
        "Points total",
        "Owner",
        "Forecast",
        "Forecast low",
        "Forecast high",
        "Forecast score",
        "Forecast note",
        "Team forecast",
        "Team forecast score",
    ]
    # The check-in of 2026-12-01 lies after the as-of date: the one of 2026-11-20 is the last.
    assert values(ws, 2) == [
        "P1",
        "P1.KR1",
        "Instant-payment success rate",
        "metric",
        "%",
        "increase",
        97.2,
        98.9,
        99.5,
        0.74,
        pytest.approx(EXPECTED),
        "on track",
        0.8,
        datetime(2026, 11, 20),
        "Rolled out to half the customers",
        "manual check-ins",
        1,
        1,
        0,
        6,
        10,
        13,
        21,
        "Priya",
        99.6,
        99.1,
        100.1,
        1,
        None,
        99.2,
        0.87,
    ]
    # No check-in: the catalogue's confidence stands.
    assert values(ws, 3)[:17] == [
        "P1",
        "P1.KR2",
        "Median P2P transfer time",
        "metric",
        "s",
        "decrease",
        42,
        30,
        10,
        0.375,
        pytest.approx(EXPECTED),
        "at risk",
        0.4,
        None,
        None,
        "manual check-ins",
        2,
    ]
    # A milestone key result counts milestones: 1 of 4.
    assert values(ws, 4)[:13] == [
        "P2",
        "P2.KR1",
        "Onboarding steps shipped",
        "milestone",
        "milestones",
        None,
        0,
        1,
        4,
        0.25,
        pytest.approx(EXPECTED),
        "at risk",
        None,
    ]
    assert values(ws, 5)[:2] == ["PAY-O1", "PAY-O1.KR1"]
    assert ws["P5"].value == "JQL count: project = PAY AND labels = failed-payment"
    assert ws.max_row == 5
    assert {c: ws[f"{c}2"].number_format for c in "JKMNV"} == {
        "J": "0%",
        "K": "0%",
        "M": "0%",
        "N": "yyyy-mm-dd",
        "V": "General",  # points as Jira shows them: 13, 2.5
    }
    assert ws["N2"].is_date
    assert ws["G2"].number_format == "General"  # as precise as the catalogue wrote it


def test_epics_sheet(book: Workbook) -> None:
    ws = book["Epics"]
    assert values(ws, 1) == [
        "Key",
        "Summary",
        "Team",
        "Status",
        "Status category",
        "Assignee",
        "Alignment",
        "Claims",
        "Claim approval",
        "Valid OKRs",
        "Child issues",
        "Child issues done",
        "Child completion",
        "Points total",
        "Points done",
        "Updated (UTC)",
    ]
    assert column(ws, "A") == ["MOB-7", "MOB-9", "OPS-1", "PAY-101", "PAY-102", "PAY-103"]
    assert values(ws, 5) == [
        "PAY-101",
        "Retry failed instant payments",
        "Payments",
        "In Progress",
        "In Progress",
        "Ana",
        "aligned",
        "P1.KR1 (label, approved)",
        "approved",
        "P1.KR1",
        10,
        6,
        0.6,
        21,
        13,
        datetime(2026, 11, 20, 9, 30),
    ]
    assert values(ws, 6)[6:10] == [
        "aligned",
        "P1.KR2 (label+field, proposed)",
        "proposed",
        "P1.KR2",
    ]
    assert values(ws, 7)[:10] == [
        "PAY-103",
        FORMULA,
        "Payments",
        "In Progress",
        "In Progress",
        "Cleo",
        "unaligned",
        "P9.KR1 (label, unknown OKR)",  # no leader can approve a claim on an unknown id
        None,
        None,
    ]
    assert values(ws, 4)[:3] == ["OPS-1", "Rotate certificates", "No team"]
    assert ws["M7"].value == pytest.approx(1 / 3)
    assert ws["M2"].value is None  # no child issues: no completion to speak of
    assert {c: ws[f"{c}5"].number_format for c in "MNOP"} == {
        "M": "0%",
        "N": "General",
        "O": "General",
        "P": "yyyy-mm-dd hh:mm",
    }


def test_epics_link_to_jira_once_and_other_sheets_name_them(book: Workbook) -> None:
    def links(ws: Worksheet, letter: str) -> list[str | None]:
        return [c.hyperlink.target if c.hyperlink else None for c in ws[letter][1:]]

    keys = ["MOB-7", "MOB-9", "OPS-1", "PAY-101", "PAY-102", "PAY-103"]
    assert links(book["Epics"], "A") == [BROWSE + k for k in keys]
    assert links(book["Unaligned"], "A") == [BROWSE + k for k in ("PAY-103", "MOB-7", "OPS-1")]
    # Findings and Approvals name the epic as text; its row on Epics has the link.
    findings = book["Findings"]
    assert [c.value for c in findings["C"][1:]] == [
        "P2.KR1",
        "MOB-7",
        "OPS-1",
        "PAY-103",
        "PAY-103",
        "MOB-O1",
    ]
    for title in ("Findings", "Approvals"):
        assert not [c for row in book[title].iter_rows() for c in row if c.hyperlink], title
    link = book["Epics"]["A5"]
    assert link.style == "Hyperlink"  # Excel's built-in style, with its underline
    assert (link.font.u, link.font.color.theme) == ("single", 10)


def test_unaligned_sheet_team_by_team(book: Workbook) -> None:
    ws = book["Unaligned"]
    assert values(ws, 1) == [
        "Key",
        "Summary",
        "Team",
        "Status",
        "Assignee",
        "Points total",
        "Updated (UTC)",
        "Reason",
        "Hint",
    ]
    # Catalogue order of teams (payments, mobile), then epics of no team.
    assert values(ws, 2) == [
        "PAY-103",
        FORMULA,
        "Payments",
        "In Progress",
        "Cleo",
        5,
        None,
        f"Claims P9.KR1, which is not in the catalogue. {UNALIGNED_MSG}",
        f"Check the spelling of the label. {TAG_HINT}",
    ]
    assert values(ws, 3) == [
        "MOB-7",
        "-1 crash on start",
        "Mobile",
        "To Do",
        "@dev-team",
        0,
        None,
        UNALIGNED_MSG,
        TAG_HINT,
    ]
    assert values(ws, 4)[:3] == ["OPS-1", "Rotate certificates", "No team"]


def test_findings_sheet(book: Workbook) -> None:
    ws = book["Findings"]
    assert values(ws, 1) == ["Severity", "Code", "Subject", "Team", "Message", "Hint"]
    assert values(ws, 2) == [
        "needs fixing",
        "OFF_PACE",
        "P2.KR1",
        None,
        "P2.KR1 is at 25% with 60% elapsed.",
        None,
    ]
    assert [values(ws, r)[:4] for r in range(3, 8)] == [
        ["worth a look", "UNALIGNED_EPIC", "MOB-7", "Mobile"],
        ["worth a look", "UNALIGNED_EPIC", "OPS-1", None],
        ["worth a look", "UNALIGNED_EPIC", "PAY-103", "Payments"],
        ["worth a look", "UNKNOWN_OKR", "PAY-103", "Payments"],
        ["for information", "ORPHAN_TEAM_OBJECTIVE", "MOB-O1", "Mobile"],
    ]


def test_approvals_sheet(book: Workbook) -> None:
    ws = book["Approvals"]
    assert values(ws, 1) == [
        "Kind",
        "Item",
        "Title",
        "Team",
        "Serves",
        "Claimed via",
        "Proposed on",
        "State",
        "Decided by",
        "Decided on",
        "Decided via",
        "Note",
        "Counted",
        "Work status",
    ]
    assert [values(ws, r) for r in range(2, 6)] == [
        [
            "team objective",
            "PAY-O1",
            "Cut failed instant payments in half",
            "Payments",
            "P1.KR1",
            "catalogue",
            None,
            "approved",
            "Priya",
            datetime(2026, 10, 3),
            "catalogue",
            "Clear line of sight",
            "yes",
            None,
        ],
        [
            "team objective",
            "PAY-O1",
            "Cut failed instant payments in half",
            "Payments",
            "P1.KR2",
            "catalogue",
            None,
            "proposed",
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "team objective",
            "MOB-O1",
            "Ship a calmer app",
            "Mobile",
            None,
            "catalogue",
            None,
            "proposed",
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "epic claim",
            "PAY-101",
            "Retry failed instant payments",
            "Payments",
            "P1.KR1",
            "label",
            None,
            "approved",
            "Priya",
            datetime(2026, 11, 2),
            "cli",
            "Core of the key result",
            "yes",
            "In Progress",
        ],
    ]
    # Not listed: PAY-102's proposed claim (the epic is done) and PAY-103's on P9.KR1 (unknown):
    # nobody can decide those. The Epics sheet still shows both claims.
    assert ws.max_row == 5
    assert ws["J2"].number_format == "yyyy-mm-dd"
    assert (ws["B5"].value, ws["B5"].hyperlink) == ("PAY-101", None)


def test_approvals_list_a_claim_while_a_leader_can_decide_it() -> None:
    """PAY-102's proposed claim on P1.KR2 waits for a decision once the epic is active again."""
    reopened = [
        dataclasses.replace(
            ea, epic=dataclasses.replace(ea.epic, status_category=StatusCategory.IN_PROGRESS)
        )
        if ea.epic.key == "PAY-102"
        else ea
        for ea in EVALUATION.epics
    ]
    evaluation = dataclasses.replace(EVALUATION, epics=tuple(reopened))
    data = render_workbook(evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    ws = load_workbook(BytesIO(data))["Approvals"]
    claims = [(r[1].value, r[4].value, r[7].value) for r in ws.iter_rows(min_row=2) if r[0].value]
    assert [c for c in claims if c[0].startswith("PAY-1")] == [
        ("PAY-101", "P1.KR1", "approved"),
        ("PAY-102", "P1.KR2", "proposed"),
    ]


def test_score_history_sheet(book: Workbook) -> None:
    ws = book["Score History"]
    # This cycle's key results in report order, then P0.KR9 that only an earlier run knew.
    assert values(ws, 1) == [
        "As of",
        "Recorded at",
        "Run",
        "P1.KR1",
        "P1.KR2",
        "P2.KR1",
        "PAY-O1.KR1",
        "P0.KR9",
    ]
    # By day and time; Q3's run and the stored run of the as-of day are left out: this report
    # stands for 2026-11-24.
    assert [values(ws, r) for r in range(2, 6)] == [
        [
            datetime(2026, 10, 31),
            datetime(2026, 10, 31, 5, 0),
            "earlier run",
            0.45,
            None,
            None,
            None,
            None,
        ],
        [
            datetime(2026, 10, 31),
            datetime(2026, 10, 31, 6, 0),
            "earlier run",
            0.5,
            0.25,
            0,
            None,
            0.4,
        ],
        [
            datetime(2026, 11, 14),
            datetime(2026, 11, 14, 6, 0),
            "earlier run",
            0.6,
            0.3125,
            None,
            0.2,
            None,
        ],
        [datetime(2026, 11, 24), None, "this report", 0.74, 0.375, 0.25, 0.2857, None],
    ]
    assert [ws[f"{c}2"].number_format for c in "ABD"] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0%"]
    (chart,) = ws._charts
    assert type(chart).__name__ == "LineChart"
    assert [s.val.numRef.f for s in chart.series] == [
        f"'Score History'!${c}$2:${c}$5" for c in "DEFGH"
    ]
    assert chart.series[0].cat.numRef.f == "'Score History'!$A$2:$A$5"
    assert all(not s.smooth for s in chart.series)


def test_without_history_the_sheet_shows_this_report_alone() -> None:
    data = render_workbook(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    ws = load_workbook(BytesIO(data))["Score History"]
    assert ws.max_row == 2
    assert values(ws, 2) == [datetime(2026, 11, 24), None, "this report", 0.74, 0.375, 0.25, 0.2857]


def test_status_columns_are_coloured_by_conditional_formats(book: Workbook) -> None:
    def rules(ws: Worksheet) -> set[tuple[str, str, str]]:
        return {
            (str(rng.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb)
            for rng in ws.conditional_formatting
            for rule in rng.rules
        }

    green, yellow, red, grey = "00C6EFCE", "00FFEB9C", "00FFC7CE", "00EDEDED"
    assert rules(book["Key Results"]) == {
        ("L2:L5", '"on track"', green),
        ("L2:L5", '"at risk"', yellow),
        ("L2:L5", '"off track"', red),
        ("L2:L5", '"too early"', grey),
    }
    assert rules(book["Epics"]) == {
        ("G2:G7", '"aligned"', green),
        ("G2:G7", '"unaligned"', red),
        ("G2:G7", '"exempt"', grey),
        ("I2:I7", '"approved"', green),
        ("I2:I7", '"proposed"', yellow),
        ("I2:I7", '"rejected"', red),
    }
    assert rules(book["Findings"]) == {
        ("A2:A7", '"needs fixing"', red),
        ("A2:A7", '"worth a look"', yellow),
        ("A2:A7", '"for information"', grey),
    }
    assert ("H2:H5", '"proposed"', yellow) in rules(book["Approvals"])
    assert ("F21:F22", '"on track"', green) in rules(book["Summary"])


def test_column_widths_follow_content(book: Workbook) -> None:
    ws = book["Epics"]
    width = {letter: ws.column_dimensions[letter].width for letter in "ABCEP"}
    assert width == {
        "A": len("PAY-101") + 2,
        "B": len("Retry failed instant payments") + 2,
        "C": len("Payments") + 2,
        # A header is widened for its filter button: "Status category" is longer than any value.
        "E": len("Status category") + 3 + 2,
        "P": len("Updated (UTC)") + 3 + 2,
    }
    # Long text is capped; the sheet title in Summary!A1 overflows instead of widening column A.
    hints = book["Unaligned"].column_dimensions["I"].width
    assert hints == 60
    assert book["Summary"].column_dimensions["A"].width == len("Tied to an outcome, by points") + 2


def test_sheets_print_landscape_one_page_wide_with_the_header_on_each_page(
    book: Workbook,
) -> None:
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert book["Epics"].print_title_rows == "$1:$1"
    assert book["Summary"].print_title_rows is None


def test_workbook_properties(book: Workbook) -> None:
    props = book.properties
    assert props.title == "Retail banking — outcomes review 2026-Q4"
    assert props.subject == "Portfolio review as of 2026-11-24"
    assert props.creator == "Outcomes"
    assert props.created == datetime(2026, 11, 24, 7, 30)
    assert props.modified == datetime(2026, 11, 24, 7, 30)  # ours, not the clock's
    assert "https://jira.example.com/" in props.description
    assert {p.name: p.value for p in book.custom_doc_props} == {
        "Source": "https://jira.example.com/",
        "Portfolio": "Retail banking",
        "Cycle": "2026-Q4",
        "As of": "2026-11-24",
    }
