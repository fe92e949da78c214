"""The settings file (`outcomes.yaml`): read once, validated into typed objects at start-up.

Secrets come only from the environment, written as `${VAR}` in the file, and are held as
`SecretStr` so that they never print. Every error names the file, the key and the bad value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from connector.errors import UserError
from reports.context import MAX_TABLE_ROWS
from rules.policy import Policy
from rules.validation import ValidationProblem, validate
from service.settings_alignment import (
    ApprovalSettings,
    ClaimSettings,
    FindingsSettings,
    JiraCatalogue,
    policy_of,
)

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected an http(s) URL")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Auth(_Strict):
    """Cloud: email + API token. Data Center: a personal access token alone."""

    email: str | None = None
    token: SecretStr


class RetrySettings(_Strict):
    """How hard to try before a Jira call counts as failed (429/503 wait what Jira asks)."""

    max_attempts: int = Field(default=6, ge=1, le=20)
    max_wait_seconds: float = Field(default=120, ge=0)
    base_delay_seconds: float = Field(default=0.5, ge=0)


class JiraSettings(_Strict):
    url: HttpUrl
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    auth: Auth
    timeout: float = Field(default=30.0, gt=0)
    story_points_field: str = "Story Points"
    # Data Center pages no further than this (its jira.search.views.default.max); bigger
    # searches are split. Change it only if the site's admin changed that limit.
    search_window: int = Field(default=10_000, ge=100)
    retries: RetrySettings = RetrySettings()


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


class CatalogueSettings(_Strict):
    files: list[str] = Field(min_length=1)
    jira: JiraCatalogue | None = None  # OKRs kept as Jira issues, beside the files


class StatusBands(_Strict):
    on_track: float = Field(default=0.7, gt=0, le=1)
    at_risk: float = Field(default=0.4, gt=0, le=1)


class StoreSettings(_Strict):
    url: str = "sqlite:///outcomes.db"


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
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression ({exc})") from None
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


def read_yaml(path: Path) -> object:
    """Parse a YAML file; every failure is a UserError naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; check the path (or OUTCOMES_CONFIG)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise UserError(f"{path}: broken YAML{where}: {problem}") from None


def interpolate(data: object, filename: str, environ: dict[str, str], path: str = "") -> object:
    """Replace `${VAR}` in every string with the environment's value; a missing VAR is an error."""
    if isinstance(data, dict):
        return {k: interpolate(v, filename, environ, _join(path, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [interpolate(v, filename, environ, f"{path}[{i}]") for i, v in enumerate(data)]
    if isinstance(data, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise ValidationProblem(
                    filename, path, f"environment variable {name} is not set; export it first"
                )
            return environ[name]

        return ENV_VAR.sub(substitute, data)
    return data


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_settings(path: Path, environ: dict[str, str] | None = None) -> LoadedSettings:
    raw = read_yaml(path)
    try:
        data = interpolate(raw, str(path), dict(os.environ) if environ is None else environ)
        settings = validate(Settings, data, str(path))
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None
    return LoadedSettings(settings=settings, path=path)
