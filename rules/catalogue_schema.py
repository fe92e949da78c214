"""The shape of the OKR catalogue file (okrs.yaml, format version 1), as pydantic models.

These models check types and keys only: every key is known (unknown keys are errors, so a typo such
as `tagret` cannot silently fall back to a default), numbers are numbers, dates are dates. The rules
that relate one value to another (end after start, ids that must exist, a metric key result needs a
start and a target) live in `rules.catalogue`, which turns these models into `rules.model` values.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

CATALOGUE_VERSION = 1


def _no_number_dates(value: object) -> object:
    # pydantic would read 20261001 as seconds since 1970; in a catalogue a number is never a date.
    if isinstance(value, int | float):
        raise ValueError("expected a date like 2026-10-01")
    return value


def _claimable_id(value: str) -> str:
    # OKR ids travel inside Jira labels (okr:P1.KR2), and labels cannot hold spaces.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise ValueError("expected an id of letters, digits, '.', '_' or '-' (no spaces)")
    return value


def _issue_key(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+", value):
        raise ValueError("expected a Jira issue key like OKR-12")
    return value.upper()


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OkrId = Annotated[Text, AfterValidator(_claimable_id)]
IssueKey = Annotated[Text, AfterValidator(_issue_key)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]  # strict: `true` is no number
Share = Annotated[float, Field(strict=True, ge=0, le=1)]
Day = Annotated[date, BeforeValidator(_no_number_dates)]


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CycleFile(FileModel):
    id: Text
    start: Day
    end: Day


class TeamFile(FileModel):
    id: Text
    name: Text
    projects: tuple[Text, ...] = ()
    labels: tuple[Text, ...] = ()
    aliases: tuple[Text, ...] = ()


class ApprovalFile(FileModel):
    state: Literal["proposed", "approved", "rejected"]
    by: Text | None = None
    at: Day | None = None
    note: str | None = None


class MilestoneFile(FileModel):
    title: Text
    done: StrictBool = False


class MeasureFile(FileModel):
    """Measured at sync time: a JQL count, or a numeric field of a Jira issue."""

    jql: Text | None = None
    field: Text | None = None  # a numeric field's name ...
    issue: IssueKey | None = None  # ... on this issue (default: the key result's own `jira` issue)


class CheckInFile(FileModel):
    on: Day
    value: Number
    confidence: Share | None = None
    note: str | None = None
    forecast: Number | None = None  # the team's own forecast of the value at the cycle's end

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_is_true(cls, data: Any) -> Any:
        # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data


class KeyResultFile(FileModel):
    id: OkrId
    title: Text
    kind: Literal["metric", "milestone", "boolean"] = "metric"
    unit: str = ""
    start: Number | None = None
    target: Number | None = None
    current: Number | None = None
    direction: Literal["increase", "decrease"] | None = None
    measure: MeasureFile | None = None
    milestones: tuple[MilestoneFile, ...] | None = None
    done: StrictBool | None = None
    weight: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 1.0
    confidence: Share | None = None
    needs_work: StrictBool = True
    checkins: tuple[CheckInFile, ...] = ()
    current_on: Day | None = None  # when `current` was measured (see rules.measurement)
    jira: IssueKey | None = None  # the Jira issue that holds this key result
    owner: Text | None = None  # default: the objective's owner


class ObjectiveFile(FileModel):
    id: OkrId
    cycle: Text
    title: Text
    owner: Text | None = None
    team: Text | None = None
    level: Literal["portfolio", "team"] | None = None
    supports: tuple[Text, ...] = ()
    approval: ApprovalFile | None = None
    retired: StrictBool = False
    key_results: tuple[KeyResultFile, ...] = ()
    jira: IssueKey | None = None  # the Jira issue that holds this objective


class DecisionFile(FileModel):
    """A leader's decision on an epic's claim or a team objective's link, written down."""

    subject: Text  # an epic key or a team objective id
    okr: Text | None = None  # the claimed or supported id; none: all of the subject's
    state: Literal["approved", "rejected"]
    by: Text
    at: Day
    note: str | None = None


class CatalogueFile(FileModel):
    version: int
    cycles: tuple[CycleFile, ...]
    teams: tuple[TeamFile, ...] = ()
    objectives: tuple[ObjectiveFile, ...] = ()
    approvals: tuple[DecisionFile, ...] = ()
