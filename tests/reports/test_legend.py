"""Leader words: the legend of the pace bands on every page that shows a status, with the bands
of the settings (not the defaults), and findings counted in plain words."""

from __future__ import annotations

import dataclasses

from reports.confluence import render_pages, render_review
from reports.context import PaceBands
from reports.preview import render_preview
from rules.model import Finding, Severity
from tests.reports.confluence_data import HISTORY, RICH
from tests.reports.sample import CATALOGUE, EVALUATION, JIRA, PORTFOLIO
from tests.reports.xhtml import macros, parse, visible_text

CUSTOM = PaceBands(on_track=0.8, at_risk=0.55)
CUSTOM_LEGEND = (
    "Status compares a score with the share of the cycle gone (expected): on track at 80% of "
    "that pace or better, at risk from 55%, off track below; too early while less than 10% of "
    "the cycle has gone."
)
WITH_STATUS = [
    "overview",
    "objective:P1",
    "objective:P2",
    "team:payments",
    "team:mobile",
    "history",
]


def test_every_page_with_a_status_explains_the_bands_of_the_settings() -> None:
    rendered = render_pages(
        RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, history=HISTORY, bands=CUSTOM
    )
    by_key = {p.key: visible_text(parse(p.body)) for p in rendered}
    assert [k for k in by_key if CUSTOM_LEGEND in by_key[k]] == WITH_STATUS
    assert "70%" not in by_key["overview"].split("Status compares")[1][:120]


def test_the_legend_defaults_to_the_rules_bands() -> None:
    rendered = render_pages(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    overview = visible_text(parse(rendered[0].body))
    assert "on track at 70% of that pace or better, at risk from 40%, off track below" in overview


def test_the_review_page_and_the_preview_show_the_legend() -> None:
    review = render_review(
        RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, history=HISTORY, bands=CUSTOM
    )
    assert CUSTOM_LEGEND in visible_text(parse(review.body))
    pages = render_pages(RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, bands=CUSTOM)
    html = render_preview([*pages, review], generated_at="2026-11-24 07:00")
    assert "on track at 80% of that pace or better, at risk from 55%" in html["overview.html"]


def test_the_overview_counts_findings_in_plain_words() -> None:
    awaiting = Finding("AWAITING_APPROVAL", Severity.INFO, "MOB-7", "MOB-7 claims P2.KR1")
    evaluation = dataclasses.replace(RICH, findings=(*RICH.findings, awaiting))
    rendered = render_pages(evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    root = parse(rendered[0].body)
    overview = visible_text(root)
    assert "Findings: 1 needs fixing, 4 worth a look, 1 for information." in overview
    lozenges = {visible_text(m) for m in macros(root, "status")}
    assert {"NEEDS FIXING", "WORTH A LOOK", "FOR INFORMATION"} <= lozenges
    assert not {"ERROR", "WARNING", "INFO"} & lozenges
