"""The fields the sandbox knows: system fields plus the dataset's custom fields.

One table drives three things: the ``/field`` answer, JQL field-name resolution (through
``clauseNames``, as Jira does) and which JQL operators a field accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dataset import CustomField

_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes:"
_CUSTOM_SCHEMA = {
    "number": ({"type": "number"}, "float", "Number"),
    "string": ({"type": "string"}, "textfield", "Short text"),
    "option": ({"type": "option"}, "select", "Dropdown"),
    "array": (
        {"type": "array", "items": "option"},
        "multiselect",
        "Select List (multiple choices)",
    ),
    "epiclink": ({"type": "any"}, "", "Epic Link"),
    "datepicker": ({"type": "date"}, "datepicker", "Date Picker"),
}
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"

# Operators each kind of field accepts, as in Jira (a text field only takes ~ and IS).
_LIST_OPS = frozenset({"=", "!=", "in", "not in", "is", "is not"})
_RANGE_OPS = _LIST_OPS | {"<", "<=", ">", ">="}
OPERATORS: dict[str, frozenset[str]] = {
    "key": _RANGE_OPS - {"is", "is not"},
    "parent": _LIST_OPS,
    "epiclink": _LIST_OPS,
    "project": _LIST_OPS,
    "status": _LIST_OPS,
    "category": _LIST_OPS,
    "issuetype": _LIST_OPS,
    "priority": _RANGE_OPS,
    "labels": _LIST_OPS,
    "components": _LIST_OPS,
    "user": _LIST_OPS,
    "option": _LIST_OPS,
    "array": _LIST_OPS,
    "date": _RANGE_OPS,
    "number": _RANGE_OPS,
    "text": frozenset({"~", "!~", "is", "is not"}),
    "string": frozenset({"~", "!~", "is", "is not"}),
    "datepicker": frozenset(),  # read, never searched: the JQL subset leaves date pickers out
}
UNSORTABLE = frozenset({"labels", "components", "array", "category"})


@dataclass(frozen=True)
class FieldSpec:
    id: str
    name: str
    kind: str
    clause_names: tuple[str, ...]
    schema: dict[str, Any] | None
    orderable: bool = True
    navigable: bool = True
    searchable: bool = True
    custom: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "key": self.id,
            "name": self.name,
            "custom": self.custom,
            "orderable": self.orderable,
            "navigable": self.navigable,
            "searchable": self.searchable,
            "clauseNames": list(self.clause_names),
        }
        if self.schema is not None:
            out["schema"] = dict(self.schema)
        return out


def _system(
    fid: str, name: str, kind: str, clauses: tuple[str, ...], schema_type: str | None, **flags: bool
) -> FieldSpec:
    schema = {"type": schema_type, "system": fid} if schema_type else None
    if fid == "labels":
        schema = {"type": "array", "items": "string", "system": "labels"}
    if fid == "components":
        schema = {"type": "array", "items": "component", "system": "components"}
    return FieldSpec(fid, name, kind, clauses, schema, **flags)


SYSTEM_FIELDS: tuple[FieldSpec, ...] = (
    _system(
        "issuekey",
        "Key",
        "key",
        ("id", "issue", "issuekey", "key"),
        None,
        orderable=False,
        searchable=False,
    ),
    _system("summary", "Summary", "text", ("summary",), "string"),
    _system("issuetype", "Issue Type", "issuetype", ("issuetype", "type"), "issuetype"),
    _system("status", "Status", "status", ("status",), "status", orderable=False),
    _system(
        "statusCategory", "Status Category", "category", ("statusCategory",), None, orderable=False
    ),
    _system("project", "Project", "project", ("project",), "project", orderable=False),
    _system("parent", "Parent", "parent", ("parent",), None, orderable=False),
    _system("labels", "Labels", "labels", ("labels",), "array"),
    _system("components", "Component/s", "components", ("component",), "array"),
    _system("assignee", "Assignee", "user", ("assignee",), "user"),
    _system("priority", "Priority", "priority", ("priority",), "priority"),
    _system("created", "Created", "date", ("created", "createdDate"), "datetime", orderable=False),
    _system("updated", "Updated", "date", ("updated", "updatedDate"), "datetime", orderable=False),
    # Rendered, not searchable by name: JQL reaches links through functions the sandbox lacks.
    _system("issuelinks", "Linked Issues", "links", (), "array", orderable=False, searchable=False),
)


def custom_spec(cf: CustomField) -> FieldSpec:
    schema, plugin, label = _CUSTOM_SCHEMA[cf.type]
    custom = EPIC_LINK_TYPE if cf.type == "epiclink" else _PLUGIN + plugin
    return FieldSpec(
        cf.id,
        cf.name,
        cf.type,
        (f"cf[{cf.number}]", cf.name, f"{cf.name}[{label}]"),
        {**schema, "custom": custom, "customId": cf.number},
        custom=True,
    )


class FieldRegistry:
    """All fields by id and by JQL clause name (case-insensitive, as Jira resolves them)."""

    def __init__(self, custom: list[CustomField]) -> None:
        self.fields: tuple[FieldSpec, ...] = SYSTEM_FIELDS + tuple(custom_spec(c) for c in custom)
        self.by_id = {f.id: f for f in self.fields}
        self._by_clause: dict[str, FieldSpec] = {}
        for spec in self.fields:
            for name in spec.clause_names:
                self._by_clause.setdefault(name.lower(), spec)

    def resolve(self, clause_name: str) -> FieldSpec | None:
        return self._by_clause.get(clause_name.lower())
