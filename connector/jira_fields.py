"""Resolving the fields Outcomes reads to this site's ids, once, from `/field`.

Custom field ids differ per site (customfield_10016 here, customfield_10106 there), so fields are
found by name (Story Points) or by schema type (Data Center's Epic Link).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
    """One of Jira's instants, in UTC. Jira writes the site's offset without a colon
    (2026-11-12T08:00:26.859+1100, +1000 in winter where daylight saving applies); every instant
    enters Outcomes here and is UTC from then on, so dates taken from it are UTC days.

    `datetime.fromisoformat` reads every form Jira writes on Python 3.11 (+1100, +11:00, Z) and
    is many times faster than `strptime`, which a large sync called twice per issue."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = _jira_form(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # Jira always names the offset; the store's rule
    return moment.astimezone(UTC)


def _jira_form(value: str) -> datetime:
    """Jira's documented form, for what `fromisoformat` refuses (a one-digit hour, say)."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
