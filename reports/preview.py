"""The Confluence pages as plain HTML files that open in a browser, with an index.

`generated_at` is written into the preview only (never into Confluence bodies), so readers can tell
how fresh a preview is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from reports.pages import Page
from reports.preview_html import storage_to_html

INDEX = "index.html"

_CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #172b4d; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #dfe1e6; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c1c7d0; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f5f7; }
a { color: #0052cc; } nav, footer { color: #6b778c; font-size: .9rem; }
td:first-child a { white-space: nowrap; }
code { background: #f4f5f7; padding: 0 .2rem; border-radius: 3px; }
.lozenge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .75rem;
           font-weight: 700; white-space: nowrap; }
.lozenge-green { background: #e3fcef; color: #006644; }
.lozenge-yellow { background: #fffae6; color: #974f0c; }
.lozenge-red { background: #ffebe6; color: #bf2600; }
.lozenge-blue { background: #deebff; color: #0747a6; }
.lozenge-purple { background: #eae6ff; color: #403294; }
.lozenge-grey { background: #dfe1e6; color: #42526e; }
.panel-title { font-weight: 700; margin: .4rem 0 0; }
nav.toc { border: 1px solid #dfe1e6; padding: .2rem 1rem; display: inline-block; }
ul.tasks { list-style: none; margin: 0; padding: 0; white-space: nowrap; }
nav.toc ul { margin: .3rem 0; padding-left: 1rem; } .toc-3 { margin-left: 1rem; }
svg.chart { display: block; margin: .5rem 0; font-size: 11px; }
.chart-title { font-weight: 700; font-size: 13px; fill: #172b4d; }
.chart-axis, .chart-legend { fill: #42526e; }
.panel { border-left: 4px solid #0065ff; background: #deebff; padding: .2rem 1rem; margin: 1rem 0; }
.panel-warning { border-color: #ff991f; background: #fffae6; }
.panel-note { border-color: #6554c0; background: #eae6ff; }
.panel-tip { border-color: #36b37e; background: #e3fcef; }
details { margin: .5rem 0 1rem; } summary { cursor: pointer; color: #0052cc; }
.missing-link { color: #bf2600; text-decoration: underline dotted; }
""".strip()


def render_preview(
    pages: Sequence[Page], *, generated_at: str, jira_url: str | None = None
) -> dict[str, str]:
    """File name -> HTML text, one file per page plus `index.html` linking them all.

    `jira_url` turns Jira issue macros into links; without it they show as plain keys.
    """
    files = page_file_names(pages)
    by_title = {page.title: files[page.key] for page in pages}
    titles = {page.key: page.title for page in pages}
    result = {
        files[page.key]: _page_html(page, by_title, titles, files, generated_at, jira_url)
        for page in pages
    }
    result[INDEX] = _index_html(pages, files, generated_at)
    return result


def page_file_names(pages: Sequence[Page]) -> dict[str, str]:
    """Page key -> a safe, unique file name ("objective-p1.html")."""
    names: dict[str, str] = {}
    used = {INDEX}
    for page in pages:
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", page.key).strip("-").lower() or "page"
        name, n = f"{stem}.html", 2
        while name in used:
            name, n = f"{stem}-{n}.html", n + 1
        used.add(name)
        names[page.key] = name
    return names


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _footer(generated_at: str) -> str:
    return (
        f"<footer><p>Preview generated {escape(generated_at)}. "
        "Published Confluence pages look much the same.</p></footer>"
    )


def _page_html(
    page: Page,
    by_title: dict[str, str],
    titles: dict[str, str],
    files: dict[str, str],
    generated_at: str,
    jira_url: str | None,
) -> str:
    crumbs = [f'<a href="{INDEX}">All pages</a>']
    if page.parent_key in files:
        parent = page.parent_key
        crumbs.append(f'<a href="{escape(files[parent])}">{escape(titles[parent])}</a>')
    nav = f"<nav>{' › '.join(crumbs)}</nav>"
    content = storage_to_html(page.body, page_files=by_title, jira_url=jira_url)
    body = f"{nav}\n<h1>{escape(page.title)}</h1>\n{content}\n{_footer(generated_at)}"
    return _document(page.title, body)


def _index_html(pages: Sequence[Page], files: dict[str, str], generated_at: str) -> str:
    keys = {page.key for page in pages}
    children: dict[str | None, list[Page]] = {}
    for page in pages:
        parent = page.parent_key if page.parent_key in keys else None
        children.setdefault(parent, []).append(page)

    def tree(parent: str | None) -> str:
        items = [
            f'<li><a href="{escape(files[p.key])}">{escape(p.title)}</a>{tree(p.key)}</li>'
            for p in children.get(parent, [])
        ]
        return f"<ul>{''.join(items)}</ul>" if items else ""

    body = f"<h1>Outcomes preview</h1>\n{tree(None) or '<p>No pages.</p>'}\n{_footer(generated_at)}"
    return _document("Outcomes preview", body)
