"""Confluence v1 content API under ``/wiki/rest/api``: what ``ConfluenceServer`` calls.

Content comes back in Confluence's shape, with only the parts asked for in ``expand``
(``body.storage`` must be asked for, as on the real service).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
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
    confluence_error,
    route,
)

API = CONFLUENCE_PREFIX + "/rest/api"
DEFAULT_LIMIT = 25
MAX_LIMIT = 200
SINGLE_DEFAULT_EXPAND = "space,history,version"


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def login(name: str) -> str:
    return name.lower().replace(" ", ".")


def _named(of: Callable[[str], str], wanted: str, name: str) -> bool:
    return of(name) == wanted


def _user(name: str) -> dict[str, Any]:
    name_of_user = login(name)
    return {
        "type": "known",
        "username": name_of_user,
        "userKey": name_of_user,
        "accountId": account_id(name),
        "displayName": name,
        "publicName": name,
    }


def _expand(raw: str | None) -> set[str]:
    """Every expansion path and its prefixes: "body.storage" gives {"body", "body.storage"}."""
    out: set[str] = set()
    for item in (raw or "").split(","):
        parts = [p for p in item.strip().split(".") if p]
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


class ConfluenceApi:
    def __init__(self, state: ConfluenceState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    def routes(self) -> list[Route]:
        one = API + r"/content/(?P<id>[0-9]+)"
        return [
            route("GET", API + "/content", self.search),
            route("POST", API + "/content", self.create),
            route("GET", one, self.get),
            route("PUT", one, self.update),
            route("GET", one + "/child/page", self.children),
            route("GET", one + "/history", self.history),
            route("GET", one + "/version", self.versions),
            route("GET", API + r"/space/(?P<key>[^/]+)", self.space),
            route("GET", API + "/user", self.user),
            route("GET", API + "/user/current", self.current_user),
        ]

    # -- JSON shapes -----------------------------------------------------------------------------
    def _space(self, key: str, base: str) -> dict[str, Any]:
        return {
            "id": int(self.state.space_id(key)),
            "key": key,
            "name": self.state.spaces[key],
            "type": "global",
            "status": "current",
            "_links": {"webui": f"/spaces/{key}", "self": f"{base}{API}/space/{key}"},
        }

    def _version(self, page: Page, ver: PageVersion, base: str) -> dict[str, Any]:
        return {
            "by": _user(ver.by),
            "when": _when(ver.when),
            "number": ver.number,
            "message": ver.message,
            "minorEdit": False,
            "_links": {"self": f"{base}{API}/content/{page.id}/version/{ver.number}"},
        }

    def content(
        self, page: Page, base: str, expand: set[str], ver: PageVersion | None = None
    ) -> dict[str, Any]:
        ver = ver or page.current
        out: dict[str, Any] = {
            "id": page.id,
            "type": "page",
            "status": "current" if ver is page.current else "historical",
            "title": ver.title,
        }
        if "space" in expand:
            out["space"] = self._space(page.space, base)
        if "version" in expand:
            out["version"] = self._version(page, ver, base)
        if "history" in expand:
            first = page.versions[0]
            out["history"] = {
                "latest": ver is page.current,
                "createdBy": _user(first.by),
                "createdDate": _when(first.when),
                "lastUpdated": self._version(page, page.current, base),
            }
        if "ancestors" in expand:
            out["ancestors"] = [self.content(a, base, set()) for a in self.state.ancestors(page)]
        if "body" in expand:
            out["body"] = {"_expandable": {"view": "", "export_view": ""}}
            if "body.storage" in expand:
                out["body"]["storage"] = {"value": ver.body, "representation": "storage"}
        if "children" in expand:
            kids = self.state.children(page.id)
            out["children"] = {
                "page": {
                    "results": [self.content(k, base, set()) for k in kids],
                    "start": 0,
                    "limit": len(kids),
                    "size": len(kids),
                }
            }
        out["_expandable"] = {
            k: ""
            for k in ("space", "version", "history", "ancestors", "body", "children")
            if k not in expand
        }
        out["_links"] = {
            "webui": f"/pages/viewpage.action?pageId={page.id}",
            "tinyui": f"/x/{page.id}",
            "self": f"{base}{API}/content/{page.id}",
            "base": base + CONFLUENCE_PREFIX,
            "context": CONFLUENCE_PREFIX,
        }
        return out

    def paged(self, req: Request, items: list[Any], path: str) -> dict[str, Any]:
        start = _number(req.arg("start"), "start", 0)
        limit = self.faults.page_size(
            min(_number(req.arg("limit"), "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
        )
        page = items[start : start + limit]
        links: dict[str, str] = {
            "base": req.base_url + CONFLUENCE_PREFIX,
            "context": CONFLUENCE_PREFIX,
            "self": req.base_url + path,
        }
        if start + limit < len(items):
            query = {k: v[-1] for k, v in req.query.items()}
            query.update(start=str(start + limit), limit=str(limit))
            # Rooted at /wiki so the client's next-link join keeps the context path.
            links["next"] = f"{path}?{urlencode(query)}"
        return {"results": page, "start": start, "limit": limit, "size": len(page), "_links": links}

    # -- routes ----------------------------------------------------------------------------------
    def search(self, req: Request) -> Response:
        kind = req.arg("type", "page")
        pages = [] if kind != "page" else self.state.search(req.arg("spaceKey"), req.arg("title"))
        expand = _expand(req.arg("expand"))
        results = [self.content(p, req.base_url, expand) for p in pages]
        return Response(200, self.paged(req, results, req.path))

    def get(self, req: Request) -> Response:
        try:
            page = self.state.require(req.params["id"])
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        ver = page.current
        if req.arg("version"):
            number = _number(req.arg("version"), "version", 0)
            found = [v for v in page.versions if v.number == number]
            if not found:
                return confluence_error(404, f"No version {number} of content {page.id}")
            ver = found[0]
        expand = _expand(req.arg("expand") or SINGLE_DEFAULT_EXPAND)
        return Response(200, self.content(page, req.base_url, expand, ver))

    def create(self, req: Request) -> Response:
        data = _object(req)
        if data.get("type", "page") != "page":
            raise BadRequest(f"The sandbox creates pages only, not {data.get('type')!r}.")
        space = (data.get("space") or {}).get("key")
        if not isinstance(space, str):
            raise BadRequest("space.key is required to create content.")
        ancestors = data.get("ancestors") or []
        parent = str(ancestors[-1].get("id")) if ancestors else None
        try:
            page = self.state.create(
                space,
                str(data.get("title") or ""),
                _storage_value(data),
                parent,
                _author(req),
                str((data.get("version") or {}).get("message") or ""),
            )
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(
            200,
            self.content(
                page, req.base_url, _expand("space,history,version,ancestors,body.storage")
            ),
        )

    def update(self, req: Request) -> Response:
        data = _object(req)
        number = (data.get("version") or {}).get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            raise BadRequest(
                "Must supply an incremented version when updating Content. No version supplied."
            )
        ancestors = data.get("ancestors") or []
        body = _storage_value(data) if data.get("body") is not None else None
        try:
            page = self.state.update(
                req.params["id"],
                number=number,
                title=data.get("title"),
                body=body,
                parent_id=str(ancestors[-1].get("id")) if ancestors else None,
                author=_author(req),
                message=str((data.get("version") or {}).get("message") or ""),
            )
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(
            200,
            self.content(
                page, req.base_url, _expand("space,history,version,ancestors,body.storage")
            ),
        )

    def children(self, req: Request) -> Response:
        try:
            kids = self.state.children(req.params["id"])
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        expand = _expand(req.arg("expand"))
        results = [self.content(k, req.base_url, expand) for k in kids]
        return Response(200, self.paged(req, results, req.path))

    def history(self, req: Request) -> Response:
        page = self.state.get(req.params["id"])
        if page is None:
            return confluence_error(404, f"No content found with id: {req.params['id']}")
        return Response(200, self.content(page, req.base_url, {"history"})["history"])

    def versions(self, req: Request) -> Response:
        page = self.state.get(req.params["id"])
        if page is None:
            return confluence_error(404, f"No content found with id: {req.params['id']}")
        newest_first = [self._version(page, v, req.base_url) for v in reversed(page.versions)]
        return Response(200, self.paged(req, newest_first, req.path))

    def user(self, req: Request) -> Response:
        """A user by account id (Cloud) or by user name or key (Data Center), e.g. to name who
        last edited a page or ticked a task."""
        for param, of in (("accountId", account_id), ("username", login), ("key", login)):
            wanted = req.arg(param)
            if wanted:
                name = self.state.author_named(partial(_named, of, wanted))
                if name is None:
                    return confluence_error(404, f"No user with {param} {wanted}")
                return Response(200, _user(name))
        raise BadRequest("One of accountId, username or key is required.")

    def current_user(self, req: Request) -> Response:
        """Who the request signs in as: the account that writes the pages it sends."""
        return Response(200, _user(_author(req)))

    def space(self, req: Request) -> Response:
        key = req.params["key"]
        if key not in self.state.spaces:
            return confluence_error(404, f"No space found with key : {key}")
        return Response(200, self._space(key, req.base_url))


def _object(req: Request) -> dict[str, Any]:
    data = req.json()
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _storage_value(data: dict[str, Any]) -> str:
    storage = (data.get("body") or {}).get("storage")
    if not isinstance(storage, dict) or not isinstance(storage.get("value"), str):
        raise BadRequest(
            "body.storage.value is required: the sandbox accepts the storage representation only."
        )
    return str(storage["value"])


def _author(req: Request) -> str:
    assert req.user is not None
    return req.user.name


def _number(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadRequest(f"The parameter '{name}' must be a non-negative number, got '{raw}'.")
    return int(raw)
