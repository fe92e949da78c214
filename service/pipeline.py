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

from connector.confluence_api import V1Pages
from connector.errors import UserError
from connector.jira_source import JiraCredentials, JiraSource
from connector.publisher import PageRecord, Publisher, PublishResult
from connector.retry import RetryPolicy
from connector.store import history
from connector.store.issues import load_epics
from connector.sync import ScopeSpec, SyncResult, sync_scopes
from reports.confluence import render_pages
from reports.context import Tagging
from reports.excel import render_workbook
from reports.pages import Page
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import Catalogue, Evaluation
from rules.validation import ValidationProblem
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
    try:
        return parse_catalogue(merged, filename)
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None


def tagging(loaded: LoadedSettings) -> Tagging:
    settings = loaded.settings
    exempt = settings.exempt_labels[0] if settings.exempt_labels else "okr-exempt"
    return Tagging(label_prefix=settings.claims.labels.prefix, exempt_label=exempt)


def connect_jira(loaded: LoadedSettings, policy: RetryPolicy | None = None) -> JiraSource:
    jira = loaded.settings.jira
    credentials = JiraCredentials(
        url=jira.url,
        email=jira.auth.email,
        token=jira.auth.token.get_secret_value(),
        timeout=jira.timeout,
    )
    retries = jira.retries
    policy = policy or RetryPolicy(
        max_attempts=retries.max_attempts,
        max_wait=retries.max_wait_seconds,
        base_delay=retries.base_delay_seconds,
    )
    return JiraSource(
        credentials,
        story_points_field=jira.story_points_field,
        deployment=jira.deployment,
        policy=policy,
        search_window=jira.search_window,
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
    scopes = [ScopeSpec(p.id, p.name, p.epics_jql) for p in loaded.settings.portfolios]
    lookback = int(loaded.settings.sync.lookback_minutes * 60 * 1000)
    return sync_scopes(
        source, engine, scopes, now=now, full=full, lookback_ms=lookback, progress=progress
    )


def evaluate_all(
    loaded: LoadedSettings, engine: Engine, catalogue: Catalogue, *, as_of: date
) -> list[PortfolioResult]:
    policy = loaded.settings.policy()
    results = []
    with Session(engine) as session:
        for portfolio in loaded.settings.portfolios:
            epics = load_epics(session, portfolio.id)
            evaluation = evaluate(catalogue, epics, as_of=as_of, policy=policy)
            pages = render_pages(
                evaluation,
                catalogue,
                portfolio_name=portfolio.name,
                jira_url=loaded.settings.jira.url,
                tagging=tagging(loaded),
            )
            results.append(PortfolioResult(portfolio, evaluation, pages))
    return results


def start_run(engine: Engine, command: str, now: datetime) -> int:
    with Session(engine) as session, session.begin():
        return history.start_run(session, command, now).id


def finish_run(
    engine: Engine, run_id: int, outcome: str, now: datetime, message: str | None = None
) -> None:
    with Session(engine) as session, session.begin():
        history.finish_run(session, run_id, outcome, now, message)


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
                    k.key_result.id: {"score": round(k.score, 4), "status": k.status.value}
                    for k in o.key_results
                },
            }
            for o in evaluation.objectives
        },
        "findings": [
            {"code": f.code, "severity": f.severity.value, "subject": f.subject}
            for f in evaluation.findings
        ],
        "alignment": [
            {
                "team": a.team,
                "aligned": a.aligned,
                "unaligned": a.unaligned,
                "exempt": a.exempt,
                "aligned_points": a.aligned_points,
                "unaligned_points": a.unaligned_points,
            }
            for a in evaluation.alignment
        ],
    }


def publish(
    loaded: LoadedSettings, engine: Engine, results: list[PortfolioResult], *, now: datetime
) -> list[PublishResult]:
    settings = loaded.settings.confluence
    if settings is None:
        raise UserError(f"{loaded.path}: confluence: not configured; add a confluence section")
    api = V1Pages(
        settings.url,
        user=settings.auth.email,
        token=settings.auth.token.get_secret_value(),
        timeout=settings.timeout,
    )
    publisher = Publisher(api, space=settings.space, root_title=settings.parent_title)
    outcomes: list[PublishResult] = []
    for result in results:
        portfolio_id = result.portfolio.id
        with Session(engine) as session:
            records = {
                page.key: PageRecord(r.page_id, r.version, r.body_hash)
                for page in result.pages
                if (r := history.publish_record(session, portfolio_id, page.key)) is not None
            }
        published = publisher.publish(result.pages, records)
        # Each page's record is saved as soon as we know it: a later failure cannot lose it.
        with Session(engine) as session, session.begin():
            for item in published:
                if item.record is not None:
                    history.record_publish(
                        session,
                        portfolio_id=portfolio_id,
                        page_key=item.key,
                        page_id=item.record.page_id,
                        title=item.title,
                        version=item.record.version,
                        body_hash=item.record.body_hash,
                        published_at=now,
                    )
        outcomes.extend(published)
    return outcomes


def export(
    loaded: LoadedSettings,
    catalogue: Catalogue,
    results: list[PortfolioResult],
    *,
    target: str | None = None,
) -> list[Path]:
    """Write one workbook per portfolio; each file appears whole or not at all."""
    written = []
    for result in results:
        evaluation = result.evaluation
        pattern = target or loaded.settings.excel.path
        name = pattern.format(
            portfolio=result.portfolio.id,
            cycle=evaluation.cycle.id,
            date=evaluation.as_of.isoformat(),
        )
        path = loaded.resolve(name)
        content = render_workbook(
            evaluation,
            catalogue,
            portfolio_name=result.portfolio.name,
            jira_url=loaded.settings.jira.url,
            tagging=tagging(loaded),
        )
        write_atomically(path, content)
        written.append(path)
    return written


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
