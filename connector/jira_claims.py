"""What an epic says about the OKRs it serves, read from a raw Jira issue.

Teams tag epics in several ways; besides labels (read with every issue) this reads:

- a custom field (text, select or multi-select) whose values come as a string, as
  `{"value": ...}` or as a list of those; a text may name several ids separated by commas;
- issue links of a configured type (`issuelinks`, either direction);
- the issue type of the epic's parent (an Objective or Key Result issue claims for it);
- the value of a field a leader sets to approve or reject the epic's claims.

`ClaimReader` knows the field ids (resolved once by name from `/field`) and turns an issue's
`fields` into the claim-related values of `IssueRecord`. `JiraSource` asks it which fields to
request and calls it for every issue it records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connector.jira_fields import FieldMap

LINKS_FIELD = "issuelinks"
_SEPARATORS = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class ClaimReader:
    claim_field: str | None = None  # field id of the "Key Result" field
    link_type: str | None = None  # issue link type name (or its inward/outward verb)
    approval_field: str | None = None  # field id of the approval field

    def field_ids(self) -> list[str]:
        ids = [self.claim_field, LINKS_FIELD if self.link_type else None, self.approval_field]
        return [i for i in ids if i]

    def values(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The claim-related `IssueRecord` values of one issue's `fields`."""
        return {
            "claim_values": claim_values(fields.get(self.claim_field)) if self.claim_field else [],
            "links": issue_links(fields.get(LINKS_FIELD), self.link_type) if self.link_type else [],
            "parent_type": parent_type(fields),
            "approval_value": _first(option_values(fields.get(self.approval_field)))
            if self.approval_field
            else None,
        }


NO_CLAIMS = ClaimReader()


def option_values(raw: Any) -> list[str]:
    """A field's value as strings: 'x', {"value": 'x'}, {"name": 'x'}, or a list of those."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [text for item in raw for text in option_values(item)]
    if isinstance(raw, dict):
        inner = raw.get("value", raw.get("name"))
        return option_values(inner) if inner is not None else []
    if isinstance(raw, bool):
        return []
    if isinstance(raw, int | float):
        return [f"{raw:g}"]
    text = str(raw).strip()
    return [text] if text else []


def claim_values(raw: Any) -> list[str]:
    """OKR ids in a claim field: each value, split at commas; the first word of each part.

    An option may carry a title after its id ("P1.KR2 Median transfer time"): ids have no spaces.
    """
    found: list[str] = []
    for value in option_values(raw):
        for part in _SEPARATORS.split(value):
            words = part.split()
            if words and words[0] not in found:
                found.append(words[0])
    return found


def issue_links(raw: Any, link_type: str) -> list[dict[str, str]]:
    """Links of this type (by name, or by its inward or outward verb), seen from this issue."""
    wanted = link_type.casefold()
    found: list[dict[str, str]] = []
    for link in raw if isinstance(raw, list) else []:
        kind = link.get("type") or {}
        names = {str(kind.get(k, "")).casefold() for k in ("name", "inward", "outward")}
        if wanted not in names:
            continue
        for direction in ("outward", "inward"):
            other = link.get(f"{direction}Issue") or {}
            if other.get("key"):
                found.append(
                    {
                        "type": str(kind.get("name", link_type)),
                        "key": other["key"],
                        "direction": direction,
                    }
                )
    return found


def parent_type(fields: dict[str, Any]) -> str | None:
    parent = fields.get("parent") or {}
    kind = (parent.get("fields") or {}).get("issuetype") or {}
    name = kind.get("name")
    return str(name) if name else None


def claim_reader(
    site_fields: FieldMap | Sequence[dict[str, Any]],
    *,
    claim_field: str | None,
    link_type: str | None,
    approval_field: str | None,
    settings_file: str = "settings",
) -> ClaimReader:
    """Resolve the configured field names to this site's ids; an unknown name is a user error."""
    fields = (
        site_fields if isinstance(site_fields, FieldMap) else FieldMap(site_fields, settings_file)
    )
    return ClaimReader(
        claim_field=fields.field_id("claims.field.name", claim_field),
        link_type=link_type,
        approval_field=fields.field_id("approval.jira_field", approval_field),
    )


def _first(values: list[str]) -> str | None:
    return values[0] if values else None
