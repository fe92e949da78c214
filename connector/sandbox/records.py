"""The sandbox's records: what a dataset holds once validated (issues, fields, pages, users).

`dataset.py` reads and checks a dataset file into these; the Jira and Confluence state work on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATUS_CATEGORIES = ("new", "indeterminate", "done")
CUSTOM_TYPES = {
    "number": "number",
    "string": "string",
    "option": "option",
    "array": "array",
    "array(option)": "array",
    "epiclink": "epiclink",  # Data Center's Epic Link: its value is derived from `parent`
    "date": "datepicker",  # a date picker: "2026-12-15"
}


def jira_now() -> datetime:
    """Now, at Jira's precision (milliseconds): every sandbox timestamp is made the same way."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


KEY_RE = re.compile(r"^([A-Z][A-Z0-9_]*)-([1-9][0-9]*)$")
CUSTOM_ID_RE = re.compile(r"^customfield_([0-9]+)$")
DEFAULT_STATUSES = (
    {"name": "To Do", "category": "new"},
    {"name": "In Progress", "category": "indeterminate"},
    {"name": "Done", "category": "done"},
)
ISSUE_KEYS = frozenset(
    {
        "key",
        "id",
        "type",
        "summary",
        "status",
        "labels",
        "components",
        "parent",
        "assignee",
        "priority",
        "created",
        "updated",
        "fields",
        "links",
    }
)
DEFAULT_LINK_TYPES = (
    {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"name": "Relates", "inward": "relates to", "outward": "relates to"},
)


@dataclass(frozen=True)
class Credential:
    user: str
    token: str
    name: str


@dataclass(frozen=True)
class StatusDef:
    id: str
    name: str
    category: str


@dataclass(frozen=True)
class CustomField:
    id: str
    name: str
    type: str  # number | string | option | array | epiclink

    @property
    def number(self) -> int:
        return int(self.id.rsplit("_", 1)[1])


@dataclass(frozen=True)
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


@dataclass(frozen=True)
class Project:
    id: str
    key: str
    name: str


@dataclass(slots=True)
class IssueRecord:
    key: str
    id: int
    type: str
    summary: str
    status: str
    labels: list[str]
    parent: str | None
    assignee: str | None
    priority: str | None
    created: datetime
    updated: datetime
    fields: dict[str, Any]
    links: list[dict[str, str]] = field(default_factory=list)  # outward: {type, to}
    components: list[str] = field(default_factory=list)  # the project's component names

    @property
    def project(self) -> str:
        return self.key.rsplit("-", 1)[0]

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "id": self.id,
            "type": self.type,
            "summary": self.summary,
            "status": self.status,
            "labels": list(self.labels),
            "parent": self.parent,
            "assignee": self.assignee,
            "priority": self.priority,
            "created": self.created,
            "updated": self.updated,
            "fields": dict(self.fields),
            "links": [dict(link) for link in self.links],
            "components": list(self.components),
        }


@dataclass(frozen=True)
class PageSeed:
    space: str
    title: str
    parent: str | None
    body: str


@dataclass
class Dataset:
    credentials: list[Credential]
    deployment: str = "Cloud"
    timezone: str = "UTC"  # the site's zone: timestamps carry its offset, as real Jira's do
    jql_parse: bool = True  # Cloud serves /rest/api/3/jql/parse (false: a site without it)
    statuses: list[StatusDef] = field(default_factory=list)
    custom_fields: list[CustomField] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    issues: list[IssueRecord] = field(default_factory=list)
    link_types: list[LinkType] = field(default_factory=list)
    spaces: dict[str, str] = field(default_factory=dict)  # key -> name
    pages: list[PageSeed] = field(default_factory=list)
