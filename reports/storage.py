"""A tiny builder for Confluence storage format (XHTML with `ac:` and `ri:` elements).

Safety by construction: a plain `str` is always text and gets escaped; only `Markup`, which this
module alone produces, passes through as markup. So a Jira summary such as
`<ac:structured-macro ac:name="html">` can only ever show up as text on the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from urllib.parse import quote

from reports.text import STATUS_COLOUR, STATUS_TITLE, clean
from rules.model import PaceStatus

AC_NS = "http://atlassian.com/content"
RI_NS = "http://atlassian.com/resource/identifier"


class Markup(str):
    """Storage-format markup that is already safe; never build one from outside data."""

    __slots__ = ()


Node = str | Markup | None


def text(value: str | None) -> Markup:
    """Escape outside text (quotes too, so it is safe in attributes as well)."""
    return Markup(escape(clean(value), quote=True))


def render(node: Node) -> Markup:
    if node is None:
        return Markup("")
    return node if isinstance(node, Markup) else text(node)


def join(nodes: Iterable[Node], sep: Node = None) -> Markup:
    return Markup(render(sep).join(render(n) for n in nodes))


def el(tag: str, *children: Node, attrs: Mapping[str, str] | None = None) -> Markup:
    """`<tag a="v">children</tag>`, or `<tag a="v" />` without children (Confluence's own form)."""
    attr_text = "".join(f' {name}="{text(value)}"' for name, value in (attrs or {}).items())
    inner = join(children)
    if not children:
        return Markup(f"<{tag}{attr_text} />")
    return Markup(f"<{tag}{attr_text}>{inner}</{tag}>")


def br() -> Markup:
    return Markup("<br />")


def p(*children: Node) -> Markup:
    return el("p", *children)


def strong(*children: Node) -> Markup:
    return el("strong", *children)


def code(value: str) -> Markup:
    return el("code", value)


def heading(level: int, *children: Node) -> Markup:
    return el(f"h{level}", *children)


def table(headers: Iterable[str], rows: Iterable[Iterable[Node]]) -> Markup:
    head = el("tr", *(el("th", h) for h in headers))
    body = [el("tr", *(el("td", cell) for cell in row)) for row in rows]
    return el("table", el("tbody", head, *body))


def bullet_list(items: Iterable[Node]) -> Markup:
    return el("ul", *(el("li", item) for item in items))


def macro(name: str, params: Mapping[str, str] | None = None, body: Node = None) -> Markup:
    """A structured macro; `body` (if any) becomes its rich-text body."""
    parts: list[Node] = [
        el("ac:parameter", value, attrs={"ac:name": key}) for key, value in (params or {}).items()
    ]
    if body is not None:
        parts.append(el("ac:rich-text-body", body))
    return el("ac:structured-macro", *parts, attrs={"ac:name": name})


def em(*children: Node) -> Markup:
    return el("em", *children)


def status(title: str, colour: str) -> Markup:
    """Confluence's status lozenge; `colour` is Grey, Red, Yellow, Green, Blue or Purple."""
    return macro("status", {"colour": colour, "title": title})


def lozenge(pace: PaceStatus) -> Markup:
    return status(STATUS_TITLE[pace], STATUS_COLOUR[pace])


def expand(title: str, body: Node) -> Markup:
    return macro("expand", {"title": title}, body)


def info(body: Node) -> Markup:
    return macro("info", None, body)


def panel(kind: str, body: Node, title: str | None = None) -> Markup:
    """An info, note, tip or warning panel."""
    return macro(kind, {"title": title} if title else None, body)


def toc(max_level: int = 2) -> Markup:
    return macro("toc", {"maxLevel": str(max_level), "minLevel": "2"})


def chart(title: str, headers: list[str], rows: list[list[str]], *, y_label: str) -> Markup:
    """A line chart from a table: first column the x-axis, one series per further column.

    Confluence's chart macro reads the table in its body (dataOrientation "vertical").
    """
    params = {
        "type": "line",
        "title": title,
        "dataOrientation": "vertical",
        "xLabel": headers[0],
        "yLabel": y_label,
        "rangeAxisLowerBound": "0",
        "rangeAxisUpperBound": "100",
        "width": "640",
        "height": "320",
        "legend": "true",
        "showShapes": "true",
    }
    return macro("chart", params, table(headers, rows))


def jira_link(jira_url: str, key: str) -> Markup:
    """A plain link to the issue: it renders everywhere, with or without an application link."""
    return el("a", key, attrs={"href": issue_url(jira_url, key)})


def jira_macro(server_id: str, key: str) -> Markup:
    """The Jira issue macro: key, live status and a link, through the site's application link."""
    return macro("jira", {"serverId": server_id, "key": clean(key), "showSummary": "false"})


def link(url: str, label: str) -> Markup:
    return el("a", label, attrs={"href": url})


def issue_url(jira_url: str, key: str) -> str:
    return f"{jira_url.rstrip('/')}/browse/{quote(clean(key), safe='')}"


def page_link(title: str, label: str | None = None) -> Markup:
    """A link to another page in the same space, by title."""
    target = el("ri:page", attrs={"ri:content-title": title})
    if label is None:
        return el("ac:link", target)
    return el("ac:link", target, el("ac:link-body", label))
