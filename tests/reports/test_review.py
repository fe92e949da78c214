"""The review page and the workbook's Review sheet, from the hand-written sample.

Expected values are worked out by hand from tests/reports/sample.py and confluence_data.py: as of
2026-11-24, with the last review on 2026-11-17 (HISTORY's snapshot of that day: P1 0.50, P1.KR1
0.68, P1.KR2 0.375 on track; findings UNALIGNED_EPIC PAY-103 and MOB-4, OFF_PACE P2.KR1), when
Payments had 2 unaligned epics and Mobile 1.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from reports.confluence import render_review
from reports.excel import render_workbook
from reports.review import PreviousReview
from rules.okr_changes import ChangeKind, OkrChange
from tests.reports.confluence_data import HISTORY, RICH
from tests.reports.sample import CATALOGUE, INJECTION, JIRA, KR_P2_1, PORTFOLIO
from tests.reports.xhtml import parse, rows, visible_text

NOV17 = date(2026, 11, 17)
PREVIOUS = PreviousReview(
    NOV17,
    next(s for s in HISTORY.snapshots if s.as_of == NOV17),
    {"payments": 2, "mobile": 1},
)
MOVED = OkrChange(date(2026, 11, 20), "P1", "P1.KR2", ChangeKind.MOVED, "target", 12.0, 10.0)
BEFORE = OkrChange(date(2026, 11, 10), "P1", "P1.KR1", ChangeKind.MOVED, "start", 97.0, 97.2)

# P2.KR1 (off pace) is owned by someone whose name tries to be markup.
KR_P2 = dataclasses.replace(KR_P2_1, owner=INJECTION)
EVALUATION = dataclasses.replace(
    RICH,
    objectives=tuple(
        dataclasses.replace(
            op,
            key_results=tuple(
                dataclasses.replace(k, key_result=KR_P2) if k.key_result.id == "P2.KR1" else k
                for k in op.key_results
            ),
        )
        for op in RICH.objectives
    ),
)


def review_body(previous: PreviousReview | None = PREVIOUS) -> str:
    page = render_review(
        EVALUATION,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        okr_changes=(BEFORE, MOVED),
        previous=previous,
    )
    assert (page.key, page.title, page.parent_key) == (
        "review:2026-11-24",
        "Retail banking — Review 2026-11-24",
        "overview",
    )
    return page.body


def table_after(body: str, *first: str) -> list[list[str]]:
    root = parse(body)
    for table in root.iter("table"):
        found = rows(table)
        if found and found[0][: len(first)] == list(first):
            return found[1:]
    raise AssertionError(f"no table headed {first}")


def test_what_needs_a_decision() -> None:
    assert table_after(review_body(), "Subject", "Kind") == [
        ["PAY-101", "epic claim", "P1.KR1 Instant-payment success rate", "Payments"],
        ["PAY-104", "epic claim", "P1.KR1 Instant-payment success rate", "Payments"],
        ["PAY-O1", "team objective link", "P1.KR1 Instant-payment success rate", "Payments"],
    ]


def test_key_results_off_pace_with_owner_escaped() -> None:
    body = review_body()
    assert table_after(body, "Key result", "Owner") == [
        [
            "P2.KR1 Onboarding completed same day",
            INJECTION,  # text, never markup
            "10%",
            "60%",
            "OFF TRACK",
            "—",
            "—",  # the sample computed no forecast
            "—",
            "off pace",
        ]
    ]
    assert 'ac:name="html"' not in body


def test_unaligned_work_by_team_against_the_last_review() -> None:
    assert table_after(review_body(), "Team", "Unaligned") == [
        ["Payments", "1", "2", "▼ -1"],
        ["Mobile", "1", "2", "► no change"],
    ]
    first = table_after(review_body(None), "Team", "Unaligned")
    assert [row[3] for row in first] == ["—", "—"]  # nothing to compare with on a first review


def test_what_changed_since_the_last_review() -> None:
    body = review_body()
    assert "What changed since the last review (2026-11-17)" in visible_text(parse(body))
    changes = table_after(body, "What", "About", "Change")
    assert changes[:3] == [
        ["score", "P1", "50% → 56% (+6 pts)"],
        ["score", "P1.KR1", "68% → 74% (+6 pts)"],
        ["score", "P1.KR2", "38% → 38% (+0 pts); on track → at risk"],
    ]
    assert sorted(tuple(r) for r in changes if r[0] == "new finding") == [
        ("new finding", "MOB-7", "UNALIGNED_EPIC"),
        ("new finding", "P2.KR1", "KR_WITHOUT_WORK"),
        ("new finding", "PAY-103", "UNKNOWN_OKR"),
    ]
    assert [r for r in changes if r[0] == "resolved finding"] == [
        ["resolved finding", "MOB-4", "UNALIGNED_EPIC"]
    ]
    # Only the OKR changes after the last review: the start moved on 11-10 was before it.
    assert [r for r in changes if r[0] == "OKR"] == [
        ["OKR", "P1.KR2", "target moved 12 → 10 (on 2026-11-20)"]
    ]


def test_the_first_review_counts_okr_changes_from_the_cycles_start() -> None:
    body = review_body(None)
    assert "What changed this cycle (the first review)" in visible_text(parse(body))
    assert table_after(body, "What", "About", "Change") == [
        ["OKR", "P1.KR1", "start moved 97 → 97.2 (on 2026-11-10)"],
        ["OKR", "P1.KR2", "target moved 12 → 10 (on 2026-11-20)"],
    ]


def test_an_empty_decisions_and_actions_section_for_the_meeting() -> None:
    body = review_body()
    assert [visible_text(h) for h in parse(body).iter("h2")][-1] == "Decisions and actions"
    assert table_after(body, "Decision or action", "Who", "By when") == [["", "", ""]]


def test_the_workbook_review_sheet_holds_the_same() -> None:
    data = render_workbook(
        EVALUATION,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        okr_changes=(BEFORE, MOVED),
        previous_review=PREVIOUS,
    )
    ws = load_workbook(BytesIO(data))["Review"]
    tables = {t.name: [[c.value for c in row] for row in ws[t.ref]] for t in ws.tables.values()}
    assert ws["A1"].value == "Retail banking — Review 2026-11-24"
    assert tables["tblReviewDecisions"][1:] == [
        ["PAY-101", "epic claim", "P1.KR1", "Payments"],
        ["PAY-104", "epic claim", "P1.KR1", "Payments"],
        ["PAY-O1", "team objective link", "P1.KR1", "Payments"],
    ]
    (kr,) = tables["tblReviewKeyResults"][1:]
    assert kr[:4] == ["P2", "P2.KR1", "Onboarding completed same day", INJECTION]
    assert kr[-1] == "off pace"
    assert tables["tblReviewUnaligned"][1:] == [["Payments", 1, 2, -1], ["Mobile", 1, 2, 0]]
    assert ["OKR", "P1.KR2", "target moved 12 → 10 (on 2026-11-20)"] in tables["tblReviewChanges"]
    assert tables["tblReviewActions"] == [["Decision or action", "Who", "By when"], [None] * 3]
