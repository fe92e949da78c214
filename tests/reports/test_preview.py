from __future__ import annotations

from html.parser import HTMLParser

import pytest

from reports.confluence import render_pages
from reports.pages import Page
from reports.preview import render_preview
from reports.preview_html import storage_to_html
from tests.reports.sample import CATALOGUE, EVALUATION, INJECTION, JIRA, PORTFOLIO

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
    pages = render_pages(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    return render_preview(pages, generated_at="2026-11-24 07:00 UTC")


def test_one_file_per_page_and_an_index(files: dict[str, str]) -> None:
    assert sorted(files) == ["index.html", "overview.html", "unaligned.html"]
    for html in files.values():
        read(html)  # well-formed: every tag closed in order
        assert html.startswith("<!DOCTYPE html>")


def test_index_links_every_page_as_a_tree(files: dict[str, str]) -> None:
    index = read(files["index.html"])
    assert index.hrefs() == ["overview.html", "unaligned.html"]
    assert "Retail banking — Work not tied to an outcome" in index.data
    assert (
        '<li><a href="overview.html">Retail banking — Outcomes</a><ul><li>' in files["index.html"]
    )
    assert "2026-11-24 07:00 UTC" in "".join(index.data)


def test_lozenges_become_styled_spans(files: dict[str, str]) -> None:
    page = read(files["overview.html"])
    spans = [a.get("class") for tag, a in page.tags if tag == "span"]
    assert spans == [
        "lozenge lozenge-green",
        "lozenge lozenge-red",
        "lozenge lozenge-green",
        "lozenge lozenge-yellow",
        "lozenge lozenge-red",
        "lozenge lozenge-yellow",
    ]
    assert '<span class="lozenge lozenge-green">ON TRACK</span>' in files["overview.html"]
    assert not any(tag.startswith(("ac:", "ri:")) for tag, _ in page.tags)


def test_expand_and_links(files: dict[str, str]) -> None:
    html = files["overview.html"]
    assert "<details><summary>Epics behind P1 (2)</summary>" in html
    hrefs = read(html).hrefs()
    assert hrefs[0] == "index.html"  # the way back
    assert "https://jira.example.com/browse/PAY-101" in hrefs
    assert "unaligned.html" in hrefs  # the ac:link to the other page, by title
    child = read(files["unaligned.html"]).hrefs()
    assert child[:2] == ["index.html", "overview.html"]  # breadcrumbs: index, then parent


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
