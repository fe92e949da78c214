"""Resolving the fields Outcomes reads to this site's ids, once, from `/field`.

Custom field ids differ per site (customfield_10016 here, customfield_10106 there), so fields are
found by name (Story Points) or by schema type (Data Center's Epic Link).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"
STORY_POINT_NAMES = ("Story Points", "Story point estimate")


@dataclass(frozen=True)
class SiteFields:
    story_points: str | None  # field id
    epic_link: str | None  # field id (Data Center)
    epic_link_clause: str | None  # how JQL names it: cf[10100]

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("Story Points", self.story_points or "not found (points will show as 0)"),
            ("Epic Link", self.epic_link or "not used (children found by parent)"),
        ]


def resolve_fields(fields: Sequence[dict[str, Any]], story_points_name: str) -> SiteFields:
    by_name: dict[str, str] = {}
    epic_link = epic_clause = None
    for field in fields:
        by_name.setdefault(str(field.get("name", "")).casefold(), str(field["id"]))
        schema = field.get("schema") or {}
        if schema.get("custom") == EPIC_LINK_TYPE:
            epic_link = str(field["id"])
            custom_id = schema.get("customId")
            epic_clause = f"cf[{custom_id}]" if custom_id is not None else f'"{field["name"]}"'
    names = (story_points_name, *STORY_POINT_NAMES)
    points = next((by_name[n.casefold()] for n in names if n.casefold() in by_name), None)
    return SiteFields(points, epic_link, epic_clause)


def parse_time(value: str | None) -> datetime | None:
    """Jira's timestamps: 2026-11-20T10:00:00.000+0000."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
