"""The jobs `outcomes serve` schedules, and how one job runs: under the lock, recorded end to end.

Each job is a function of a `JobContext` built on the pipeline's functions (service/pipeline.py), so
the scheduler and the one-shot commands do the same work. `JOBS` is the registry the scheduler
reads: when a stage gets a one-shot function of its own (check, publish or export from the store),
plug it in here with a one-line change.

`run_recorded` is the one way a job runs: take the pipeline lock (LockHeld → exit 4 for a one-shot
command, a `skipped` record for the scheduler), refuse a fire time that already ran, record the run
with its counts and error, and say loudly when a job has failed too many times in a row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from connector.publish_results import Action, PublishResult, SkipReason
from connector.store import runs
from connector.store.lock import run_lock
from connector.store.models import RunRow
from rules.errors import OutcomesError
from rules.model import Catalogue
from service import exporting, pipeline, publishing
from service.attach import attach_workbooks
from service.review import publish_reviews
from service.settings import LoadedSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    loaded: LoadedSettings
    engine: Engine
    now: datetime  # UTC
    as_of: date  # evaluation date: today in the schedule's time zone
    run_id: int
    progress: Callable[[str], None]


@dataclass(frozen=True)
class JobResult:
    outcome: str  # runs.DONE, or runs.PARTIAL when some part failed (a page, say)
    counts: dict[str, int]
    message: str | None = None


Job = Callable[[JobContext], JobResult]


# --- counts (shared with `outcomes run`) ----------------------------------------------------------


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


def describe_error(exc: BaseException) -> str:
    """One safe line: our errors say what to do; anything else is named by its type only, since
    its text may carry request details (and so secrets)."""
    if isinstance(exc, OutcomesError):
        return str(exc)
    if not isinstance(exc, Exception):  # Ctrl-C, or the process was asked to exit
        return f"interrupted ({type(exc).__name__})"
    if isinstance(exc, DBAPIError):
        return f"store error ({type(exc.orig).__name__})"
    return f"internal error ({type(exc).__name__}); run with --debug for details"


# --- the jobs ------------------------------------------------------------------------------------


def sync_job(ctx: JobContext) -> JobResult:
    results = pipeline.sync(ctx.loaded, ctx.engine, now=ctx.now, progress=ctx.progress)
    return JobResult(runs.DONE, sync_counts(results))


def _evaluate(
    ctx: JobContext, *, pages: bool = True
) -> tuple[Catalogue, list[pipeline.PortfolioResult]]:
    # Read each time (the catalogue lives in git), with the job's store (OKRs read from Jira).
    catalogue = pipeline.load_catalogue(ctx.loaded, ctx.engine)
    results = pipeline.evaluate_all(ctx.loaded, ctx.engine, catalogue, as_of=ctx.as_of, pages=pages)
    return catalogue, results


def check_job(ctx: JobContext) -> JobResult:
    _, results = _evaluate(ctx, pages=False)
    pipeline.save_snapshots(ctx.engine, results, run_id=ctx.run_id, now=ctx.now)
    return JobResult(runs.DONE, finding_counts(results))


def publish_job(ctx: JobContext) -> JobResult:
    _, results = _evaluate(ctx)
    published = publishing.publish(ctx.loaded, ctx.engine, results, now=ctx.now)
    message = publish_problems(published)
    outcome = runs.PARTIAL if message else runs.DONE
    return JobResult(outcome, publish_counts(published), message)


def export_job(ctx: JobContext) -> JobResult:
    catalogue, results = _evaluate(ctx, pages=False)
    written = exporting.export(ctx.loaded, catalogue, results, engine=ctx.engine, now=ctx.now)
    pairs = [(r.portfolio.id, p) for r, p in zip(results, written, strict=True)]
    problems = attach_workbooks(ctx.loaded, ctx.engine, pairs)
    outcome = runs.PARTIAL if problems else runs.DONE
    message = "; ".join(problems) or None
    return JobResult(outcome, {"workbooks": len(written)}, message)


def review_job(ctx: JobContext) -> JobResult:
    _, results = _evaluate(ctx, pages=False)
    published = publish_reviews(ctx.loaded, ctx.engine, results, now=ctx.now, run_id=ctx.run_id)
    message = publish_problems(published)  # said as a publish's is
    outcome = runs.PARTIAL if message else runs.DONE
    return JobResult(outcome, publish_counts(published), message)


JOBS: dict[str, Job] = {
    "sync": sync_job,
    "check": check_job,
    "publish": publish_job,
    "export": export_job,
    "review": review_job,
}


# --- one recorded run ----------------------------------------------------------------------------


@dataclass
class RunRecord:
    """What a one-shot command's run will be recorded with; the command fills it in."""

    run_id: int
    holder: str | None  # None: recorded without the lock
    outcome: str = runs.DONE
    counts: dict[str, int] = field(default_factory=dict)
    message: str | None = None


@contextmanager
def recorded_run(
    engine: Engine, command: str, now: datetime, *, lock: bool = True
) -> Iterator[RunRecord]:
    """A one-shot command's run: under the pipeline lock (LockHeld: exit 4), recorded when it
    ends — as the block left the record, or `failed` with a safe line whatever went wrong, an
    interrupt included. No run is left `running`.

    `lock=False`, for a command that only reads the store (`check`): recorded without the lock, so
    it neither waits for nor blocks a sync. Its record has no holder, so no lock holder closes it
    as abandoned while it runs (a killed process leaves it `running`)."""
    with run_lock(engine, now=now) if lock else nullcontext(None) as holder:
        record = RunRecord(pipeline.start_run(engine, command, now, holder=holder), holder)
        try:
            yield record
        except BaseException as exc:
            try:
                pipeline.finish_run(
                    engine,
                    record.run_id,
                    runs.FAILED,
                    datetime.now(UTC),
                    describe_error(exc),
                    counts=record.counts,
                )
            except Exception as also:  # the store failed too: the next lock holder closes it
                log.error(
                    "run %s: cannot record its failure: %s", record.run_id, describe_error(also)
                )
            raise
        pipeline.finish_run(
            engine,
            record.run_id,
            record.outcome,
            datetime.now(UTC),
            record.message,
            counts=record.counts,
        )


@dataclass(frozen=True)
class RunReport:
    run_id: int
    outcome: str
    counts: dict[str, int]
    message: str | None
    failures_in_a_row: int


def run_recorded(
    name: str,
    job: Job,
    loaded: LoadedSettings,
    engine: Engine,
    *,
    now: datetime,
    trigger: str = "cli",
    scheduled_for: datetime | None = None,
    on_start: Callable[[int, str], None] | None = None,
) -> RunReport | None:
    """Run `job` once under the pipeline lock and record it; None if its fire time already ran.

    Raises LockHeld when another run holds the lock. A failing job is recorded and logged, not
    raised: the scheduler tries again at the next fire time.
    """
    with run_lock(engine, now=now) as holder:
        if scheduled_for is not None:
            with Session(engine) as session:
                earlier = runs.fired(session, name, scheduled_for)
            if earlier is not None:
                log.info(
                    "job %s: the run for %s already happened (run %s, %s); not run again",
                    name, scheduled_for.isoformat(), earlier.id, earlier.outcome,
                    extra={"event": "job_already_ran", "job": name, "run_id": earlier.id},
                )  # fmt: skip
                return None
        try:
            run_id = pipeline.start_run(
                engine, name, now, holder=holder, trigger=trigger, scheduled_for=scheduled_for
            )
        except IntegrityError:  # another process recorded this fire time a moment ago
            return None
        if on_start is not None:
            on_start(run_id, holder)
        log.info(
            "job %s started (run %s)", name, run_id,
            extra={"event": "job_started", "job": name, "run_id": run_id, "trigger": trigger},
        )  # fmt: skip
        # Stored times in UTC (SQLite keeps no offset); the evaluation date is the schedule's.
        ctx = JobContext(loaded, engine, now.astimezone(UTC), now.date(), run_id, _progress(name))
        try:
            result = job(ctx)
        except Exception as exc:
            log.debug("job %s failed", name, exc_info=True)
            result = JobResult(runs.FAILED, {}, describe_error(exc))
        pipeline.finish_run(
            engine, run_id, result.outcome, datetime.now(UTC), result.message, counts=result.counts
        )
    return _report(name, run_id, result, engine, loaded.settings.health.alert_after_failures)


def _progress(name: str) -> Callable[[str], None]:
    def progress(message: str) -> None:
        log.info("job %s: %s", name, message, extra={"event": "job_progress", "job": name})

    return progress


def _report(
    name: str, run_id: int, result: JobResult, engine: Engine, alert_after: int
) -> RunReport:
    with Session(engine) as session:
        stats = runs.stats(session, [name])[name]
        run = session.get(RunRow, run_id)
        seconds = run.duration_seconds if run is not None else None
    streak = stats.failures_in_a_row
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    shown = " ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
    extra = {
        "event": "job_finished",
        "job": name,
        "run_id": run_id,
        "outcome": result.outcome,
        "duration_seconds": seconds,
        "counts": result.counts,
        "failures_in_a_row": streak,
    }
    if result.outcome == runs.DONE:
        log.info("job %s done%s (run %s) %s", name, took, run_id, shown, extra=extra)
    else:
        log.warning(
            "job %s %s%s (run %s): %s", name, result.outcome, took, run_id, result.message,
            extra=extra,
        )  # fmt: skip
    if streak >= alert_after:
        log.error(
            "ALERT: job %s has failed %s times in a row (last: %s); see `outcomes status`",
            name, streak, result.message,
            extra={**extra, "event": "job_failing"},
        )  # fmt: skip
    return RunReport(run_id, result.outcome, result.counts, result.message, streak)
