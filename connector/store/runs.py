"""Run records: every run's start, end, outcome, counts and error, for `status`, health and metrics.

A run is written only by the process that holds the pipeline lock, so a row still `running` while
nobody holds that lock belongs to a process that died: the next holder marks it failed
(`reap_interrupted`). Times are stored in UTC: SQLite keeps no offset, so one zone is the only safe
one, and rows read back from SQLite (naive) are taken as UTC.

Outcomes: running → done | partial (finished, with failures to report) | failed; skipped (a fire
time that found the lock held). `partial` and `failed` count as failures in a row; `skipped` counts
as nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from connector.store.models import RunRow

RUNNING, DONE, PARTIAL, FAILED, SKIPPED = "running", "done", "partial", "failed", "skipped"
FAILURES = (PARTIAL, FAILED)
FINISHED = (DONE, PARTIAL, FAILED)
STREAK_WINDOW = 100  # failures in a row are counted over at most this many recent runs


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one (as SQLite gives back) is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def start(
    session: Session,
    command: str,
    started_at: datetime,
    *,
    trigger: str = "cli",
    holder: str | None = None,
    scheduled_for: datetime | None = None,
) -> RunRow:
    """Insert a `running` row. (command, scheduled_for) is unique: a fire time runs once."""
    run = RunRow(
        command=command,
        started_at=utc(started_at),
        outcome=RUNNING,
        trigger=trigger,
        holder=holder,
        scheduled_for=utc(scheduled_for) if scheduled_for else None,
    )
    session.add(run)
    session.flush()
    return run


def finish(
    session: Session,
    run_id: int,
    outcome: str,
    finished_at: datetime,
    message: str | None = None,
    counts: dict[str, int] | None = None,
) -> bool:
    """Close a running run; False if it was already closed (say, marked interrupted meanwhile)."""
    run = session.get(RunRow, run_id)
    if run is None or run.outcome != RUNNING:
        return False
    ended = utc(finished_at)
    run.outcome = outcome
    run.finished_at = ended
    run.message = message
    run.counts = dict(counts) if counts is not None else run.counts
    run.duration_seconds = max(0.0, (ended - utc(run.started_at)).total_seconds())
    return True


def record_skipped(
    session: Session,
    command: str,
    at: datetime,
    message: str,
    *,
    trigger: str = "schedule",
    scheduled_for: datetime | None = None,
) -> None:
    moment = utc(at)
    session.add(
        RunRow(
            command=command,
            started_at=moment,
            finished_at=moment,
            outcome=SKIPPED,
            message=message,
            trigger=trigger,
            scheduled_for=utc(scheduled_for) if scheduled_for else None,
            duration_seconds=0.0,
        )
    )


def fired(session: Session, command: str, scheduled_for: datetime) -> RunRow | None:
    """The run that already served this fire time, if any."""
    return session.scalars(
        select(RunRow).where(RunRow.command == command, RunRow.scheduled_for == utc(scheduled_for))
    ).first()


def reap_interrupted(session: Session, now: datetime, *, holder: str) -> list[RunRow]:
    """Mark failed every run left `running` by another holder (call only with the lock held).

    Rows without a holder (written by callers that did not say who held the lock) are left alone:
    they cannot be told apart from a live run.
    """
    leftovers = session.scalars(
        select(RunRow).where(
            RunRow.outcome == RUNNING, RunRow.holder.is_not(None), RunRow.holder != holder
        )
    ).all()
    for run in leftovers:
        finish(
            session,
            run.id,
            FAILED,
            now,
            f"interrupted: {run.holder} stopped before the run finished",
        )
    return list(leftovers)


def mark_interrupted(session: Session, run_id: int, now: datetime, message: str) -> bool:
    """Close a run that its own process gives up on (a shutdown whose grace ran out)."""
    result = session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.outcome == RUNNING)
        .values(outcome=FAILED, finished_at=utc(now), message=message)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def recent(
    session: Session, limit: int = 20, outcomes: Iterable[str] | None = None
) -> list[RunRow]:
    """The newest runs first (only those with one of `outcomes`, if given)."""
    query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
    if outcomes is not None:
        query = query.where(RunRow.outcome.in_(list(outcomes)))
    return list(session.scalars(query).all())


@dataclass
class JobStats:
    """One command's record: what an operator asks first."""

    command: str
    last_run: RunRow | None = None
    last_success_at: datetime | None = None
    failures_in_a_row: int = 0
    last_failure: RunRow | None = None
    totals: dict[str, int] = field(default_factory=dict)  # by outcome
    duration_sum: float = 0.0  # finished runs only
    duration_count: int = 0


def stats(session: Session, commands: Iterable[str] = ()) -> dict[str, JobStats]:
    """Per command (those named, and all with runs): totals, streaks, last success."""
    found: dict[str, JobStats] = {name: JobStats(name) for name in commands}
    rows = session.execute(
        select(
            RunRow.command,
            RunRow.outcome,
            func.count(),
            func.coalesce(func.sum(RunRow.duration_seconds), 0.0),
        ).group_by(RunRow.command, RunRow.outcome)
    ).all()
    for command, outcome, count, seconds in rows:
        entry = found.setdefault(command, JobStats(command))
        entry.totals[outcome] = int(count)
        if outcome in FINISHED:
            entry.duration_sum += float(seconds or 0.0)
            entry.duration_count += int(count)
    for entry in found.values():
        _fill_history(session, entry)
    return found


def _fill_history(session: Session, entry: JobStats) -> None:
    entry.last_run = session.scalars(
        select(RunRow)
        .where(RunRow.command == entry.command, RunRow.outcome != SKIPPED)
        .order_by(RunRow.id.desc())
        .limit(1)
    ).first()
    last_success = session.scalar(
        select(func.max(RunRow.finished_at)).where(
            RunRow.command == entry.command, RunRow.outcome == DONE
        )
    )
    entry.last_success_at = utc(last_success) if last_success else None
    finished = session.scalars(
        select(RunRow)
        .where(RunRow.command == entry.command, RunRow.outcome.in_(FINISHED))
        .order_by(RunRow.id.desc())
        .limit(STREAK_WINDOW)
    ).all()
    for run in finished:
        if run.outcome not in FAILURES:
            break
        entry.failures_in_a_row += 1
        entry.last_failure = entry.last_failure or run
