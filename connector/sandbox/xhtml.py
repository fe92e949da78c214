"""Validate and lightly re-normalise Confluence storage-format XHTML, as Confluence does.

Confluence rejects a body that is not well-formed XML (with the ``ac:``/``ri:`` prefixes declared
for it) and stores its own serialisation, so a publisher that compares bytes must normalise too.
Here the stored form differs in one visible way: self-closing tags get a space before ``/>``.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_WRAP_OPEN = (
    '<ac:confluence xmlns:ac="http://atlassian.com/content" '
    'xmlns:ri="http://atlassian.com/resource/identifier" '
    'xmlns:at="http://atlassian.com/template">'
)
_WRAP_CLOSE = "</ac:confluence>"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
# Pieces that must be copied verbatim: CDATA sections and comments may contain "<br/>" as text.
_OPAQUE = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.S)
_SELF_CLOSING = re.compile(
    r"<([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/>"
)


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
    parts = _OPAQUE.split(body)
    # Odd indexes are the opaque pieces captured by the split.
    return "".join(p if i % 2 else _SELF_CLOSING.sub(r"<\1\2 />", p) for i, p in enumerate(parts))


def _strip_position(message: str) -> str:
    # expat counts columns inside our wrapper; the first line is what a user can act on.
    return re.sub(r": line \d+, column \d+$", "", message)
