"""Confluence tasks over HTTP: Cloud's v2 tasks API and the v1 inline-tasks API.

- v2 (``/wiki/api/v2/tasks``, ``/tasks/{id}``; PUT sets a status) as Atlassian's OpenAPI
  description has them (tests check the answers against confluence-cloud.v2.json): ids are
  strings, users account ids, times ``YYYY-MM-DDTHH:mm:ss.sssZ``, lists page with a ``cursor``,
  and a task's body comes back only for ``body-format=storage``.
- v1 (``/wiki/rest/api/inlinetasks/search`` with ``pageId``, ``status``, ``start``/``limit``;
  ``/inlinetasks/{globalId}``): the inline-task shape of Atlassian's v1 REST reference (a
  ``globalId``, the page-local ``id``, ``contentId``, ``completeUser``, times in epoch
  milliseconds). As on a Data Center site, users are named by user name.
- ``POST /wiki/rest/inlinetasks/1/task/{pageId}/{taskId}/`` with ``{"status": "CHECKED"}``: the
  call the page itself makes when someone ticks a box on Data Center (the library's
  ``ConfluenceServer.set_inline_tasks_checkbox``).

Each tick through the API is a tick by the signed-in user, as ``ConfluenceState.complete_task``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .confluence_api import ConfluenceApi, login
from .confluence_model import ConfluenceState, ContentError
from .confluence_tasks import TaskRecord
from .confluence_v2 import ConfluenceV2Api
from .faults import Faults
from .jira_render import account_id
from .server import (
    CONFLUENCE_PREFIX,
    BadRequest,
    Request,
    Response,
    Route,
    confluence_error,
    confluence_v2_error,
    route,
)

V2 = CONFLUENCE_PREFIX + "/api/v2/tasks"
V1 = CONFLUENCE_PREFIX + "/rest/api/inlinetasks"
TICK = CONFLUENCE_PREFIX + r"/rest/inlinetasks/1/task/(?P<page>[0-9]+)/(?P<task>[0-9]+)/?"
STATUSES = ("complete", "incomplete")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class TaskApi:
    def __init__(self, state: ConfluenceState, faults: Faults) -> None:
        self.state = state
        self.v1 = ConfluenceApi(state, faults)
        self.v2 = ConfluenceV2Api(state, faults)

    def routes(self) -> list[Route]:
        return [
            route("GET", V2, self.v2_list),
            route("GET", V2 + r"/(?P<id>[0-9]+)", self.v2_get),
            route("PUT", V2 + r"/(?P<id>[0-9]+)", self.v2_put),
            route("GET", V1 + "/search", self.v1_search),
            route("GET", V1 + r"/(?P<id>[0-9]+)", self.v1_get),
            route("PUT", V1 + r"/(?P<id>[0-9]+)", self.v1_put),
            route("POST", TICK, self.tick),
        ]

    # -- shapes ----------------------------------------------------------------------------------
    def v2_task(self, task: TaskRecord, body: bool) -> dict[str, Any]:
        page = self.state.get(task.page_id)
        out: dict[str, Any] = {
            "id": str(task.global_id),
            "localId": str(task.local_id),
            "spaceId": self.state.space_id(page.space) if page else None,
            "pageId": task.page_id,
            "status": task.status,
            "body": {"storage": {"representation": "storage", "value": task.body}} if body else {},
            "createdBy": account_id(task.created_by),
            "createdAt": _iso(task.created_at),
            "updatedAt": _iso(task.updated_at),
        }
        if task.completed_by is not None and task.completed_at is not None:
            out["completedBy"] = account_id(task.completed_by)
            out["completedAt"] = _iso(task.completed_at)
        return out

    def v1_task(self, task: TaskRecord) -> dict[str, Any]:
        page = self.state.get(task.page_id)
        out: dict[str, Any] = {
            "globalId": task.global_id,
            "id": task.local_id,
            "contentId": int(task.page_id),
            "status": task.status,
            "title": page.title if page else "",
            "body": task.body,
            "creator": login(task.created_by),
            "createDate": _ms(task.created_at),
            "updateDate": _ms(task.updated_at),
        }
        if task.completed_by is not None and task.completed_at is not None:
            out["completeUser"] = login(task.completed_by)
            out["completeDate"] = _ms(task.completed_at)
        return out

    # -- v2 --------------------------------------------------------------------------------------
    def v2_list(self, req: Request) -> Response:
        body = _body_format(req)
        pages = _ids(req, "page-id")
        spaces = _ids(req, "space-id")
        wanted = _ids(req, "task-id")
        status = req.arg("status")
        if status is not None and status not in STATUSES:
            raise BadRequest(f"Invalid status '{status}'.")
        blank = req.arg("include-blank-tasks", "true") != "false"
        found = []
        for task in self.state.tasks.all():
            page = self.state.get(task.page_id)
            if page is None or (pages and task.page_id not in pages):
                continue
            if spaces and self.state.space_id(page.space) not in spaces:
                continue
            if (wanted and str(task.global_id) not in wanted) or status not in (None, task.status):
                continue
            if not blank and not task.body.strip():
                continue
            found.append(self.v2_task(task, body))
        return self.v2.listing(req, found)

    def v2_get(self, req: Request) -> Response:
        task = self.state.tasks.by_global_id(int(req.params["id"]))
        if task is None:
            return confluence_v2_error(404, f"Task {req.params['id']} not found")
        return Response(200, self.v2_task(task, _body_format(req)))

    def v2_put(self, req: Request) -> Response:
        status = _status(req)
        try:
            task = self._set(int(req.params["id"]), None, status == "complete", req)
        except ContentError as exc:
            return confluence_v2_error(exc.status, exc.message)
        return Response(200, self.v2_task(task, _body_format(req)))

    # -- v1 --------------------------------------------------------------------------------------
    def v1_search(self, req: Request) -> Response:
        page_id = req.arg("pageId")
        status = req.arg("status")
        if status is not None and status not in STATUSES:
            raise BadRequest(f"The status '{status}' is not one of complete, incomplete.")
        found = [
            self.v1_task(t)
            for t in self.state.tasks.all()
            if self.state.get(t.page_id) is not None
            and page_id in (None, t.page_id)
            and status in (None, t.status)
        ]
        return Response(200, self.v1.paged(req, found, req.path))

    def v1_get(self, req: Request) -> Response:
        task = self.state.tasks.by_global_id(int(req.params["id"]))
        if task is None:
            return confluence_error(404, f"No inline task with global id {req.params['id']}")
        return Response(200, self.v1_task(task))

    def v1_put(self, req: Request) -> Response:
        status = _status(req)
        try:
            task = self._set(int(req.params["id"]), None, status == "complete", req)
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(200, self.v1_task(task))

    def tick(self, req: Request) -> Response:
        data = req.json()
        status = data.get("status") if isinstance(data, dict) else None
        if status not in ("CHECKED", "UNCHECKED"):
            raise BadRequest("status must be CHECKED or UNCHECKED.")
        try:
            self._set(int(req.params["task"]), req.params["page"], status == "CHECKED", req)
        except ContentError as exc:
            return confluence_error(exc.status, exc.message)
        return Response(200, None)

    def _set(self, task_id: int, page_id: str | None, done: bool, req: Request) -> TaskRecord:
        assert req.user is not None
        if page_id is None:
            found = self.state.tasks.by_global_id(task_id)
            if found is None:
                raise ContentError(404, f"No task with id {task_id}")
            page_id = found.page_id
        return self.state.complete_task(page_id, task_id, req.user.name, done=done)


def _body_format(req: Request) -> bool:
    fmt = req.arg("body-format")
    if fmt in (None, "none"):
        return False
    if fmt != "storage":
        raise BadRequest(f"The sandbox serves body-format=storage only, not '{fmt}'.")
    return True


def _ids(req: Request, name: str) -> set[str]:
    """A list of numeric ids, repeated (page-id=1&page-id=2) or comma-separated."""
    found = {item for value in req.query.get(name, []) for item in value.split(",") if item}
    bad = sorted(i for i in found if not i.isdigit())
    if bad:
        raise BadRequest(f"The parameter '{name}' takes numbers, got '{bad[0]}'.")
    return found


def _status(req: Request) -> str:
    data = req.json()
    status = data.get("status") if isinstance(data, dict) else None
    if status not in STATUSES:
        raise BadRequest("status is required: complete or incomplete.")
    return str(status)
