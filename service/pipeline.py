"""The pipeline: sync → evaluate; publishing (service/publishing.py) and
the workbook (service/exporting.py) take what it computes.

Two phases, as in jira-agile-metrics: compute everything first, then write; one failed writer
(a page, a workbook) does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.jira_source import JiraCredentials, JiraSource
from connector.jira_teams import team_reader
from connector.retry import RetryPolicy
from connector.store import history
from connector.store.report_days import daily_snapshots
from connector.sync import ScopeSpec, SyncResult, sync_scopes
from reports import context as report_context
from reports.confluence import render_pages
from reports.context import MAX_TABLE_ROWS, Tagging
from reports.pages import Page
from reports.trends import History, snapshot_from_data
from rules.catalogue import parse_catalogue
from rules.errors import BadQuery, UserError
from rules.findings_outcomes import ExemptSettings
from rules.model import Catalogue
from rules.results import Evaluation
from rules.snapshots import encode, snapshot_of
from rules.validation import ValidationProblem, closest
from service import claim_fields, decisions_sync, measuring, okr_history, okrs_from_jira
from service.connections import retry_policy
from service.evaluating import evaluate_portfolio
from service.overrides import read_overrides
from service.settings import LoadedSettings, Portfolio, read_yaml

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PortfolioResult:
    portfolio: Portfolio
    evaluation: Evaluation
    pages: list[Page] = field(default_factory=list)
    catalogue: Catalogue | None = None  # the one evaluated, recorded with the snapshot


def load_catalogue(
    loaded: LoadedSettings, store: Engine | None, *, as_of: date | None = None
) -> Catalogue:
    """Read and validate the catalogue file(s); several files are merged list by list.

    `store`: the open store, which holds the OKRs the last sync read from Jira (settings
    `catalogue.jira`); a catalogue kept in files alone needs none (`Deployment.catalogue` opens the
    store after the files were found valid). `as_of`, a date the user asked for (`--as-of`),
    must fall in one of the catalogue's cycles."""
    paths = [loaded.resolve(name) for name in loaded.settings.catalogue.files]
    merged: dict[str, object] = {}
    for path in paths:
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise UserError(f"{path}: expected a mapping with version, cycles, teams, objectives")
        for key, value in data.items():
            if isinstance(value, list):
                existing = merged.setdefault(key, [])
                assert isinstance(existing, list)
                existing.extend(value)
            else:
                merged.setdefault(key, value)
    filename = " + ".join(str(p) for p in paths)
    if loaded.settings.catalogue.jira is not None:
        if store is None:
            raise ValueError("catalogue.jira: the OKRs read from Jira are in the store; pass it")
        existing = merged.setdefault("objectives", [])
        assert isinstance(existing, list)
        existing.extend(okrs_from_jira.stored_objectives(store))
        filename += f" + {okrs_from_jira.SOURCE_NAME}"
    try:
        catalogue = parse_catalogue(merged, filename)
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None
    _check_against_settings(loaded, catalogue)
    if as_of is not None:
        require_in_cycles(catalogue, as_of)
    return catalogue


def _check_against_settings(loaded: LoadedSettings, catalogue: Catalogue) -> None:
    """Settings that name catalogue values: each must exist there."""
    known = [team.id for team in catalogue.teams]
    for team in loaded.settings.findings.of("EXEMPT_OVER_BUDGET", ExemptSettings).teams:
        if team not in known:
            close = closest(team, known)
            hint = f" (did you mean {close!r}?)" if close else f" (teams: {', '.join(known)})"
            raise UserError(
                f"{loaded.path}: findings.EXEMPT_OVER_BUDGET.teams.{team}: "
                f"no team {team!r} in the catalogue{hint}"
            )


def require_in_cycles(catalogue: Catalogue, as_of: date) -> None:
    """An evaluation date outside every cycle has no cycle to report: say so, with the span."""
    if any(cycle.contains(as_of) for cycle in catalogue.cycles):
        return
    first = min(c.start for c in catalogue.cycles)
    last = max(c.end for c in catalogue.cycles)
    raise UserError(
        f"--as-of: {as_of.isoformat()} is outside every cycle of the catalogue "
        f"({first.isoformat()} to {last.isoformat()}); pick a date in a cycle"
    )


def tagging(loaded: LoadedSettings) -> Tagging:
    return Tagging.of(loaded.settings.policy())  # the labels the rules read, suffix and all


def pace_bands(loaded: LoadedSettings) -> report_context.PaceBands:
    return report_context.PaceBands.of(loaded.settings.policy())  # the status bands the rules used


def connect_jira(loaded: LoadedSettings, policy: RetryPolicy | None = None) -> JiraSource:
    source = jira_source(loaded, policy)
    teams = loaded.settings.teams
    source.teams = team_reader(teams.source, teams.field, teams.label_prefix, source.field_map)
    source.epic_fields = source.field_map.epic_fields(loaded.settings.jira.epic_fields.names())
    return source


def jira_source(loaded: LoadedSettings, policy: RetryPolicy | None = None) -> JiraSource:
    """Connected, fields read, no team field resolved yet (doctor checks that on its own line)."""
    jira = loaded.settings.jira
    jira.auth.require()  # a missing ${VAR} in jira.auth is an error from here on
    credentials = JiraCredentials(
        url=jira.url,
        email=jira.auth.email,
        token=jira.auth.token.get_secret_value(),
        timeout=jira.timeout,
    )
    policy = policy or retry_policy(loaded)
    return JiraSource(
        credentials,
        story_points_field=jira.story_points_field,
        deployment=jira.deployment,
        policy=policy,
        search_window=jira.search_window,
        settings_file=str(loaded.path),
        concurrency=jira.concurrency,
    )


def sync(
    loaded: LoadedSettings,
    engine: Engine,
    *,
    now: datetime,
    full: bool = False,
    progress: Progress = log.info,
) -> list[SyncResult]:
    """Bring the store up to date with Jira: incremental unless `full` or never synced."""
    source = connect_jira(loaded)
    claim_fields.prepare_source(loaded, source)  # claim field, links, approval field
    scopes = [ScopeSpec(p.id, p.name, p.epics_jql) for p in loaded.settings.portfolios]
    lookback = int(loaded.settings.sync.lookback_minutes * 60 * 1000)
    try:
        results = sync_scopes(
            source, engine, scopes, now=now, full=full, lookback_ms=lookback, progress=progress
        )
        sync_alignment(loaded, engine, source, now=now, progress=progress)
    except BadQuery as exc:
        raise named_query(loaded, exc) from None
    return results


@dataclass(frozen=True)
class AlignmentSync:
    okr_issues: int = 0  # objectives and key results read from Jira
    measured: int = 0  # key results measured (JQL counts, numeric fields)
    decisions: int = 0  # new decisions recorded (from Jira and the catalogue)


def sync_alignment(
    loaded: LoadedSettings,
    engine: Engine,
    source: JiraSource,
    *,
    now: datetime,
    progress: Progress = log.info,
) -> AlignmentSync:
    """Everything alignment needs from Jira besides the epics: OKR issues, then (in one
    transaction) key-result measurements and decisions."""
    okr_issues = okrs_from_jira.sync_okr_issues(loaded, engine, source, now=now)
    if okr_issues:
        progress(f"Read {okr_issues} OKR issues from Jira")
    try:
        catalogue = load_catalogue(loaded, engine)
    except UserError as problem:
        # The epics are synced; what needs the catalogue waits for it to be fixed (check and run
        # report the problem itself).
        log.warning("not measuring key results or recording decisions: %s", problem)
        progress("Catalogue not readable: key-result measurements and decisions wait for it")
        return AlignmentSync(okr_issues)
    with Session(engine) as session, session.begin():
        measured = measuring.measure(session, source, catalogue, now=now)
        recorded = decisions_sync.record_decisions(loaded, session, source, catalogue, now=now)
    if measured:
        progress(f"Measured {measured} key results from Jira")
    return AlignmentSync(okr_issues, measured, recorded)


def named_query(loaded: LoadedSettings, exc: BadQuery) -> BadQuery:
    """Jira refused a query: name the setting it came from (an incremental sync adds to it)."""
    refused = exc.jql or ""
    portfolios = loaded.settings.portfolios
    keys = [(f"portfolios[{i}].epics_jql", p.epics_jql) for i, p in enumerate(portfolios)]
    if loaded.settings.catalogue.jira is not None:
        keys.append(("catalogue.jira.jql", loaded.settings.catalogue.jira.jql))
    for key, jql in keys:
        if jql.strip() and jql.strip() in refused:
            return BadQuery(f"{loaded.path}: {key}: {exc}", refused)
    return exc


def evaluate_all(
    loaded: LoadedSettings,
    engine: Engine,
    catalogue: Catalogue,
    *,
    as_of: date,
    pages: bool = True,
) -> list[PortfolioResult]:
    """Evaluate every portfolio from the store; `pages=False` skips rendering the Confluence pages
    (an export needs none, and a large portfolio's pages take seconds)."""
    overrides = read_overrides(loaded)
    confluence = loaded.settings.confluence
    results = []
    with Session(engine) as session:
        scope = okr_history.scope_of(p.id for p in loaded.settings.portfolios)
        changes = okr_history.changes_until(session, scope, as_of, catalogue) if pages else ()
        for portfolio in loaded.settings.portfolios:
            evaluation = evaluate_portfolio(
                loaded, session, catalogue, portfolio.id, as_of=as_of, overrides=overrides
            )
            if not pages:
                results.append(PortfolioResult(portfolio, evaluation, catalogue=catalogue))
                continue
            rendered = render_pages(
                evaluation,
                catalogue,
                portfolio_name=portfolio.name,
                jira_url=loaded.settings.jira.url,
                tagging=tagging(loaded),
                history=report_history(session, portfolio.id, evaluation.cycle.id),
                jira_server_id=confluence.jira_server_id if confluence else None,
                max_rows=confluence.max_table_rows if confluence else MAX_TABLE_ROWS,
                okr_changes=changes,
                bands=pace_bands(loaded),
            )
            results.append(PortfolioResult(portfolio, evaluation, rendered, catalogue))
    return results


def report_history(session: Session, portfolio_id: str, cycle_id: str) -> History:
    """This cycle's stored snapshots, one per day, as plain values for the reports."""
    rows = daily_snapshots(session, portfolio_id, cycle_id)
    return History.of(snapshot_from_data(r.as_of, r.cycle_id, r.data) for r in rows)


def save_snapshots(
    engine: Engine, results: list[PortfolioResult], *, run_id: int | None, now: datetime
) -> None:
    with Session(engine) as session, session.begin():
        for result in results:
            evaluation = result.evaluation
            history.save_snapshot(
                session,
                run_id=run_id,
                portfolio_id=result.portfolio.id,
                cycle_id=evaluation.cycle.id,
                as_of=evaluation.as_of.isoformat(),
                created_at=now,
                data=encode(snapshot_of(evaluation)),
            )
        for day, catalogue in {
            r.evaluation.as_of: r.catalogue for r in results if r.catalogue is not None
        }.items():
            scope = okr_history.scope_of(r.portfolio.id for r in results)
            okr_history.record_day(session, scope, catalogue, day, now=now)
