"""`outcomes serve`'s engine: cron triggers from the settings, one leader per store, a clean stop.

APScheduler 3.x holds the job definitions only, in a MemoryJobStore rebuilt from the settings at
every start; what ran, when and how lives in our `runs` table. Its pitfalls are handled here:

- `max_instances` counts per process only: the leader lock (connector/store/lock.py) lets one
  `serve` per store schedule at all, the pipeline lock keeps a one-shot `outcomes run` out, and
  (job, fire time) is unique in `runs`, so no fire time runs twice.
- It installs no signal handlers and `shutdown(wait=True)` has no timeout: `request_stop()` (wired
  to SIGTERM/SIGINT by cmd_serve) stops new jobs, and we wait for the running one for at most the
  grace period ourselves.

A standby keeps its scheduler paused. When it takes over, due fire times still within the misfire
grace run at once (coalesced), except those the old leader already recorded.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.lock import Leadership, current_holder, release_lease, run_lock
from rules.errors import LockHeld, StoreUnavailable, UserError
from service.deployment import Deployment, safe_message
from service.jobs import run_scheduled
from service.settings import ScheduleSettings

log = logging.getLogger(__name__)

JOB_NAMES = ("sync", "check", "publish", "export", "review")


def timezone_of(schedule: ScheduleSettings) -> tzinfo:
    return ZoneInfo(schedule.timezone)


def triggers(schedule: ScheduleSettings) -> dict[str, CronTrigger]:
    """The configured jobs' cron triggers, in the schedule's time zone (unconfigured: absent)."""
    zone = timezone_of(schedule)
    found = {}
    for name in JOB_NAMES:
        expression = getattr(schedule, name)
        if expression:
            found[name] = CronTrigger.from_crontab(expression, timezone=zone)
    return found


def next_fire_times(schedule: ScheduleSettings, now: datetime) -> dict[str, datetime]:
    return {
        name: trigger.get_next_fire_time(None, now) for name, trigger in triggers(schedule).items()
    }


def fire_time(trigger: CronTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The fire time a job started at `now` serves: the latest one not after `now`, within grace.

    APScheduler 3 does not tell a job its scheduled time; with coalescing it always runs the latest
    due one, which is this.
    """
    latest = None
    moment = trigger.get_next_fire_time(None, now - grace)
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return latest


class _Turns:
    """This process's jobs run one at a time. Of those waiting, the earliest fire time goes first,
    and at one fire time the pipeline's order (sync, check, publish, export): a publish due with a
    sync shows what that sync just read."""

    SETTLE = 0.2  # seconds: jobs due at one moment all start waiting well within this

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: list[tuple[float, int, str]] = []
        self._busy = False

    @contextmanager
    def turn(self, key: tuple[float, int, str]) -> Iterator[None]:
        with self._changed:
            heapq.heappush(self._waiting, key)
        time.sleep(self.SETTLE)  # let the siblings of this fire time line up
        with self._changed:
            while self._busy or self._waiting[0] != key:
                self._changed.wait()
            heapq.heappop(self._waiting)
            self._busy = True
        try:
            yield
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()


@dataclass(frozen=True)
class StopResult:
    exit_code: int
    abandoned: bool  # a job was still running when the grace period ran out


class Service:
    """Leader election, the APScheduler scheduler and the grace-period shutdown, in one loop.

    `run()` blocks until `request_stop()`; call it from the main thread so that signals reach it.
    """

    def __init__(self, deployment: Deployment, *, leadership: Leadership | None = None) -> None:
        """`deployment` runs the jobs: its stages by name (service/stages.py)."""
        self.deployment = deployment
        loaded, engine = deployment.loaded, deployment.engine
        settings = loaded.settings
        self.loaded, self.engine = loaded, engine
        self.schedule = settings.schedule
        self.zone = timezone_of(self.schedule)
        self.triggers = triggers(self.schedule)
        if not self.triggers:
            raise UserError(
                f"{loaded.path}: schedule: no job has a cron; set schedule.sync, schedule.check,"
                " schedule.publish or schedule.export"
            )
        for name in ("publish", "review"):
            if name in self.triggers and settings.confluence is None:
                raise UserError(
                    f"{loaded.path}: schedule.{name}: set, but there is no confluence section to"
                    " publish to"
                )
        self.grace = timedelta(seconds=self.schedule.misfire_grace_seconds)
        lease = timedelta(seconds=self.schedule.lease_seconds)
        self.leadership = leadership or Leadership(engine, lease=lease)
        self.heartbeat = self.schedule.lease_seconds / 3
        self.started_at = datetime.now(UTC)
        self._stop = threading.Event()  # asked to stop
        self._hurry = threading.Event()  # asked twice: do not wait for the grace period
        self._stopping = threading.Event()  # no job may start any more
        self._turns = _Turns()
        self._active: dict[int, str] = {}  # run id → lock holder, of the job running now
        self._idle = threading.Condition()
        self._told_standby = False
        self._scheduler = self._build_scheduler()

    @property
    def role(self) -> str:
        return "leader" if self.leadership.held else "standby"

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def wakeup(self) -> None:
        """Look at the fire times again now (the clock was changed: tests, a resumed VM)."""
        self._scheduler.wakeup()

    # -- scheduling --------------------------------------------------------------------------------
    def _build_scheduler(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(
            timezone=self.zone,
            jobstores={"default": MemoryJobStore()},
            # One worker per job: a job's thread starts at its fire time (so the misfire check
            # passes) and then waits its turn (_Turns) instead of in the pool's queue.
            executors={"default": ThreadPoolExecutor(max_workers=len(self.triggers))},
        )
        for name, trigger in self.triggers.items():
            scheduler.add_job(
                self._fire,
                trigger,
                args=[name],
                id=name,
                name=name,
                replace_existing=True,
                coalesce=True,  # fire times missed while busy or standing by run once, not each
                max_instances=1,
                misfire_grace_time=self.schedule.misfire_grace_seconds,
            )
        scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        return scheduler

    def scheduled_jobs(self) -> list[Any]:
        """APScheduler's job objects, as configured (for tests)."""
        return list(self._scheduler.get_jobs())

    def _on_missed(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "job %s: fire time %s missed by more than the grace of %s s; not run",
                event.job_id,
                getattr(event, "scheduled_run_time", "?"),
                self.schedule.misfire_grace_seconds,
                extra={"event": "job_missed", "job": event.job_id},
            )
        else:
            log.warning(
                "job %s: still running at its next fire time; that fire time is skipped",
                event.job_id,
                extra={"event": "job_overlap", "job": event.job_id},
            )

    def _fire(self, name: str) -> None:
        """APScheduler calls this at a fire time (in a worker thread)."""
        scheduled_for = fire_time(self.triggers[name], self.now(), self.grace)
        moment = (scheduled_for or self.now()).timestamp()
        with self._turns.turn((moment, JOB_NAMES.index(name), name)):
            if self._stopping.is_set():
                log.info("job %s not started: shutting down", name)
                return
            if not self.leadership.held:
                log.info("job %s not started: this process no longer leads", name)
                return
            self._run_job(name, scheduled_for)

    def _run_job(self, name: str, scheduled_for: datetime | None) -> None:
        now = self.now()
        try:
            run_scheduled(
                self.deployment,
                name,
                now=now,
                trigger="schedule",
                scheduled_for=scheduled_for,
                on_start=self._started,
            )
        except LockHeld as held:
            log.warning("job %s skipped: %s", name, held, extra={"event": "job_skipped"})
            self._record_skipped(name, now, scheduled_for, str(held))
        except Exception as exc:  # the store itself failed: log it, try again next time
            log.error("job %s could not run: %s", name, safe_message(exc))
        finally:
            with self._idle:
                self._active.clear()
                self._idle.notify_all()

    def _started(self, run_id: int, holder: str | None) -> None:
        with self._idle:
            self._active[run_id] = holder or ""

    def _record_skipped(
        self, name: str, now: datetime, scheduled_for: datetime | None, why: str
    ) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                runs.record_skipped(session, name, now, why, scheduled_for=scheduled_for)
        except DBAPIError:  # that fire time was recorded by someone else: nothing to add
            pass

    # -- leadership --------------------------------------------------------------------------------
    def _heartbeat(self) -> None:
        now = self.now()
        if self.leadership.held:
            if not self.leadership.confirm(now):
                self._scheduler.pause()
                log.error(
                    "lost the leader lock (store unreachable, or the lease ran out); standing by",
                    extra={"event": "leader_lost"},
                )
            return
        if not self.leadership.acquire(now):
            if not self._told_standby:
                leader = current_holder(self.engine, Leadership.NAME)
                log.info(
                    "standing by: %s leads", leader.holder if leader else "another process",
                    extra={"event": "standby"},
                )  # fmt: skip
                self._told_standby = True
            return
        log.info(
            "leading: this process (%s) schedules the jobs", self.leadership.holder,
            extra={"event": "leader", "holder": self.leadership.holder},
        )  # fmt: skip
        self._told_standby = False
        self._close_interrupted(now)
        self._scheduler.resume()

    def _close_interrupted(self, now: datetime) -> None:
        """Taking the pipeline lock closes the runs a dead leader left open (run_lock does it)."""
        try:
            with run_lock(self.engine, now=now):
                pass
        except LockHeld:
            pass  # a one-shot run is going; the next lock holder closes them

    # -- the loop and the stop ---------------------------------------------------------------------
    def request_stop(self) -> None:
        """Stop: a first call lets the running job finish within the grace; a second hurries."""
        if self._stop.is_set():
            self._hurry.set()
        self._stop.set()
        with self._idle:
            self._idle.notify_all()

    def run(self) -> StopResult:
        zone = self.schedule.timezone
        log.info(
            "serving: %s; standing by until this process holds the leader lock",
            ", ".join(f"{name} '{getattr(self.schedule, name)}'" for name in self.triggers)
            + f" ({zone})",
            extra={"event": "serve_started", "holder": self.leadership.holder},
        )
        self._scheduler.start(paused=True)
        try:
            while not self._stop.is_set():
                try:
                    self._heartbeat()
                except Exception as exc:  # the store is away: say so, and try again next beat
                    log.error("leader check failed: %s", safe_message(exc))
                self._stop.wait(self.heartbeat)
        finally:
            result = self._shut_down()
        return result

    def _shut_down(self) -> StopResult:
        self._stopping.set()
        self._scheduler.shutdown(wait=False)  # no new fire times; running threads go on
        grace = self.schedule.shutdown_grace_seconds
        with self._idle:
            if self._active:
                log.info(
                    "stopping: waiting up to %s s for the running job to finish", grace,
                    extra={"event": "stopping"},
                )  # fmt: skip
            deadline = time.monotonic() + grace
            while self._active and not self._hurry.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._idle.wait(min(left, 0.2))
            abandoned = dict(self._active)
        if abandoned:
            self._abandon(abandoned, grace)
        self.leadership.release()
        log.info("stopped", extra={"event": "stopped", "abandoned": bool(abandoned)})
        return StopResult(0, bool(abandoned))

    def _abandon(self, active: dict[int, str], grace: float) -> None:
        """The grace ran out: record the run as failed and free its lock. The process then exits
        (cmd_serve), which makes the database roll back whatever the job had not committed."""
        why = (
            f"interrupted: the service stopped and the job did not finish within the shutdown"
            f" grace of {grace} s; its uncommitted work was rolled back"
        )
        for run_id, holder in active.items():
            try:
                with Session(self.engine) as session, session.begin():
                    runs.mark_interrupted(session, run_id, datetime.now(UTC), why)
                release_lease(self.engine, "pipeline", holder)
            except (DBAPIError, StoreUnavailable) as exc:
                log.error("cannot record run %s as interrupted: %s", run_id, safe_message(exc))
            log.error("run %s abandoned: %s", run_id, why, extra={"event": "job_abandoned"})
