"""Confluence Cloud's v2 pages API under ``/wiki/api/v2``, as ``ConfluenceV2`` and Outcomes call it.

Shapes follow Atlassian's OpenAPI description (tests check them against confluence-cloud.v2.json):
ids are strings, users are account ids, lists page with an opaque ``cursor`` (``_links.next`` and a
``Link`` header), and a body comes back only for ``body-format=storage``. Like the real service it
refuses an update without ``status`` or without the next version number (409), and answers errors
as ``{"errors": [...]}``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from .confluence_model import ConfluenceState, ContentError, Page, PageVersion
from .faults import Faults
from .jira_render import account_id
from .server import (
    CONFLUENCE_PREFIX,
    BadRequest,
    Request,
    Response,
    Route,
    confluence_v2_error,
    route,
)

API = CONFLUENCE_PREFIX + "/api/v2"
DEFAULT_LIMIT = 25
MAX_LIMIT = 250
BODY_FORMATS = ("storage", "none")


def _when(ver: PageVersion) -> str:
    moment = ver.when
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise BadRequest(f"The cursor '{cursor}' is not valid.")


class ConfluenceV2Api:
    def __init__(self, state: ConfluenceState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    def routes(self) -> list[Route]:
        one = API + r"/pages/(?P<id>[0-9]+)"
        return [
            route("GET", API + "/spaces", self.spaces),
            route("GET", API + "/pages", self.pages),
            route("POST", API + "/pages", self.create),
            route("GET", one, self.get),
            route("PUT", one, self.update),
        ]

    # -- JSON shapes -----------------------------------------------------------------------------
    def version(self, ver: PageVersion) -> dict[str, Any]:
        return {
            "createdAt": _when(ver),
            "message": ver.message,
            "number": ver.number,
            "minorEdit": False,
            "authorId": account_id(ver.by),
        }

    def page(
        self, page: Page, base: str, body: bool, ver: PageVersion | None = None
    ) -> dict[str, Any]:
        ver = ver or page.current
        first = page.versions[0]
        parent = self.state.get(page.parent_id) if page.parent_id else None
        out: dict[str, Any] = {
            "id": page.id,
            "status": "current" if ver is page.current else "historical",
            "title": ver.title,
            "spaceId": self.state.space_id(page.space),
            "parentId": parent.id if parent else None,
            "parentType": "page" if parent else None,
            "position": None,
            "authorId": account_id(first.by),
            "ownerId": account_id(first.by),
            "lastOwnerId": None,
            "createdAt": _when(first),
            "version": self.version(ver),
            "body": ({"storage": {"representation": "storage", "value": ver.body}} if body else {}),
            "_links": {
                "webui": f"/spaces/{page.space}/pages/{page.id}",
                "editui": f"/pages/resumedraft.action?draftId={page.id}",
                "tinyui": f"/x/{page.id}",
                "base": base + CONFLUENCE_PREFIX,
            },
        }
        if parent is None:  # the spec's enum has no null: leave the key out
            del out["parentType"]
            del out["parentId"]
        return out

    def space(self, key: str) -> dict[str, Any]:
        return {
            "id": self.state.space_id(key),
            "key": key,
            "name": self.state.spaces[key],
            "type": "global",
            "status": "current",
            "authorId": account_id("Sandbox seed"),
            "createdAt": "2020-01-01T00:00:00.000Z",
            "_links": {"webui": f"/spaces/{key}"},
        }

    def listing(self, req: Request, items: list[Any]) -> Response:
        start = _offset(req.arg("cursor"))
        limit = self.faults.page_size(_limit(req.arg("limit")))
        chunk = items[start : start + limit]
        links: dict[str, str] = {"base": req.base_url + CONFLUENCE_PREFIX}
        headers: dict[str, str] = {}
        if start + limit < len(items):
            query = {k: v[-1] for k, v in req.query.items()}
            query.update(cursor=_cursor(start + limit), limit=str(limit))
            links["next"] = f"{req.path}?{urlencode(query)}"
            headers["Link"] = f'<{links["next"]}>; rel="next", <{links["base"]}>; rel="base"'
        return Response(200, {"results": chunk, "_links": links}, headers)

    # -- routes ----------------------------------------------------------------------------------
    def spaces(self, req: Request) -> Response:
        wanted = _many(req, "keys")
        keys = [k for k in sorted(self.state.spaces) if not wanted or k in wanted]
        return self.listing(req, [self.space(k) for k in keys])

    def pages(self, req: Request) -> Response:
        body = _body_format(req)
        status = req.arg("status", "current")
        if status not in ("current", "any", "archived", "draft", "trashed", "deleted"):
            raise BadRequest(f"Invalid status '{status}'.")
        space_ids = _many(req, "space-id")
        keys = {self.state.space_key(sid) for sid in space_ids}
        title = req.arg("title")
        found = [
            p
            for p in self.state.search(None, None)
            if (not space_ids or p.space in keys)
            and (title is None or p.title == title)  # v2 matches the title exactly
            and status in ("current", "any")
        ]
        return self.listing(req, [self.page(p, req.base_url, body) for p in found])

    def get(self, req: Request) -> Response:
        body = _body_format(req)
        page = self.state.get(req.params["id"])
        if page is None:
            return confluence_v2_error(404, f"Page {req.params['id']} not found")
        ver = page.current
        if req.arg("version"):
            wanted = _int(req.arg("version"), "version")
            match = [v for v in page.versions if v.number == wanted]
            if not match:
                return confluence_v2_error(404, f"Version {wanted} of page {page.id} not found")
            ver = match[0]
        return Response(200, self.page(page, req.base_url, body, ver))

    def create(self, req: Request) -> Response:
        data = _object(req)
        space_id = data.get("spaceId")
        if not isinstance(space_id, str) or not space_id:
            raise BadRequest("spaceId is required and must be a string.")
        space = self.state.space_key(space_id)
        if space is None:
            return confluence_v2_error(404, f"Space {space_id} not found")
        status = data.get("status", "current")
        if status != "current":
            raise BadRequest("The sandbox creates published pages only (status 'current').")
        parent = data.get("parentId")
        if parent is not None and not isinstance(parent, str):
            raise BadRequest("parentId must be a string.")
        try:
            page = self.state.create(
                space, str(data.get("title") or ""), _storage(data), parent, _who(req), ""
            )
        except ContentError as exc:
            return confluence_v2_error(exc.status, exc.message)
        return Response(200, self.page(page, req.base_url, True))

    def update(self, req: Request) -> Response:
        data = _object(req)
        missing = [k for k in ("id", "status", "title", "body", "version") if k not in data]
        if missing:
            raise BadRequest(f"Missing required field(s): {', '.join(missing)}.")
        if str(data["id"]) != req.params["id"]:
            raise BadRequest("The id in the body does not match the page in the path.")
        if data["status"] != "current":
            raise BadRequest("The sandbox keeps pages published: status must be 'current'.")
        version = data["version"] if isinstance(data["version"], dict) else {}
        number = version.get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            raise BadRequest("version.number is required and must be an integer.")
        parent = data.get("parentId")
        try:
            page = self.state.update(
                req.params["id"],
                number=number,
                title=str(data["title"]),
                body=_storage(data),
                parent_id=str(parent) if parent else None,
                author=_who(req),
                message=str(version.get("message") or ""),
            )
        except ContentError as exc:
            return confluence_v2_error(exc.status, exc.message)
        return Response(200, self.page(page, req.base_url, True))


def _object(req: Request) -> dict[str, Any]:
    data = req.json()
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _storage(data: dict[str, Any]) -> str:
    """The body as PageBodyWrite ({representation, value}) or PageNestedBodyWrite ({storage})."""
    body = data.get("body")
    if isinstance(body, dict) and isinstance(body.get("storage"), dict):
        # The nested form names its representation by its key.
        body = {"representation": "storage", **body["storage"]}
    if (
        not isinstance(body, dict)
        or body.get("representation") != "storage"
        or not isinstance(body.get("value"), str)
    ):
        raise BadRequest(
            "body must be {representation: storage, value: ...}: the sandbox accepts the "
            "storage representation only."
        )
    return str(body["value"])


def _body_format(req: Request) -> bool:
    fmt = req.arg("body-format")
    if fmt is None or fmt == "none":
        return False
    if fmt != "storage":
        raise BadRequest(f"The sandbox serves body-format=storage only, not '{fmt}'.")
    return True


def _many(req: Request, name: str) -> set[str]:
    """A list parameter, repeated (keys=A&keys=B) or comma-separated (keys=A,B)."""
    return {item for value in req.query.get(name, []) for item in value.split(",") if item}


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    number = _int(raw, "limit")
    if not 1 <= number <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}, got {number}.")
    return number


def _int(raw: str | None, name: str) -> int:
    if raw is None or not raw.isdigit():
        raise BadRequest(f"The parameter '{name}' must be a number, got '{raw}'.")
    return int(raw)


def _who(req: Request) -> str:
    assert req.user is not None
    return req.user.name
