"""Issue 12, row 4: the PostgreSQL lock cannot be lost silently, and a dropped store connection
is a clear exit 3, not an internal error. `outcomes sync` runs as its own process against the
sandbox (Cloud and Data Center) and a real PostgreSQL database; the fault is an admin's
pg_terminate_backend while it works.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store import runs
from connector.store.db import open_store
from connector.store.models import SyncCursor
from service.deployment import Deployment
from service.jobs import run_scheduled
from service.settings import load_settings
from service.stages import StageContext, StageResult
from tests.e2e.conftest import write_settings
from tests.faults.conftest import (
    HOLDS_THE_LOCK,
    IN_A_TRANSACTION,
    finish,
    outcomes,
    runs_of,
    settings,
    start,
    terminate,
    wait_until,
)
from tests.postgres import scratch_database

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]


def synced(url: str) -> list[str]:
    engine = open_store(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(SyncCursor.portfolio_id)).all())
    finally:
        engine.dispose()


def running_sync(url: str) -> bool:
    engine = open_store(url)
    try:
        return ("sync", "running", None) in runs_of(engine)
    finally:
        engine.dispose()


def test_a_sync_whose_lock_session_is_terminated_stops_without_committing_and_exits_3(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    with scratch_database() as url:
        config = settings(tmp_path, sandbox, deployment, url)
        sandbox.faults.slow_next(3.0)  # its first Jira request waits: time for the admin
        process = start("sync", "--config", str(config))
        wait_until(lambda: running_sync(url), "the sync to hold the lock and record its run")
        assert terminate(url, HOLDS_THE_LOCK) == 1
        code, out, err = finish(process)

        assert code == 3, out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("outcomes: error: lost the 'pipeline' lock (")
        assert "stopped without committing" in lines[0]
        assert synced(url) == []  # the sync's transaction rolled back: nothing of it is kept
        engine = open_store(url)
        try:
            assert [(c, o) for c, o, _ in runs_of(engine)] == [("sync", "failed")]
            assert "lost the 'pipeline' lock" in (runs_of(engine)[0][2] or "")
        finally:
            engine.dispose()
        code, out, err = outcomes("status", "--config", str(config))
        assert "running" not in out, out
        assert "sync     cli      " in out and " failed " in out

        code, out, err = outcomes("sync", "--config", str(config))  # the next run works
        assert code == 0, out + err
        assert synced(url) == ["retail"]


def test_a_store_connection_dropped_mid_sync_exits_3_naming_the_store_without_its_password(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    with scratch_database() as plain:
        url = make_url(plain).set(password="s3cret-pw").render_as_string(hide_password=False)
        config = settings(tmp_path, sandbox, deployment, url)
        sandbox.faults.latency_ms = 400  # each Jira answer takes a while, mid-transaction
        process = start("sync", "--config", str(config))
        wait_until(lambda: running_sync(url), "the sync to record its run")
        wait_until(lambda: terminate(url, IN_A_TRANSACTION), "the sync's open transaction")
        code, out, err = finish(process)

        assert code == 3, out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        shown = make_url(url).render_as_string(hide_password=True)
        assert lines[0].startswith(f"outcomes: error: store: lost the connection to {shown} (")
        assert "s3cret-pw" not in out + err
        assert "internal error" not in err
        assert synced(url) == []
        engine = open_store(url)
        try:
            [(command, outcome, message)] = runs_of(engine)
            assert (command, outcome) == ("sync", "failed")
            assert message is not None and "lost the connection" in message
            assert "s3cret-pw" not in message
        finally:
            engine.dispose()


def test_a_scheduled_job_that_lost_its_lock_is_recorded_failed_and_the_next_one_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("E2E_TOKEN", "unused")
    with scratch_database() as url:
        config = write_settings(tmp_path, "http://127.0.0.1:9")
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["store"] = {"url": url}
        config.write_text(yaml.safe_dump(data), encoding="utf-8")
        loaded = load_settings(config)

        def write(ctx: StageContext, portfolio: str) -> StageResult:
            with Session(ctx.engine) as session, session.begin():
                session.add(SyncCursor(portfolio_id=portfolio, last_sync_at=ctx.now))
            return StageResult(runs.DONE, {"epics": 1})

        def losing(ctx: StageContext) -> StageResult:
            assert terminate(url, HOLDS_THE_LOCK) == 1  # mid-job, the admin ends the session
            return write(ctx, "lost")

        engine = open_store(url)
        try:
            now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
            losing_run = Deployment(loaded, engine=engine, stages={"sync": losing})
            report = run_scheduled(losing_run, "sync", now=now, trigger="schedule")
            assert report is not None and report.outcome == "failed"
            assert (report.message or "").startswith("lost the 'pipeline' lock (")
            later = now + timedelta(minutes=15)
            kept_run = Deployment(
                loaded, engine=engine, stages={"sync": lambda c: write(c, "kept")}
            )
            report = run_scheduled(kept_run, "sync", now=later)
            assert report is not None and report.outcome == "done"
            assert synced(url) == ["kept"]
            assert [(c, o) for c, o, _ in runs_of(engine)] == [("sync", "failed"), ("sync", "done")]
        finally:
            engine.dispose()
