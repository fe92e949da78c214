"""The stages a deployment runs by name — sync, check, publish, export, review — as plain functions
of a `StageContext` that return a `StageResult` (data: the CLI prints it, the run record keeps its
counts and message). `STAGES` is the registry `Deployment.run` (service/deployment.py) reads; the
scheduler's jobs, the one-shot commands and `outcomes run` all call these same functions.

Within one run the context evaluates once: `outcomes run` checks, publishes and exports one
evaluation, as the single-stage commands each evaluate their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.publish_results import Action, PublishResult, SkipReason
from connector.store import history, runs
from connector.sync import SyncResult
from rules.model import Catalogue
from service import exporting, pipeline, publishing
from service.attach import attach_workbooks
from service.check_json import finding_keys
from service.review import publish_reviews
from service.settings import LoadedSettings

Progress = Callable[[str], None]
FindingKeys = set[tuple[str, str]]


@dataclass(frozen=True)
class StageOptions:
    """What a command line may ask of a stage beyond the date (the scheduler asks none of it)."""

    full: bool = False  # sync: read the whole scope again
    read_only: bool = False  # check: keep no snapshot (and, in Deployment.run, take no lock)
    workbook: str | None = None  # export: write here instead of excel.path


@dataclass
class StageContext:
    loaded: LoadedSettings
    engine: Engine
    now: datetime
    as_of: date
    run_id: int
    progress: Progress
    catalogue: Catalogue | None = None  # loaded before the run by Deployment when a stage needs it
    options: StageOptions = field(default_factory=StageOptions)
    pages: bool = True  # evaluate with the Confluence pages (a publish follows)
    _results: list[pipeline.PortfolioResult] | None = None

    def evaluation(self) -> tuple[Catalogue, list[pipeline.PortfolioResult]]:
        """The catalogue and every portfolio's evaluation as of the run's date, computed once."""
        if self.catalogue is None:
            self.catalogue = pipeline.load_catalogue(self.loaded, self.engine)
        if self._results is None:
            self._results = pipeline.evaluate_all(
                self.loaded, self.engine, self.catalogue, as_of=self.as_of, pages=self.pages
            )
        return self.catalogue, self._results


@dataclass(frozen=True)
class StageResult:
    outcome: str  # runs.DONE, or runs.PARTIAL when some part failed (a page, a workbook)
    counts: dict[str, int]
    message: str | None = None  # why it was partial, for `outcomes status`
    synced: list[SyncResult] = field(default_factory=list)
    results: list[pipeline.PortfolioResult] = field(default_factory=list)
    seen: dict[str, FindingKeys | None] = field(default_factory=dict)  # check: the last snapshot's
    published: list[PublishResult] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


Stage = Callable[[StageContext], StageResult]


# --- counts and messages, as the run record keeps them -------------------------------------------


def sync_counts(results: Iterable[object]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for result in results:
        for key in ("epics", "children", "fetched", "removed"):
            value = getattr(result, key, None)
            if isinstance(value, int):
                counts[key] += value
    return dict(counts)


def finding_counts(results: Iterable[pipeline.PortfolioResult]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for result in results:
        for finding in result.evaluation.findings:
            counts["findings"] += 1
            counts[f"findings_{finding.severity.value}"] += 1
    return {"findings": 0, **counts}


def publish_counts(published: Iterable[PublishResult]) -> dict[str, int]:
    return dict(Counter(f"pages_{item.action.name.lower()}" for item in published))  # no spaces


def publish_problems(published: Iterable[PublishResult]) -> str | None:
    """Why a publish was partial, in short, for the run record (`outcomes status` shows it): e.g.
    "2 pages failed, 1 skipped (edited by a person): <titles>"; None if every page went well."""
    failed = [item for item in published if item.action is Action.FAILED]
    skipped = [item for item in published if item.action is Action.SKIPPED]
    if not failed and not skipped:
        return None
    said = [f"{len(failed)} page{'s' if len(failed) != 1 else ''} failed"] if failed else []
    if skipped:
        reasons = ", ".join(sorted({str(item.skipped or SkipReason.EDITED) for item in skipped}))
        said.append(f"{len(skipped)} skipped ({reasons})")
    titles = [item.title for item in (*failed, *skipped)]
    more = f" and {len(titles) - 5} more" if len(titles) > 5 else ""
    return f"{', '.join(said)}: {'; '.join(titles[:5])}{more}"


# --- the stages ----------------------------------------------------------------------------------


def sync(ctx: StageContext) -> StageResult:
    full = ctx.options.full
    synced = pipeline.sync(ctx.loaded, ctx.engine, now=ctx.now, full=full, progress=ctx.progress)
    return StageResult(runs.DONE, sync_counts(synced), synced=synced)


def check(ctx: StageContext) -> StageResult:
    """Evaluate, and keep the day's snapshot (unless read-only); with the findings each portfolio's
    last snapshot had, so that a reader can tell what is new."""
    with Session(ctx.engine) as session:
        seen = {}
        for portfolio in ctx.loaded.settings.portfolios:
            before = history.latest_snapshot(session, portfolio.id)
            seen[portfolio.id] = finding_keys(before.data) if before is not None else None
    _, results = ctx.evaluation()
    if not ctx.options.read_only:
        pipeline.save_snapshots(ctx.engine, results, run_id=ctx.run_id, now=ctx.now)
    return StageResult(runs.DONE, finding_counts(results), results=results, seen=seen)


def _published(
    published: list[PublishResult], results: list[pipeline.PortfolioResult]
) -> StageResult:
    message = publish_problems(published)
    outcome = runs.PARTIAL if message else runs.DONE
    return StageResult(
        outcome, publish_counts(published), message, results=results, published=published
    )


def publish(ctx: StageContext) -> StageResult:
    _, results = ctx.evaluation()
    return _published(publishing.publish(ctx.loaded, ctx.engine, results, now=ctx.now), results)


def review(ctx: StageContext) -> StageResult:
    _, results = ctx.evaluation()
    published = publish_reviews(ctx.loaded, ctx.engine, results, now=ctx.now, run_id=ctx.run_id)
    return _published(published, results)  # said as a publish's is


def export(ctx: StageContext) -> StageResult:
    catalogue, results = ctx.evaluation()
    written = exporting.export(
        ctx.loaded,
        catalogue,
        results,
        target=ctx.options.workbook,
        engine=ctx.engine,
        now=ctx.now,
    )
    pairs = [(r.portfolio.id, p) for r, p in zip(results, written, strict=True)]
    problems = attach_workbooks(ctx.loaded, ctx.engine, pairs)
    return StageResult(
        runs.PARTIAL if problems else runs.DONE,
        {"workbooks": len(written)},
        "; ".join(problems) or None,
        results=results,
        written=written,
        problems=problems,
    )


STAGES: dict[str, Stage] = {
    "sync": sync,
    "check": check,
    "publish": publish,
    "export": export,
    "review": review,
}
