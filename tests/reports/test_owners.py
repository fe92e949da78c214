"""Owners on the pages: names as text, Atlassian accounts as a mention in the finding's row only."""

from __future__ import annotations

import dataclasses

import pytest

from reports.confluence import render_pages
from reports.owners import account_id, mention, owner_text
from rules.model import Finding, Severity
from tests.reports.sample import CATALOGUE, EVALUATION, JIRA, KR_P2_1, PORTFOLIO
from tests.reports.xhtml import RI, parse

CLOUD = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (CLOUD, CLOUD),
        ("5b10ac8d82e05b22cc7d4ef5", "5b10ac8d82e05b22cc7d4ef5"),  # the older 24-hex form
        ("@accountid:712020:abc", "712020:abc"),
        ("@AccountId: 712020:abc ", "712020:abc"),
        ("Priya Raman", None),
        ("557058", None),
        ('@accountid:x" onload="y', None),  # not an id: stays text
        (None, None),
    ],
)
def test_which_owners_are_atlassian_accounts(owner: str | None, expected: str | None) -> None:
    assert account_id(owner) == expected


def test_a_mention_is_a_user_link_and_a_name_is_escaped_text() -> None:
    assert mention(CLOUD) == f'<ac:link><ri:user ri:account-id="{CLOUD}" /></ac:link>'
    assert mention("<b>Priya</b>") == "&lt;b&gt;Priya&lt;/b&gt;"
    assert owner_text("@accountid:712020:abc") == "@accountid:712020:abc"
    assert owner_text(None) == "—"


def _pages_with(code: str, owner: str) -> dict[str, str]:
    kr = dataclasses.replace(KR_P2_1, owner=owner)
    objectives = tuple(
        dataclasses.replace(
            op,
            key_results=tuple(
                dataclasses.replace(k, key_result=kr) if k.key_result.id == "P2.KR1" else k
                for k in op.key_results
            ),
        )
        for op in EVALUATION.objectives
    )
    finding = Finding(code, Severity.WARNING, "P2.KR1", "Key result P2.KR1 is stale", "Check in")
    evaluation = dataclasses.replace(
        EVALUATION, objectives=objectives, findings=(*EVALUATION.findings, finding)
    )
    pages = render_pages(evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    return {p.key: p.body for p in pages}


def mentioned(body: str) -> list[str | None]:
    return [u.get(f"{RI}account-id") for u in parse(body).iter(f"{RI}user")]


@pytest.mark.parametrize("code", ["STALE_KR", "FORECAST_MISS"])
def test_the_owner_is_mentioned_once_on_the_page_that_owns_the_key_result(code: str) -> None:
    bodies = _pages_with(code, f"@accountid:{CLOUD}")
    assert mentioned(bodies["objective:P2"]) == [CLOUD]
    elsewhere = [key for key, body in bodies.items() if key != "objective:P2" and mentioned(body)]
    assert elsewhere == []  # not on the overview's top findings, nor anywhere else


def test_other_findings_and_plain_names_mention_nobody() -> None:
    assert mentioned(_pages_with("OFF_PACE", CLOUD)["objective:P2"]) == []
    assert mentioned(_pages_with("STALE_KR", "Marco")["objective:P2"]) == []
