"""SIGTERM and SIGINT stop `serve` cleanly (exit 0), and what it recorded outlives the process.

These run on SQLite, where the locks are lease rows that a clean stop must give back.
"""

from __future__ import annotations

import json
import signal
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store import runs
from connector.store.db import open_store
from connector.store.models import RunLock
from service.cli import cli
from tests.e2e.conftest import AS_OF, TOKEN
from tests.scheduler.conftest import (
    Serve,
    no_request_in_flight,
    runs_of,
    serve_settings,
    wait_until,
)

BERLIN = ZoneInfo("Europe/Berlin")


def leases(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.name for row in session.scalars(select(RunLock))]


def running(engine: Engine) -> runs.RunRow | None:
    return next((r for r in runs_of(engine) if r.outcome == runs.RUNNING), None)


def test_sigterm_lets_the_running_job_finish_then_exits_0_and_the_records_survive_a_restart(
    sandbox: Sandbox, tmp_path: Path, serves: Callable[..., Serve]
) -> None:
    sandbox.faults.latency_ms = 100
    url = f"sqlite:///{tmp_path / 'store.db'}"
    config = serve_settings(
        tmp_path,
        sandbox.url,
        url,
        schedule={"sync": "0,15 7 * * *", "shutdown_grace_seconds": 30},
        health={"port": 0},
        logging={"format": "json"},
    )
    engine = open_store(url)
    first = serves(config, datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN))
    listening = first.wait_for(r'"event": "health_listening", "port": (\d+)')
    job = wait_until(lambda: running(engine), 20, "the sync to start")
    with urllib.request.urlopen(f"http://127.0.0.1:{listening.group(1)}/healthz", timeout=5) as r:
        assert (r.status, json.loads(r.read())["role"]) == (200, "leader")
    first.signal(signal.SIGTERM)
    assert first.exit_code() == 0

    (done,) = runs_of(engine)
    assert (done.id, done.outcome) == (job.id, "done")  # finished, not cut short
    assert done.counts is not None and (done.counts["epics"], done.counts["children"]) == (7, 4)
    assert leases(engine) == []  # both the leader and the pipeline lease were given back
    events = [json.loads(line) for line in first.output().splitlines()]  # every line is JSON
    names = [e.get("event") for e in events]
    for first_event, then in [("job_started", "signal"), ("signal", "job_finished")]:
        assert names.index(first_event) < names.index(then)
    assert names[-1] == "stopped"

    # A new process: the earlier run is still there, unchanged, and the next one joins it.
    sandbox.faults.latency_ms = 0
    second = serves(config, datetime(2026, 11, 24, 7, 15, tzinfo=BERLIN))
    wait_until(lambda: len(runs_of(engine)) == 2 and running(engine) is None, 20, "a second run")
    second.signal(signal.SIGINT)
    assert second.exit_code() == 0
    earlier, later = runs_of(engine)
    assert (earlier.id, earlier.started_at, earlier.counts) == (
        done.id,
        done.started_at,
        done.counts,
    )
    assert (later.command, later.outcome) == ("sync", "done")
    with time_machine.travel(datetime(2026, 11, 24, 7, 16, tzinfo=BERLIN), tick=False):
        status = CliRunner().invoke(
            cli, ["status", "--config", str(config)], env={"E2E_TOKEN": TOKEN}
        )
    assert status.exit_code == 0, status.output
    listed = [line.split()[0] for line in status.output.split("Recent runs")[1].splitlines()[1:]]
    assert listed == [f"#{later.id}", f"#{earlier.id}"]
    assert "2026-11-25 07:00:00" in status.output  # the next fire time, in Berlin time
    engine.dispose()


def test_when_the_grace_runs_out_the_run_is_recorded_interrupted_and_serve_exits_0(
    sandbox: Sandbox, tmp_path: Path, serves: Callable[..., Serve]
) -> None:
    sandbox.faults.latency_ms = 1200  # each request outlasts the grace
    url = f"sqlite:///{tmp_path / 'store.db'}"
    config = serve_settings(
        tmp_path, sandbox.url, url, schedule={"sync": "0 7 * * *", "shutdown_grace_seconds": 0.5}
    )
    engine = open_store(url)
    serve = serves(config, datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN))
    wait_until(lambda: running(engine), 20, "the sync to start")
    serve.signal(signal.SIGTERM)
    assert serve.exit_code() == 0
    (run,) = runs_of(engine)
    assert run.outcome == "failed"
    assert run.message == (
        "interrupted: the service stopped and the job did not finish within the shutdown grace"
        " of 0.5 s; its uncommitted work was rolled back"
    )
    assert leases(engine) == []  # the lock is free at once, not when its lease runs out
    wait_until(no_request_in_flight, 10, "the sandbox to finish the dead process's request")
    sandbox.faults.latency_ms = 0
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--as-of", AS_OF], env={"E2E_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    engine.dispose()
