"""Resolving the fields Outcomes reads to this site's ids, once, from `/field`.

Custom field ids differ per site (customfield_10016 here, customfield_10106 there), so fields are
found by name (Story Points) or by schema type (Data Center's Epic Link).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from rules.errors import UserError
from rules.validation import closest

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


@dataclass(frozen=True)
class Resolved:
    """A field the settings name, and the id it has on this site (None: not on this site)."""

    key: str  # the settings key, e.g. claims.field.name
    name: str  # the field's name as the site spells it (as the settings do, when not found)
    field_id: str | None


class FieldMap:
    """The site's fields, read once per sync from `/field`, and every field name the settings
    give resolved to its id here and nowhere else: story points, the team, claim and approval
    fields, the OKR issues' fields, key-result measurements and the extra epic fields.

    A name that the site lacks is one `UserError` in one style: the settings file, the key, the
    name and the closest names the site has. `resolved` keeps what each key resolved to, for
    `outcomes doctor`."""

    def __init__(self, site_fields: Sequence[dict[str, Any]], settings_file: str = "settings"):
        self.site_fields = list(site_fields)
        self.settings_file = settings_file
        self._ids: dict[str, str] = {}  # casefolded name or id -> id
        self._names: dict[str, str] = {}  # id -> name
        for field in self.site_fields:
            field_id, name = str(field["id"]), str(field.get("name", ""))
            self._names[field_id] = name
            self._ids.setdefault(name.casefold(), field_id)
        for field_id in self._names:
            self._ids.setdefault(field_id.casefold(), field_id)  # given by id: customfield_10042
        self.resolved: dict[str, Resolved] = {}

    @classmethod
    def of(cls, fields: FieldMap | Sequence[dict[str, Any]]) -> FieldMap:
        return fields if isinstance(fields, FieldMap) else cls(fields)

    def name_of(self, field_id: str) -> str:
        return self._names.get(field_id, field_id)

    def find(self, name: str) -> str | None:
        """The id of a field by name (case-insensitive) or by id; None when the site lacks it."""
        return self._ids.get(name.casefold())

    def field_id(
        self,
        key: str,
        name: str | None,
        *,
        fallbacks: Sequence[str] = (),
        required: bool = True,
        where: str | None = None,
    ) -> str | None:
        """Resolve the settings' `key: name` (or else the first fallback name the site has).
        Not configured: None. Not on this site: a `UserError`, or None when not `required`.
        `where` names the file the key is in, when it is not the settings (the catalogue)."""
        if not name:
            return None
        found = next((i for n in (name, *fallbacks) if (i := self.find(n)) is not None), None)
        self.resolved[key] = Resolved(key, self.name_of(found) if found else name, found)
        if found is None and required:
            close = closest(name, [n for n in self._names.values() if n])
            hint = f" (did you mean {close!r}?)" if close else ""
            file = where or self.settings_file
            raise UserError(f"{file}: {key}: Jira has no field named {name!r}{hint}")
        return found

    def site(self, story_points_name: str) -> SiteFields:
        """Story points (the configured name, or a usual one) and Data Center's Epic Link."""
        points = self.field_id(
            "jira.story_points_field",
            story_points_name,
            fallbacks=STORY_POINT_NAMES,
            required=False,
        )
        epic_link = epic_clause = None
        for field in self.site_fields:
            schema = field.get("schema") or {}
            if schema.get("custom") == EPIC_LINK_TYPE:
                epic_link = str(field["id"])
                custom_id = schema.get("customId")
                epic_clause = f"cf[{custom_id}]" if custom_id is not None else f'"{field["name"]}"'
        return SiteFields(points, epic_link, epic_clause)

    def epic_fields(self, names: Mapping[str, str | None]) -> EpicFieldReader:
        """The extra epic fields the settings name (`jira.epic_fields`), resolved to ids."""
        wanted = {}
        for key, name in names.items():
            field_id = self.field_id(f"jira.epic_fields.{key}", name)
            if field_id is not None:
                wanted[key] = (field_id, EPIC_FIELDS[key])
        return EpicFieldReader(wanted)


# --- extra epic fields ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How an extra field's value goes from Jira's JSON to the store's, and out again typed."""

    name: str
    read: Callable[[Any], Any]  # Jira's value -> what the store keeps (JSON), None when empty
    load: Callable[[Any], object]  # the stored value -> the typed one on `Epic.extra`


def _read_date(raw: Any) -> str | None:
    # A date picker's value is "2026-12-15"; a date-time field's an instant (its UTC day).
    if not isinstance(raw, str) or not raw:
        return None
    if "T" in raw:
        moment = parse_time(raw)
        return moment.date().isoformat() if moment else None
    return date.fromisoformat(raw).isoformat()


def _read_number(raw: Any) -> float | None:
    return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None


def _read_text(raw: Any) -> str | None:
    # Text, or a select's option ({"value": ...}); a multi-select's options joined.
    if isinstance(raw, list):
        return ", ".join(t for t in (_read_text(r) for r in raw) if t) or None
    if isinstance(raw, dict):
        raw = raw.get("value", raw.get("name"))
    return str(raw) if raw not in (None, "") else None


DATE = Kind("date", _read_date, date.fromisoformat)
NUMBER = Kind("number", _read_number, float)
TEXT = Kind("text", _read_text, str)

# The extra epic fields Outcomes can read: each is one settings key, `jira.epic_fields.<key>`,
# naming the site's field, and one line here saying its kind. They are kept in the store's
# `extra` column (no migration) and reach `rules.model.Epic.extra` typed.
EPIC_FIELDS: dict[str, Kind] = {
    "target_start": DATE,
}


@dataclass(frozen=True)
class EpicFieldReader:
    """The configured extra epic fields: key -> (field id, kind)."""

    wanted: Mapping[str, tuple[str, Kind]]

    def field_ids(self) -> list[str]:
        return [field_id for field_id, _ in self.wanted.values()]

    def values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """What the store keeps for one issue: the fields that hold a value."""
        found = {}
        for key, (field_id, kind) in self.wanted.items():
            value = kind.read(fields.get(field_id))
            if value is not None:
                found[key] = value
        return found


NO_EPIC_FIELDS = EpicFieldReader({})


def load_extra(stored: Mapping[str, Any] | None) -> dict[str, object]:
    """The stored extra values, typed (a key no longer in EPIC_FIELDS is left out)."""
    return {k: EPIC_FIELDS[k].load(v) for k, v in (stored or {}).items() if k in EPIC_FIELDS}


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
