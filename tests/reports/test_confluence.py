from __future__ import annotations

import dataclasses

import pytest

from reports.confluence import render_pages
from reports.pages import Page
from rules.model import AlignmentState, Evaluation
from tests.reports import sample
from tests.reports.sample import CATALOGUE, EVALUATION, FORMULA, INJECTION, JIRA, PORTFOLIO
from tests.reports.xhtml import AC, RI, macros, params, parse, rows

OVERVIEW_TITLE = "Retail banking — Outcomes"
UNALIGNED_TITLE = "Retail banking — Work not tied to an outcome"


def pages(evaluation: Evaluation = EVALUATION) -> dict[str, Page]:
    rendered = render_pages(evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    return {p.key: p for p in rendered}


def test_page_tree_parents_first() -> None:
    rendered = render_pages(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    assert [(p.key, p.title, p.parent_key) for p in rendered] == [
        ("overview", OVERVIEW_TITLE, None),
        ("unaligned", UNALIGNED_TITLE, "overview"),
    ]


def test_bodies_are_well_formed_and_use_confluence_br() -> None:
    for page in pages().values():
        parse(page.body)
        assert "<br/>" not in page.body


def test_rendering_is_deterministic() -> None:
    assert pages() == pages()


def test_overview_intro_states_time_in_cycle() -> None:
    text = "".join(parse(pages()["overview"].body).itertext())
    assert "Cycle 2026-Q4 (2026-10-01 to 2026-12-31), as of 2026-11-24." in text
    assert "Day 55 of 92 — 60% of the cycle elapsed." in text


def test_overview_lozenges_match_statuses() -> None:
    root = parse(pages()["overview"].body)
    lozenges = [(params(m)["title"], params(m)["colour"]) for m in macros(root, "status")]
    assert lozenges == [
        ("ON TRACK", "Green"),  # P1 in the portfolio table
        ("OFF TRACK", "Red"),  # P2
        ("ON TRACK", "Green"),  # P1.KR1
        ("AT RISK", "Yellow"),  # P1.KR2
        ("OFF TRACK", "Red"),  # P2.KR1
        ("AT RISK", "Yellow"),  # PAY-O1 among the team objectives
    ]
    # Six lozenges and one expand (the epics behind P1; P2 has none): nothing else.
    assert len(macros(root)) == 7
    assert [params(m)["title"] for m in macros(root, "expand")] == ["Epics behind P1 (2)"]


def test_overview_tables_lead_with_outcomes() -> None:
    table = rows(parse(pages()["overview"].body))
    assert ["Objective", "Owner", "Score", "Expected", "Status", "Supported by"] in table
    assert [
        "P1 Make everyday payments effortless",
        "Priya",
        "56%",
        "60%",
        "ON TRACK",
        "PAY-O1 (Payments, 29%)",
    ] in table
    assert [
        "P1.KR1 Instant-payment success rate",
        "97.2% → 98.9% → 99.5%",
        "74%",
        "60%",
        "ON TRACK",
        "1 epic (0 done), 6/10 issues, 13.0/21.0 points",
    ] in table
    assert [
        "P1.KR2 Median P2P transfer time",
        "42 s → 30 s → 10 s",
        "38%",
        "60%",
        "AT RISK",
        "1 epic (1 done), 4/4 issues, 8.0/8.0 points",
    ] in table
    assert [
        "P2.KR1 Onboarding completed same day",
        "40% → 44% → 80%",
        "10%",
        "60%",
        "OFF TRACK",
        "No epics yet",
    ] in table
    assert [
        "PAY-O1 Cut failed instant payments in half",
        "Ana",
        "29%",
        "60%",
        "AT RISK",
        "P1.KR1 Instant-payment success rate",
        "approved",
    ] in table


def test_overview_shows_work_behind_each_objective() -> None:
    text = "".join(parse(pages()["overview"].body).itertext())
    assert (
        "Work behind it: 2 epics (1 in progress, 1 done); child issues 10 of 14 done; "
        "story points 21.0 of 29.0 done."
    ) in text
    assert "Work behind it: no epics are tied to this objective yet." in text
    table = rows(parse(pages()["overview"].body))
    assert [
        "PAY-101",
        "Retry failed instant payments",
        "Payments",
        "In Progress",
        "P1.KR1",
        "6/10",
        "13.0/21.0",
    ] in table


def test_overview_alignment_and_findings() -> None:
    root = parse(pages()["overview"].body)
    table = rows(root)
    assert ["Payments", "1", "1", "0", "50%", "21.0", "5.0", "0.0"] in table
    assert ["Mobile", "0", "1", "1", "0%", "0.0", "0.0", "3.0"] in table
    assert ["Portfolio total", "1", "2", "1", "25%", "21.0", "5.0", "3.0"] in table
    findings = table[table.index(["Severity", "Finding", "Count"]) + 1 :]
    assert findings == [
        ["error", "OFF_PACE", "1"],
        ["warning", "KR_WITHOUT_WORK", "1"],
        ["warning", "UNALIGNED_EPIC", "2"],
        ["warning", "UNKNOWN_OKR", "1"],
    ]
    links = [page.get(f"{RI}content-title") for page in root.iter(f"{RI}page")]
    assert links == [UNALIGNED_TITLE]
    assert "2 active epics not tied to an outcome: see" in "".join(root.itertext())


def test_unaligned_page_lists_exactly_the_unaligned_epics() -> None:
    root = parse(pages()["unaligned"].body)
    hrefs = [a.get("href") for a in root.iter("a")]
    assert hrefs == [
        "https://jira.example.com/browse/PAY-103",
        "https://jira.example.com/browse/MOB-7",
    ]
    assert ["".join(h.itertext()) for h in root.iter("h2")] == [
        "Payments (1 epic)",
        "Mobile (1 epic)",
    ]
    # Only the info panel with the tagging hint; the injected text is no macro.
    assert [m.get(f"{AC}name") for m in macros(root)] == ["info"]
    assert "okr:P1.KR1" in "".join(root.itertext())


def test_unaligned_rows_say_why_and_how_to_fix() -> None:
    root = parse(pages()["unaligned"].body)
    table = rows(root)
    assert table[0] == [
        "Epic",
        "Summary",
        "Status",
        "Assignee",
        "Child issues done",
        "Points done",
        "Why",
    ]
    assert table[1] == [
        "PAY-103",
        INJECTION,
        "In Progress",
        "Cleo",
        "1/3",
        "2.0/5.0",
        f"{sample.UNKNOWN_MSG}{sample.UNALIGNED_MSG}{sample.TYPO_HINT} {sample.TAG_HINT}",
    ]
    assert table[3] == [
        "MOB-7",
        FORMULA,
        "To Do",
        "Unassigned",
        "0/0",
        "0.0/0.0",
        f"{sample.UNALIGNED_MSG}{sample.TAG_HINT}",
    ]


@pytest.mark.parametrize("key", ["overview", "unaligned"])
def test_injected_summary_is_text_never_markup(key: str) -> None:
    page = pages()[key]
    root = parse(page.body)
    assert not macros(root, "html")
    if key == "unaligned":
        # Exactly one table cell whose text is the summary, and that cell has no child elements.
        cells = [td for td in root.iter("td") if "".join(td.itertext()) == INJECTION]
        assert len(cells) == 1
        assert len(cells[0]) == 0
        assert cells[0].text == INJECTION


def test_no_unaligned_work_gives_a_positive_sentence() -> None:
    only_aligned = dataclasses.replace(
        EVALUATION,
        epics=tuple(e for e in EVALUATION.epics if e.state is not AlignmentState.UNALIGNED),
    )
    root = parse(pages(only_aligned)["unaligned"].body)
    text = "".join(root.itertext())
    assert "Every active epic in cycle 2026-Q4 is tied to an outcome or marked exempt." in text
    assert not list(root.iter("table"))


def test_control_characters_are_dropped() -> None:
    noisy = dataclasses.replace(EVALUATION.epics[2].epic, summary="bell\x07 and nul\x00 end")
    epics = (*EVALUATION.epics[:2], dataclasses.replace(EVALUATION.epics[2], epic=noisy))
    evaluation = dataclasses.replace(EVALUATION, epics=epics + EVALUATION.epics[3:])
    root = parse(pages(evaluation)["unaligned"].body)
    assert "bell and nul end" in "".join(root.itertext())
