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
from operator import attrgetter
from typing import Any

from .jira_render import Renderer, jira_time
from .records import IssueRecord

encode = json.JSONEncoder().encode  # what json.dumps does with its defaults
Step = Callable[[IssueRecord], str | None]  # one field's `"id": value` text, None to leave out
# Fields whose rendering depends only on one value of the issue (and the data version).
_SHARED = ("status", "issuetype", "project", "priority", "assignee", "parent")


class IssueJson:
    """Issues as JSON text for one request (one base URL and REST version, one field list)."""

    def __init__(self, render: Renderer, fields: list[str] | None) -> None:
        self.render = render
        self.fields = fields
        self._pieces: dict[str, Step] = {}  # a parent's status, type and priority
        self.steps = [self._step(fid) for fid in fields or ()]
        self.may_omit = "parent" in (fields or ())  # Jira leaves out an empty parent
        root = _string(render.root)[1:-1].replace("%", "%%")
        self.link = f'"self": "{root}/issue/%s"'
        self.head = f'{{"expand": {_string(render.expand)}, "id": "%s", {self.link}'

    def __call__(self, rec: IssueRecord) -> str:
        """``json.dumps(render.issue(rec, fields))``, faster."""
        if self.fields is None:
            return f'{{"id": "{rec.id}"}}'
        parts = [step(rec) for step in self.steps]
        if self.may_omit:
            parts = [text for text in parts if text is not None]
        head = self.head % (rec.id, rec.id)
        joined = ", ".join(parts)  # type: ignore[arg-type]  # only `parent` gives None, dropped
        return f'{head}, "key": {_string(rec.key)}, "fields": {{{joined}}}}}'

    def join(self, recs: list[IssueRecord]) -> str:
        """The issues' JSON, comma-separated: a page's "issues" list without its brackets."""
        if not recs:
            return ""
        if self.fields is None:  # ids only: thousands a page, so no call per issue
            return '{"id": "' + '"}, {"id": "'.join([str(rec.id) for rec in recs]) + '"}'
        return ", ".join(map(self, recs))

    def _step(self, fid: str) -> Step:
        render, state = self.render, self.render.state
        prefix = f"{_string(fid)}: "
        if fid == "summary":
            return lambda rec: prefix + _string(rec.summary)
        if fid in ("created", "updated"):
            zone, when = state.zone, attrgetter(fid)
            return lambda rec: f'{prefix}"{jira_time(when(rec), zone)}"'
        if fid == "labels":
            return lambda rec: prefix + _value(rec.labels)
        spec = state.registry.by_id.get(fid)
        if spec is not None and spec.custom and spec.kind not in ("option", "array", "epiclink"):
            return lambda rec: prefix + _value(rec.fields.get(fid))  # as `Renderer.custom`
        if fid not in _SHARED:
            return lambda rec: prefix + _value(render.field_value(rec, fid))
        by: Callable[[IssueRecord], str | None] = attrgetter("type" if fid == "issuetype" else fid)
        if fid == "parent" and state.epic_link is not None:
            by = state.parent_of  # on Data Center an epic's children have no `parent`
        shared = state.fragments().setdefault((render.root, fid), {})

        def shared_step(rec: IssueRecord) -> str | None:
            name = by(rec)
            if name is None and fid == "parent":
                return None  # Jira leaves "parent" out rather than answering null
            found = shared.get(name)
            if found is None:
                value = (
                    self._parent(name) if fid == "parent" else encode(render.field_value(rec, fid))
                )
                found = shared[name] = prefix + value
            return found

        return shared_step

    def _shared(self, fid: str, rec: IssueRecord) -> str:
        """``"fid": value`` of ``rec`` (status, issue type, priority), as its step gives it."""
        step = self._pieces.get(fid)
        if step is None:
            step = self._pieces[fid] = self._step(fid)
        text = step(rec)
        assert text is not None  # only `parent` is ever left out
        return text

    def _parent(self, key: str | None) -> str:
        """``encode(render.parent(key))`` from the pieces its status, type and priority share
        with other issues: a sync's children mostly name a parent no other child on the page
        names."""
        rec = None if key is None else self.render.state.find(key)
        if rec is None:
            return "null"
        fields = [
            f'"summary": {_string(rec.summary)}',
            self._shared("status", rec),
            self._shared("issuetype", rec),
        ]
        if rec.priority:
            fields.append(self._shared("priority", rec))
        return (
            f'{{"id": {_string(str(rec.id))}, "key": {_string(rec.key)}, {self.link % rec.id},'
            f' "fields": {{{", ".join(fields)}}}}}'
        )


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


def page_json(head: dict[str, Any], issues: str, tail: dict[str, Any]) -> bytes:
    """``json.dumps({**head, "issues": [...], **tail})`` with the issues given as JSON text
    (``IssueJson.join``)."""
    items = [f"{_string(k)}: {encode(v)}" for k, v in head.items()]
    items.append(f'"issues": [{issues}]')
    items += [f"{_string(k)}: {encode(v)}" for k, v in tail.items()]
    return f"{{{', '.join(items)}}}".encode()
