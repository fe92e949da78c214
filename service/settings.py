"""The settings file (`outcomes.yaml`): read once, validated into typed objects at start-up.

Secrets come only from the environment, written as `${VAR}` in the file, and are held as
`SecretStr` so that they never print. Every error names the file, the key and the bad value.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from reports.context import MAX_TABLE_ROWS
from rules.errors import UserError
from rules.policy import Policy
from rules.validation import ValidationProblem, show_value, validate
from service.settings_alignment import (
    ApprovalSettings,
    ApproverSettings,
    ClaimSettings,
    FindingsSettings,
    JiraCatalogue,
    policy_of,
)
from service.settings_env import interpolate
from service.settings_store import store_url_problem
from service.settings_yaml import read_yaml

__all__ = ["LoadedSettings", "Settings", "interpolate", "load_settings", "read_yaml"]


def _http_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise PydanticCustomError("http_url", problem)
    return value.rstrip("/")


def url_problem(value: str) -> str | None:
    """Why `value` is no usable http(s) URL of a server, or None; never repeats a password."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        parts = None
    if parts is not None and (parts.username is not None or parts.password is not None):
        shown = f"{parts.scheme}://***@{parts.hostname or ''}"
        return (
            f"holds a user name or password ({shown}); "
            "remove it from the URL and give credentials in auth (from the environment)"
        )
    like = "expected an http(s) URL like https://acme.atlassian.net"
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{like}, got {show_value(value)}"
    if any(c.isspace() or ord(c) < 32 or c == "\x7f" for c in value):
        return f"{like} (no spaces or control characters), got {show_value(value)}"
    return None


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Auth(_Strict):
    """Cloud: email + API token. Data Center: a personal access token alone."""

    email: str | None = None
    token: SecretStr
    # Set when a `${VAR}` in here is missing or empty: an error only once the service is contacted.
    _unresolved: str | None = PrivateAttr(default=None)

    @field_validator("token")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty (take it from the environment: ${JIRA_TOKEN})")
        return value

    def require(self) -> None:
        """Raise the missing variable's error; call before contacting Jira or Confluence."""
        if self._unresolved is not None:
            raise UserError(self._unresolved)


class RetrySettings(_Strict):
    """How hard to try before a Jira call counts as failed (429/503 wait what Jira asks)."""

    max_attempts: int = Field(default=6, ge=1, le=20)
    max_wait_seconds: float = Field(default=120, ge=0)
    base_delay_seconds: float = Field(default=0.5, ge=0)


class EpicFieldSettings(_Strict):
    """Extra Jira fields read into each epic, by their names on the site; each key is one entry
    of `connector.jira_fields.EPIC_FIELDS`, which says its kind (date, number, text)."""

    target_start: str | None = None  # a date field, e.g. "Target start"

    def names(self) -> dict[str, str | None]:
        return self.model_dump()


class JiraSettings(_Strict):
    url: HttpUrl
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    auth: Auth
    timeout: float = Field(default=30.0, gt=0)
    story_points_field: str = "Story Points"
    # Data Center pages no further than this (its jira.search.views.default.max); bigger
    # searches are split. Change it only if the site's admin changed that limit.
    search_window: int = Field(default=10_000, ge=100)
    # Searches in flight at once during a sync (1: one at a time, in the old order).
    concurrency: int = Field(default=4, ge=1, le=16)
    retries: RetrySettings = RetrySettings()
    epic_fields: EpicFieldSettings = EpicFieldSettings()


class SyncSettings(_Strict):
    lookback_minutes: float = Field(default=10, ge=0)  # re-read this much before the cursor


class TeamSettings(_Strict):
    """Where an epic's team comes from; the catalogue's teams say which names are theirs."""

    source: Literal["project", "component", "field", "label"] = "project"
    field: str = "Team"  # for source: field (Jira's Team field, or any select or text field)
    label_prefix: str = Field(default="team:", min_length=1)  # for source: label


class Portfolio(_Strict):
    id: str
    name: str
    epics_jql: str
    approvers: ApproverSettings | None = None  # instead of approval.approvers, for this one


class CatalogueSettings(_Strict):
    files: list[str] = Field(min_length=1)
    jira: JiraCatalogue | None = None  # OKRs kept as Jira issues, beside the files


class StatusBands(_Strict):
    on_track: float = Field(default=0.7, gt=0, le=1)
    at_risk: float = Field(default=0.4, gt=0, le=1)

    @field_validator("at_risk")
    @classmethod
    def _below_on_track(cls, value: float, info: ValidationInfo) -> float:
        on_track = info.data.get("on_track")
        if on_track is not None and value >= on_track:
            raise ValueError(f"must be below on_track ({show_value(on_track)})")
        return value


def _store_url(value: str) -> str:
    problem = store_url_problem(value)
    if problem is not None:
        raise PydanticCustomError("store_url", problem)
    return value


class StoreSettings(_Strict):
    url: Annotated[str, AfterValidator(_store_url)] = "sqlite:///outcomes.db"


class ConfluenceSettings(_Strict):
    url: HttpUrl
    api: Literal["auto", "v1", "v2"] = "auto"
    auth: Auth
    space: str
    parent_title: str = "Portfolio outcomes"
    on_foreign_edit: Literal["skip", "overwrite", "child"] = "skip"
    timeout: float = Field(default=30.0, gt=0)
    jira_server_id: str | None = None  # set: epics show as Jira issue macros, not plain links
    # Rows of one table on a page; past it the page says how many more (the workbook has all).
    max_table_rows: int = Field(default=MAX_TABLE_ROWS, ge=1)


def _file_pattern(value: str) -> str:
    try:
        value.format(portfolio="p", cycle="c", date="d")
    except (KeyError, IndexError, ValueError):
        raise ValueError("use only {portfolio}, {cycle} and {date} in braces") from None
    return value


class ExcelSettings(_Strict):
    # The workbook's file, relative to the settings file: {portfolio}, {cycle}, {date} filled in.
    path: Annotated[str, AfterValidator(_file_pattern)] = (
        "exports/outcomes-{portfolio}-{cycle}-{date}.xlsx"
    )
    # Also attach it to the portfolio's Confluence overview page (as outcomes-<portfolio>.xlsx).
    attach: bool = False


def _cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if len(value.split()) != 5:
        raise ValueError("expected a cron expression of 5 fields: minute hour day month weekday")
    try:
        trigger = CronTrigger.from_crontab(value, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression ({exc})") from None
    # Five fields repeat at the latest every 28 years: no fire time from now means never.
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise ValueError("never fires (no date matches it, like 31 February)")
    return value


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone; use an IANA name such as Europe/Berlin") from None
    return value


Cron = Annotated[str, AfterValidator(_cron)]


class ScheduleSettings(_Strict):
    """`outcomes serve`: one cron per job (a job without one does not run), in `timezone`."""

    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    sync: Cron | None = None
    check: Cron | None = None
    publish: Cron | None = None
    export: Cron | None = None
    review: Cron | None = None  # the dated review page (service/review.py)
    misfire_grace_seconds: int = Field(default=300, ge=1)  # a fire time missed by more is skipped
    shutdown_grace_seconds: float = Field(default=25, gt=0)  # SIGTERM: time left to a running job
    lease_seconds: float = Field(default=30, ge=1)  # leader lease; a standby takes over within it


class HealthSettings(_Strict):
    port: int | None = Field(default=None, ge=0, le=65535)  # no port: no health endpoint
    host: str = "127.0.0.1"
    max_age_minutes: float = Field(default=1440, gt=0)  # last success older: /healthz 503
    alert_after_failures: int = Field(default=3, ge=1)  # this many failures in a row: loud


class LoggingSettings(_Strict):
    format: Literal["text", "json"] = "text"
    level: Literal["debug", "info", "warning", "error"] = "info"


SETTINGS_VERSION = 1


class Settings(_Strict):
    version: Literal[1]
    jira: JiraSettings
    portfolios: list[Portfolio] = Field(min_length=1)
    claims: ClaimSettings = ClaimSettings()
    exempt_labels: list[str] = ["okr-exempt"]
    catalogue: CatalogueSettings
    findings: FindingsSettings = FindingsSettings()
    approval: ApprovalSettings = ApprovalSettings()
    status_bands: StatusBands = StatusBands()
    store: StoreSettings = StoreSettings()
    sync: SyncSettings = SyncSettings()
    teams: TeamSettings = TeamSettings()
    confluence: ConfluenceSettings | None = None
    excel: ExcelSettings = ExcelSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    health: HealthSettings = HealthSettings()
    logging: LoggingSettings = LoggingSettings()

    def policy(self) -> Policy:
        return policy_of(self)


class LoadedSettings(BaseModel):
    """Settings plus where they came from, so relative paths resolve against the file."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    settings: Settings
    path: Path

    def resolve(self, relative: str) -> Path:
        candidate = Path(relative)
        return candidate if candidate.is_absolute() else self.path.parent / candidate

    def store_url(self) -> str:
        """The store URL, with a relative SQLite path taken from the settings file's folder."""
        url = self.settings.store.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
            return prefix + str(self.resolve(url[len(prefix) :]))
        return url


def load_settings(path: Path, environ: dict[str, str] | None = None) -> LoadedSettings:
    raw = read_yaml(path)
    unresolved: dict[str, str] = {}
    try:
        _check_version(raw, str(path))
        data = interpolate(
            raw, str(path), dict(os.environ) if environ is None else environ, "", unresolved
        )
        settings = validate(Settings, data, str(path))
        cross_check(settings, str(path))
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None
    for service in ("jira", "confluence"):
        section = getattr(settings, service)
        missing = [m for p, m in unresolved.items() if p.startswith(f"{service}.auth.")]
        if section is not None and missing:
            section.auth._unresolved = missing[0]
    return LoadedSettings(settings=settings, path=path)


def _check_version(data: object, filename: str) -> None:
    # Before the rest: a newer file may have a shape this version cannot describe.
    if not isinstance(data, dict) or "version" not in data:
        return  # the model says "missing required key" or "expected a mapping"
    if type(data["version"]) is not int or data["version"] != SETTINGS_VERSION:
        raise ValidationProblem(
            filename,
            "version",
            f"unsupported settings version {show_value(data['version'])} "
            f"(allowed: {SETTINGS_VERSION})",
        )


def cross_check(settings: Settings, filename: str) -> None:
    """What relates one value to another, beyond each value's own type."""
    first: dict[str, int] = {}
    for index, portfolio in enumerate(settings.portfolios):
        if portfolio.id in first:
            raise ValidationProblem(
                filename,
                f"portfolios[{index}].id",
                f"duplicate portfolio id {portfolio.id!r} "
                f"(also portfolios[{first[portfolio.id]}].id)",
            )
        first[portfolio.id] = index
    labels = settings.claims.labels
    if {"pattern", "prefix"} <= labels.model_fields_set:
        raise ValidationProblem(
            filename,
            "claims.labels",
            f"give either pattern or prefix, not both (got pattern {labels.pattern!r} "
            f"and prefix {labels.prefix!r})",
        )
