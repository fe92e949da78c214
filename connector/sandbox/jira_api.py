"""Jira REST routes: serverInfo, field, search/jql (Cloud), search (410 on Cloud, paged on Server),
approximate-count, issue and myself. Both ``/rest/api/2`` and ``/rest/api/3`` are served."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .faults import Faults
from .jira_changelog import expanded
from .jira_json import IssueJson, page_json
from .jira_model import JiraState
from .jira_render import Renderer, account_id, select_fields, server_info
from .jql_parse import JqlError
from .server import BadRequest, Request, Response, Route, jira_error, route

API = r"/rest/api/(?P<v>[23])"
CLOUD_MAX_RESULTS = 5000  # when only id/key are asked, per Cloud's documentation
CLOUD_MAX_WITH_FIELDS = 100  # Cloud returns fewer issues per page when fields are asked
SERVER_MAX_RESULTS = 1000
GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def _query_digest(jql: str) -> str:
    return hashlib.sha256(jql.encode("utf-8")).hexdigest()[:16]


def _page_token(offset: int, jql: str) -> str:
    """Opaque, stable token: the offset bound to a hash of the query it belongs to."""
    raw = json.dumps({"o": offset, "q": _query_digest(jql)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _token_offset(token: str, jql: str) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(raw["o"])
        same_query = raw["q"] == _query_digest(jql)
    except (ValueError, KeyError, TypeError):
        raise BadRequest("The provided next page token is invalid or expired.") from None
    if not same_query or offset < 0:
        raise BadRequest("The provided next page token is invalid or expired.")
    return offset


def _int_param(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"The value '{value}' is not valid for the parameter '{name}'.") from None
    if number < 0:
        raise BadRequest(f"The parameter '{name}' must not be negative.")
    return number


def _list_param(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class JiraApi:
    def __init__(self, state: JiraState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    def routes(self) -> list[Route]:
        return [
            route("GET", API + "/serverInfo", self.server_info),
            route("GET", API + "/field", self.fields),
            route("GET", API + "/myself", self.myself),
            route("GET", API + "/search/jql", self.search_jql, cached=True),
            route("POST", API + "/search/jql", self.search_jql, cached=True),
            route("POST", API + "/search/approximate-count", self.approximate_count, cached=True),
            route("GET", API + "/search", self.search_paged, cached=True),
            route("POST", API + "/search", self.search_paged, cached=True),
            route("GET", API + r"/issue/(?P<key>[^/]+)", self.issue),
            route("POST", API + "/jql/parse", self.parse_jql),
        ]

    @property
    def cloud(self) -> bool:
        return self.state.deployment == "Cloud"

    def server_info(self, req: Request) -> Response:
        return Response(200, server_info(self.state, req.base_url))

    def fields(self, req: Request) -> Response:
        return Response(200, [f.as_json() for f in self.state.registry.fields])

    def myself(self, req: Request) -> Response:
        assert req.user is not None
        return Response(
            200,
            {
                "accountId": account_id(req.user.name),
                "accountType": "atlassian",
                "emailAddress": req.user.user,
                "displayName": req.user.name,
                "active": True,
                "timeZone": "UTC",
            },
        )

    def _params(self, req: Request, names: tuple[str, ...]) -> dict[str, Any]:
        """Parameters from the query string (GET) or the JSON body (POST), lists kept whole."""
        if req.method == "POST":
            body = req.json()
            if not isinstance(body, dict):
                raise BadRequest("The request body must be a JSON object.")
            return {n: body.get(n) for n in names}
        return {
            n: (req.query.get(n) if n in ("fields", "reconcileIssues") else req.arg(n))
            for n in names
        }

    def _run(self, jql: str, *, bounded: bool) -> tuple[list[Any], bool] | Response:
        """The hits (not to be changed) and whether they hold until the data changes."""
        try:
            return self.state.search_answer(jql, require_bounded=bounded)
        except JqlError as exc:
            return jira_error(400, str(exc))

    def search_jql(self, req: Request) -> Response:
        if not self.cloud:
            return jira_error(404, "search/jql is served by Jira Cloud only.")
        p = self._params(
            req,
            (
                "jql",
                "nextPageToken",
                "maxResults",
                "fields",
                "expand",
                "reconcileIssues",
                "properties",
                "fieldsByKeys",
                "failFast",
            ),
        )
        jql = p["jql"] or ""
        fields = select_fields(_list_param(p["fields"]), self.state)
        asked = _int_param(p["maxResults"], "maxResults", 50) or 50
        cap = CLOUD_MAX_WITH_FIELDS if fields else CLOUD_MAX_RESULTS  # fields=id/key: 5000
        size = self.faults.page_size(min(asked, cap))
        offset = _token_offset(p["nextPageToken"], jql) if p["nextPageToken"] else 0
        answer = self._run(jql, bounded=True)
        if isinstance(answer, Response):
            return answer
        hits, steady = answer
        render = Renderer(self.state, req.base_url, req.params["v"])
        issues = IssueJson(render, fields).join(hits[offset : offset + size])
        body: dict[str, Any] = {}
        expand = {e.strip() for e in str(p["expand"] or "").split(",")}
        if fields and "names" in expand:
            body["names"] = {f: self.state.registry.by_id[f].name for f in fields}
        if fields and "schema" in expand:
            body["schema"] = {
                f: self.state.registry.by_id[f].schema
                for f in fields
                if self.state.registry.by_id[f].schema is not None
            }
        body["isLast"] = offset + size >= len(hits)
        if not body["isLast"]:
            body["nextPageToken"] = _page_token(offset + size, jql)
        return Response(200, page_json({}, issues, body), cacheable=steady)

    def approximate_count(self, req: Request) -> Response:
        if not self.cloud:
            return jira_error(404, "search/approximate-count is served by Jira Cloud only.")
        jql = self._params(req, ("jql",))["jql"] or ""
        answer = self._run(jql, bounded=True)
        if isinstance(answer, Response):
            return answer
        return Response(200, {"count": len(answer[0])}, cacheable=answer[1])

    def search_paged(self, req: Request) -> Response:
        """The old search: gone on Cloud; startAt/total paging with a result window on Server."""
        if self.cloud:
            return jira_error(410, GONE)
        p = self._params(req, ("jql", "startAt", "maxResults", "fields", "expand"))
        start = _int_param(p["startAt"], "startAt", 0)
        size = self.faults.page_size(
            min(_int_param(p["maxResults"], "maxResults", 50), SERVER_MAX_RESULTS)
        )
        fields = select_fields(_list_param(p["fields"]) or ["*navigable"], self.state)
        answer = self._run(p["jql"] or "", bounded=False)
        if isinstance(answer, Response):
            return answer
        hits, steady = answer
        page = hits[start : start + size]
        window = self.faults.search_window
        if page and start + len(page) > window:
            return jira_error(
                500,
                "Search limit exceeded. Narrow the query: Jira serves at most "
                f"{window} results for one search.",
            )
        render = Renderer(self.state, req.base_url, req.params["v"])
        head = {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(hits)}
        if "changelog" in {e.strip() for e in str(p["expand"] or "").split(",")}:
            # Changelogs follow switches that are no data (a site that hides them): not kept.
            issues = [_expand(render.issue(r, fields), r, render, p["expand"]) for r in page]
            return Response(200, {**head, "issues": issues})
        return Response(
            200, page_json(head, IssueJson(render, fields).join(page), {}), cacheable=steady
        )

    def parse_jql(self, req: Request) -> Response:
        """Cloud's JQL validation: each query with its errors (none when it is fine)."""
        if not self.cloud or not self.state.jql_parse:
            return jira_error(404, "jql/parse is served by Jira Cloud only in the sandbox.")
        body = req.json()
        queries = body.get("queries") if isinstance(body, dict) else None
        if not isinstance(queries, list) or not queries:
            raise BadRequest("queries: a non-empty list of JQL strings is required.")
        answers = []
        for query in queries:
            try:
                self.state.search(str(query))
                answers.append({"query": str(query), "structure": {}, "errors": []})
            except JqlError as exc:
                answers.append({"query": str(query), "errors": [str(exc)]})
        return Response(200, {"queries": answers})

    def issue(self, req: Request) -> Response:
        rec = self.state.get(req.params["key"])
        if rec is None:
            return jira_error(404, "Issue does not exist or you do not have permission to see it.")
        fields = select_fields(req.query.get("fields") or ["*all"], self.state)
        render = Renderer(self.state, req.base_url, req.params["v"])
        return Response(200, _expand(render.issue(rec, fields), rec, render, req.arg("expand")))


def _expand(shown: dict[str, Any], rec: Any, render: Renderer, expand: Any) -> dict[str, Any]:
    """An issue with its changelog when `expand` asks for it (and the site lets us see it)."""
    asked = {e.strip() for e in str(expand or "").split(",")}
    if "changelog" in asked:
        changelog = expanded(render.state, rec, render)
        if changelog is not None:
            shown["changelog"] = changelog
    return shown
