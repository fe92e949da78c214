"""Validate and re-serialise Confluence storage-format XHTML, as Confluence does on save.

Confluence rejects a body that is not well-formed XML (with the ``ac:``/``ri:`` prefixes declared
for it), parses the rest and stores its own serialisation of it, so the body a client reads back
is not the bytes it sent. What the sandbox rewrites, as Confluence does:

- character references and named entities become characters (``&#x27;`` and ``&#39;`` → ``'``,
  ``&quot;`` in text → ``"``, ``&eacute;`` → ``é``), except the no-break space, which is written
  as ``&nbsp;`` however it came;
- attributes are written in double quotes, in one fixed order;
- an element with no content is written self-closing, with a space: ``<br/>`` and
  ``<p></p>`` → ``<br />`` and ``<p />``;
- every ``ac:structured-macro`` gets an ``ac:schema-version`` and a fresh ``ac:macro-id``;
- the text of ``ac:plain-text-body`` and ``ac:plain-text-link-body`` is kept in CDATA.

A publisher that decides "is this still the page I wrote?" by comparing bytes is therefore wrong
against the sandbox, as it is against Confluence.
"""

from __future__ import annotations

import re
import uuid
from html.entities import name2codepoint
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree

_NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
_WRAP_OPEN = "<ac:confluence " + " ".join(f'xmlns:{p}="{u}"' for p, u in _NAMESPACES.items()) + ">"
_WRAP_CLOSE = "</ac:confluence>"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_AC = "{" + _NAMESPACES["ac"] + "}"
_MACRO = _AC + "structured-macro"
_CDATA_TEXT = frozenset({_AC + "plain-text-body", _AC + "plain-text-link-body"})
_NBSP = "\u00a0"


class StorageError(ValueError):
    """The body is not storage-format XHTML that Confluence would accept."""


def _entity_to_char_ref(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    code = name2codepoint.get(name)
    if code is None:
        raise StorageError(
            f"Error parsing xhtml: the entity '{name}' was referenced, but not declared"
        )
    return f"&#{code};"


def check_storage(body: str) -> None:
    """Raise StorageError when Confluence would reject the body."""
    xml_text = _ENTITY.sub(_entity_to_char_ref, body)
    try:
        fromstring(_WRAP_OPEN + xml_text + _WRAP_CLOSE)
    except ParseError as exc:
        raise StorageError(f"Error parsing xhtml: {_strip_position(str(exc))}") from exc
    except DefusedXmlException as exc:
        raise StorageError(f"Error parsing xhtml: forbidden construct ({exc})") from exc


def normalise_storage(body: str) -> str:
    """Validate ``body`` and return the form Confluence stores."""
    check_storage(body)
    # A parser per call: lxml parsers must not be shared between the server's threads.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, strip_cdata=False, huge_tree=True
    )
    root = etree.fromstring(
        (_WRAP_OPEN + _ENTITY.sub(_entity_to_char_ref, body) + _WRAP_CLOSE).encode("utf-8"),
        parser,
    )
    out: list[str] = [_text(root.text)]
    for child in root:
        _write(child, out)
    return "".join(out)


def _write(node: etree._Element, out: list[str]) -> None:
    if isinstance(node, etree._Comment):
        out.append(f"<!--{node.text or ''}-->")
    elif isinstance(node.tag, str):  # processing instructions are dropped
        name = _name(node, str(node.tag))
        if node.tag == _MACRO:
            node.set(_AC + "schema-version", node.get(_AC + "schema-version") or "1")
            node.set(_AC + "macro-id", str(uuid.uuid4()))
        attrs = sorted((_name(node, str(k)), v) for k, v in node.attrib.items())
        start = name + "".join(f' {k}="{_attr(v)}"' for k, v in attrs)
        if not node.text and len(node) == 0:
            out.append(f"<{start} />")
        else:
            out.append(f"<{start}>")
            if node.tag in _CDATA_TEXT and node.text:
                out.append("<![CDATA[" + node.text.replace("]]>", "]]]]><![CDATA[>") + "]]>")
            else:
                out.append(_text(node.text))
            for child in node:
                _write(child, out)
            out.append(f"</{name}>")
    out.append(_text(node.tail))


def _name(node: etree._Element, clark: str) -> str:
    """``{uri}local`` as ``prefix:local``, with the prefixes the wrapper declares."""
    if not clark.startswith("{"):
        return clark
    uri, local = clark[1:].split("}", 1)
    prefix = next((p for p, u in _NAMESPACES.items() if u == uri), None) or node.prefix
    return f"{prefix}:{local}" if prefix else local


def _text(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace(_NBSP, "&nbsp;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _strip_position(message: str) -> str:
    # expat counts columns inside our wrapper; the first line is what a user can act on.
    return re.sub(r": line \d+, column \d+$", "", message)
