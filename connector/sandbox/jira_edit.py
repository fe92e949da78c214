"""Editing an issue as a signed-in user: `PUT /rest/api/{2,3}/issue/{key}` (Jira's edit issue).

Sets `fields` (summary, labels, custom fields: a text, a number, an option as `{"value": ...}`,
a list of options) and applies `update` operations (`add`, `remove`, `set`), then records the
change in the issue's changelog with the signed-in user as its author (jira_changelog.py).
Answers 204 as Jira does; a field it cannot set is a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from .checker import DatasetError
from .jira_model import JiraState
from .server import BadRequest, Request, Response, Route, jira_error, route

API = r"/rest/api/(?P<v>[23])"


class IssueEditApi:
    def __init__(self, state: JiraState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [route("PUT", API + r"/issue/(?P<key>[^/]+)", self.edit)]

    def edit(self, req: Request) -> Response:
        rec = self.state.get(req.params["key"])
        if rec is None:
            return jira_error(404, "Issue does not exist or you do not have permission to see it.")
        body = req.json()
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        values: dict[str, Any] = {"labels": list(rec.labels), "summary": rec.summary}
        custom: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for fid, value in (body.get("fields") or {}).items():
            self._set(fid, value, values, custom, errors)
        for fid, operations in (body.get("update") or {}).items():
            for operation in operations if isinstance(operations, list) else [None]:
                if not isinstance(operation, dict) or len(operation) != 1:
                    errors[fid] = "Expected one operation: add, remove or set."
                    continue
                ((verb, value),) = operation.items()
                if verb == "set":
                    self._set(fid, value, values, custom, errors)
                elif fid == "labels" and verb in ("add", "remove"):
                    labels = [label for label in values["labels"] if label != value]
                    values["labels"] = [*labels, value] if verb == "add" else labels
                else:
                    errors[fid] = f"The operation '{verb}' is not supported for this field."
        if errors:
            return Response(400, {"errorMessages": [], "errors": errors})
        user = req.user.name if req.user else None
        changes = {**values, "fields": custom} if custom else values
        try:
            self.state.update_issue(rec.key, by=user, **changes)
        except DatasetError as exc:  # a value of the wrong type for its field
            return Response(400, {"errorMessages": [str(exc)], "errors": {}})
        return Response(204)

    def _set(
        self,
        fid: str,
        value: Any,
        values: dict[str, Any],
        custom: dict[str, Any],
        errors: dict[str, str],
    ) -> None:
        if fid in ("summary", "labels"):
            values[fid] = value
            return
        spec = self.state.registry.by_id.get(fid)
        if spec is None or not fid.startswith("customfield_") or fid == self.state.epic_link:
            errors[fid] = (
                f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."
            )
            return
        custom[fid] = _plain(value)


def _plain(value: Any) -> Any:
    """An option ({"value": ...}) or a list of them as the dataset holds them."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return value.get("value", value.get("name"))
    return value
