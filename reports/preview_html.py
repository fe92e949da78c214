"""Convert Confluence storage format to plain HTML for the offline preview.

The body is parsed as XML (defusedxml, with the `ac`/`ri` namespaces declared around it), never
pattern-matched, and rebuilt from an allow-list: known HTML elements keep only harmless attributes,
Confluence macros become their nearest HTML look-alike, and all text is escaped again on the way
out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from html.entities import name2codepoint
from urllib.parse import quote
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from reports.preview_chart import line_chart
from reports.storage import AC_NS, RI_NS

_AC = f"{{{AC_NS}}}"
_RI = f"{{{RI_NS}}}"

_HTML_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td"}
    | {"caption", "colgroup", "col", "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "sub"}
    | {"sup", "code", "pre", "blockquote", "span", "div", "a", "br", "hr", "time"}
)
_VOID = frozenset({"br", "hr", "col"})
_ATTRS = frozenset({"href", "colspan", "rowspan", "title", "datetime"})
_SAFE_HREF = re.compile(r"^(https?://|mailto:|#|[\w./-]+$)", re.IGNORECASE)
_PANELS = frozenset({"info", "note", "tip", "warning", "panel"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def storage_to_html(
    body: str, *, page_files: Mapping[str, str], jira_url: str | None = None
) -> str:
    """`page_files` maps page titles to preview file names, so page links stay local."""
    root = fromstring(
        f'<root xmlns:ac="{AC_NS}" xmlns:ri="{RI_NS}">{_numeric_entities(body)}</root>'
    )
    out: list[str] = []
    _Converter(out, page_files, jira_url, _heading_ids(root)).children(root)
    return "".join(out)


def _heading_ids(root: Element) -> dict[int, tuple[int, str, str]]:
    """id(heading element) -> (level, anchor, text), for the table of contents."""
    found: dict[int, tuple[int, str, str]] = {}
    used: set[str] = set()
    for el in root.iter():
        if el.tag in ("h1", "h2", "h3", "h4"):
            text = "".join(el.itertext()).strip()
            base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            found[id(el)] = (int(el.tag[1]), anchor, text)
    return found


def _table_cells(table: Element) -> list[list[str]]:
    return [
        ["".join(cell.itertext()).strip() for cell in row if cell.tag in ("th", "td")]
        for row in table.iter("tr")
    ]


def _numeric_entities(body: str) -> str:
    """Storage format may use HTML entities (&nbsp;) that XML does not know; make them numeric."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};"

    return _ENTITY.sub(replace, body)


class _Converter:
    def __init__(
        self,
        out: list[str],
        page_files: Mapping[str, str],
        jira_url: str | None,
        headings: dict[int, tuple[int, str, str]],
    ):
        self.out = out
        self.page_files = page_files
        self.jira_url = jira_url.rstrip("/") if jira_url else None
        self.headings = headings

    def text(self, value: str | None) -> None:
        if value:
            self.out.append(escape(value, quote=False))

    def children(self, element: Element) -> None:
        self.text(element.text)
        for child in element:
            self.element(child)
            self.text(child.tail)

    def open(self, tag: str, *, cls: str | None = None, **attrs: str) -> None:
        if cls:
            attrs["class"] = cls
        attr_text = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items())
        self.out.append(f"<{tag}{attr_text}>")

    def wrap(
        self,
        tag: str,
        element: Element | None,
        text: str | None = None,
        *,
        cls: str | None = None,
        **attrs: str,
    ) -> None:
        self.open(tag, cls=cls, **attrs)
        if element is not None:
            self.children(element)
        self.text(text)
        self.out.append(f"</{tag}>")

    def element(self, el: Element) -> None:
        tag = el.tag
        if tag == f"{_AC}structured-macro":
            self.macro(el)
        elif tag == f"{_AC}link":
            self.link(el)
        elif tag == f"{_AC}task-list":
            self.wrap("ul", el, cls="tasks")
        elif tag == f"{_AC}task":
            done = (el.findtext(f"{_AC}task-status") or "").strip() == "complete"
            self.open("li", cls="task-done" if done else "task")
            self.out.append("☑ " if done else "☐ ")
            body = el.find(f"{_AC}task-body")
            if body is not None:
                self.children(body)
            self.out.append("</li>")
        elif tag.startswith(("{", _AC, _RI)):
            # Other Confluence elements (layouts, task lists, ...): keep what they contain.
            self.children(el)
        elif tag in _VOID:
            self.out.append(f"<{tag}>")
        elif tag in _HTML_TAGS:
            attrs = {k: v for k, v in el.attrib.items() if k in _ATTRS}
            if "href" in attrs and not _SAFE_HREF.match(attrs["href"]):
                del attrs["href"]
            if id(el) in self.headings:
                attrs["id"] = self.headings[id(el)][1]
            self.wrap(tag, el, **attrs)
        else:
            self.children(el)

    def macro(self, el: Element) -> None:
        name = el.get(f"{_AC}name", "")
        params = {
            p.get(f"{_AC}name", ""): "".join(p.itertext()) for p in el.findall(f"{_AC}parameter")
        }
        body = el.find(f"{_AC}rich-text-body")
        if name == "status":
            colour = params.get("colour", "Grey").lower()
            self.wrap("span", None, params.get("title", ""), cls=f"lozenge lozenge-{colour}")
        elif name == "jira":
            key = params.get("key", "")
            if self.jira_url:
                self.wrap("a", None, key, href=f"{self.jira_url}/browse/{quote(key, safe='')}")
            else:
                self.wrap("span", None, key, cls="jira-key")
        elif name == "expand":
            self.open("details")
            self.wrap("summary", None, params.get("title") or "Expand")
            if body is not None:
                self.children(body)
            self.out.append("</details>")
        elif name in _PANELS:
            self.open("div", cls=f"panel panel-{name}")
            if params.get("title"):
                self.wrap("p", None, params["title"], cls="panel-title")
            if body is not None:
                self.children(body)
            self.out.append("</div>")
        elif name == "toc":
            self.toc(int(params.get("minLevel") or 1), int(params.get("maxLevel") or 7))
        elif name == "chart":
            table = body.find("table") if body is not None else None
            cells = _table_cells(table) if table is not None else []
            if len(cells) >= 2:
                self.out.append(line_chart(params.get("title", ""), cells[0], cells[1:]))
            if body is not None:
                self.open("details")
                self.wrap("summary", None, "Chart data")
                self.children(body)
                self.out.append("</details>")
        elif name == "code":
            plain = el.find(f"{_AC}plain-text-body")
            self.wrap("pre", None, "".join(plain.itertext()) if plain is not None else "")
        else:
            placeholder = f"[{name} macro]" if body is None else None
            self.wrap("div", body, placeholder, cls="macro")

    def toc(self, low: int, high: int) -> None:
        items = [
            f'<li class="toc-{level}"><a href="#{escape(anchor)}">{escape(text)}</a></li>'
            for level, anchor, text in self.headings.values()
            if low <= level <= high
        ]
        if items:
            self.out.append(f'<nav class="toc"><ul>{"".join(items)}</ul></nav>')

    def link(self, el: Element) -> None:
        user = el.find(f"{_RI}user")
        if user is not None:  # a mention: Confluence shows the user's name
            account = user.get(f"{_RI}account-id", "")
            self.wrap("span", None, f"@{account}", cls="mention")
            return
        page = el.find(f"{_RI}page")
        title = page.get(f"{_RI}content-title", "") if page is not None else ""
        rich = el.find(f"{_AC}link-body")
        plain = el.find(f"{_AC}plain-text-link-body")
        label = "".join(plain.itertext()) if plain is not None else None
        target = self.page_files.get(title)
        tag, attrs = ("a", {"href": target}) if target else ("span", {"cls": "missing-link"})
        if rich is not None:
            self.wrap(tag, rich, **attrs)
        else:
            self.wrap(tag, None, label if label is not None else title, **attrs)
