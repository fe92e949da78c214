"""OKRs kept in Jira, and key results measured from Jira at sync time.

- `read_okr_issues` turns objective and key-result issues into the catalogue file's format
  (`objectives: [...]`, ids are the issue keys, each with `jira:` naming its issue), so the same
  validation reads them as reads `okrs.yaml`. A key result's parent is its objective; a team
  objective names its team in a field and its supported OKRs by issue links.
- `count` is a JQL count (Cloud: the approximate-count API; Data Center: a search's total).
- `numbers` reads numeric fields of named issues.

Bad data in Jira (a key result without a target, an objective without a cycle) is a `UserError`
that names the issue and the field, as a bad catalogue file would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connector.jira_claims import issue_links, option_values
from connector.jira_fields import FieldMap, parse_time
from connector.jira_source import JiraSource
from connector.retry import CallContext, call
from rules.errors import UserError

_BASE = ["summary", "issuetype", "status", "labels", "parent", "updated", "issuelinks"]


class OkrFields:
    """The fields an OKR issue is read through, resolved to this site's ids."""

    def __init__(
        self, site_fields: FieldMap | Sequence[dict[str, Any]], names: dict[str, str | None]
    ):
        fields = FieldMap.of(site_fields)
        self.ids: dict[str, str | None] = {
            role: fields.field_id(f"catalogue.jira.{role}_field", name)
            for role, name in names.items()
        }

    def value(self, fields: dict[str, Any], role: str) -> Any:
        field_id = self.ids.get(role)
        return fields.get(field_id) if field_id else None


def read_okr_issues(
    source: JiraSource,
    jql: str,
    *,
    objective_type: str,
    key_result_type: str,
    fields: OkrFields,
    supports_link: str | None,
    approval_label: str | None,
    rejection_label: str | None,
    retired_statuses: Sequence[str],
) -> dict[str, Any]:
    """The catalogue part held in Jira: `{"objectives": [...]}` in okrs.yaml's format."""
    wanted = [*_BASE, *(i for i in fields.ids.values() if i)]
    raws = [raw for page in source.searcher.pages(jql, wanted) for raw in page]
    kinds = {objective_type.casefold(): "objective", key_result_type.casefold(): "kr"}
    okr_keys = {raw["key"] for raw in raws if _type(raw).casefold() in kinds}
    objectives: dict[str, dict[str, Any]] = {}
    for raw in raws:
        if kinds.get(_type(raw).casefold()) == "objective":
            objectives[raw["key"]] = _objective(
                raw,
                fields,
                supports_link,
                okr_keys,
                approval_label,
                rejection_label,
                retired_statuses,
            )
    for raw in raws:
        if kinds.get(_type(raw).casefold()) == "kr":
            parent = ((raw.get("fields") or {}).get("parent") or {}).get("key")
            if parent not in objectives:
                raise UserError(
                    f"Jira {raw['key']} ({key_result_type}): its parent must be an "
                    f"{objective_type} issue matched by catalogue.jira.jql, got {parent or 'none'}"
                )
            objectives[parent]["key_results"].append(_key_result(raw, fields))
    return {"objectives": list(objectives.values())}


def _type(raw: dict[str, Any]) -> str:
    return str(((raw.get("fields") or {}).get("issuetype") or {}).get("name", ""))


def _objective(
    raw: dict[str, Any],
    fields: OkrFields,
    supports_link: str | None,
    okr_keys: set[str],
    approval_label: str | None,
    rejection_label: str | None,
    retired_statuses: Sequence[str],
) -> dict[str, Any]:
    key, values = raw["key"], raw.get("fields") or {}
    cycle = _text(fields.value(values, "cycle"))
    if cycle is None:
        raise UserError(f"Jira {key}: the cycle field is empty; set it to a catalogue cycle id")
    objective: dict[str, Any] = {
        "id": key,
        "jira": key,
        "cycle": cycle,
        "title": values.get("summary") or key,
        "key_results": [],
    }
    team = _text(fields.value(values, "team"))
    if team is not None:
        objective["team"] = team
        links = issue_links(values.get("issuelinks"), supports_link) if supports_link else []
        objective["supports"] = list(
            dict.fromkeys(link["key"] for link in links if link["key"] in okr_keys)
        )
        labels = {label.casefold() for label in values.get("labels") or []}
        updated = parse_time(values.get("updated"))
        at = {"at": updated.date().isoformat()} if updated else {}
        if rejection_label and rejection_label.casefold() in labels:
            objective["approval"] = {"state": "rejected", **at}
        elif approval_label and approval_label.casefold() in labels:
            objective["approval"] = {"state": "approved", **at}
    status = str((values.get("status") or {}).get("name", ""))
    if status.casefold() in {s.casefold() for s in retired_statuses}:
        objective["retired"] = True
    return objective


def _key_result(raw: dict[str, Any], fields: OkrFields) -> dict[str, Any]:
    key, values = raw["key"], raw.get("fields") or {}
    kr: dict[str, Any] = {"id": key, "jira": key, "title": values.get("summary") or key}
    for role in ("start", "target", "current"):
        number = fields.value(values, role)
        if number is None and role != "current":
            raise UserError(f"Jira {key}: the {role} field is empty; a key result needs a number")
        if number is not None and not isinstance(number, int | float):
            raise UserError(f"Jira {key}: the {role} field holds {number!r}, expected a number")
        if number is not None:
            kr[role] = float(number)
    updated = parse_time(values.get("updated"))
    if "current" in kr and updated is not None:
        kr["current_on"] = updated.date().isoformat()  # the value is at least this recent
    return kr


def _text(raw: Any) -> str | None:
    values = option_values(raw)
    return values[0] if values else None


def count(source: JiraSource, jql: str) -> int:
    """How many issues match: Cloud's approximate count, or the total of a one-issue search."""
    context = CallContext(source.service, "count issues", jql)
    if source.deployment == "cloud":
        return int(call(lambda: source.client.approximate_issue_count(jql), context, source.policy))
    answer = call(
        lambda: source.client.search_issues(
            jql, startAt=0, maxResults=1, fields=["id"], json_result=True
        ),
        context,
        source.policy,
    )
    return int(answer.get("total", 0))


def numbers(
    source: JiraSource,
    wanted: Sequence[tuple[str, str]],
    site_fields: FieldMap | Sequence[dict[str, Any]],
) -> dict[tuple[str, str], float]:
    """(issue key, field name) -> the number the field holds; missing and empty ones left out."""
    if not wanted:
        return {}
    fields = FieldMap.of(site_fields)
    by_name = {
        name.casefold(): fields.field_id(f"measure.field of {key}", name, where="catalogue")
        for key, name in wanted
    }
    ids = sorted({i for i in by_name.values() if i})
    keys = sorted({key for key, _ in wanted})
    values: dict[str, dict[str, Any]] = {}
    for page in source.searcher.pages(f"key in ({', '.join(keys)})", ids):
        for raw in page:
            values[str(raw["key"]).upper()] = raw.get("fields") or {}
    found: dict[tuple[str, str], float] = {}
    for key, name in wanted:
        value = values.get(key.upper(), {}).get(by_name[name.casefold()] or "")
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[(key, name)] = float(value)
    return found
