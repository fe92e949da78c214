"""A team objective without key results (issue 11, defect 4): no score and no pace status, "no key
results" instead; its progress is the key result it supports and its epics' output; it never
counts as off pace. Evaluated by the real rules, rendered by every renderer.

As of 2026-11-15, 46 of 92 days of 2026-Q4 have passed: expected 0.5. P1.KR1 is at 10 of 0 → 100:
score 0.1, pace 0.2, off track. PAY-O2 has no key results and supports P1.KR1; its epics are
PAY-1 (active, 1 of 4 child issues done) and PAY-2 (done, 2 of 2).
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from reports.confluence import render_pages
from reports.excel import render_workbook
from reports.preview import render_preview
from reports.trends import snapshot_from_data
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import PaceStatus
from rules.policy import Policy
from rules.snapshots import encode, snapshot_of
from tests.reports.xhtml import parse, rows, visible_text
from tests.rules.factories import DONE, epic

AS_OF = date(2026, 11, 15)
JIRA = "https://jira.example.com"
CATALOGUE = parse_catalogue(
    {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
        "objectives": [
            {
                "id": "P1",
                "cycle": "2026-Q4",
                "title": "Effortless payments",
                "key_results": [
                    {
                        "id": "P1.KR1",
                        "title": "Instant payments",
                        "start": 0,
                        "target": 100,
                        "current": 10,
                        "current_on": "2026-11-14",
                    }
                ],
            },
            {
                "id": "PAY-O2",
                "cycle": "2026-Q4",
                "team": "payments",
                "title": "Calmer payment days",
                "supports": ["P1.KR1"],
                "approval": {"state": "approved", "by": "Priya", "at": "2026-10-02"},
            },
        ],
    },
    "okrs.yaml",
)
EPICS = [
    epic("PAY-1", labels=("okr:PAY-O2",), children=(4, 1)),
    epic("PAY-2", labels=("okr:PAY-O2",), children=(2, 2), category=DONE),
]
POLICY = Policy(approval_for=frozenset({"team_objectives"}))  # epics claim without a decision
EVALUATION = evaluate(CATALOGUE, EPICS, as_of=AS_OF, policy=POLICY)
PROGRESS = "No key results: supports P1.KR1 at 10%; 2 epics (1 done), 3 of 6 child issues done"


def _objective(objective_id: str):  # type: ignore[no-untyped-def]
    return next(o for o in EVALUATION.objectives if o.objective.id == objective_id)


def _pages() -> dict[str, str]:
    pages = render_pages(EVALUATION, CATALOGUE, portfolio_name="Retail", jira_url=JIRA)
    return {page.key: page.body for page in pages}


def test_the_rules_give_no_score_and_no_pace_and_no_pace_finding() -> None:
    team = _objective("PAY-O2")
    assert (team.score, team.status) == (None, PaceStatus.NO_KEY_RESULTS)
    assert team.epic_keys == ("PAY-1", "PAY-2")  # its output stays with it
    assert [(f.code, f.subject) for f in EVALUATION.findings] == [("OFF_PACE", "P1.KR1")]
    assert _objective("P1").supported_by == ("PAY-O2",)


def test_the_team_page_shows_what_its_progress_is_instead_of_a_score() -> None:
    body = _pages()["team:payments"]
    row = next(r for r in rows(parse(body)) if r and r[0].startswith("PAY-O2"))
    assert row[:5] == [
        "PAY-O2 Calmer payment days",
        "P1.KR1 Instant payments APPROVED",
        PROGRESS,
        "50%",
        "NO KEY RESULTS",
    ]
    assert "OFF TRACK" not in " ".join(row)


def test_the_objective_page_and_the_overview_list_it_without_a_score() -> None:
    pages = _pages()
    supporters = [r for r in rows(parse(pages["objective:P1"])) if r and r[0].startswith("PAY-O2")]
    assert [r[3:5] for r in supporters] == [[PROGRESS, "NO KEY RESULTS"]]
    overview = visible_text(parse(pages["overview"]))
    assert "PAY-O2 (Payments, no key results)" in overview
    assert "PAY-O2 (Payments, 0%)" not in overview


def test_the_html_preview_says_no_key_results() -> None:
    pages = render_pages(EVALUATION, CATALOGUE, portfolio_name="Retail", jira_url=JIRA)
    files = render_preview(pages, generated_at="2026-11-15 07:00", jira_url=JIRA)
    team = next(html for name, html in files.items() if "payments" in name.lower())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", team))
    assert "NO KEY RESULTS" in text
    assert "No key results: supports P1.KR1 at 10%" in text


def test_the_workbook_leaves_the_score_empty_and_says_no_key_results() -> None:
    data = render_workbook(EVALUATION, CATALOGUE, portfolio_name="Retail", jira_url=JIRA)
    ws = load_workbook(BytesIO(data))["Objectives"]
    headers = [c.value for c in ws[1]]
    row = next(
        dict(zip(headers, (c.value for c in r), strict=True))
        for r in ws.iter_rows(min_row=2)
        if r[2].value == "PAY-O2"
    )
    assert (row["Score"], row["Status"], row["Key results"]) == (None, "no key results", 0)
    assert (row["Epics"], row["Epics done"]) == (2, 1)  # the output beside it


def test_check_json_and_the_snapshot_say_no_score_and_trends_skip_it() -> None:
    data = encode(snapshot_of(EVALUATION))  # what `outcomes check --json` prints as "objectives"
    objectives = data["objectives"]
    assert isinstance(objectives, dict)
    assert objectives["PAY-O2"] == {
        "score": None,
        "expected": 0.5,
        "status": "no key results",
        "forecast_score": None,  # nothing to forecast either
        "key_results": {},
    }
    snapshot = snapshot_from_data(AS_OF, "2026-Q4", data)
    assert set(snapshot.objectives) == {"P1"}  # nothing to draw for PAY-O2
