"""The loop of a connection on the approvals page, in the preview and in the workbook: who
proposed it and when, who decided, when, how and why, and the decisions that did not count.

Built on tests/reports/sample.py: PAY-101's claim on P1.KR1 is approved; here, by a tick on the
page. Expected values are written by hand.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook

from reports.confluence import render_pages
from reports.excel import render_workbook
from reports.preview_html import storage_to_html
from rules.model import ApprovalState, Decision, DecisionOrigin
from rules.results import Evaluation
from tests.reports.confluence_data import RICH
from tests.reports.sample import CATALOGUE, EVALUATION, JIRA, PORTFOLIO
from tests.reports.xhtml import parse, rows

PROPOSED = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
TICKED = Decision(
    "PAY-101",
    "P1.KR1",
    ApprovalState.APPROVED,
    datetime(2026, 11, 2, 14, 30, tzinfo=UTC),
    "Priya Raman",
    "Core of the key result",
    DecisionOrigin.PAGE,
    by_id="priya.raman",
)
SAM = Decision(
    "PAY-102",
    "P1.KR2",
    ApprovalState.REJECTED,
    datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
    "Sam Lee",
    None,
    DecisionOrigin.PAGE,
    "no reason given on the page",
    by_id="sam.lee",
    counted=False,
)


def evaluation() -> Evaluation:
    epics = []
    for ea in EVALUATION.epics:
        if ea.epic.key == "PAY-101":
            (claim,) = ea.claims
            claim = dataclasses.replace(claim, decision=TICKED, proposed_at=PROPOSED)
            ea = dataclasses.replace(ea, claims=(claim,))
        epics.append(ea)
    return dataclasses.replace(EVALUATION, epics=tuple(epics), not_counted=(SAM,))


def approvals_body() -> str:
    rendered = render_pages(evaluation(), CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    return next(p.body for p in rendered if p.key == "approvals")


def table(body: str, first: str) -> list[list[str]]:
    for found in parse(body).iter("table"):
        cells = rows(found)
        if cells and cells[0][0] == first and len(cells[0]) > 1:
            return cells
    raise AssertionError(f"no table headed {first}")


def test_the_decided_table_shows_the_whole_loop() -> None:
    assert table(approvals_body(), "Connection")[0] == [
        "Connection",
        "Would have",
        "Decided by",
        "When",
        "How",
        "Why",
    ]
    tables = [rows(t) for t in parse(approvals_body()).iter("table")]
    decided = next(t for t in tables if t[0][:3] == ["Connection", "Proposed by", "Proposed"])
    assert decided == [
        ["Connection", "Proposed by", "Proposed", "Decision", "Decided by", "When", "How", "Why"],
        [
            "PAY-101 → P1.KR1 Instant-payment success rate",
            "Payments",
            "2026-10-02 09:00",
            "approved",
            "Priya Raman (priya.raman)",
            "2026-11-02 14:30",
            "ticked on the page",
            "Core of the key result",
        ],
    ]


def test_a_decision_that_did_not_count_is_shown_as_such() -> None:
    assert table(approvals_body(), "Connection") == [
        ["Connection", "Would have", "Decided by", "When", "How", "Why"],
        [
            "PAY-102 → P1.KR2 Median P2P transfer time",
            "rejected",
            "Sam Lee (sam.lee)",
            "2026-11-03 08:00",
            "ticked on the page (no reason given on the page)",
            "—",
        ],
    ]
    text = "".join(parse(approvals_body()).itertext())
    assert "Not counted: decided by someone who is not an approver (1)" in text


def test_the_preview_shows_tasks_as_boxes_to_tick() -> None:
    rendered = render_pages(RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    body = next(p.body for p in rendered if p.key == "approvals")  # PAY-104 waits
    html = storage_to_html(body, page_files={})
    assert '<li class="task">☐ Approve PAY-104 → P1.KR1</li>' in html
    assert '<li class="task">☐ Reject PAY-104 → P1.KR1</li>' in html
    assert "incomplete" not in html  # the task's status is the box, not a word


def test_the_workbook_lists_the_loop_and_the_decision_that_did_not_count() -> None:
    data = render_workbook(evaluation(), CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    ws = load_workbook(BytesIO(data))["Approvals"]
    found = [
        [c.value for c in r]
        for r in ws.iter_rows(min_row=2)
        if r[1].value in ("PAY-101", "PAY-102")
    ]
    assert found == [
        [
            "epic claim",
            "PAY-101",
            "Retry failed instant payments",
            "Payments",
            "P1.KR1",
            "label",
            datetime(2026, 10, 2),
            "approved",
            "Priya Raman (priya.raman)",
            datetime(2026, 11, 2),
            "page",
            "Core of the key result",
            "yes",
            "In Progress",
        ],
        [
            "epic claim",
            "PAY-102",
            "Faster P2P routing",
            "Payments",
            "P1.KR2",
            None,
            None,
            "rejected",
            "Sam Lee (sam.lee)",
            datetime(2026, 11, 3),
            "page",
            None,
            "no: not an approver",
            None,
        ],
    ]
