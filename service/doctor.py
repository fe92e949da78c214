"""`outcomes doctor`: check the settings against the real Jira and Confluence, and say what to fix.

Each check prints one line; a failed check says what to do. Nothing is written anywhere. The exit
code is the README's: 3 when Jira or Confluence could not be reached or refused the credentials (a
check that failed for that reason), else 1 when a check found a problem, else 0. Every check runs
and prints its line either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from connector.errors import NotFound, OutcomesError, ServiceError
from connector.jira_source import JiraSource
from service import alignment, pipeline, publishing
from service.settings import LoadedSettings


@dataclass(frozen=True)
class Check:
    ok: bool
    subject: str
    detail: str
    outside: bool = False  # failed because Jira or Confluence was out of reach or refused us


class Note(Protocol):
    def __call__(
        self, ok: bool, subject: str, detail: str, error: OutcomesError | None = None
    ) -> None: ...


def run_checks(loaded: LoadedSettings, report: Callable[[Check], None]) -> int:
    """Run every check, reporting each as it finishes; returns the exit code (0, 1 or 3)."""
    results: list[Check] = []

    def note(ok: bool, subject: str, detail: str, error: OutcomesError | None = None) -> None:
        # A service that answered "not found" was reached: that is a setting to fix (1).
        outside = isinstance(error, ServiceError) and not isinstance(error, NotFound)
        check = Check(ok, subject, detail, outside)
        results.append(check)
        report(check)

    try:
        pipeline.load_catalogue(loaded)
        note(True, "catalogue", ", ".join(loaded.settings.catalogue.files))
    except OutcomesError as exc:
        note(False, "catalogue", str(exc), exc)
    source = _jira(loaded, note)
    if source is not None:
        for name, resolved in source.site.describe():
            note(True, f"field {name}", resolved)
        _settings_fields(loaded, source, note)
        for portfolio in loaded.settings.portfolios:
            _check_jql(source, portfolio.id, portfolio.epics_jql, note)
    _confluence(loaded, note)
    if any(check.outside for check in results):
        return 3
    return 0 if all(check.ok for check in results) else 1


def _jira(loaded: LoadedSettings, note: Note) -> JiraSource | None:
    url = loaded.settings.jira.url
    try:
        source = pipeline.connect_jira(loaded)
        who = source.myself()
        version = source.version()
    except OutcomesError as exc:
        note(False, "Jira", str(exc), exc)
        return None
    kind = "Cloud" if source.deployment == "cloud" else "Data Center"
    note(True, "Jira", f"{url}: {kind} {version}".strip())
    note(True, "Jira credentials", f"signed in as {who}")
    return source


def _settings_fields(loaded: LoadedSettings, source: JiraSource, note: Note) -> None:
    """The fields the settings name (claims, approval, team), each with the id it resolved to."""
    try:
        alignment.prepare_source(loaded, source)
    except OutcomesError as exc:
        note(False, "fields", str(exc), exc)
        return
    settings = loaded.settings
    named = [
        (
            "claims.field",
            settings.claims.field.name if settings.claims.field else None,
            source.claims.claim_field,
        ),
        ("approval.jira_field", settings.approval.jira_field, source.claims.approval_field),
        (
            "teams.field",
            settings.teams.field if settings.teams.source == "field" else None,
            source.teams.field_id,
        ),
    ]
    for key, name, resolved in named:
        if name:
            note(True, f"field {name} ({key})", resolved or "not found")
    if settings.claims.links:
        note(True, "issue links (claims.links.type)", settings.claims.links.type)


def _check_jql(source: JiraSource, portfolio: str, jql: str, note: Note) -> None:
    subject = f"portfolios[{portfolio}].epics_jql"
    try:
        errors = source.validate_jql(jql)
    except OutcomesError as exc:
        note(False, subject, str(exc), exc)
        return
    if errors:
        note(False, subject, "; ".join(errors) + " — fix the query in the settings")
    else:
        note(True, subject, "Jira accepts the query")


def _confluence(loaded: LoadedSettings, note: Note) -> None:
    settings = loaded.settings.confluence
    if settings is None:
        note(True, "Confluence", "not configured: nothing will be published")
        return
    try:
        api = publishing.connect_confluence(settings, pipeline.retry_policy(loaded))
        parent = api.find(settings.space, settings.parent_title)
    except OutcomesError as exc:
        note(False, "Confluence", str(exc), exc)
        return
    note(True, "Confluence", f"{settings.url}, space {settings.space}")
    if parent is None:
        note(
            True,
            "Confluence parent page",
            f"{settings.parent_title!r} does not exist yet; the first publish creates it",
        )
    else:
        note(True, "Confluence parent page", f"{settings.parent_title!r} (page {parent.id})")
