from __future__ import annotations

from html.parser import HTMLParser

import pytest

from reports.confluence import render_pages
from reports.pages import Page
from reports.preview import render_preview
from reports.preview_html import storage_to_html
from tests.reports.confluence_data import HISTORY, RICH
from tests.reports.sample import CATALOGUE, INJECTION, JIRA, PORTFOLIO

VOID = {"br", "hr", "col", "meta", "link", "img", "input"}


class Reader(HTMLParser):
    """Collects links, classes and text, and checks that every tag is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        opened = self.stack.pop()
        assert opened == tag, f"<{opened}> closed by </{tag}>"

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.tags if tag == "a" and "href" in a]


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    reader.close()
    assert reader.stack == [], f"unclosed: {reader.stack}"
    return reader


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    pages = render_pages(RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, history=HISTORY)
    return render_preview(pages, generated_at="2026-11-24 07:00 UTC")


def test_one_file_per_page_and_an_index(files: dict[str, str]) -> None:
    assert sorted(files) == [
        "approvals.html",
        "history.html",
        "index.html",
        "objective-p1.html",
        "objective-p2.html",
        "overview.html",
        "team-mobile.html",
        "team-payments.html",
        "unaligned.html",
    ]
    for html in files.values():
        read(html)  # well-formed: every tag closed in order
        assert html.startswith("<!DOCTYPE html>")


def test_index_links_every_page_as_a_tree(files: dict[str, str]) -> None:
    index = read(files["index.html"])
    assert index.hrefs() == [
        "overview.html",
        "objective-p1.html",
        "objective-p2.html",
        "team-payments.html",
        "team-mobile.html",
        "unaligned.html",
        "approvals.html",
        "history.html",
    ]
    assert "Retail banking — Work not tied to an outcome" in index.data
    assert (
        '<li><a href="overview.html">Retail banking — Outcomes</a><ul><li>' in files["index.html"]
    )
    assert "2026-11-24 07:00 UTC" in "".join(index.data)


def test_lozenges_become_styled_spans(files: dict[str, str]) -> None:
    page = read(files["overview.html"])
    spans = [a.get("class") for tag, a in page.tags if tag == "span"]
    # Objectives P1, P2; key results P1.KR1, P1.KR2, P2.KR1; then the findings' severities.
    assert spans[:5] == [
        "lozenge lozenge-green",
        "lozenge lozenge-red",
        "lozenge lozenge-green",
        "lozenge lozenge-yellow",
        "lozenge lozenge-red",
    ]
    assert '<span class="lozenge lozenge-green">ON TRACK</span>' in files["overview.html"]
    assert '<span class="lozenge lozenge-red">NEEDS FIXING</span>' in files["overview.html"]
    assert not any(tag.startswith(("ac:", "ri:")) for tag, _ in page.tags)


def test_toc_links_to_the_headings(files: dict[str, str]) -> None:
    html = files["overview.html"]
    page = read(html)
    toc = [h for h in page.hrefs() if h.startswith("#")]
    assert toc == [
        "#portfolio-objectives",
        "#key-results",
        "#what-is-new",
        "#alignment-of-active-work",
        "#top-findings",
        "#more-pages",
    ]
    ids = [a["id"] for tag, a in page.tags if tag == "h2" and "id" in a]
    assert ids == [h[1:] for h in toc]


def test_chart_macro_becomes_an_svg_line_chart(files: dict[str, str]) -> None:
    html = files["objective-p1.html"]
    page = read(html)
    assert [tag for tag, _ in page.tags].count("svg") == 1
    lines = [a for tag, a in page.tags if tag == "polyline"]
    # P1.KR1, P1.KR2 and the dashed expected line, three points each (three report days).
    assert [len((a["points"] or "").split()) for a in lines] == [3, 3, 3]
    assert lines[2].get("stroke-dasharray") == "5 4"
    # 100% is at y=28 and 0% at y=280: P1.KR1's 62, 68, 74 lie between, rising left to right.
    ys = [float(p.split(",")[1]) for p in (lines[0]["points"] or "").split()]
    assert ys == sorted(ys, reverse=True) and all(28 < y < 280 for y in ys)
    assert "<details><summary>Chart data</summary>" in html


def test_expand_and_links(files: dict[str, str]) -> None:
    html = files["objective-p1.html"]
    assert "<details><summary>Epics behind P1.KR1 (1)</summary>" in html
    hrefs = read(html).hrefs()
    assert hrefs[:2] == ["index.html", "overview.html"]  # breadcrumbs: index, then parent
    assert "https://jira.example.com/browse/PAY-101" in hrefs
    assert "team-payments.html" in hrefs  # the ac:link to the team's page, by title
    overview = read(files["overview.html"]).hrefs()
    assert "objective-p1.html" in overview and "unaligned.html" in overview


def test_escaped_text_stays_escaped(files: dict[str, str]) -> None:
    html = files["unaligned.html"]
    page = read(html)
    assert INJECTION in page.data  # one text node, exactly the summary
    assert '&lt;ac:structured-macro ac:name="html"&gt;x&lt;/ac:structured-macro&gt; &amp;' in html
    assert '<div class="panel panel-info">' in html


def test_jira_macro_and_entities() -> None:
    body = (
        '<p>See&nbsp;<ac:structured-macro ac:name="jira">'
        '<ac:parameter ac:name="key">PAY-12</ac:parameter></ac:structured-macro></p>'
        '<p><a href="javascript:alert(1)">x</a><unknown>kept &amp; text</unknown></p>'
    )
    linked = storage_to_html(body, page_files={}, jira_url="https://jira.example.com/")
    assert linked == (
        '<p>See\u00a0<a href="https://jira.example.com/browse/PAY-12">PAY-12</a></p>'
        "<p><a>x</a>kept &amp; text</p>"
    )
    plain = storage_to_html(body, page_files={})
    assert '<span class="jira-key">PAY-12</span>' in plain


def test_link_to_a_page_not_in_the_preview() -> None:
    body = '<ac:link><ri:page ri:content-title="Elsewhere &amp; beyond" /></ac:link>'
    assert storage_to_html(body, page_files={}) == (
        '<span class="missing-link">Elsewhere &amp; beyond</span>'
    )


def test_page_keys_become_safe_unique_file_names() -> None:
    pages = [Page("a/b", "One", None, "<p>1</p>"), Page("a b", "Two", "a/b", "<p>2</p>")]
    files = render_preview(pages, generated_at="now")
    assert sorted(files) == ["a-b-2.html", "a-b.html", "index.html"]
