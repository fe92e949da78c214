"""Which team an epic belongs to, as Jira names it: a component, a field (Jira's Team field
included) or a label with a prefix. With the default, the project, no Jira field is read: the
catalogue maps projects to teams. An epic may carry several names (components, multi-select
values, labels): all are kept, and `rules.alignment.team_choice` decides among them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from connector.jira_fields import FieldMap

Source = Literal["project", "component", "field", "label"]


@dataclass(frozen=True)
class TeamReader:
    source: Source = "project"
    field_id: str | None = None  # for source "field", resolved from /field by name
    label_prefix: str = "team:"

    def field_ids(self) -> list[str]:
        if self.source == "component":
            return ["components"]
        if self.source == "field" and self.field_id:
            return [self.field_id]
        return []

    def team_names(self, fields: dict[str, Any]) -> list[str]:
        """Every name Jira gives the epic's team, in Jira's order, each once."""
        names: list[str | None] = []
        if self.source == "component":
            names = [c.get("name") for c in fields.get("components") or [] if isinstance(c, dict)]
        elif self.source == "field" and self.field_id:
            names = _field_texts(fields.get(self.field_id))
        elif self.source == "label":
            prefix = self.label_prefix.casefold()
            names = [
                str(label)[len(prefix) :]
                for label in fields.get("labels") or []
                if str(label).casefold().startswith(prefix) and len(label) > len(prefix)
            ]
        return list(dict.fromkeys(str(n) for n in names if n)) if names else []


def _field_texts(value: Any) -> list[str | None]:
    """A Team field's team ({name} or {title}), a select's option ({value}), or plain text; a
    multi-select gives one name per option."""
    if isinstance(value, list):
        return [t for v in value for t in _field_texts(v)]
    if isinstance(value, dict):
        return [next((str(value[k]) for k in ("name", "title", "value") if value.get(k)), None)]
    return [str(value) if value not in (None, "") else None]


def team_reader(
    source: Source,
    field_name: str | None,
    label_prefix: str,
    fields: FieldMap | Sequence[dict[str, Any]],
) -> TeamReader:
    """Resolve the team field's id by name; a name that does not exist is a settings error."""
    field_id = None
    if source == "field":
        field_id = FieldMap.of(fields).field_id("teams.field", field_name or "Team")
    return TeamReader(source, field_id, label_prefix)
