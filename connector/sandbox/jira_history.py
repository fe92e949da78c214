"""What a changelog holds: `JiraState.update_issue` records each change as a `History` of
`ChangeItem`s (`diff`); jira_changelog.py serves them as Jira does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .records import IssueRecord

if TYPE_CHECKING:
    from .jira_model import JiraState


@dataclass(frozen=True)
class ChangeItem:
    field: str  # as Jira names it: "labels", "status", or a custom field's name
    field_id: str
    fieldtype: str  # "jira" | "custom"
    old: str | None
    old_string: str | None
    new: str | None
    new_string: str | None


@dataclass(frozen=True)
class History:
    id: int
    author: str  # the user's display name
    created: datetime
    items: tuple[ChangeItem, ...]


def diff(before: IssueRecord, after: IssueRecord, state: JiraState) -> tuple[ChangeItem, ...]:
    """What Jira's changelog would show for this update (fields that changed, in Jira's terms)."""
    items: list[ChangeItem] = []

    def add(field: str, fid: str, kind: str, old: Any, new: Any) -> None:
        if old != new:
            items.append(ChangeItem(field, fid, kind, None, _text(old), None, _text(new)))

    add("summary", "summary", "jira", before.summary, after.summary)
    if before.status != after.status:
        old, new = state.status(before.status), state.status(after.status)
        items.append(ChangeItem("status", "status", "jira", old.id, old.name, new.id, new.name))
    # Jira writes labels as one space-separated string, before and after.
    add("labels", "labels", "jira", " ".join(sorted(before.labels)), " ".join(sorted(after.labels)))
    add("assignee", "assignee", "jira", before.assignee, after.assignee)
    for spec in state.registry.fields:
        fid = spec.id
        if fid.startswith("customfield_") and fid != state.epic_link:
            add(spec.name, fid, "custom", before.fields.get(fid), after.fields.get(fid))
    return tuple(items)


def _text(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
