"""The pipeline: sync → evaluate → publish / export. The CLI and the scheduler call these functions.

Two phases, as in jira-agile-metrics: compute everything first, then write; one failed writer
(a page, a workbook) does not stop the others.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.errors import UserError
from connector.jira_source import JiraCredentials, JiraSource
from connector.jira_teams import team_reader
from connector.retry import RetryPolicy
from connector.store import history, runs
from connector.store.report_days import daily_snapshots
from connector.sync import ScopeSpec, SyncResult, sync_scopes
from reports.confluence import render_pages
from reports.context import MAX_TABLE_ROWS, Tagging
from reports.excel import render_workbook
from reports.excel_sheets import HistoryRun
from reports.pages import Page
from reports.trends import History, snapshot_from_data
from rules.catalogue import parse_catalogue
from rules.model import Catalogue
from rules.results import Evaluation
from rules.validation import ValidationProblem
from service import alignment
from service.settings import LoadedSettings, Portfolio, read_yaml

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PortfolioResult:
    portfolio: Portfolio
    evaluation: Evaluation
    pages: list[Page] = field(default_factory=list)


def load_catalogue(loaded: LoadedSettings) -> Catalogue:
    """Read and validate the catalogue file(s); several files are merged list by list."""
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
        return parse_catalogue(merged, filename)
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None


def tagging(loaded: LoadedSettings) -> Tagging:
    settings = loaded.settings
    exempt = settings.exempt_labels[0] if settings.exempt_labels else "okr-exempt"
    return Tagging(label_prefix=settings.claims.labels.parts()[0], exempt_label=exempt)


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
    jira = loaded.settings.jira
    credentials = JiraCredentials(
        url=jira.url,
        email=jira.auth.email,
        token=jira.auth.token.get_secret_value(),
        timeout=jira.timeout,
    )
    policy = policy or retry_policy(loaded)
    source = JiraSource(
        credentials,
        story_points_field=jira.story_points_field,
        deployment=jira.deployment,
        policy=policy,
        search_window=jira.search_window,
    )
    teams = loaded.settings.teams
    source.teams = team_reader(teams.source, teams.field, teams.label_prefix, source.field_list)
    return source


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
    results = sync_scopes(
        source, engine, scopes, now=now, full=full, lookback_ms=lookback, progress=progress
    )
    alignment.after_sync(loaded, engine, source, now=now, progress=progress)
    return results


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
        for portfolio in loaded.settings.portfolios:
            evaluation = alignment.evaluate_portfolio(
                loaded, session, catalogue, portfolio.id, as_of=as_of, overrides=overrides
            )
            if not pages:
                results.append(PortfolioResult(portfolio, evaluation))
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
            )
            results.append(PortfolioResult(portfolio, evaluation, rendered))
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
    with Session(engine) as session, session.begin():
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


def snapshot_data(evaluation: Evaluation) -> dict[str, object]:
    """The figures worth keeping for trends: scores, statuses, findings and alignment."""
    return {
        "objectives": {
            o.objective.id: {
                "score": round(o.score, 4),
                "expected": round(o.expected, 4),
                "status": o.status.value,
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


def export(
    loaded: LoadedSettings,
    catalogue: Catalogue,
    results: list[PortfolioResult],
    *,
    target: str | None = None,
    engine: Engine | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Write one workbook per portfolio; each file appears whole or not at all.

    `target` (a command-line path, relative to the current folder) overrides the `excel.path`
    pattern; with `engine` the workbook shows the scores of earlier runs from the store; `now`
    stamps the file (default: the clock).
    """
    pattern = target or loaded.settings.excel.path
    where = "--xlsx" if target else f"{loaded.path}: excel.path"
    base = Path.cwd() if target else loaded.path.parent
    paths = [workbook_path(base, pattern, where, r) for r in results]
    if len(set(paths)) < len(paths):
        raise UserError(
            f"{where}: {pattern!r} names one file for several portfolios; add {{portfolio}}"
        )
    created = now or datetime.now().astimezone()
    for path, result in zip(paths, results, strict=True):
        evaluation = result.evaluation
        content = render_workbook(
            evaluation,
            catalogue,
            portfolio_name=result.portfolio.name,
            jira_url=loaded.settings.jira.url,
            tagging=tagging(loaded),
            history=load_history(engine, result) if engine is not None else (),
            created=created,
        )
        write_atomically(path, content)
    return paths


def workbook_path(base: Path, pattern: str, where: str, result: PortfolioResult) -> Path:
    """The file name pattern with {portfolio}, {cycle} and {date} filled in, from `base`."""
    try:
        name = pattern.format(
            portfolio=result.portfolio.id,
            cycle=result.evaluation.cycle.id,
            date=result.evaluation.as_of.isoformat(),
        )
    except (KeyError, IndexError, ValueError):
        raise UserError(
            f"{where}: {pattern!r}: use only {{portfolio}}, {{cycle}} and {{date}} in braces"
        ) from None
    return base / name  # an absolute name stays as it is


def load_history(engine: Engine, result: PortfolioResult) -> list[HistoryRun]:
    """Key-result scores of the cycle's earlier runs, for the workbook's Score History sheet."""
    evaluation = result.evaluation
    with Session(engine) as session:
        rows = history.objective_history(
            session, result.portfolio.id, evaluation.cycle.id, evaluation.as_of.isoformat()
        )
    runs_ = []
    for as_of, created_at, objectives in rows:
        snap = snapshot_from_data(as_of, evaluation.cycle.id, {"objectives": objectives or {}})
        scores = {kr_id: point.score for kr_id, point in snap.key_results.items()}
        runs_.append(HistoryRun(snap.as_of, snap.cycle_id, scores, created_at))
    return runs_


def write_atomically(path: Path, content: bytes | str) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
