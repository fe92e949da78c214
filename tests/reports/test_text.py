from __future__ import annotations

from datetime import date

import pytest

from reports.confluence import _check_tree
from reports.pages import Page
from reports.storage import Markup, el, lozenge, text
from reports.text import elapsed_sentence, kr_progress_line, number, pct
from rules.model import Cycle, KeyResult, KrKind, Milestone, PaceStatus

CYCLE = Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("as_of", "sentence"),
    [
        (date(2026, 9, 30), "The cycle starts on 2026-10-01 — 0% elapsed."),
        (date(2026, 10, 1), "Day 1 of 92 — 1% of the cycle elapsed"),
        (date(2026, 11, 24), "Day 55 of 92 — 60% of the cycle elapsed"),
        (date(2026, 12, 31), "Day 92 of 92 — 100% of the cycle elapsed"),
        (date(2027, 1, 5), "The cycle ended on 2026-12-31 — 100% of the cycle elapsed."),
    ],
)
def test_elapsed_sentence(as_of: date, sentence: str) -> None:
    assert elapsed_sentence(CYCLE, as_of) == sentence


def test_numbers() -> None:
    assert [pct(0.125), pct(0.0), pct(1.0), pct(0.004)] == ["13%", "0%", "100%", "0%"]
    assert [number(97.2), number(42.0), number(-0.001), number(None)] == ["97.2", "42", "0", "—"]
    assert number(1234.5) == "1,234.5"


def test_progress_line_by_kind() -> None:
    milestones = KeyResult(
        "P3.KR1",
        "P3",
        "Launch",
        KrKind.MILESTONE,
        milestones=(Milestone("a", True), Milestone("b", False), Milestone("c", True)),
    )
    assert kr_progress_line(milestones) == "2 of 3 milestones done"
    assert kr_progress_line(KeyResult("P3.KR2", "P3", "Go", KrKind.BOOLEAN)) == "not done yet"
    assert kr_progress_line(KeyResult("P3.KR3", "P3", "Go", KrKind.BOOLEAN, done=True)) == "done"
    unitless = KeyResult("P3.KR4", "P3", "Incidents", start=12, target=2, current=None)
    assert kr_progress_line(unitless) == "12 → — → 2"


def test_too_early_is_a_grey_lozenge() -> None:
    assert lozenge(PaceStatus.TOO_EARLY) == (
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Grey</ac:parameter>'
        '<ac:parameter ac:name="title">TOO EARLY</ac:parameter></ac:structured-macro>'
    )


def test_builder_escapes_text_and_attributes() -> None:
    assert text('<b a="1">&\'') == "&lt;b a=&quot;1&quot;&gt;&amp;&#x27;"
    assert el("td", "<x/>") == "<td>&lt;x/&gt;</td>"
    assert (
        el("a", "k", attrs={"href": 'h"><script>'}) == '<a href="h&quot;&gt;&lt;script&gt;">k</a>'
    )
    assert el("td", Markup("<br />")) == "<td><br /></td>"
    assert el("ri:page", attrs={"ri:content-title": "T"}) == '<ri:page ri:content-title="T" />'


def test_page_tree_checks() -> None:
    child = Page("c", "Child", "p", "")
    with pytest.raises(ValueError, match="before its parent"):
        _check_tree([child, Page("p", "Parent", None, "")])
    with pytest.raises(ValueError, match="duplicate"):
        _check_tree([Page("p", "Parent", None, ""), Page("q", "Parent", None, "")])
