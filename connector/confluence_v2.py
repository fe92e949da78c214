"""Confluence Cloud's v2 pages API (`/wiki/api/v2/pages`) through `atlassian.ConfluenceV2`.

The client class is the library's own v2 class; its page helpers are bypassed (see
connector/confluence_api.py), and requests go through its `request`. Versions carry account ids,
not names, so the name of a person who edited a page is looked up only when it is needed for a
message. Attachments use the v1 upload, which Cloud serves beside v2 (v2 has no upload).
"""

from __future__ import annotations

import warnings
from typing import Any

from atlassian import ConfluenceV2

from connector.confluence_api import (
    MESSAGE,
    NO_CLIENT_RETRIES,
    AttachedFile,
    Http,
    RemotePage,
    UserNames,
    current_user,
    page_order,
)
from connector.confluence_tasks import PageTask, cursor_of, from_v2
from connector.retry import RetryPolicy
from rules.errors import UserError


def _client(url: str, credentials: dict[str, Any], timeout: float) -> Any:
    with warnings.catch_warnings():
        # Constructing the v2 class warns that its v1-style methods are deprecated; we call none.
        warnings.filterwarnings(
            "ignore",
            message="V1 methods are deprecated in ConfluenceCloud",
            category=DeprecationWarning,
        )
        return ConfluenceV2(url, timeout=timeout, **NO_CLIENT_RETRIES, **credentials)


class V2Pages:
    """The Cloud v2 pages API."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None,
        token: str,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
    ):
        self.url = url
        credentials: dict[str, Any] = (
            {"username": user, "password": token} if user else {"token": token}
        )
        self.client = _client(url, credentials, timeout)
        self.http = Http(self.client, url, policy)
        self._space_ids: dict[str, str] = {}
        self._own: frozenset[str] | None = None

    def space_id(self, space: str) -> str:
        if space not in self._space_ids:
            answer = self.http.json(
                "GET", "api/v2/spaces", f"look up space {space}", params={"keys": space}
            )
            found = [s for s in answer.get("results") or [] if s.get("key") == space]
            if not found:
                raise UserError(
                    f"confluence.space: no space with key {space!r} in Confluence at {self.url}"
                )
            self._space_ids[space] = str(found[0]["id"])
        return self._space_ids[space]

    def find(self, space: str, title: str) -> RemotePage | None:
        params = {
            "space-id": self.space_id(space),
            "title": title,
            "status": "current",
            "body-format": "storage",
        }
        answer = self.http.json("GET", "api/v2/pages", "find a page", params=params)
        results = answer.get("results") or []
        return _page(results[0]) if results else None

    def get(self, page_id: str) -> RemotePage | None:
        params = {"body-format": "storage"}
        response = self.http.send("GET", f"api/v2/pages/{page_id}", params=params)
        if response.status_code == 404:
            return None
        return _page(self.http.check(response, f"read page {page_id}"))

    def create(self, space: str, title: str, body: str, parent_id: str | None) -> RemotePage:
        data: dict[str, Any] = {
            "spaceId": self.space_id(space),
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
        }
        if parent_id:
            data["parentId"] = parent_id
        return _page(self.http.json("POST", "api/v2/pages", f"create page {title!r}", data=data))

    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage:
        data = {
            "id": page_id,
            "status": "current",  # required by the API; the library's update_page leaves it out
            "title": title,
            "body": {"representation": "storage", "value": body},
            "version": {"number": version, "message": MESSAGE},
        }
        path = f"api/v2/pages/{page_id}"
        return _page(self.http.json("PUT", path, f"update page {title!r}", data=data))

    def editor_name(self, page: RemotePage) -> str | None:
        """The display name behind the page's last version (one extra read, on demand)."""
        if page.editor_id is None:
            return None
        response = self.http.send("GET", "rest/api/user", params={"accountId": page.editor_id})
        if response.status_code != 200:
            return None
        name = response.json().get("displayName")
        return str(name) if name else None

    def version(self, page_id: str, number: int) -> RemotePage | None:
        params = {"version": str(number), "body-format": "storage"}
        response = self.http.send("GET", f"api/v2/pages/{page_id}", params=params)
        if response.status_code == 404:
            return None
        return _page(self.http.check(response, f"read version {number} of page {page_id}"))

    def tasks(self, page_id: str) -> list[PageTask]:
        """`/api/v2/tasks?page-id=…`, every page of it by its cursor (connector/
        confluence_tasks.py)."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page-id": page_id, "body-format": "storage", "limit": 250}
        while True:
            answer = self.http.json(
                "GET", "api/v2/tasks", f"read the tasks of page {page_id}", params=params
            )
            items.extend(answer.get("results") or [])
            cursor = cursor_of((answer.get("_links") or {}).get("next"))
            if cursor is None or cursor == params.get("cursor"):
                break
            params = {**params, "cursor": cursor}
        names = UserNames(self.http, ("accountId",))
        tasks = [from_v2(item, names.of(item.get("completedBy"))) for item in items]
        return sorted(tasks, key=page_order)

    def own_keys(self) -> frozenset[str]:
        """Versions name their author by account id; v2 has no "current user", v1's serves."""
        if self._own is None:
            self._own = current_user(self.http)
        return self._own

    def attach(
        self, page_id: str, name: str, content: bytes, content_type: str, fingerprint: str = ""
    ) -> AttachedFile:
        return self.http.attach(page_id, name, content, content_type, fingerprint)


def _page(data: dict[str, Any]) -> RemotePage:
    version = data.get("version") or {}
    author = version.get("authorId")
    parent = data.get("parentId")
    return RemotePage(
        id=str(data["id"]),
        title=data.get("title", ""),
        version=int(version.get("number", 1)),
        body=((data.get("body") or {}).get("storage") or {}).get("value", ""),
        editor_id=author,
        parent_id=str(parent) if parent else None,
        author_keys=frozenset({f"accountId:{author}"}) if author else frozenset(),
    )
