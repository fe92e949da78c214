"""Several `outcomes serve` processes on one PostgreSQL store, doing real work against the sandbox.

Each process is a real OS process (tests/scheduler/shifted.py sets its clock a few seconds before
a fire time). What they did is read back from the run records.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from connector.sandbox import Sandbox
from connector.store import runs
from connector.store.db import open_store
from connector.store.models import RunRow
from service.cli import cli
from tests.e2e.conftest import AS_OF, TOKEN
from tests.scheduler.conftest import Serve, runs_of, serve_settings, wait_until

BERLIN = ZoneInfo("Europe/Berlin")
FIRE = datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)  # a Tuesday

pytestmark = pytest.mark.postgres


def pid_of(run: RunRow) -> int:
    assert run.holder is not None
    return int(run.holder.split(":")[1])


def finished(engine: Engine, count: int) -> list[RunRow]:
    rows = [r for r in runs_of(engine) if r.outcome != runs.RUNNING]
    return rows if len(rows) >= count else []


def running(engine: Engine) -> RunRow | None:
    return next((r for r in runs_of(engine) if r.outcome == runs.RUNNING), None)


def start_pair(serves: Callable[..., Serve], config: Path) -> tuple[Serve, Serve]:
    return serves(config, FIRE), serves(config, FIRE)


def test_two_serve_processes_run_each_job_exactly_once(
    pg_url: str, sandbox: Sandbox, tmp_path: Path, serves: Callable[..., Serve]
) -> None:
    every = "0 7 * * *"
    config = serve_settings(
        tmp_path,
        sandbox.url,
        pg_url,
        schedule={"sync": every, "check": every, "publish": every, "export": every},
    )
    engine = open_store(pg_url)
    first, second = start_pair(serves, config)
    rows = wait_until(lambda: finished(engine, 4), 30, "four finished runs")
    assert [(r.command, r.outcome, r.trigger) for r in rows] == [
        ("sync", "done", "schedule"),
        ("check", "done", "schedule"),
        ("publish", "done", "schedule"),
        ("export", "done", "schedule"),
    ]
    assert {runs.utc(r.scheduled_for) for r in rows if r.scheduled_for} == {
        datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    }
    assert rows[0].counts is not None and rows[0].counts["epics"] == 7
    leader_pid = pid_of(rows[0])
    assert {pid_of(r) for r in rows} == {leader_pid}
    leader, standby = (first, second) if first.pid == leader_pid else (second, first)
    assert "leading" not in standby.output()

    # The leader stops; the standby takes over, finds every 07:00 run recorded and repeats none.
    leader.signal(signal.SIGTERM)
    assert leader.exit_code() == 0
    standby.wait_for(r"leading: this process")
    wait_until(lambda: standby.output().count("already happened") == 4, 15, "four refused repeats")
    assert len(runs_of(engine)) == 4
    standby.signal(signal.SIGTERM)
    assert standby.exit_code() == 0
    for process in (first, second):
        assert TOKEN not in process.output()
    engine.dispose()


def one_shot_run(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--as-of", AS_OF], env={"E2E_TOKEN": TOKEN}
    )
    return result.exit_code, result.output


def test_a_killed_leader_is_replaced_its_run_recorded_failed_and_nothing_runs_twice(
    pg_url: str, sandbox: Sandbox, tmp_path: Path, serves: Callable[..., Serve]
) -> None:
    sandbox.faults.latency_ms = 400  # the sync takes a few seconds: time to act meanwhile
    config = serve_settings(
        tmp_path, sandbox.url, pg_url, schedule={"sync": "0 7 * * *", "export": "0 7 * * *"}
    )
    engine = open_store(pg_url)
    first, second = start_pair(serves, config)
    interrupted = wait_until(lambda: running(engine), 30, "the sync to start")
    assert interrupted.command == "sync"

    # A one-shot run started beside the busy scheduler does nothing and says who is busy.
    code, output = one_shot_run(config)
    assert code == 4
    assert f"(sync by {interrupted.holder} since" in output
    assert "holds the 'pipeline' lock; nothing was done" in output

    leader, standby = (first, second) if first.pid == pid_of(interrupted) else (second, first)
    leader.signal(signal.SIGKILL)
    assert leader.exit_code() == -signal.SIGKILL
    rows = wait_until(lambda: finished(engine, 2), 30, "the standby's runs")
    assert len(rows) == 2  # nothing ran twice
    by_command = {r.command: r for r in rows}
    sync, export = by_command["sync"], by_command["export"]
    assert sync.id == interrupted.id
    assert sync.outcome == "failed"
    assert sync.message == f"interrupted: {interrupted.holder} stopped before the run finished"
    # The export, due at the same 07:00 and never started by the dead leader, ran on the standby.
    assert (export.outcome, pid_of(export)) == ("done", standby.pid)
    assert export.counts == {"workbooks": 1}
    standby.wait_for(r"job sync: the run for \S+ already happened \(run \d+, failed\)")

    # Free again: the one-shot run goes ahead and records what it did.
    sandbox.faults.latency_ms = 0
    code, output = one_shot_run(config)
    assert code == 0, output
    last = runs_of(engine)[-1]
    assert (last.command, last.outcome, last.trigger) == ("run", "done", "cli")
    assert last.holder is not None and last.counts is not None
    assert {k: last.counts[k] for k in ("epics", "children", "workbooks")} == {
        "epics": 7,
        "children": 4,
        "workbooks": 1,
    }
    standby.signal(signal.SIGTERM)
    assert standby.exit_code() == 0
    engine.dispose()
