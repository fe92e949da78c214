"""Helpers to read storage-format bodies back as XML in tests."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"


def parse(body: str) -> Element:
    """Parse a body the way Confluence would: it must be well-formed XHTML."""
    root: Element = fromstring(
        '<root xmlns:ac="http://atlassian.com/content" '
        'xmlns:ri="http://atlassian.com/resource/identifier">' + body + "</root>"
    )
    return root


def macros(root: Element, name: str | None = None) -> list[Element]:
    found = root.iter(f"{AC}structured-macro")
    return [m for m in found if name is None or m.get(f"{AC}name") == name]


def params(macro: Element) -> dict[str, str]:
    return {p.get(f"{AC}name", ""): "".join(p.itertext()) for p in macro.findall(f"{AC}parameter")}


def visible_text(el: Element) -> str:
    """Text as a reader sees it: a status lozenge reads as its title, not its parameters."""
    if el.tag == f"{AC}structured-macro" and el.get(f"{AC}name") == "status":
        return params(el)["title"]
    inner = "".join(visible_text(child) + (child.tail or "") for child in el)
    return (el.text or "") + inner


def cell_texts(row: Element) -> list[str]:
    return [visible_text(cell) for cell in row if cell.tag in ("td", "th")]


def rows(root: Element) -> list[list[str]]:
    return [cell_texts(tr) for tr in root.iter("tr")]
