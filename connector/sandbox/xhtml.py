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
- the text of ``ac:plain-text-body`` and ``ac:plain-text-link-body`` is kept in CDATA;
- every ``ac:task`` gets a page-local ``ac:task-id`` (see ``number_tasks``).

A publisher that decides "is this still the page I wrote?" by comparing bytes is therefore wrong
against the sandbox, as it is against Confluence.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
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
_TASK = _AC + "task"
_TASK_ID = _AC + "task-id"
_TASK_STATUS = _AC + "task-status"
_TASK_BODY = _AC + "task-body"


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
    """Validate ``body`` and return the form Confluence stores (tasks numbered: see
    ``number_tasks``)."""
    check_storage(body)
    root = _root(body)
    number_tasks(root)
    return _serialise(root, fresh_ids=True)


def _root(body: str) -> etree._Element:
    # A parser per call: lxml parsers must not be shared between the server's threads.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, strip_cdata=False, huge_tree=True
    )
    return etree.fromstring(
        (_WRAP_OPEN + _ENTITY.sub(_entity_to_char_ref, body) + _WRAP_CLOSE).encode("utf-8"),
        parser,
    )


def _serialise(root: etree._Element, *, fresh_ids: bool) -> str:
    out: list[str] = [_text(root.text)]
    for child in root:
        _write(child, out, fresh_ids)
    return "".join(out)


def number_tasks(root: etree._Element) -> None:
    """Give every ``ac:task`` a page-local ``ac:task-id``, as Confluence does on save: an id the
    body gives is kept when it is a whole number not used by an earlier task of the page; a task
    without one, or with a used one, gets the next number after the highest on the page."""
    tasks = list(root.iter(_TASK))
    given = [_task_id(task) for task in tasks]
    taken: set[int] = set()
    highest = max((n for n in given if n is not None), default=0)
    for task, number in zip(tasks, given, strict=True):
        if number is None or number in taken:
            highest += 1
            number = highest
        taken.add(number)
        found = task.find(_TASK_ID)
        if found is None:
            found = etree.Element(_TASK_ID)
            task.insert(0, found)
        found.text = str(number)
        found.tail = None


def _task_id(task: etree._Element) -> int | None:
    found = task.find(_TASK_ID)
    text = (found.text or "").strip() if found is not None else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


@dataclass(frozen=True)
class StoredTask:
    """One ``ac:task`` of a stored body: its page-local id, status and body (storage XHTML)."""

    local_id: int
    status: str  # "complete" | "incomplete"
    body: str


def tasks_of(body: str) -> list[StoredTask]:
    """The tasks of a stored (already numbered) body, in page order."""
    found = []
    for task in _root(body).iter(_TASK):
        status = (task.findtext(_TASK_STATUS) or "").strip()
        inner = task.find(_TASK_BODY)
        text = ""
        if inner is not None:
            parts: list[str] = [_text(inner.text)]
            for child in inner:
                _write(child, parts, False)
            text = "".join(parts)
        done = "complete" if status == "complete" else "incomplete"
        found.append(StoredTask(_task_id(task) or 0, done, text))
    return found


def with_task_status(body: str, local_id: int, status: str) -> str:
    """The stored body with one task's status set (a tick in the page; macros keep their ids)."""
    root = _root(body)
    for task in root.iter(_TASK):
        if _task_id(task) == local_id:
            found = task.find(_TASK_STATUS)
            if found is None:
                found = etree.SubElement(task, _TASK_STATUS)
            found.text = status
    return _serialise(root, fresh_ids=False)


def _write(node: etree._Element, out: list[str], fresh_ids: bool) -> None:
    if isinstance(node, etree._Comment):
        out.append(f"<!--{node.text or ''}-->")
    elif isinstance(node.tag, str):  # processing instructions are dropped
        name = _name(node, str(node.tag))
        if node.tag == _MACRO and (fresh_ids or not node.get(_AC + "macro-id")):
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
                _write(child, out, fresh_ids)
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
