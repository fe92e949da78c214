"""Who changed an issue's field, and when: read from the issue's changelog.

Cloud serves many issues' changelogs at once (`POST /changelog/bulkfetch`, paged; a site without
it, one issue's paged at a time: `GET /issue/{key}/changelog`), Data Center with the issue
(`expand=changelog`). Authors come as `{accountId, displayName}` on Cloud and `{name,
displayName}` on Data Center; times carry the site's offset (`2026-11-20T10:00:00.000+1100`).
A changelog Jira refuses to show (403, 404) reads as None, so the caller can say so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from connector.jira_fields import parse_time
from connector.retry import CallContext, call
from rules.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from connector.jira_source import JiraSource

log = logging.getLogger(__name__)
PAGE = 100  # Cloud's largest changelog page
BULK_ISSUES = 1000  # issues per bulk changelog request
LABELS = "labels"


@dataclass(frozen=True)
class Change:
    """One changed field of one history entry."""

    author: str | None  # the display name (Data Center: or the user name)
    at: datetime
    field: str  # as the changelog names it: "labels", or a custom field's name
    field_id: str | None  # Cloud only
    before: str | None  # fromString
    after: str | None  # toString
    author_id: str | None = None  # Cloud: the account id; Data Center: the user name


def read_changelogs(
    source: JiraSource, issues: Mapping[str, str], field_ids: Sequence[str]
) -> dict[str, list[Change] | None]:
    """Issue key -> its changes of these fields, oldest first; None where Jira refuses to show
    them. `issues` maps keys to ids. Cloud reads many issues at once (`changelog/bulkfetch`)."""
    found: dict[str, list[Change] | None] = {}
    keys = sorted(issues)
    if source.deployment == "cloud":
        by_id = {issues[key]: key for key in keys}
        for start in range(0, len(keys), BULK_ISSUES):
            chunk = keys[start : start + BULK_ISSUES]
            try:
                found |= _bulk(source, chunk, by_id, field_ids)
            except NotFound:  # a site without the bulk endpoint: one issue at a time
                found |= {key: read_changelog(source, key) for key in chunk}
            except Forbidden as exc:
                log.info("%s: changelogs cannot be read: %s", source.service, exc)
                found |= dict.fromkeys(chunk)
        return found
    return {key: read_changelog(source, key) for key in keys}


def _bulk(
    source: JiraSource, keys: list[str], by_id: Mapping[str, str], field_ids: Sequence[str]
) -> dict[str, list[Change] | None]:
    url = f"{source.url}/rest/api/3/changelog/bulkfetch"
    context = CallContext(source.service, "read changelogs")
    changes: dict[str, list[Change]] = {key: [] for key in keys}
    token = None
    while True:
        body: dict[str, Any] = {"issueIdsOrKeys": keys, "fieldIds": list(field_ids)}
        if token:
            body["nextPageToken"] = token
        post = partial(source.client._session.post, url, json=body)
        answer = call(post, context, source.policy).json()
        for entry in answer.get("issueChangeLogs") or []:
            listed = changes.get(by_id.get(str(entry.get("issueId")), ""))
            if listed is not None:  # the bulk answer names issues by id
                listed.extend(c for h in entry.get("changeHistories") or [] for c in _changes(h))
        token = answer.get("nextPageToken")
        if not token:
            return {key: sorted(found, key=lambda c: c.at) for key, found in changes.items()}


def read_changelog(source: JiraSource, key: str) -> list[Change] | None:
    """One issue's changes, oldest first; None when Jira does not let us read them."""
    context = CallContext(source.service, f"read the changelog of {key}")
    try:
        if source.deployment == "cloud":
            histories = _cloud_histories(source, key, context)
        else:
            answer = call(
                lambda: source.client._get_json(
                    f"issue/{key}", params={"expand": "changelog", "fields": LABELS}
                ),
                context,
                source.policy,
            )
            if not isinstance(answer.get("changelog"), dict):
                log.info("%s: Jira left the changelog of %s out", source.service, key)
                return None  # expanded, but withheld
            histories = answer["changelog"].get("histories") or []
    except (Forbidden, NotFound) as exc:
        log.info("%s: the changelog of %s cannot be read: %s", source.service, key, exc)
        return None
    changes = [change for history in histories for change in _changes(history)]
    return sorted(changes, key=lambda c: c.at)


def _cloud_histories(source: JiraSource, key: str, context: CallContext) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        read = partial(
            source.client._get_json,
            f"issue/{key}/changelog",
            params={"startAt": len(found), "maxResults": PAGE},
        )
        page = call(read, context, source.policy)
        values = page.get("values") or []
        found.extend(values)
        if page.get("isLast", True) or not values:
            return found


def _changes(history: dict[str, Any]) -> Iterable[Change]:
    author = history.get("author") or {}
    name = author.get("displayName") or author.get("name") or author.get("accountId")
    who = author.get("accountId") or author.get("name")
    at = parse_time(history.get("created"))
    if at is None:
        return
    for item in history.get("items") or []:
        yield Change(
            author=str(name) if name else None,
            at=at,
            field=str(item.get("field") or ""),
            field_id=item.get("fieldId"),
            before=item.get("fromString"),
            after=item.get("toString"),
            author_id=str(who) if who else None,
        )


def label_added(changes: Sequence[Change], label: str) -> Change | None:
    """The latest change that added this label (case-insensitive)."""
    wanted = label.casefold()
    hits = [
        c
        for c in changes
        if _is(c, LABELS, LABELS) and wanted in _words(c.after) and wanted not in _words(c.before)
    ]
    return hits[-1] if hits else None


def labels_removed(changes: Sequence[Change], labels: Sequence[str]) -> Change | None:
    """The latest change that removed one of these labels."""
    wanted = {label.casefold() for label in labels}
    hits = [
        c
        for c in changes
        if _is(c, LABELS, LABELS) and wanted & (_words(c.before) - _words(c.after))
    ]
    return hits[-1] if hits else None


def field_set(
    changes: Sequence[Change], field_id: str, field_name: str, value: str | None = None
) -> Change | None:
    """The latest change of a field (to `value`, case-insensitive, when given)."""
    hits = [
        c
        for c in changes
        if _is(c, field_id, field_name)
        and (value is None or (c.after or "").strip().casefold() == value.strip().casefold())
    ]
    return hits[-1] if hits else None


def _is(change: Change, field_id: str, field_name: str) -> bool:
    # Cloud names the field's id; Data Center only its name.
    if change.field_id:
        return change.field_id == field_id
    return change.field.casefold() in (field_name.casefold(), field_id.casefold())


def _words(text: str | None) -> set[str]:
    return {word.casefold() for word in (text or "").split()}
