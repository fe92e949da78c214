"""Search answers as JSON text, assembled from pieces encoded once.

Pages of issues are most of what a sync asks for; rendering each issue as dicts and encoding
them cost about 100 µs an issue. Here each asked field gets one step per request, and the pieces
many issues share (a status, an issue type, a project, a parent, a person) are encoded once per
data version and base URL. The text is the same, byte for byte, as ``json.dumps`` of
``Renderer.issue`` (tests hold that).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _string
from typing import Any

from .jira_render import Renderer, jira_time
from .records import IssueRecord

encode = json.JSONEncoder().encode  # what json.dumps does with its defaults
Step = Callable[[IssueRecord], str | None]  # one field's `"id": value` text, None to leave out


class IssueJson:
    """Issues as JSON text for one request (one base URL and REST version, one field list)."""

    def __init__(self, render: Renderer, fields: list[str] | None) -> None:
        self.render = render
        self.fields = fields
        self.steps = [self._step(fid) for fid in fields or ()]
        root = _string(render.root)[1:-1].replace("%", "%%")
        self.head = f'{{"expand": {_string(render.expand)}, "id": "%s", "self": "{root}/issue/%s"'

    def __call__(self, rec: IssueRecord) -> str:
        """``json.dumps(render.issue(rec, fields))``, faster."""
        if self.fields is None:
            return encode({"id": str(rec.id)})
        parts = [text for text in (step(rec) for step in self.steps) if text is not None]
        head = self.head % (rec.id, rec.id)
        return f'{head}, "key": {_string(rec.key)}, "fields": {{{", ".join(parts)}}}}}'

    def _step(self, fid: str) -> Step:
        render, state = self.render, self.render.state
        prefix = f"{_string(fid)}: "
        if fid == "summary":
            return lambda rec: prefix + _string(rec.summary)
        if fid in ("created", "updated"):
            zone = state.zone
            if fid == "created":
                return lambda rec: f'{prefix}"{jira_time(rec.created, zone)}"'
            return lambda rec: f'{prefix}"{jira_time(rec.updated, zone)}"'
        by = _SHARED.get(fid)
        if by is None:
            return lambda rec: prefix + _value(render.field_value(rec, fid))
        shared = state.fragments()
        root = render.root

        def shared_step(rec: IssueRecord) -> str | None:
            name = by(rec) if by is not _parent else state.parent_of(rec)
            if name is None and fid == "parent":
                return None  # Jira leaves "parent" out rather than answering null
            key = (root, fid, name)
            found = shared.get(key)
            if found is None:
                found = shared[key] = prefix + encode(render.field_value(rec, fid))
            return found

        return shared_step


def _parent(rec: IssueRecord) -> str | None:
    return rec.parent  # a marker: the state decides (`parent_of`)


# Fields whose rendering depends only on one value of the issue (and the data version).
_SHARED: dict[str, Callable[[IssueRecord], str | None]] = {
    "status": lambda rec: rec.status,
    "issuetype": lambda rec: rec.type,
    "project": lambda rec: rec.project,
    "priority": lambda rec: rec.priority,
    "assignee": lambda rec: rec.assignee,
    "parent": _parent,
}


def _value(value: Any) -> str:
    """``encode(value)``, with the common plain values done directly."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is list and all(type(v) is str for v in value):
        return f"[{', '.join(map(_string, value))}]"
    return encode(value)


def page_json(head: dict[str, Any], issues: list[str], tail: dict[str, Any]) -> bytes:
    """``json.dumps({**head, "issues": [...], **tail})`` with the issues given as JSON text."""
    items = [f"{_string(k)}: {encode(v)}" for k, v in head.items()]
    items.append(f'"issues": [{", ".join(issues)}]')
    items += [f"{_string(k)}: {encode(v)}" for k, v in tail.items()]
    return f"{{{', '.join(items)}}}".encode()
