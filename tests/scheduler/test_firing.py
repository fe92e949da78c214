"""Jobs fire from their crons on a controlled clock; failures are retried and reported loudly.

The clock is moved with time-machine (ticking), so a fire time is a second away instead of a minute
or a day; the scheduler's sleeps are real, so what fires, fires as it would in production.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine

from connector.store import runs
from connector.store.db import open_store
from connector.store.lock import run_lock
from rules.errors import ServiceError
from service.cli import cli
from service.deployment import Deployment
from service.health import collect, health_body
from service.scheduler import Service
from service.settings import load_settings
from service.stages import StageContext, StageResult
from tests.e2e.conftest import TOKEN
from tests.scheduler.conftest import runs_of, serve_settings, wait_until

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_0700 = datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN)


class FakeJobs:
    """Stand-ins for the pipeline's jobs that say when they ran; `failures[name]` fail first."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.calls: list[tuple[str, datetime]] = []
        self.failures = dict(failures or {})
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> object:
        def job(ctx: StageContext) -> StageResult:
            with self._lock:
                self.calls.append((name, ctx.now))
                failing = self.failures.get(name, 0) > 0
                if failing:
                    self.failures[name] -= 1
            if failing:
                raise ServiceError("Jira did not answer within 30 s; try again later")
            return StageResult(runs.DONE, {"epics": 7})

        return job

    def __contains__(self, name: object) -> bool:
        return True


@contextmanager
def serving(service: Service) -> Iterator[None]:
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        service.request_stop()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the service did not stop"


def make_service(tmp_path: Path, jobs: FakeJobs, **schedule: object) -> tuple[Service, Engine]:
    config = serve_settings(
        tmp_path,
        "http://127.0.0.1:9",
        f"sqlite:///{tmp_path / 'store.db'}",
        schedule=schedule,
        health={"alert_after_failures": 2, "max_age_minutes": 60},
    )
    loaded = load_settings(config, environ={"E2E_TOKEN": TOKEN})
    engine = open_store(loaded.store_url())
    return Service(Deployment(loaded, engine=engine, stages=jobs)), engine  # type: ignore[arg-type]


def finished(engine: Engine, count: int) -> list[runs.RunRow]:
    rows = [r for r in runs_of(engine) if r.outcome != runs.RUNNING]
    return rows if len(rows) >= count else []


def test_jobs_fire_at_their_cron_times_in_pipeline_order(tmp_path: Path) -> None:
    jobs = FakeJobs()
    service, engine = make_service(
        tmp_path,
        jobs,
        sync="0 7 * * *",
        publish="0 7 * * MON-FRI",
        export="0 6 * * MON",  # an hour ago: not run at start, next Monday
        check="30 7 * * *",  # later today
    )
    with time_machine.travel(MONDAY_0700 - _seconds(1.5), tick=True), serving(service):
        rows = wait_until(lambda: finished(engine, 2), 10, "two runs")
    # Both fired at 07:00; the sync goes first so that the publish shows what it read.
    assert [name for name, _ in jobs.calls] == ["sync", "publish"]
    for _, at in jobs.calls:
        assert MONDAY_0700 <= at < MONDAY_0700 + _seconds(5)
    assert [(r.command, r.outcome, r.trigger) for r in rows] == [
        ("sync", "done", "schedule"),
        ("publish", "done", "schedule"),
    ]
    assert {runs.utc(r.scheduled_for) for r in rows if r.scheduled_for} == {
        datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    }
    assert rows[0].counts == {"epics": 7}
    engine.dispose()


def test_a_failing_job_is_retried_at_its_next_fire_time_and_reported_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    jobs = FakeJobs(failures={"sync": 2})
    service, engine = make_service(tmp_path, jobs, sync="* * * * *")
    with time_machine.travel(MONDAY_0700 - _seconds(1), tick=True) as clock, serving(service):
        wait_until(lambda: finished(engine, 1), 10, "the first run")
        clock.move_to(MONDAY_0700.replace(minute=1) - _seconds(0.5))
        service.wakeup()
        wait_until(lambda: finished(engine, 2), 10, "the second run")

        # Two failures in a row: the log, the health endpoint and `status` all say so.
        def alerts() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]

        assert wait_until(alerts, 5, "the alert in the log") == [
            "ALERT: job sync has failed 2 times in a row (last: Jira did not answer within"
            " 30 s; try again later); see `outcomes status`"
        ]
        report = collect(service.loaded, engine, service.now(), started_at=service.started_at)
        code, body = health_body(report, service.role)
        assert (code, body["status"], body["failing_jobs"]) == (503, "failing", {"sync": 2})
        status = CliRunner().invoke(
            cli, ["status", "--config", str(service.loaded.path)], env={"E2E_TOKEN": TOKEN}
        )
        assert status.exit_code == 1
        assert "  ALERT: sync has failed 2 times in a row" in status.output
        assert "FAILING" in status.output

        clock.move_to(MONDAY_0700.replace(minute=2) - _seconds(0.5))
        service.wakeup()
        rows = wait_until(lambda: finished(engine, 3), 10, "the third run")
        report = collect(service.loaded, engine, service.now(), started_at=service.started_at)
        assert health_body(report, service.role)[0] == 200
    assert [(r.outcome, r.message) for r in rows] == [
        ("failed", "Jira did not answer within 30 s; try again later"),
        ("failed", "Jira did not answer within 30 s; try again later"),
        ("done", None),
    ]
    assert [runs.utc(r.scheduled_for).astimezone(BERLIN).minute for r in rows] == [0, 1, 2]
    engine.dispose()


def test_a_fire_time_that_finds_the_lock_held_is_recorded_as_skipped(tmp_path: Path) -> None:
    jobs = FakeJobs()
    service, engine = make_service(tmp_path, jobs, check="0 7 * * *")
    # A one-shot `outcomes run` holds the lock across the fire time.
    with (
        time_machine.travel(MONDAY_0700 - _seconds(1), tick=True),
        run_lock(engine, now=datetime.now(UTC)),
        serving(service),
    ):
        rows = wait_until(lambda: finished(engine, 1), 10, "a skipped record")
    assert jobs.calls == []
    assert [(r.command, r.outcome) for r in rows] == [("check", "skipped")]
    assert "holds the 'pipeline' lock; nothing was done" in (rows[0].message or "")
    engine.dispose()


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
