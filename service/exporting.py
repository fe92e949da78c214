"""The export stage: one review workbook per portfolio, from the evaluation and the store's
history, written whole or not at all."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history
from reports.excel import render_workbook
from reports.excel_sheets import HistoryRun
from reports.trends import snapshot_from_data
from rules.errors import UserError
from rules.model import Catalogue
from service import okr_history
from service.files import write_atomically
from service.pipeline import PortfolioResult, tagging
from service.review_data import review_inputs
from service.settings import LoadedSettings


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
    for path in paths:
        if path.is_dir():
            raise UserError(
                f"{where}: {pattern!r} is a folder ({path}); name a file, like "
                "outcomes-{portfolio}-{date}.xlsx"
            )
    created = now or datetime.now().astimezone()
    for path, result in zip(paths, results, strict=True):
        evaluation = result.evaluation
        changes, previous = (
            review_inputs(
                engine,
                okr_history.scope_of(p.id for p in loaded.settings.portfolios),
                result.portfolio.id,
                evaluation.cycle.id,
                evaluation.as_of,
                catalogue,
            )
            if engine is not None
            else ((), None)
        )
        content = render_workbook(
            evaluation,
            catalogue,
            portfolio_name=result.portfolio.name,
            jira_url=loaded.settings.jira.url,
            tagging=tagging(loaded),
            history=load_history(engine, result) if engine is not None else (),
            created=created,
            zone=ZoneInfo(loaded.settings.schedule.timezone),
            okr_changes=changes,
            previous_review=previous,
        )
        try:
            write_atomically(path, content)
        except (NotADirectoryError, FileExistsError, IsADirectoryError, PermissionError) as exc:
            raise UserError(f"{where}: {pattern!r}: cannot write {path}: {exc.strerror}") from None
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
