"""The Confluence page tree, read back as XML: what a leader sees on each page.

Expected values are worked out by hand from tests/reports/sample.py and confluence_data.py.
"""

from __future__ import annotations

import dataclasses
from xml.etree.ElementTree import Element

import pytest

from reports.confluence import render_pages
from reports.pages import Page
from reports.trends import History
from reports.unaligned import HEADERS as UNALIGNED_HEADERS
from rules.model import AlignmentState
from rules.results import Evaluation
from tests.reports import sample
from tests.reports.confluence_data import HISTORY, RICH
from tests.reports.sample import CATALOGUE, EVALUATION, FORMULA, INJECTION, JIRA, PORTFOLIO
from tests.reports.xhtml import AC, RI, macros, params, parse, rows, visible_text

OVERVIEW_TITLE = "Retail banking — Outcomes"
UNALIGNED_TITLE = "Retail banking — Work not tied to an outcome"


def pages(
    evaluation: Evaluation = EVALUATION,
    history: History | None = None,
    jira_server_id: str | None = None,
) -> dict[str, Page]:
    rendered = render_pages(
        evaluation,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        history=history,
        jira_server_id=jira_server_id,
    )
    return {p.key: p for p in rendered}


def rich(key: str) -> Element:
    return parse(pages(RICH, HISTORY)[key].body)


def table_after(root: Element, header: list[str]) -> list[list[str]]:
    """The rows of the table whose header row is `header` (header excluded)."""
    for table in root.iter("table"):
        found = rows(table)
        if found and found[0] == header:
            return found[1:]
    raise AssertionError(f"no table with header {header}")


def text(root: Element) -> str:
    return visible_text(root)


def test_page_tree_parents_first() -> None:
    rendered = render_pages(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    assert [(p.key, p.title, p.parent_key) for p in rendered] == [
        ("overview", OVERVIEW_TITLE, None),
        ("objective:P1", "Retail banking — P1: Make everyday payments effortless", "overview"),
        ("objective:P2", "Retail banking — P2: Open accounts in minutes", "overview"),
        ("team:payments", "Retail banking — Team Payments", "overview"),
        ("team:mobile", "Retail banking — Team Mobile", "overview"),
        ("unaligned", UNALIGNED_TITLE, "overview"),
        ("approvals", "Retail banking — Awaiting approval", "overview"),
        ("history", "Retail banking — History", "overview"),
    ]


def test_bodies_are_well_formed_and_use_confluence_br() -> None:
    for page in [*pages().values(), *pages(RICH, HISTORY, "j-1").values()]:
        parse(page.body)
        assert "<br/>" not in page.body


def test_rendering_is_deterministic() -> None:
    assert pages(RICH, HISTORY) == pages(RICH, HISTORY)


def test_a_second_run_on_the_same_day_renders_the_same_pages() -> None:
    # The store then also holds this day's snapshot of the same evaluation: nothing may change.
    from reports.trends import current_snapshot

    again = History((*HISTORY.snapshots[:-1], current_snapshot(RICH)))
    assert pages(RICH, again) == pages(RICH, HISTORY)


def test_overview_intro_states_time_in_cycle() -> None:
    body = text(parse(pages()["overview"].body))
    assert "Cycle 2026-Q4 (2026-10-01 to 2026-12-31), as of 2026-11-24." in body
    assert "Day 55 of 92 — 60% of the cycle elapsed." in body


def test_overview_answers_outcomes_before_anything_else() -> None:
    root = parse(pages()["overview"].body)
    headings = ["".join(h.itertext()) for h in root.iter("h2")]
    assert headings == [
        "Portfolio objectives",
        "Key results",
        "What is new",
        "Alignment of active work",
        "Top findings",
        "More pages",
    ]
    panel = macros(root)[0]
    assert panel.get(f"{AC}name") == "info" and params(panel)["title"] == "At a glance"
    assert text(panel).endswith(
        "2 portfolio objectives: 1 on track, 1 off track."
        "25% of the active epics (1 of 4) serve an outcome."
        "Findings: 1 needs fixing, 4 worth a look."
    )
    assert [m.get(f"{AC}name") for m in macros(root)][:2] == ["info", "toc"]


def test_overview_objectives_with_trend_and_confidence() -> None:
    header = [
        "Objective",
        "Owner",
        "Score",
        "Expected",
        "Status",
        "Trend since 2026-11-17",
        "Confidence",
        "Supported by",
    ]
    assert table_after(rich("overview"), header) == [
        [
            "P1 Make everyday payments effortless",
            "Priya",
            "56%",
            "60%",
            "ON TRACK",
            "▲ +6 pts",
            "55%",  # (0.7 from the last check-in + 0.4 from the catalogue) / 2
            "PAY-O1 (Payments, 29%)",
        ],
        [
            "P2 Open accounts in minutes",
            "Marco",
            "10%",
            "60%",
            "OFF TRACK",
            "► no change",
            "—",
            "No team objective yet",
        ],
    ]
    # Each objective links to its own page, by title.
    links = [p.get(f"{RI}content-title") for p in rich("overview").iter(f"{RI}page")]
    assert links[:2] == [
        "Retail banking — P1: Make everyday payments effortless",
        "Retail banking — P2: Open accounts in minutes",
    ]


def test_overview_key_results_with_last_check_in() -> None:
    header = [
        "Key result",
        "Start → current → target",
        "Score",
        "Expected",
        "Status",
        "Trend since 2026-11-17",
        "Confidence",
        "Last check-in",
    ]
    assert table_after(rich("overview"), header) == [
        [
            "P1.KR1 Instant-payment success rate",
            "97.2% → 98.9% → 99.5%",
            "74%",
            "60%",
            "ON TRACK",
            "▲ +6 pts",
            "70%",
            "2026-11-16",  # not the check-in of 2026-11-30, after the evaluation date
        ],
        [
            "P1.KR2 Median P2P transfer time",
            "42 s → 30 s → 10 s",
            "38%",
            "60%",
            "AT RISK",
            "► no change",
            "40%",
            "None yet",
        ],
        [
            "P2.KR1 Onboarding completed same day",
            "40% → 44% → 80%",
            "10%",
            "60%",
            "OFF TRACK",
            "► no change",
            "—",
            "None yet",
        ],
    ]


def test_overview_says_what_is_new_since_the_last_report_day() -> None:
    root = rich("overview")
    body = text(root)
    assert "Since the report of 2026-11-17:" in body
    moves = ["".join(li.itertext()) for li in root.iter("li")][:3]
    assert moves == [
        "P1.KR2 Median P2P transfer time: score unchanged; on track → at risk.",
        "P1 Make everyday payments effortless: ▲ +6 pts; still on track.",
        "P1.KR1 Instant-payment success rate: ▲ +6 pts; still on track.",
    ]
    assert "Share of active epics that serve an outcome: 20% → 25%." in body
    assert "New findings (3)" in body and "Resolved findings (1)" in body
    new = [row[:3] for row in table_after(root, FINDING_HEADER)][:3]
    assert new == [
        ["WORTH A LOOK", "UNKNOWN_OKR", "PAY-103"],
        ["WORTH A LOOK", "UNALIGNED_EPIC", "MOB-7"],
        ["WORTH A LOOK", "KR_WITHOUT_WORK", "P2.KR1 Onboarding completed same day"],
    ]
    assert "UNALIGNED_EPIC — MOB-4" in [("".join(li.itertext())) for li in root.iter("li")]


def test_the_first_report_says_so_instead_of_changes() -> None:
    body = text(parse(pages()["overview"].body))
    assert "This is the first report of the cycle" in body
    assert "Trend since" not in body


FINDING_HEADER = ["Severity", "Finding", "About", "What we see", "What helps"]


def test_overview_alignment_and_top_findings_worst_first() -> None:
    root = parse(pages()["overview"].body)
    table = rows(root)
    assert ["Payments", "1", "1", "0", "50%", "21.0", "5.0", "0.0"] in table
    assert ["Mobile", "0", "1", "1", "0%", "0.0", "0.0", "3.0"] in table
    assert ["Portfolio total", "1", "2", "1", "25%", "21.0", "5.0", "3.0"] in table
    top = table_after(root, FINDING_HEADER)
    assert [r[:3] for r in top] == [
        ["NEEDS FIXING", "OFF_PACE", "P2.KR1 Onboarding completed same day"],
        ["WORTH A LOOK", "UNALIGNED_EPIC", "PAY-103"],
        ["WORTH A LOOK", "UNKNOWN_OKR", "PAY-103"],
        ["WORTH A LOOK", "UNALIGNED_EPIC", "MOB-7"],
        ["WORTH A LOOK", "KR_WITHOUT_WORK", "P2.KR1 Onboarding completed same day"],
    ]
    assert table_after(root, ["Severity", "Finding", "Count"]) == [
        ["NEEDS FIXING", "OFF_PACE", "1"],
        ["WORTH A LOOK", "KR_WITHOUT_WORK", "1"],
        ["WORTH A LOOK", "UNALIGNED_EPIC", "2"],
        ["WORTH A LOOK", "UNKNOWN_OKR", "1"],
    ]
    assert "2 active epics not tied to an outcome: see" in text(root)


def test_objective_page_key_results_support_and_work() -> None:
    root = rich("objective:P1")
    assert text(root).startswith(
        "ON TRACK Score 56% against 60% expected. Owner Priya. Confidence 55%. "
        "Since 2026-11-17: ▲ +6 pts."
    )
    header = [
        "Key result",
        "Start",
        "Current",
        "Target",
        "Score",
        "Expected",
        "Status",
        "Confidence",
        "Last check-in",
    ]
    assert table_after(root, header) == [
        [
            "P1.KR1 Instant-payment success rate",
            "97.2%",
            "98.9%",
            "99.5%",
            "74%",
            "60%",
            "ON TRACK",
            "70%",
            "2026-11-16: 98.9%Retries shipped to 80% of traffic",
        ],
        [
            "P1.KR2 Median P2P transfer time",
            *["42 s", "30 s", "10 s", "38%", "60%", "AT RISK", "40%", "None yet"],
        ],
    ]
    supporters = ["Team objective", "Team", "Supports", "Score", "Status", "Approval"]
    assert table_after(root, supporters) == [
        [
            "PAY-O1 Cut failed instant payments in half",
            "Payments",
            "P1.KR1 Instant-payment success rate",
            "29%",
            "AT RISK",
            "P1.KR1 PROPOSED",
        ]
    ]
    assert ["".join(h.itertext()) for h in root.iter("h3")] == [
        "P1.KR1 Instant-payment success rate",
        "P1.KR2 Median P2P transfer time",
    ]
    assert "1 epic (0 done); child issues 6 of 10 done; story points 13.0 of 21.0 done." in text(
        root
    )
    expands = {params(m)["title"]: m for m in macros(root, "expand")}
    assert list(expands) == ["Epics behind P1.KR1 (1)", "Epics behind P1.KR2 (1)"]
    assert rows(expands["Epics behind P1.KR1 (1)"])[1] == [
        "PAY-101",
        "Retry failed instant payments",
        "Payments",
        "In Progress",
        "6/10",
        "13.0/21.0",
        "62%",
    ]
    assert [a.get("href") for a in expands["Epics behind P1.KR2 (1)"].iter("a")] == [
        "https://jira.example.com/browse/PAY-102"
    ]
    assert text(root).endswith("FindingsNo findings.Back to .")  # the link shows its title
    assert [p.get(f"{RI}content-title") for p in root.iter(f"{RI}page")][-1] == OVERVIEW_TITLE


def test_objective_page_charts_its_key_results_over_the_report_days() -> None:
    (chart,) = macros(rich("objective:P1"), "chart")
    assert params(chart)["type"] == "line"
    assert params(chart)["dataOrientation"] == "vertical"
    assert rows(chart) == [
        ["Day", "P1.KR1", "P1.KR2", "Expected"],
        ["2026-11-10", "62", "38", "45"],  # the later of the two runs that day
        ["2026-11-17", "68", "38", "52"],
        ["2026-11-24", "74", "38", "60"],  # today: the evaluation, not the stored morning run
    ]
    # Without history there is nothing to chart yet, and the page says so.
    first = parse(pages()["objective:P1"].body)
    assert not macros(first, "chart")
    assert "The trend chart appears once reports from two different days are stored." in text(first)


def test_objective_without_support_or_work_warns() -> None:
    root = parse(pages()["objective:P2"].body)
    warnings = [text(m) for m in macros(root, "warning")]
    assert warnings == [
        "No team objective supports this objective yet: no team has signed up for it.",
        "No epic serves P2.KR1 yet: who is working on it?",
    ]
    assert [r[:2] for r in table_after(root, FINDING_HEADER)] == [
        ["NEEDS FIXING", "OFF_PACE"],
        ["WORTH A LOOK", "KR_WITHOUT_WORK"],
    ]


def test_team_page_objectives_alignment_and_epics() -> None:
    root = rich("team:payments")
    objective_header = [
        "Objective",
        "Supports",
        "Score",
        "Expected",
        "Status",
        "Trend since 2026-11-17",
        "Confidence",
    ]
    assert table_after(root, objective_header) == [
        [
            "PAY-O1 Cut failed instant payments in half",
            "P1.KR1 Instant-payment success rate PROPOSED",
            "29%",
            "60%",
            "AT RISK",
            "—",  # not in the earlier report
            "—",
        ]
    ]
    assert table_after(
        root, ["Active epics", "Epics", "Share", "Story points", "Share of points"]
    ) == [
        ["Serve an outcome", "1", "50%", "21.0", "81%"],
        ["Not tied to an outcome", "1", "50%", "5.0", "19%"],
        ["Exempt (keep the lights on)", "0", "0%", "0.0", "0%"],
    ]
    aligned = [
        "Epic",
        "Summary",
        "Status",
        "Serves",
        "Approval",
        "Child issues done",
        "Points done",
    ]
    assert [r[:5] for r in table_after(root, aligned)] == [
        [
            "PAY-101",
            "Retry failed instant payments",
            "In Progress",
            "P1.KR1 Instant-payment success rate",
            "PROPOSED",
        ],
        [
            "PAY-104",
            "Payment status webhooks",
            "In Progress",
            "P1.KR1 Instant-payment success rate",
            "PROPOSED",
        ],
    ]
    unaligned = table_after(root, ["Epic", "Summary", "Status", "Why, and how to tie it"])
    assert [r[:3] for r in unaligned] == [["PAY-103", INJECTION, "In Progress"]]
    assert [params(m)["title"] for m in macros(root, "expand")] == ["Done epics (1)"]
    assert [r[1:3] for r in table_after(root, FINDING_HEADER)] == [
        ["UNALIGNED_EPIC", "PAY-103"],
        ["UNKNOWN_OKR", "PAY-103"],
    ]


def test_team_without_objectives_gets_a_note() -> None:
    root = parse(pages()["team:mobile"].body)
    assert text(macros(root, "note")[0]).startswith(
        "This team has no objectives for this cycle yet."
    )


def test_awaiting_approval_lists_what_leaders_decide_oldest_first() -> None:
    root = rich("approvals")
    assert text(root).startswith("3 connections wait for a leader's decision, oldest first.")
    reason = "Reason (write it here before ticking Reject)"
    header = ["Waiting since", "Team objective", "Proposed by", "Owner", "Supports"]
    links = table_after(root, [*header, "Decide", reason])
    assert links == [
        [
            "not recorded",
            "PAY-O1 Cut failed instant payments in half",
            "Payments",
            "Ana",
            "P1.KR1 Instant-payment success rate",
            "incompleteApprove PAY-O1 → P1.KR1incompleteReject PAY-O1 → P1.KR1",
            "",
        ]
    ]
    claims_header = ["Waiting since", "Epic", "Summary", "Proposed by", "Status", "Claims"]
    assert table_after(root, [*claims_header, "Tagged by", "Decide", reason]) == [
        [
            *["2026-10-05", "PAY-104", "Payment status webhooks", "Payments", "In Progress"],
            *["P1.KR1 Instant-payment success rate", "label"],
            "incompleteApprove PAY-104 → P1.KR1incompleteReject PAY-104 → P1.KR1",
            "",
        ],
        [
            *["2026-10-20", "PAY-101", "Retry failed instant payments", "Payments", "In Progress"],
            *["P1.KR1 Instant-payment success rate", "label okr:P1.KR1"],
            "incompleteApprove PAY-101 → P1.KR1incompleteReject PAY-101 → P1.KR1",
            "",
        ],
    ]


def test_nothing_awaiting_approval_says_so() -> None:
    assert text(parse(pages()["approvals"].body)).startswith("Nothing waits for a decision")


def test_history_page_one_row_per_day_newest_first() -> None:
    root = rich("history")
    assert table_after(root, ["Day", "P1", "P2", "Expected", "Aligned share", "Findings"]) == [
        ["2026-11-24", "56% (on track)", "10% (off track)", "60%", "25%", "5"],
        ["2026-11-17", "50% (on track)", "10% (off track)", "52%", "20%", "3"],
        ["2026-11-10", "45% (on track)", "10% (off track)", "45%", "—", "0"],
    ]
    assert table_after(root, ["Day", "P1.KR1", "P1.KR2"]) == [
        ["2026-11-24", "74% (on track)", "38% (at risk)"],
        ["2026-11-17", "68% (on track)", "38% (on track)"],
        ["2026-11-10", "62% (on track)", "38% (on track)"],
    ]
    (chart,) = macros(root, "chart")
    assert rows(chart)[0] == ["Day", "P1", "P2", "Expected"]
    assert rows(chart)[1:] == [
        ["2026-11-10", "45", "10", "45"],
        ["2026-11-17", "50", "10", "52"],
        ["2026-11-24", "56", "10", "60"],
    ]


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
    team_links = [p.get(f"{RI}content-title") for p in root.iter(f"{RI}page")]
    assert team_links == [
        "Retail banking — Team Payments",
        "Retail banking — Team Mobile",
        OVERVIEW_TITLE,
    ]


def test_unaligned_rows_say_why_and_how_to_fix() -> None:
    table = rows(parse(pages()["unaligned"].body))
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


def test_jira_issue_macro_when_a_server_id_is_configured() -> None:
    root = parse(pages(jira_server_id="1a2b-3c4d")["unaligned"].body)
    assert not [a for a in root.iter("a") if "/browse/" in (a.get("href") or "")]
    assert [params(m) for m in macros(root, "jira")] == [
        {"serverId": "1a2b-3c4d", "key": "PAY-103", "showSummary": "false"},
        {"serverId": "1a2b-3c4d", "key": "MOB-7", "showSummary": "false"},
    ]


ALLOWED_MACROS = {"status", "info", "note", "warning", "expand", "toc", "chart", "jira"}


@pytest.mark.parametrize("key", sorted(pages(RICH, HISTORY)))
def test_injected_summary_is_text_never_markup(key: str) -> None:
    root = rich(key)
    assert {m.get(f"{AC}name") for m in macros(root)} <= ALLOWED_MACROS
    cells = [td for td in root.iter("td") if "".join(td.itertext()) == INJECTION]
    for cell in cells:  # the summary is one text node, with no element made from it
        assert len(cell) == 0 and cell.text == INJECTION
    if key in ("unaligned", "team:payments"):
        assert len(cells) == 1


def test_no_unaligned_work_gives_a_positive_sentence() -> None:
    only_aligned = dataclasses.replace(
        EVALUATION,
        epics=tuple(e for e in EVALUATION.epics if e.state is not AlignmentState.UNALIGNED),
    )
    root = parse(pages(only_aligned)["unaligned"].body)
    body = "".join(root.itertext())
    assert "Every active epic in cycle 2026-Q4 is tied to an outcome or marked exempt." in body
    assert not list(root.iter("table"))


def test_control_characters_are_dropped() -> None:
    noisy = dataclasses.replace(EVALUATION.epics[2].epic, summary="bell\x07 and nul\x00 end")
    epics = (*EVALUATION.epics[:2], dataclasses.replace(EVALUATION.epics[2], epic=noisy))
    evaluation = dataclasses.replace(EVALUATION, epics=epics + EVALUATION.epics[3:])
    root = parse(pages(evaluation)["unaligned"].body)
    assert "bell and nul end" in "".join(root.itertext())


def test_duplicate_team_names_get_distinct_page_titles() -> None:
    from rules.model import Team

    twins = dataclasses.replace(
        CATALOGUE, teams=(Team("payments", "Core", ("PAY",)), Team("mobile", "Core", ("MOB",)))
    )
    rendered = render_pages(EVALUATION, twins, portfolio_name=PORTFOLIO, jira_url=JIRA)
    titles = [p.title for p in rendered if p.key.startswith("team:")]
    assert titles == [
        "Retail banking — Team Core (payments)",
        "Retail banking — Team Core (mobile)",
    ]


def test_long_tables_show_the_first_rows_and_say_how_many_there_are() -> None:
    """A page of thousands of rows is slow to open and no one reads it: the workbook has all."""
    pay_103 = next(ea for ea in EVALUATION.epics if ea.epic.key == "PAY-103")
    more = tuple(
        dataclasses.replace(pay_103, epic=dataclasses.replace(pay_103.epic, key=f"PAY-{n}"))
        for n in (201, 202, 203, 204)
    )
    evaluation = dataclasses.replace(EVALUATION, epics=EVALUATION.epics + more)
    rendered = render_pages(
        evaluation, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, max_rows=2
    )
    by_key = {p.key: parse(p.body) for p in rendered}
    note = "The first 2 of 5; the review workbook (outcomes export) lists them all."

    # The Unaligned page keeps to about max_rows rows in all: each team gets its share.
    unaligned = by_key["unaligned"]
    assert "Payments (5 epics)" in text(unaligned)
    payments = table_after(unaligned, UNALIGNED_HEADERS)
    assert [row[0] for row in payments] == ["PAY-103"]
    assert "The first 1 of 5; the review workbook" in text(unaligned)

    team = by_key["team:payments"]
    assert "Not tied to an outcome (5)" in text(team)
    listed = table_after(team, ["Epic", "Summary", "Status", "Why, and how to tie it"])
    assert [row[0] for row in listed] == ["PAY-103", "PAY-201"]
    assert note in text(team)
    assert "The first 2 of" not in text(by_key["team:mobile"])  # one unaligned epic: all shown
