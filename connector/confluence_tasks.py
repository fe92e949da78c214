"""Confluence tasks (a page's check boxes, `<ac:task>` in storage format) as Outcomes reads them.

Where they come from (`PageApi.tasks`):

- Cloud, v2 API: `GET /wiki/api/v2/tasks?page-id=…&body-format=storage`, paged by `cursor`
  (Atlassian's OpenAPI description of the v2 API, "Get tasks"; the sandbox's answers are checked
  against it). `id` is the site-wide task id, `localId` the page's `<ac:task-id>`; `completedBy`
  is an account id, `completedAt` an ISO instant.
- v1 API (Data Center, and Cloud where `confluence.api: v1`): `GET /rest/api/inlinetasks/search
  ?pageId=…`, paged by `start`/`limit` (Atlassian's v1 REST reference, "Inline tasks"; no OpenAPI
  description is vendored for it). `globalId` is the site-wide id, `id` the page's; `completeUser`
  names the person (a user name on Data Center, an account id on Cloud), `completeDate` is epoch
  milliseconds. A site that does not serve it (404) has its tasks read from the page's body:
  statuses only, with no one named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from connector.storage_form import parse_body, plain_text

_AC = "{http://atlassian.com/content}"
COMPLETE = "complete"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class PageTask:
    task_id: str  # Confluence's own task id (v2 `id`; v1 the inline task's `globalId`)
    local_id: str | None  # the <ac:task-id> from the page body, when the API gives it
    status: str  # "complete" | "incomplete"
    text: str  # the task body as plain text (markup stripped, whitespace collapsed)
    completed_by: str | None  # Cloud: accountId; Data Center: user name
    completed_by_name: str | None  # display name when known
    completed_at: datetime | None  # aware UTC


def status_of(raw: Any) -> str:
    """`complete`/`incomplete`, also from the page's own `CHECKED`/`UNCHECKED`."""
    return COMPLETE if str(raw or "").strip().lower() in (COMPLETE, "checked") else INCOMPLETE


def instant(raw: Any) -> datetime | None:
    """An instant as aware UTC: epoch milliseconds (v1) or ISO 8601 (v2); None when absent."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float) or (isinstance(raw, str) and raw.strip().isdigit()):
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    moment = datetime.fromisoformat(str(raw).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # Atlassian's instants are UTC ("…Z")
    return moment.astimezone(UTC)


def from_v2(item: Mapping[str, Any], names: Mapping[str, str | None]) -> PageTask:
    body = ((item.get("body") or {}).get("storage") or {}).get("value") or ""
    by = item.get("completedBy") or None
    local = item.get("localId")
    return PageTask(
        task_id=str(item["id"]),
        local_id=str(local) if local not in (None, "") else None,
        status=status_of(item.get("status")),
        text=plain_text(body),
        completed_by=by,
        completed_by_name=names.get(by) if by else None,
        completed_at=instant(item.get("completedAt")),
    )


def from_v1(item: Mapping[str, Any], names: Mapping[str, str | None]) -> PageTask:
    by = item.get("completeUser") or None
    local = item.get("id")
    return PageTask(
        task_id=str(item.get("globalId", local)),
        local_id=str(local) if local not in (None, "") else None,
        status=status_of(item.get("status")),
        text=plain_text(str(item.get("body") or item.get("description") or "")),
        completed_by=by,
        completed_by_name=names.get(by) if by else None,
        completed_at=instant(item.get("completeDate")),
    )


def from_body(page_id: str, body: str) -> list[PageTask]:
    """The tasks written in a stored body, for a site without an inline-task API: their status
    and text, with no one named (the id is the page's id and the task's)."""
    try:
        root = parse_body(body)
    except etree.XMLSyntaxError:
        return []
    tasks = []
    for number, task in enumerate(root.iter(_AC + "task"), start=1):
        local = (task.findtext(_AC + "task-id") or "").strip() or str(number)
        inner = task.find(_AC + "task-body")
        text = " ".join("".join(inner.itertext()).split()) if inner is not None else ""
        tasks.append(
            PageTask(
                task_id=f"{page_id}/{local}",
                local_id=local,
                status=status_of(task.findtext(_AC + "task-status")),
                text=text,
                completed_by=None,
                completed_by_name=None,
                completed_at=None,
            )
        )
    return tasks


def cursor_of(next_link: str | None) -> str | None:
    """The `cursor` of a v2 `_links.next` link, or None on the last page."""
    if not next_link:
        return None
    values = parse_qs(urlsplit(next_link).query).get("cursor")
    return values[-1] if values else None
