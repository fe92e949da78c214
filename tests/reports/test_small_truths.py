"""Small things the reports used to say untruly (issue 11, defect 7): two findings' reasons run
together, a finished epic called "unaligned", a claim on an unknown OKR called "proposed", and a
hint naming a label without the suffix of the settings' pattern."""

from __future__ import annotations

import dataclasses
from io import BytesIO
from pathlib import Path

import yaml
from openpyxl import load_workbook

from reports.confluence import render_pages
from reports.context import ReportContext, Tagging
from reports.excel import render_workbook
from rules.model import Finding, Severity, StatusCategory
from rules.policy import Policy
from service.pipeline import tagging
from service.settings import load_settings
from tests.reports.workbook_sample import (
    CATALOGUE,
    CREATED,
    EVALUATION,
    JIRA,
    PORTFOLIO,
    TAG_HINT,
)
from tests.reports.xhtml import parse, visible_text

SUFFIXED = Tagging.of(Policy(label_prefix="", label_suffix="@okr", exempt_labels=("ktlo",)))


def _book(evaluation=EVALUATION, tagging: Tagging | None = None):  # type: ignore[no-untyped-def]
    data = render_workbook(
        evaluation,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        tagging=tagging,
        created=CREATED,
    )
    return load_workbook(BytesIO(data))


def _row(ws, key: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == key)
    return dict(zip(headers, (c.value for c in row), strict=True))


def test_the_unaligned_sheet_keeps_two_findings_apart_as_sentences() -> None:
    # As the rules write them: no full stop at the end of a message.
    findings = (
        Finding(
            "UNKNOWN_OKR",
            Severity.ERROR,
            "PAY-103",
            "PAY-103 “Import” claims P9.KR1, which is not in the OKR catalogue",
            "Fix the label okr:P9.KR1 on PAY-103: did you mean P1.KR1?",
            "payments",
        ),
        Finding(
            "UNALIGNED_EPIC",
            Severity.WARNING,
            "PAY-103",
            "PAY-103 “Import” serves no outcome: its only claim (P9.KR1) is unknown or out of "
            "cycle",
            "Add a label okr:<key result id> naming the key result it serves, or okr-exempt for "
            "keep-the-lights-on work.",
            "payments",
        ),
    )
    row = _row(_book(dataclasses.replace(EVALUATION, findings=findings))["Unaligned"], "PAY-103")
    assert row["Reason"] == (
        "PAY-103 “Import” claims P9.KR1, which is not in the OKR catalogue. "
        "PAY-103 “Import” serves no outcome: its only claim (P9.KR1) is unknown or out of cycle."
    )
    assert row["Hint"] == (
        "Fix the label okr:P9.KR1 on PAY-103: did you mean P1.KR1? "
        "Add a label okr:<key result id> naming the key result it serves, or okr-exempt for "
        "keep-the-lights-on work."
    )


def test_a_claim_on_an_unknown_okr_is_not_called_proposed() -> None:
    row = _row(_book()["Epics"], "PAY-103")  # claims P9.KR1, which the catalogue lacks
    assert row["Claims"] == "P9.KR1 (label, unknown OKR)"
    assert row["Claim approval"] is None  # there is nothing for a leader to approve


def test_a_finished_epic_without_a_valid_claim_is_done_not_unaligned() -> None:
    epics = tuple(
        dataclasses.replace(
            ea,
            epic=dataclasses.replace(ea.epic, status="Done", status_category=StatusCategory.DONE),
        )
        if ea.epic.key == "PAY-103"
        else ea
        for ea in EVALUATION.epics
    )
    book = _book(dataclasses.replace(EVALUATION, epics=epics))
    assert _row(book["Epics"], "PAY-103")["Alignment"] == "done"
    assert _row(book["Epics"], "MOB-7")["Alignment"] == "unaligned"  # still active
    assert _row(book["Epics"], "PAY-102")["Alignment"] == "aligned"  # done, and it served P1.KR2


def test_hints_name_the_label_of_a_pattern_with_a_suffix() -> None:
    ctx = ReportContext(EVALUATION, CATALOGUE, PORTFOLIO, JIRA, SUFFIXED)
    assert ctx.default_hint() == (
        "Add the label <key result id>@okr (for example P1.KR1@okr) for the key result this "
        "epic serves, or ktlo for keep-the-lights-on work."
    )
    pages = render_pages(
        EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, tagging=SUFFIXED
    )
    unaligned = next(p for p in pages if p.key == "unaligned")
    text = visible_text(parse(unaligned.body))
    assert "add the label <key result id>@okr (for example P1.KR1@okr)" in text
    # The only "okr:" left is in the sample findings' own hints, which the rules wrote.
    assert text.count("okr:") == text.count(TAG_HINT)


def test_the_service_gives_the_reports_the_labels_the_rules_read(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    settings = {
        "version": 1,
        "jira": {"url": "https://acme.atlassian.net", "auth": {"email": "a@b.c", "token": "t"}},
        "portfolios": [{"id": "retail", "name": "Retail", "epics_jql": "project = PAY"}],
        "catalogue": {"files": ["okrs.yaml"]},
        "claims": {"labels": {"pattern": "<id>@okr"}},
        "exempt_labels": ["ktlo"],
    }
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    made = tagging(load_settings(path, environ={}))
    assert made.label("P1.KR2") == "P1.KR2@okr"
    assert made.exempt_label == "ktlo"
