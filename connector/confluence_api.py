"""Confluence pages through `atlassian-python-api`: the few calls the publisher needs.

`ConfluenceServer.update_page` reads the history and writes current + 1, so it could never notice a
person's edit or meet a 409; the publisher needs explicit versions. So page calls go through the
client's own `get`/`post`/`put` (same session and auth) in advanced mode, and statuses are handled
here, where each one can get a message that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import requests
from atlassian.confluence import ConfluenceServer

from connector.errors import AuthError, ServiceError


@dataclass(frozen=True)
class RemotePage:
    id: str
    title: str
    version: int
    body: str
    last_editor: str | None = None


class VersionConflict(ServiceError):
    """The page's version moved on between our read and our write (HTTP 409)."""


class PageApi(Protocol):
    def find(self, space: str, title: str) -> RemotePage | None: ...
    def get(self, page_id: str) -> RemotePage | None: ...
    def create(self, space: str, title: str, body: str, parent_id: str | None) -> RemotePage: ...
    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage: ...


class V1Pages:
    """The v1 content API (`/rest/api/content`), as Data Center serves it."""

    EXPAND = "version,body.storage"

    def __init__(self, url: str, *, user: str | None, token: str, timeout: float = 30.0):
        self.url = url
        credentials: dict[str, Any] = (
            {"username": user, "password": token} if user else {"token": token}
        )
        self.client = ConfluenceServer(url, timeout=int(timeout), **credentials)

    def find(self, space: str, title: str) -> RemotePage | None:
        params = {"spaceKey": space, "title": title, "type": "page", "expand": self.EXPAND}
        answer = self._json("GET", "rest/api/content", "find a page", params=params)
        results = answer.get("results") or []
        return _page(results[0]) if results else None

    def get(self, page_id: str) -> RemotePage | None:
        response = self._send("GET", f"rest/api/content/{page_id}", params={"expand": self.EXPAND})
        if response.status_code == 404:
            return None
        return _page(self._check(response, f"read page {page_id}"))

    def create(self, space: str, title: str, body: str, parent_id: str | None) -> RemotePage:
        data: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": space},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent_id:
            data["ancestors"] = [{"id": parent_id}]
        return _page(self._json("POST", "rest/api/content", f"create page {title!r}", data=data))

    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage:
        data = {
            "id": page_id,
            "type": "page",
            "title": title,
            "version": {"number": version, "message": "Published by Outcomes"},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        response = self._send("PUT", f"rest/api/content/{page_id}", data=data)
        if response.status_code == 409:
            raise VersionConflict(f"page {title!r} changed while Outcomes was writing it")
        return _page(self._check(response, f"update page {title!r}"))

    def _json(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        return self._check(self._send(method, path, **kwargs), what)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response: requests.Response = self.client.request(
                method, path, advanced_mode=True, **kwargs
            )
            return response
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ServiceError(
                f"Confluence at {self.url} is unreachable ({type(exc).__name__});"
                " check confluence.url and the network"
            ) from None

    def _check(self, response: requests.Response, what: str) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise AuthError(
                f"Confluence at {self.url} rejected the credentials (401): check confluence.url,"
                " the user and the API token"
            )
        if status == 403:
            raise AuthError(f"Confluence at {self.url} refused to {what} (403): no permission")
        if status >= 400:
            raise ServiceError(f"Confluence failed to {what} (HTTP {status}): {_reason(response)}")
        answer: dict[str, Any] = response.json()
        return answer


def _page(data: dict[str, Any]) -> RemotePage:
    version = data.get("version") or {}
    return RemotePage(
        id=str(data["id"]),
        title=data.get("title", ""),
        version=int(version.get("number", 1)),
        body=((data.get("body") or {}).get("storage") or {}).get("value", ""),
        last_editor=(version.get("by") or {}).get("displayName"),
    )


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no details"
    return str(body.get("message") or "; ".join(body.get("errorMessages") or []) or "no details")[
        :200
    ]
