"""How `outcomes serve` runs one job: a stage of the deployment (service/deployment.py), started by
the scheduler, recorded like any other run, and logged — loudly when it has failed too many times
in a row.

The stages themselves are the registry in service/stages.py (`STAGES`): the scheduler and the
one-shot commands do the same work. A failing job is recorded and logged, not raised: the
scheduler tries again at the next fire time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.models import RunRow
from service.deployment import Deployment, RunRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunReport:
    run_id: int
    outcome: str
    counts: dict[str, int]
    message: str | None
    failures_in_a_row: int


def run_scheduled(
    deployment: Deployment,
    name: str,
    *,
    now: datetime,
    trigger: str = "schedule",
    scheduled_for: datetime | None = None,
    on_start: Callable[[int, str | None], None] | None = None,
) -> RunReport | None:
    """Run the stage `name` once under the pipeline lock and record it; None if its fire time
    already ran. Raises LockHeld when another run holds the lock, and whatever stopped the run
    from being recorded at all (the store, say)."""
    started: list[RunRecord] = []

    def begin(record: RunRecord) -> None:
        started.append(record)
        if on_start is not None:
            on_start(record.run_id, record.holder)
        log.info(
            "job %s started (run %s)", name, record.run_id,
            extra={"event": "job_started", "job": name, "run_id": record.run_id,
                   "trigger": trigger},
        )  # fmt: skip

    try:
        # Stored times in UTC (SQLite keeps no offset); the evaluation date is the schedule's.
        record = deployment.fire(
            name,
            now=now.astimezone(UTC),
            as_of=now.date(),
            trigger=trigger,
            scheduled_for=scheduled_for,
            progress=_progress(name),
            on_start=begin,
        )
    except Exception:
        if not started:
            raise
        log.debug("job %s failed", name, exc_info=True)
        record = started[0]  # recorded `failed` by the deployment
    if record is None:
        return None
    alert_after = deployment.loaded.settings.health.alert_after_failures
    return _report(name, record, deployment.engine, alert_after)


def _progress(name: str) -> Callable[[str], None]:
    def progress(message: str) -> None:
        log.info("job %s: %s", name, message, extra={"event": "job_progress", "job": name})

    return progress


def _report(name: str, record: RunRecord, engine: Engine, alert_after: int) -> RunReport:
    with Session(engine) as session:
        stats = runs.stats(session, [name])[name]
        run = session.get(RunRow, record.run_id)
        seconds = run.duration_seconds if run is not None else None
    streak = stats.failures_in_a_row
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    shown = " ".join(f"{k}={v}" for k, v in sorted(record.counts.items()))
    extra = {
        "event": "job_finished",
        "job": name,
        "run_id": record.run_id,
        "outcome": record.outcome,
        "duration_seconds": seconds,
        "counts": record.counts,
        "failures_in_a_row": streak,
    }
    if record.outcome == runs.DONE:
        log.info("job %s done%s (run %s) %s", name, took, record.run_id, shown, extra=extra)
    else:
        log.warning(
            "job %s %s%s (run %s): %s", name, record.outcome, took, record.run_id, record.message,
            extra=extra,
        )  # fmt: skip
    if streak >= alert_after:
        log.error(
            "ALERT: job %s has failed %s times in a row (last: %s); see `outcomes status`",
            name, streak, record.message,
            extra={**extra, "event": "job_failing"},
        )  # fmt: skip
    return RunReport(record.run_id, record.outcome, record.counts, record.message, streak)
