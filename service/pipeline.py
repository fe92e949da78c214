"""The pipeline: sync → evaluate, and the run records; publishing (service/publishing.py) and
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
from connector.store import history, lock_guard, runs
from connector.store.report_days import daily_snapshots
from connector.sync import ScopeSpec, SyncResult, sync_scopes
from reports import context as report_context
from reports.confluence import render_pages
from reports.context import MAX_TABLE_ROWS, Tagging
from reports.pages import Page
from reports.trends import History, snapshot_from_data
from rules.catalogue import parse_catalogue
from rules.errors import BadQuery, UserError
from rules.model import Catalogue
from rules.results import Evaluation
from rules.validation import ValidationProblem, closest
from service import alignment, okr_history
from service.settings import LoadedSettings, Portfolio, read_yaml

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PortfolioResult:
    portfolio: Portfolio
    evaluation: Evaluation
    pages: list[Page] = field(default_factory=list)
    catalogue: Catalogue | None = None  # the one evaluated, recorded with the snapshot


def load_catalogue(loaded: LoadedSettings, *, as_of: date | None = None) -> Catalogue:
    """Read and validate the catalogue file(s); several files are merged list by list.

    `as_of`, a date the user asked for (`--as-of`), must fall in one of the catalogue's cycles."""
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
    if jira_part := alignment.with_jira_okrs(loaded, merged):
        filename += f" + {jira_part}"
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
    for team in loaded.settings.findings.EXEMPT_OVER_BUDGET.teams:
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


def retry_policy(loaded: LoadedSettings) -> RetryPolicy:
    """One policy for Jira's and Confluence's calls, from `jira.retries` (a fresh object per
    client, so each counts its own retries)."""
    retries = loaded.settings.jira.retries
    return RetryPolicy(
        max_attempts=retries.max_attempts,
        max_wait=retries.max_wait_seconds,
        base_delay=retries.base_delay_seconds,
    )


def connect_jira(loaded: LoadedSettings, policy: RetryPolicy | None = None) -> JiraSource:
    source = jira_source(loaded, policy)
    teams = loaded.settings.teams
    source.teams = team_reader(teams.source, teams.field, teams.label_prefix, source.field_list)
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
    alignment.prepare_source(loaded, source)  # claim field, links, approval field
    scopes = [ScopeSpec(p.id, p.name, p.epics_jql) for p in loaded.settings.portfolios]
    lookback = int(loaded.settings.sync.lookback_minutes * 60 * 1000)
    try:
        results = sync_scopes(
            source, engine, scopes, now=now, full=full, lookback_ms=lookback, progress=progress
        )
        alignment.after_sync(loaded, engine, source, now=now, progress=progress)
    except BadQuery as exc:
        raise named_query(loaded, exc) from None
    return results


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
    overrides = alignment.read_overrides(loaded)
    confluence = loaded.settings.confluence
    results = []
    with Session(engine) as session:
        scope = okr_history.scope_of(p.id for p in loaded.settings.portfolios)
        changes = okr_history.changes_until(session, scope, as_of, catalogue) if pages else ()
        for portfolio in loaded.settings.portfolios:
            evaluation = alignment.evaluate_portfolio(
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


def start_run(
    engine: Engine,
    command: str,
    now: datetime,
    *,
    holder: str | None = None,
    trigger: str = "cli",
    scheduled_for: datetime | None = None,
) -> int:
    """Record a run as started; pass `holder` (what run_lock yields) so that a run left behind
    by a crash is closed by the next lock holder (connector/store/runs.py)."""
    with Session(engine) as session, session.begin():
        return runs.start(
            session, command, now, trigger=trigger, holder=holder, scheduled_for=scheduled_for
        ).id


def finish_run(
    engine: Engine,
    run_id: int,
    outcome: str,
    now: datetime,
    message: str | None = None,
    *,
    counts: dict[str, int] | None = None,
) -> None:
    # Unguarded: a run that lost its lock still closes its own record (only while `running`).
    with lock_guard.unguarded(), Session(engine) as session, session.begin():
        runs.finish(session, run_id, outcome, now, message, counts)


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
                data=snapshot_data(evaluation),
            )
        for day, catalogue in {
            r.evaluation.as_of: r.catalogue for r in results if r.catalogue is not None
        }.items():
            scope = okr_history.scope_of(r.portfolio.id for r in results)
            okr_history.record_day(session, scope, catalogue, day, now=now)


def snapshot_data(evaluation: Evaluation) -> dict[str, object]:
    """The figures worth keeping for trends: scores, statuses, findings and alignment."""
    return {
        "objectives": {
            o.objective.id: {
                "score": round(o.score, 4) if o.score is not None else None,
                "expected": round(o.expected, 4),
                "status": o.status.value,
                "forecast_score": (
                    round(o.forecast_score, 4) if o.forecast_score is not None else None
                ),
                "key_results": {
                    k.key_result.id: {
                        "score": round(k.score, 4),
                        "status": k.status.value,
                        **alignment.kr_snapshot(k),
                    }
                    for k in o.key_results
                },
            }
            for o in evaluation.objectives
        },
        "findings": [
            {"code": f.code, "severity": f.severity.value, "subject": f.subject, "team": f.team}
            for f in evaluation.findings
        ],
        "awaiting_approval": len(evaluation.awaiting_approval()),
        "alignment": [
            {
                "team": a.team,
                "aligned": a.aligned,
                "unaligned": a.unaligned,
                "exempt": a.exempt,
                "aligned_points": a.aligned_points,
                "unaligned_points": a.unaligned_points,
                "exempt_points": a.exempt_points,
            }
            for a in evaluation.alignment
        ],
    }
