"""Confluence pages through `atlassian-python-api`: the few calls the publisher needs, on both APIs.

`V1Pages` speaks the v1 content API (`/rest/api/content`: Data Center, and Cloud where configured);
`V2Pages` (connector/confluence_v2.py) the Cloud v2 pages API. `connect_pages` (connector/
confluence.py) picks one from the `confluence.api` setting (`auto`: v2 for `*.atlassian.net`, v1
otherwise).

The library's page helpers are not used: `ConfluenceServer.update_page` reads the history and
writes current + 1, so it could never notice a person's edit or meet a 409, and the v2 class's
`update_page` leaves out the `status` the API requires. Calls go through the client's own
`request` (same session and auth) in advanced mode, with the client's own 429 handling off:
`Http` retries by Outcomes' policy (connector/retry.py) and turns statuses into Outcomes'
errors, each with a message that says what to do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from atlassian.confluence import ConfluenceServer

from connector.confluence_tasks import PageTask, from_body, from_v1
from connector.http_env import settle_environment
from connector.retry import Attempts, RetryPolicy
from connector.transit import TRANSIT_ERRORS, Fault, fault_of, status_fault, watch
from rules.errors import AnswerLost, AuthError, Forbidden, ServiceError

# The client's own 429 handling is switched off: our policy (connector.retry) waits and retries.
NO_CLIENT_RETRIES: dict[str, Any] = {"retry_with_header": False, "backoff_and_retry": False}
MESSAGE = "Published by Outcomes"
TASKS_PER_REQUEST = 100
ATTACH_HEADERS = {"X-Atlassian-Token": "no-check", "Accept": "application/json"}


@dataclass(frozen=True)
class RemotePage:
    id: str
    title: str
    version: int
    body: str
    last_editor: str | None = None  # display name (v1) or None when only an id is known
    editor_id: str | None = None  # account id (Cloud), to look the name up when needed
    parent_id: str | None = None  # known when the page was found by title
    # Who wrote the latest version, as "accountId:…", "userKey:…", "username:…" (see user_keys).
    author_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AttachedFile:
    id: str
    name: str
    version: int
    written: bool  # False: the same content was already attached, nothing was uploaded


class VersionConflict(ServiceError):
    """The page's version moved on between our read and our write (HTTP 409)."""


class PageApi(Protocol):
    def find(self, space: str, title: str) -> RemotePage | None: ...
    def get(self, page_id: str) -> RemotePage | None: ...
    def create(self, space: str, title: str, body: str, parent_id: str | None) -> RemotePage: ...
    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage: ...
    def editor_name(self, page: RemotePage) -> str | None: ...
    def version(self, page_id: str, number: int) -> RemotePage | None:
        """The page as it was at version `number` (None when Confluence no longer has it)."""
        ...

    def tasks(self, page_id: str) -> list[PageTask]:
        """The page's tasks (check boxes) with who completed each and when, by local id."""
        ...

    def own_keys(self) -> frozenset[str]:
        """Who Outcomes is on this Confluence, in the terms of `RemotePage.author_keys`."""
        ...

    def attach(
        self, page_id: str, name: str, content: bytes, content_type: str, fingerprint: str = ""
    ) -> AttachedFile:
        """Attach a file to a page, replacing an attachment of that name; unchanged → no upload.

        `fingerprint` says what "unchanged" means (default: the bytes' SHA-256)."""
        ...


class Http:
    """Requests through an atlassian-python-api client, retried by Outcomes' policy (the one
    Jira's calls use), with statuses turned into our errors.

    A read is tried again on a 429 or 5xx and on an answer that was lost or came garbled. A write
    (POST, PUT) is tried again only when the service said it did not do it (429, 503) or the
    connection was never made; when its answer is lost after it was sent (reset, timeout, cut
    off, garbled, a gateway's 5xx) it may have taken effect, so it is not sent again blindly:
    `AnswerLost`, and the caller re-reads before it writes again.
    """

    def __init__(self, client: Any, url: str, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.url = url
        self.service = f"Confluence at {url}"
        self.policy = policy or RetryPolicy()
        self.root = urlsplit(url).path.rstrip("/")  # "/wiki": requests are named by full path
        watch(client._session)  # garbled answers become faults that name the request
        settle_environment(client._session, url)

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        request = f"{method} {self.root}/{path.lstrip('/')}"
        write = method not in ("GET", "HEAD")
        attempts = Attempts(
            self.policy,
            self.service,
            advice="check that it is up and reachable (confluence.url, the network, a proxy)",
            busy_advice="run again later",
        )
        while True:
            try:
                response: requests.Response = self.client.request(
                    method, path, advanced_mode=True, **kwargs
                )
            except TRANSIT_ERRORS as exc:
                fault = fault_of(exc, request)
                if write and fault.sent:
                    raise self._lost(fault) from None
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    return response
                fault = status_fault(response, request)
                if write and status not in (429, 503):
                    raise self._lost(fault)
            attempts.again(fault)

    def _lost(self, fault: Fault) -> AnswerLost:
        return AnswerLost(
            f"{self.service} did not answer {fault.request} properly ({fault.what}); the write"
            " may have been made, so it was not sent again (the next run looks before it writes)"
        )

    def json(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        return self.check(self.send(method, path, **kwargs), what)

    def check(self, response: requests.Response, what: str) -> dict[str, Any]:
        """A 2xx answer's JSON (`send` has already checked that it is whole and JSON), or the
        error its 4xx status means."""
        status = response.status_code
        if status == 401:
            raise AuthError(
                f"Confluence at {self.url} rejected the credentials (401): check confluence.url,"
                " confluence.auth.email and the API token (Cloud tokens expire)"
            )
        if status == 403:
            raise Forbidden(f"Confluence refused to {what} (403): the user lacks permission")
        if status == 409:
            raise VersionConflict(f"Confluence answered 409 while Outcomes tried to {what}")
        if status >= 400:
            raise ServiceError(f"Confluence failed to {what} (HTTP {status}): {_reason(response)}")
        answer: dict[str, Any] = response.json()
        return answer

    def attach(
        self, page_id: str, name: str, content: bytes, content_type: str, fingerprint: str = ""
    ) -> AttachedFile:
        """Upload through the v1 attachment API, which Cloud and Data Center both serve."""
        path = f"rest/api/content/{page_id}/child/attachment"
        fingerprint = fingerprint or hashlib.sha256(content).hexdigest()
        comment = f"{MESSAGE} (sha256 {fingerprint[:16]})"
        listing = self.json("GET", path, f"list the attachments of page {page_id}")
        existing = next((a for a in listing.get("results") or [] if a.get("title") == name), None)
        if existing is not None:
            same = ((existing.get("extensions") or {}).get("comment") or "") == comment
            if same:
                return AttachedFile(str(existing["id"]), name, _number(existing), False)
            path = f"{path}/{existing['id']}/data"
        answer = self.json(
            "POST",
            path,
            f"attach {name!r} to page {page_id}",
            data={"comment": comment, "minorEdit": "true"},
            files={"file": (name, content, content_type)},
            headers=ATTACH_HEADERS,
        )
        item = (answer.get("results") or [answer])[0]
        return AttachedFile(str(item["id"]), name, _number(item), True)


def current_user(http: Http) -> frozenset[str]:
    """The keys of the account Outcomes signs in as (`/rest/api/user/current`, which Cloud and
    Data Center both serve); none when Confluence does not say."""
    response = http.send("GET", "rest/api/user/current")
    if response.status_code == 404:
        return frozenset()
    return user_keys(http.check(response, "read who Outcomes signs in as"))


class UserNames:
    """Display names of the people who completed tasks, each looked up once
    (`/rest/api/user`, by the parameters given in turn: a user name on Data Center, an
    account id on Cloud). A person Confluence does not know has no name."""

    def __init__(self, http: Http, params: tuple[str, ...]) -> None:
        self.http = http
        self.params = params
        self.known: dict[str, str | None] = {}

    def of(self, user: Any) -> dict[str, str | None]:
        if not user:
            return {}
        user = str(user)
        if user not in self.known:
            self.known[user] = self._look_up(user)
        return {user: self.known[user]}

    def _look_up(self, user: str) -> str | None:
        for param in self.params:
            response = self.http.send("GET", "rest/api/user", params={param: user})
            if response.status_code == 200:
                name = self.http.check(response, "read a user").get("displayName")
                return str(name) if name else None
            if response.status_code not in (400, 404):
                self.http.check(response, f"look up user {user!r}")  # raises its error
        return None


def page_order(task: PageTask) -> tuple[int, str]:
    local = task.local_id or ""
    return (int(local) if local.isdigit() else 0, task.task_id)


def user_keys(user: dict[str, Any]) -> frozenset[str]:
    """A v1 user (`version.by`, `user/current`) as comparable keys: Cloud names an accountId,
    Data Center a userKey and username. An anonymous user has none."""
    if user.get("type") == "anonymous":
        return frozenset()
    return frozenset(
        f"{kind}:{user[kind]}" for kind in ("accountId", "userKey", "username") if user.get(kind)
    )


class V1Pages:
    """The v1 content API (`/rest/api/content`), as Data Center serves it."""

    EXPAND = "version,body.storage"

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
        self.client = ConfluenceServer(url, timeout=timeout, **NO_CLIENT_RETRIES, **credentials)
        self.http = Http(self.client, url, policy)
        self._own: frozenset[str] | None = None

    def find(self, space: str, title: str) -> RemotePage | None:
        # The ancestors say where a page found by title sits (its parent is the last one).
        expand = self.EXPAND + ",ancestors"
        params = {"spaceKey": space, "title": title, "type": "page", "expand": expand}
        answer = self.http.json("GET", "rest/api/content", "find a page", params=params)
        results = answer.get("results") or []
        return _v1_page(results[0]) if results else None

    def get(self, page_id: str) -> RemotePage | None:
        path = f"rest/api/content/{page_id}"
        response = self.http.send("GET", path, params={"expand": self.EXPAND})
        if response.status_code == 404:
            return None
        return _v1_page(self.http.check(response, f"read page {page_id}"))

    def create(self, space: str, title: str, body: str, parent_id: str | None) -> RemotePage:
        data: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": space},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent_id:
            data["ancestors"] = [{"id": parent_id}]
        answer = self.http.json("POST", "rest/api/content", f"create page {title!r}", data=data)
        return _v1_page(answer)

    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage:
        data = {
            "id": page_id,
            "type": "page",
            "title": title,
            "version": {"number": version, "message": MESSAGE},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        path = f"rest/api/content/{page_id}"
        return _v1_page(self.http.json("PUT", path, f"update page {title!r}", data=data))

    def editor_name(self, page: RemotePage) -> str | None:
        return page.last_editor

    def version(self, page_id: str, number: int) -> RemotePage | None:
        params = {"status": "historical", "version": str(number), "expand": self.EXPAND}
        response = self.http.send("GET", f"rest/api/content/{page_id}", params=params)
        if response.status_code == 404:
            return None
        return _v1_page(self.http.check(response, f"read version {number} of page {page_id}"))

    def tasks(self, page_id: str) -> list[PageTask]:
        """`/rest/api/inlinetasks/search?pageId=…`, every page of it (see connector/
        confluence_tasks.py); a site without it has the tasks read from the page's body."""
        items: list[dict[str, Any]] = []
        while True:
            params = {"pageId": page_id, "start": len(items), "limit": TASKS_PER_REQUEST}
            response = self.http.send("GET", "rest/api/inlinetasks/search", params=params)
            if response.status_code == 404 and not items:
                page = self.get(page_id)
                return from_body(page_id, page.body) if page else []
            answer = self.http.check(response, f"read the tasks of page {page_id}")
            results = answer.get("results") or []
            items.extend(results)
            if not results or not (answer.get("_links") or {}).get("next"):
                break
        names = UserNames(self.http, ("username", "accountId"))
        tasks = [from_v1(item, names.of(item.get("completeUser"))) for item in items]
        return sorted(tasks, key=page_order)

    def own_keys(self) -> frozenset[str]:
        if self._own is None:
            self._own = current_user(self.http)
        return self._own

    def attach(
        self, page_id: str, name: str, content: bytes, content_type: str, fingerprint: str = ""
    ) -> AttachedFile:
        return self.http.attach(page_id, name, content, content_type, fingerprint)


def _v1_page(data: dict[str, Any]) -> RemotePage:
    version = data.get("version") or {}
    by = version.get("by") or {}
    ancestors = data.get("ancestors") or []
    return RemotePage(
        id=str(data["id"]),
        title=data.get("title", ""),
        version=int(version.get("number", 1)),
        body=((data.get("body") or {}).get("storage") or {}).get("value", ""),
        last_editor=by.get("displayName"),
        editor_id=by.get("accountId"),
        parent_id=str(ancestors[-1]["id"]) if ancestors else None,
        author_keys=user_keys(by),
    )


def _number(item: dict[str, Any]) -> int:
    return int((item.get("version") or {}).get("number", 1))


def _reason(response: requests.Response) -> str:
    """The service's own one-line reason (v1 `message`, v2 `errors[].title`), never headers."""
    try:
        body = response.json()
    except ValueError:
        return "no details"
    if not isinstance(body, dict):
        return "no details"
    errors = body.get("errors")
    titles = (
        [e.get("title") for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    )
    text = (
        body.get("message")
        or "; ".join(body.get("errorMessages") or [])
        or "; ".join(t for t in titles if isinstance(t, str))
    )
    return str(text or "no details")[:200]
