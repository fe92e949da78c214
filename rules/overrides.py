"""The overrides file: claims written by the portfolio office for epics whose teams cannot tag them.

    version: 1
    overrides:
      - {epic: PAY-12, okrs: [P1.KR2], by: Priya Raman, why: "Tagged in the planning meeting"}

Each entry adds claims (source `override`) to an epic; it does not remove the epic's other claims.
Who and why are required: an override is a person's word and is shown with their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from rules.validation import ValidationProblem, show_value, validate

OVERRIDES_VERSION = 1

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _issue_key(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+", value):
        raise ValueError("expected a Jira issue key like PAY-12")
    return value.upper()


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    epic: Annotated[Text, AfterValidator(_issue_key)]
    okrs: tuple[Text, ...] = Field(min_length=1)
    by: Text
    why: Text


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    overrides: tuple[_Entry, ...] = ()


@dataclass(frozen=True)
class Override:
    epic_key: str
    okr_ids: tuple[str, ...]
    by: str
    why: str

    def describe(self) -> str:
        return f"override by {self.by}: {self.why}"


def parse_overrides(data: object, filename: str) -> tuple[Override, ...]:
    """Validate a parsed overrides file; one `ValidationProblem` names the file, key and value."""
    if isinstance(data, dict) and "version" in data and data["version"] != OVERRIDES_VERSION:
        raise ValidationProblem(
            filename,
            "version",
            f"unsupported overrides version {show_value(data['version'])} "
            f"(this Outcomes reads version {OVERRIDES_VERSION})",
        )
    parsed = validate(_File, data, filename)
    seen: dict[str, int] = {}
    for index, entry in enumerate(parsed.overrides):
        if entry.epic in seen:
            raise ValidationProblem(
                filename,
                f"overrides[{index}].epic",
                f"{entry.epic} is also in overrides[{seen[entry.epic]}]; list its OKRs once",
            )
        seen[entry.epic] = index
    return tuple(
        Override(e.epic, tuple(o.upper() for o in e.okrs), e.by, e.why) for e in parsed.overrides
    )
