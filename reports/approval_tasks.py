"""The tasks leaders tick on the "Awaiting approval" page, and how they are read back.

Each waiting connection gets two native Confluence tasks whose text names it stably: "Approve
PAY-12 → P1.KR2" and "Reject PAY-12 → P1.KR2". The row's last cell is left empty for the
leader's reason; `notes_of` reads it back from the live page body (the storage format Confluence
keeps), `parse_task` turns a task's text back into the connection it decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring

from defusedxml.ElementTree import fromstring

from reports import storage as s
from reports.preview_html import _numeric_entities
from reports.storage import AC_NS, RI_NS, Markup
from rules.model import ApprovalState

APPROVE, REJECT = "Approve", "Reject"
ARROW = "→"
NOTE_HEADER = "Reason (write it here before ticking Reject)"
_TASK = re.compile(r"^\s*(approve|reject)\s+(\S+)\s*(?:→|->)\s*(\S+)\s*$", re.IGNORECASE)
_AC = f"{{{AC_NS}}}"
_ADDED_ON_SAVE = frozenset({f"{_AC}macro-id", f"{_AC}schema-version", f"{_AC}local-id", "local-id"})


@dataclass(frozen=True)
class TaskDecision:
    state: ApprovalState
    subject: str  # an epic key or a team objective id, as written on the page
    okr_id: str

    @property
    def connection(self) -> tuple[str, str]:
        return self.subject.upper(), self.okr_id.upper()


def task_text(verb: str, subject: str, okr_id: str) -> str:
    return f"{verb} {subject} {ARROW} {okr_id}"


def parse_task(text: str) -> TaskDecision | None:
    """What a task on the page decides, or None for a task that is not one of ours."""
    match = _TASK.match(" ".join(text.split()))
    if match is None:
        return None
    verb, subject, okr_id = match.groups()
    state = ApprovalState.APPROVED if verb.lower() == "approve" else ApprovalState.REJECTED
    return TaskDecision(state, subject, okr_id)


def task_list(subject: str, okr_id: str) -> Markup:
    """The two tasks of one connection, unticked."""
    return s.el(
        "ac:task-list",
        *(
            s.el(
                "ac:task",
                s.el("ac:task-status", "incomplete"),
                s.el("ac:task-body", task_text(verb, subject, okr_id)),
            )
            for verb in (APPROVE, REJECT)
        ),
    )


def notes_of(body: str) -> dict[tuple[str, str], str]:
    """(SUBJECT, OKR ID) -> the text a leader wrote in the row's last cell, where there is some."""
    root = _parse(body)
    notes: dict[tuple[str, str], str] = {}
    for row in root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        tasks = [_text(t) for t in row.iter(f"{_AC}task-body")]
        decided = [d for d in map(parse_task, tasks) if d is not None]
        if not decided or len(cells) < 2 or any(t.tag == f"{_AC}task" for t in cells[-1].iter()):
            continue
        note = " ".join(_text(cells[-1]).split())
        if note:
            notes[decided[0].connection] = note
    return notes


def without_decisions(body: str) -> str:
    """The body with what leaders may change on the page left out: which tasks are ticked and
    the reason cells of task rows (and the ids Confluence gives tasks and macros on save). Two
    versions with the same result differ only in leaders' decisions."""
    root = _parse(body)
    for element in root.iter():  # ids Confluence gives on every save
        for name in _ADDED_ON_SAVE & set(element.attrib):
            del element.attrib[name]
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{_AC}task-id", f"{_AC}task-uuid"):
                parent.remove(child)
            elif child.tag == f"{_AC}task-status":
                child.text = ""
    for row in root.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if cells and any(True for _ in row.iter(f"{_AC}task")):
            last = cells[-1]
            if not any(True for _ in last.iter(f"{_AC}task")):
                last.clear()
    return " ".join(tostring(root, encoding="unicode").split())


def _parse(body: str) -> Element:
    """The body under one root, the `ac:`/`ri:` prefixes declared (as the preview parses it)."""
    root: Element = fromstring(
        f'<root xmlns:ac="{AC_NS}" xmlns:ri="{RI_NS}">{_numeric_entities(body)}</root>'
    )
    return root


def _text(element: Element) -> str:
    return "".join(element.itertext())
