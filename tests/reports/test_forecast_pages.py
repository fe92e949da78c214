"""Forecasts and OKR changes on the objective and team pages, from a catalogue evaluated by hand.

2026-Q4 runs from 10-01 (day 0) to 12-31 (day 91). As of 2026-11-15:
- P1.KR1 (0 → 100 %) was 10, 15, 20 on days 20, 30, 40: the line y = x / 2 reads 45.5 on day 91,
  46 % of the way; its team forecast 60 on 11-10.
- P1.KR2 (42 → 10 s) has one check-in: not enough data.
- PAY-O1.KR1 (28 → 14) was 26, 24, 22 on days 15, 30, 45: 2 less every 15 days, 22 − 46 × 2 / 15
  = 15.87 on day 91, (28 − 15.87) / 14 = 87 % of the way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reports.confluence import render_pages
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.okr_changes import ChangeKind, OkrChange
from rules.policy import Policy
from tests.reports.xhtml import parse, rows, visible_text

CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Payments",
            "owner": "Priya",
            "key_results": [
                {
                    "id": "P1.KR1",
                    "title": "Instant <b>payments</b>",
                    "unit": "%",
                    "start": 0,
                    "target": 100,
                    "owner": "Ana",
                    "checkins": [
                        {"on": "2026-10-21", "value": 10},
                        {"on": "2026-10-31", "value": 15},
                        {"on": "2026-11-10", "value": 20, "forecast": 60},
                    ],
                },
                {
                    "id": "P1.KR2",
                    "title": "Transfer time",
                    "unit": "s",
                    "start": 42,
                    "target": 10,
                    "checkins": [{"on": "2026-11-10", "value": 38}],
                },
            ],
        },
        {
            "id": "PAY-O1",
            "cycle": "2026-Q4",
            "team": "payments",
            "title": "Fewer failures",
            "supports": ["P1.KR1"],
            "key_results": [
                {
                    "id": "PAY-O1.KR1",
                    "title": "Failures per 10k",
                    "start": 28,
                    "target": 14,
                    "checkins": [
                        {"on": "2026-10-16", "value": 26},
                        {"on": "2026-10-31", "value": 24},
                        {"on": "2026-11-15", "value": 22},
                    ],
                }
            ],
        },
    ],
}
FORECAST_HEADER = ["Key result", "Owner", "Forecast", "Likely range", "Forecast score"]


def pages(changes: tuple[OkrChange, ...] = ()) -> dict[str, str]:
    catalogue = parse_catalogue(CATALOGUE, "okrs.yaml")
    evaluation = evaluate(catalogue, [], as_of=date(2026, 11, 15), policy=Policy())
    rendered = render_pages(
        evaluation,
        catalogue,
        portfolio_name="Retail",
        jira_url="https://jira.example.com",
        okr_changes=changes,
    )
    return {p.key: p.body for p in rendered}


def forecast_rows(body: str) -> list[list[str]]:
    tables = [rows(table) for table in parse(body).iter("table")]
    return next(found[1:] for found in tables if found and found[0][:5] == FORECAST_HEADER)


def test_the_objective_page_shows_each_forecast_beside_the_teams() -> None:
    body = pages()["objective:P1"]
    assert forecast_rows(body) == [
        ["P1.KR1 Instant <b>payments</b>", "Ana", "45.5%", "45.5% – 45.5%", "46%",
         "60% (60%), 2026-11-10"],
        ["P1.KR2 Transfer time", "Priya",
         "not enough data: 1 dated value this cycle, a forecast needs 3 on different days",
         "—", "—", "—"],
    ]  # fmt: skip
    text = visible_text(parse(body))
    assert "Forecast at the cycle's end: 46%." in text  # only P1.KR1 has a forecast
    assert "read at the cycle's last day (2026-12-31)" in text
    assert "<b>" not in body  # the title is text


def test_the_team_page_shows_its_objectives_forecasts() -> None:
    (row,) = forecast_rows(pages()["team:payments"])
    assert row[:5] == ["PAY-O1.KR1 Failures per 10k", "—", "15.87", "15.87 – 15.87", "87%"]


def test_the_objective_page_lists_the_changes_to_its_okrs() -> None:
    moved = OkrChange(date(2026, 11, 12), "P1", "P1.KR2", ChangeKind.MOVED, "target", 12.0, 10.0)
    other = OkrChange(date(2026, 11, 12), "PAY-O1", "PAY-O1", ChangeKind.SUPPORTS, "supports")
    before = OkrChange(date(2026, 9, 30), "P1", "P1", ChangeKind.EDITED, "title", "A", "B")
    body = pages((before, moved, other))["objective:P1"]
    found = [
        r for t in parse(body).iter("table") if (r := rows(t)) and r[0] == ["Day", "OKR", "Change"]
    ]
    assert found[0][1:] == [["2026-11-12", "P1.KR2", "target moved 12 → 10"]]
