"""Reading epics and their children from Jira through the `jira` client.

All Jira access goes through this module. It asks only for the fields it needs, pages with
`nextPageToken` itself (flat memory) and turns the client's errors into `connector.errors`, whose
messages never carry request headers or bodies (the client's own error text includes them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

import requests
from jira import JIRA, JIRAError

from connector.errors import AuthError, ServiceError, UserError
from connector.store.issues import IssueRecord

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CHILD_CHUNK = 50  # epic keys per `parent in (...)` query: keeps the JQL well under URL limits
BASE_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "project",
    "assignee",
    "labels",
    "parent",
    "created",
    "updated",
)


@dataclass(frozen=True)
class JiraCredentials:
    url: str
    token: str
    email: str | None = None  # Cloud: email + API token; Data Center: token alone (a PAT)
    timeout: float = 30.0


class JiraSource:
    """A connected Jira: knows its deployment type and the ids of the fields we read."""

    def __init__(self, credentials: JiraCredentials, *, story_points_field: str = "Story Points"):
        self.url = credentials.url
        auth: dict[str, Any] = (
            {"basic_auth": (credentials.email, credentials.token)}
            if credentials.email
            else {"token_auth": credentials.token}
        )
        # max_retries=0: the client's own retry loop would nest inside ours and sleep for minutes.
        self.client = self._call(
            lambda: JIRA(
                server=credentials.url,
                max_retries=0,
                timeout=credentials.timeout,
                get_server_info=True,
                **auth,
            ),
            "connect",
        )
        self.deployment = "cloud" if self.client.deploymentType == "Cloud" else "datacenter"
        self.story_points_id = self._field_id(story_points_field)

    def _field_id(self, name: str) -> str | None:
        fields = self._call(self.client.fields, "read the field list")
        wanted = name.casefold()
        return next((f["id"] for f in fields if str(f.get("name", "")).casefold() == wanted), None)

    @property
    def fields(self) -> list[str]:
        return [*BASE_FIELDS, *([self.story_points_id] if self.story_points_id else [])]

    def search(self, jql: str) -> Iterator[dict[str, Any]]:
        """Every issue matching `jql`, one page in memory at a time."""
        token: str | None = None
        while True:
            page = self._call(
                lambda token=token: self.client.enhanced_search_issues(
                    jql,
                    nextPageToken=token,
                    maxResults=PAGE_SIZE,
                    fields=list(self.fields),
                    json_result=True,
                ),
                "search",
                jql=jql,
            )
            yield from page.get("issues", [])
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return

    def epics(self, jql: str) -> Iterator[IssueRecord]:
        for raw in self.search(jql):
            yield self.record(raw, is_epic=True)

    def children(self, epic_keys: Sequence[str]) -> Iterator[IssueRecord]:
        """Child issues of many epics at once, in chunks."""
        for start in range(0, len(epic_keys), CHILD_CHUNK):
            chunk = ", ".join(epic_keys[start : start + CHILD_CHUNK])
            for raw in self.search(f"parent in ({chunk}) ORDER BY key"):
                yield self.record(raw, is_epic=False)

    def record(self, raw: dict[str, Any], *, is_epic: bool) -> IssueRecord:
        fields = raw.get("fields") or {}
        status = fields.get("status") or {}
        points = fields.get(self.story_points_id) if self.story_points_id else None
        return IssueRecord(
            id=str(raw["id"]),
            key=raw["key"],
            project=(fields.get("project") or {}).get("key") or raw["key"].split("-")[0],
            issuetype=(fields.get("issuetype") or {}).get("name", ""),
            is_epic=is_epic,
            summary=fields.get("summary") or "",
            status=status.get("name", ""),
            status_category=(status.get("statusCategory") or {}).get("key", "new"),
            assignee=(fields.get("assignee") or {}).get("displayName"),
            labels=list(fields.get("labels") or []),
            parent_key=(fields.get("parent") or {}).get("key"),
            story_points=float(points) if isinstance(points, int | float) else None,
            created=_timestamp(fields.get("created")),
            updated=_timestamp(fields.get("updated")),
        )

    def _call(self, action: Any, what: str, jql: str | None = None) -> Any:
        try:
            return action()
        except JIRAError as exc:
            _raise_for(exc, self_url=getattr(self, "url", ""), what=what, jql=jql)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ServiceError(
                f"Jira at {getattr(self, 'url', '')} is unreachable ({type(exc).__name__});"
                " check jira.url and the network"
            ) from None


def _raise_for(exc: JIRAError, *, self_url: str, what: str, jql: str | None) -> NoReturn:
    status = exc.status_code
    if status == 401:
        raise AuthError(
            f"Jira at {self_url} rejected the credentials (401): check jira.url, the user and the"
            " API token (Cloud tokens expire)"
        ) from None
    if status == 403:
        raise AuthError(
            f"Jira at {self_url} refused to {what} (403): the user lacks permission"
        ) from None
    if status == 400 and jql is not None:
        messages = _error_messages(exc)
        raise UserError(f"Jira refused the JQL {jql!r}: {messages}") from None
    raise ServiceError(f"Jira at {self_url} failed to {what} (HTTP {status})") from None


def _error_messages(exc: JIRAError) -> str:
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        body = {}
    messages = list(body.get("errorMessages") or []) + list((body.get("errors") or {}).values())
    return "; ".join(str(m) for m in messages) or "bad request"


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
