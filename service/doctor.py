"""`outcomes doctor`: check the settings against the real Jira and Confluence, and say what to fix.

Each check prints one line; a failed check says what to do. Nothing is written anywhere. Besides
that the fields exist, it samples each portfolio's epics (`service.doctor_samples`): whether the
fields hold values, whether the epics map to catalogue teams, what they claim. The exit code is
the README's: 3 when Jira or Confluence could not be reached or refused the credentials (a check
that failed for that reason), else 1 when a check found a problem, else 0. Every check runs and
prints its line even after one fails; only Jira out of reach stops the checks that need it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from connector.jira_source import JiraSource
from connector.jira_teams import team_reader
from rules.errors import NotFound, OutcomesError, ServiceError
from rules.model import Catalogue
from service import claim_fields, connections, pipeline
from service import doctor_samples as samples
from service.deployment import Deployment
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

    catalogue: Catalogue | None = None
    try:
        catalogue = _catalogue(loaded)
        note(True, "catalogue", ", ".join(loaded.settings.catalogue.files))
    except OutcomesError as exc:
        note(False, "catalogue", str(exc), exc)
    source = _jira(loaded, note)  # only Jira out of reach (or refusing us) stops the Jira checks
    if source is not None:
        for name, resolved in source.site.describe():
            note(True, f"field {name}", resolved)
        teams_read = _settings_fields(loaded, source, note)
        for portfolio in loaded.settings.portfolios:
            if _check_jql(source, portfolio.id, portfolio.epics_jql, note):
                _sample(loaded, source, catalogue, teams_read, portfolio.id, note)
    _confluence(loaded, note)
    if any(check.outside for check in results):
        return 3
    return 0 if all(check.ok for check in results) else 1


def _catalogue(loaded: LoadedSettings) -> Catalogue:
    """A catalogue kept in files alone needs no store (doctor writes nothing); the OKRs the last
    sync read from Jira (`catalogue.jira`) are in it."""
    with Deployment(loaded) as deployment:
        return deployment.catalogue()


def _jira(loaded: LoadedSettings, note: Note) -> JiraSource | None:
    url = loaded.settings.jira.url
    try:
        source = pipeline.jira_source(loaded)  # the team field is checked on its own line
        who = source.myself()
        version = source.version()
    except OutcomesError as exc:
        note(False, "Jira", str(exc), exc)
        return None
    kind = "Cloud" if source.deployment == "cloud" else "Data Center"
    note(True, "Jira", f"{url}: {kind} {version}".strip())
    note(True, "Jira credentials", f"signed in as {who}")
    return source


def _settings_fields(loaded: LoadedSettings, source: JiraSource, note: Note) -> bool:
    """The fields the settings name (claims, approval, team), each with the id it resolved to.
    Returns whether the team settings resolved (else the team sample would mislead)."""
    settings = loaded.settings
    try:
        claim_fields.prepare_source(loaded, source)
    except OutcomesError as exc:
        note(False, "fields", str(exc), exc)
    teams = settings.teams
    try:
        source.teams = team_reader(teams.source, teams.field, teams.label_prefix, source.field_map)
    except OutcomesError as exc:
        note(False, "fields", f"{exc}{_team_hint(source, teams.field or 'Team')}", exc)
        teams_read = False
    else:
        teams_read = True
    try:
        source.epic_fields = source.field_map.epic_fields(settings.jira.epic_fields.names())
    except OutcomesError as exc:
        note(False, "fields", str(exc), exc)
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
    named += [
        (f"jira.epic_fields.{key}", source.field_map.name_of(field_id), field_id)
        for key, (field_id, _) in source.epic_fields.wanted.items()
    ]
    for key, name, resolved in named:
        if name and resolved:
            note(True, f"field {name} ({key})", resolved)
    if settings.claims.links:
        note(True, "issue links (claims.links.type)", settings.claims.links.type)
    return teams_read


def _team_hint(source: JiraSource, name: str) -> str:
    wanted = samples.Configured("teams.field", name, None)
    similar = [n for _, n in samples.similar_fields(source.field_list, wanted)]
    if similar:
        return f"; similar fields here: {', '.join(repr(n) for n in similar)}"
    where = " (Data Center has no Team field)" if source.deployment == "datacenter" else ""
    return f"; name the field your teams use, or set teams.source to component or label{where}"


def _check_jql(source: JiraSource, portfolio: str, jql: str, note: Note) -> bool:
    subject = f"portfolios[{portfolio}].epics_jql"
    try:
        errors = source.validate_jql(jql)
    except OutcomesError as exc:
        note(False, subject, str(exc), exc)
        return False
    if errors:
        note(False, subject, "; ".join(errors) + " — fix the query in the settings")
        return False
    note(True, subject, "Jira accepts the query")
    return True


def _sample(
    loaded: LoadedSettings,
    source: JiraSource,
    catalogue: Catalogue | None,
    teams_read: bool,
    portfolio_id: str,
    note: Note,
) -> None:
    """Count what the first epics of the portfolio (and their children) carry."""
    settings = loaded.settings
    portfolio = next(p for p in settings.portfolios if p.id == portfolio_id)
    configured = samples.configured_fields(settings, source)
    fields, child_fields = samples.sample_fields(source, configured)
    try:
        sample = samples.take_sample(source, portfolio.epics_jql, fields, child_fields)
    except OutcomesError as exc:
        note(False, f"portfolios[{portfolio_id}] sample", str(exc), exc)
        return
    note(
        True,
        f"portfolios[{portfolio_id}] sample",
        f"{len(sample.epics)} epics (the first {samples.SAMPLE_EPICS} at most)"
        f" and {len(sample.children)} of their child issues",
    )
    samples.check_fields(source, sample, configured, portfolio_id, note)
    if catalogue is None:
        return  # its own line said what is wrong; teams and claims are read against it
    epics = samples.epics_of(source, sample)
    if teams_read:
        first = settings.catalogue.files[0]
        samples.check_teams(epics, catalogue, settings.teams.source, first, portfolio_id, note)
    samples.check_claims(epics, catalogue, settings.policy(), portfolio_id, note)


def _confluence(loaded: LoadedSettings, note: Note) -> None:
    settings = loaded.settings.confluence
    if settings is None:
        note(True, "Confluence", "not configured: nothing will be published")
        return
    try:
        api = connections.connect_confluence(settings, connections.retry_policy(loaded))
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
