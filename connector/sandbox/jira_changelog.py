"""Issue changelogs as Jira keeps them: who changed which field, when, from what to what.

`JiraState.update_issue` records every change it makes with its author (a sandbox user) and time.
They are served as Jira serves them: `expand=changelog` on an issue (both deployments) and on Data
Center's search, Cloud's paged `GET /issue/{key}/changelog` and `POST /changelog/bulkfetch`.
`JiraState.changelog_status` makes the changelog endpoints answer an error (403 for a user who
may see an issue but not its history), as a restricted site does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .jira_history import History
from .jira_render import Renderer, jira_time
from .records import IssueRecord
from .server import BadRequest, Request, Response, Route, jira_error, route

if TYPE_CHECKING:
    from .faults import Faults
    from .jira_model import JiraState

API = r"/rest/api/(?P<v>[23])"
BULK_MAX_ISSUES = 1000  # per Cloud's OpenAPI description
BULK_MAX_FIELDS = 10
BULK_PAGE = 1000  # histories per page unless maxResults says otherwise


def render(history: History, renderer: Renderer, *, cloud: bool) -> dict[str, Any]:
    items = []
    for item in history.items:
        shown: dict[str, Any] = {"field": item.field, "fieldtype": item.fieldtype}
        if cloud:
            shown["fieldId"] = item.field_id
        values = {
            "from": item.old,
            "fromString": item.old_string,
            "to": item.new,
            "toString": item.new_string,
        }
        shown |= {k: v for k, v in values.items() if v is not None}  # Jira leaves out nulls
        items.append(shown)
    return {
        "id": str(history.id),
        "author": renderer.user(history.author),
        "created": jira_time(history.created),
        "items": items,
    }


def expanded(state: JiraState, rec: IssueRecord, renderer: Renderer) -> dict[str, Any] | None:
    """The `changelog` of an issue rendered with `expand=changelog` (None where it is denied)."""
    if state.changelog_status is not None:
        return None
    histories = state.histories.get(rec.id, [])
    state.changelog_reads.append(rec.key)
    cloud = state.deployment == "Cloud"
    return {
        "startAt": 0,
        "maxResults": len(histories),
        "total": len(histories),
        "histories": [render(h, renderer, cloud=cloud) for h in histories],
    }


class ChangelogApi:
    def __init__(self, state: JiraState, faults: Faults) -> None:
        self.state = state
        self.faults = faults  # max_page_size caps these pages too

    def routes(self) -> list[Route]:
        return [
            route("GET", API + r"/issue/(?P<key>[^/]+)/changelog", self.issue_changelog),
            route("POST", API + "/changelog/bulkfetch", self.bulk_fetch),
        ]

    def _denied(self) -> Response | None:
        if self.state.deployment != "Cloud":
            return jira_error(404, "The changelog endpoints are served by Jira Cloud only.")
        if self.state.changelog_status is not None:
            status = self.state.changelog_status
            return jira_error(status, "You do not have permission to view this issue's history.")
        return None

    def issue_changelog(self, req: Request) -> Response:
        denied = self._denied()
        if denied is not None:
            return denied
        rec = self.state.get(req.params["key"])
        if rec is None:
            return jira_error(404, "Issue does not exist or you do not have permission to see it.")
        start = _number(req.arg("startAt"), "startAt", 0)
        size = self.faults.page_size(
            min(_number(req.arg("maxResults"), "maxResults", 100) or 100, 100)
        )
        histories = self.state.histories.get(rec.id, [])
        self.state.changelog_reads.append(rec.key)
        renderer = Renderer(self.state, req.base_url, req.params["v"])
        page = histories[start : start + size]
        root = f"{req.base_url}/rest/api/{req.params['v']}/issue/{rec.key}/changelog"
        body: dict[str, Any] = {
            "self": f"{root}?maxResults={size}&startAt={start}",
            "maxResults": size,
            "startAt": start,
            "total": len(histories),
            "isLast": start + size >= len(histories),
            "values": [render(h, renderer, cloud=True) for h in page],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{root}?maxResults={size}&startAt={start + size}"
        return Response(200, body)

    def bulk_fetch(self, req: Request) -> Response:
        denied = self._denied()
        if denied is not None:
            return denied
        if not self.state.changelog_bulk:
            return jira_error(404, "No resource found for POST /changelog/bulkfetch.")
        body = req.json()
        wanted = body.get("issueIdsOrKeys") if isinstance(body, dict) else None
        if not isinstance(wanted, list) or not 1 <= len(wanted) <= BULK_MAX_ISSUES:
            raise BadRequest(
                f"issueIdsOrKeys: between 1 and {BULK_MAX_ISSUES} issues are required."
            )
        field_ids = body.get("fieldIds") or []
        if not isinstance(field_ids, list) or len(field_ids) > BULK_MAX_FIELDS:
            raise BadRequest(f"fieldIds: at most {BULK_MAX_FIELDS} field ids.")
        size = body.get("maxResults") or BULK_PAGE
        if not isinstance(size, int) or size < 1:
            raise BadRequest("maxResults: a positive number is required.")
        size = self.faults.page_size(size)
        token = body.get("nextPageToken")
        offset = _number(str(token), "nextPageToken", 0) if token else 0
        # Histories of every issue asked for (those the user can see), in order, paged across
        # issues: a page groups its histories by issue.
        found = []
        for ident in wanted:
            rec = self.state.get(str(ident))
            if rec is None:
                continue  # Jira leaves out what the user cannot see
            self.state.changelog_reads.append(rec.key)
            for history in self.state.histories.get(rec.id, []):
                items = tuple(i for i in history.items if not field_ids or i.field_id in field_ids)
                if items:
                    found.append((rec, History(history.id, history.author, history.created, items)))
        renderer = Renderer(self.state, req.base_url, req.params["v"])
        logs: dict[int, dict[str, Any]] = {}
        for rec, history in found[offset : offset + size]:
            entry = logs.setdefault(rec.id, {"issueId": str(rec.id), "changeHistories": []})
            entry["changeHistories"].append(render(history, renderer, cloud=True))
        answer: dict[str, Any] = {"issueChangeLogs": list(logs.values())}
        if offset + size < len(found):
            answer["nextPageToken"] = str(offset + size)
        return Response(200, answer)


def _number(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"The value '{value}' is not valid for the parameter '{name}'.") from None
    if number < 0:
        raise BadRequest(f"The parameter '{name}' must not be negative.")
    return number
