"""The canonical form of a Confluence storage-format body, to tell "the page I wrote" from an edit.

Confluence does not store the bytes it is sent: it parses the body and writes its own
serialisation (`&#x27;` comes back as `'`, `&quot;` in text as `"`, `<p></p>` as `<p />`,
attributes re-quoted and re-ordered, macros given an `ac:macro-id`). So two bodies are compared
by what they mean: both are parsed (with the `ac:`/`ri:` prefixes declared and HTML's named
entities mapped to characters) and their element structure, attributes and text, with runs of
white space collapsed, are hashed. Attributes and elements that Confluence adds on save (macro
ids, task ids) are left out. `hash_without_task_statuses` also leaves out which tasks are ticked.

`legacy_hash` is the hash that publish records held before, kept so that records written by an
earlier release still match their pages (a record is rewritten with the canonical hash on its
page's next write or check).
"""

from __future__ import annotations

import hashlib
import re
from html.entities import html5

from lxml import etree

_NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
_WRAP_OPEN = "<ac:confluence " + " ".join(f'xmlns:{p}="{u}"' for p, u in _NAMESPACES.items()) + ">"
_WRAP_CLOSE = "</ac:confluence>"
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_SPACE = re.compile(r"[ \t\r\n]+")  # XML white space only: a no-break space is content
_AC = "{" + _NAMESPACES["ac"] + "}"
# Written by Confluence on save (new ids each time), never by Outcomes or by meaning.
_ADDED_ON_SAVE = frozenset({_AC + "macro-id", _AC + "schema-version", _AC + "local-id", "local-id"})
# Elements Confluence adds on save: a task's page-local id (numbered anew when missing or taken)
# and the uuid Cloud's editor gives a task.
_ELEMENTS_ADDED_ON_SAVE = (_AC + "task-id", _AC + "task-uuid")


def canonical_hash(body: str) -> str:
    """SHA-256 of the body's canonical form; a body that does not parse falls back to its
    whitespace-normalised text, so it still equals itself."""
    return _hash(body, statuses=True)


def hash_without_task_statuses(body: str) -> str:
    """The canonical hash with every task's status left out: two bodies with the same hash
    differ at most in which tasks are ticked (a leader's tick is not an edit of the page)."""
    return _hash(body, statuses=False)


def _hash(body: str, *, statuses: bool) -> str:
    try:
        root = parse_body(body)
    except etree.XMLSyntaxError:
        return hashlib.sha256(b"unparsed:" + _legacy_form(body).encode("utf-8")).hexdigest()
    for added in [n for tag in _ELEMENTS_ADDED_ON_SAVE for n in root.iter(tag)]:
        _remove(added)
    if not statuses:
        for status in root.iter(_AC + "task-status"):
            status.text = ""
    # Control characters cannot occur in XML text, so they separate the parts unambiguously.
    parts = [_collapse(root.text)]
    for event, node in etree.iterwalk(root, events=("start", "end")):
        if node is root:
            continue
        if event == "start":
            attrs = sorted(
                f"{k}\x02{_collapse(v)}" for k, v in node.attrib.items() if k not in _ADDED_ON_SAVE
            )
            parts.append(f"\x01<{node.tag}\x03" + "\x03".join(attrs))
            parts.append(f"\x01{_collapse(node.text)}")
        else:
            parts.append(f"\x01>{_collapse(node.tail)}")
    return hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()


def _remove(node: etree._Element) -> None:
    """Take an element out, keeping the text that followed it."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def plain_text(fragment: str) -> str:
    """A storage-format fragment's text, markup stripped and white space collapsed."""
    try:
        root = parse_body(fragment)
    except etree.XMLSyntaxError:
        return _collapse(re.sub(r"<[^>]*>", " ", fragment))
    return _collapse("".join(root.itertext()))


def same_body(a: str, b: str) -> bool:
    return canonical_hash(a) == canonical_hash(b)


def legacy_hash(body: str) -> str:
    """The hash earlier releases recorded: of the bytes, with only `<br/>` and the white space
    between tags normalised."""
    return hashlib.sha256(_legacy_form(body).encode("utf-8")).hexdigest()


def hashes(body: str) -> frozenset[str]:
    """Every hash a record of this body may hold: the canonical one and the legacy one."""
    return frozenset({canonical_hash(body), legacy_hash(body)})


def _legacy_form(body: str) -> str:
    body = re.sub(r"<([A-Za-z][^<>]*?)\s*/>", r"<\1 />", body)
    return re.sub(r">\s+<", "><", body.strip())


def parse_body(body: str) -> etree._Element:
    """The body as an element tree under one wrapper element (the `ac:`/`ri:` prefixes
    declared, HTML's named entities as characters); raises `etree.XMLSyntaxError`."""
    # No entity resolution, no network, no DTD: the body may come from anyone with edit rights.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )
    text = _WRAP_OPEN + _ENTITY.sub(_entity, body) + _WRAP_CLOSE
    return etree.fromstring(text.encode("utf-8"), parser)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    chars = html5.get(name + ";")
    if chars is None:
        return match.group(0)  # undeclared: the parser refuses it, and the fallback applies
    return "".join(f"&#{ord(c)};" for c in chars)


def _collapse(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip(" ")
