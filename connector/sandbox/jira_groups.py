"""Jira groups and their members: `GET /rest/api/{2,3}/group/member?groupname=` (both
deployments), paged with `startAt`, `maxResults` and `isLast` as Atlassian describes it.

`JiraState.groups` maps a group name to its members' display names (a test or the dataset sets
it); each member is rendered as the deployment renders a user (Cloud: `accountId`; Data Center:
`name` and `key`), with an `emailAddress` made from the display name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .server import Request, Response, Route, jira_error, route

if TYPE_CHECKING:
    from .faults import Faults
    from .jira_model import JiraState

API = r"/rest/api/(?P<v>[23])"
PAGE = 50  # Jira's default page of group members


def email_of(name: str) -> str:
    """The sandbox user's email address: 'Priya Raman' -> priya.raman@example.com."""
    return name.lower().replace(" ", ".") + "@example.com"


class GroupApi:
    def __init__(self, state: JiraState, faults: Faults) -> None:
        self.state = state
        self.faults = faults

    def routes(self) -> list[Route]:
        return [route("GET", API + "/group/member", self.members)]

    def members(self, req: Request) -> Response:
        from .jira_render import Renderer

        name = req.arg("groupname") or ""
        with self.state.lock:
            members = self.state.groups.get(name)
        if members is None:
            return jira_error(404, f"Group not found: {name}" if name else "Specify a group name.")
        try:
            start = int(req.arg("startAt") or 0)
            size = int(req.arg("maxResults") or PAGE)
        except ValueError:
            return jira_error(400, "startAt and maxResults must be numbers.")
        if self.faults.max_page_size:
            size = min(size, self.faults.max_page_size)
        render = Renderer(self.state, req.base_url, req.params["v"])
        page = members[start : start + size]
        values = [{**render.user(m), "emailAddress": email_of(m)} for m in page]
        return Response(
            200,
            {
                "self": f"{render.root}/group/member?groupname={name}&startAt={start}",
                "maxResults": size,
                "startAt": start,
                "total": len(members),
                "isLast": start + size >= len(members),
                "values": values,
            },
        )
