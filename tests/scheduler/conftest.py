"""Scheduler test fixtures: stores, settings with a schedule, and `serve` as a real process.

Time is controlled, never waited out: `serve` processes run under tests/scheduler/shifted.py, which
moves their clock (time-machine, ticking) so that a cron fire time comes a moment after start.
Every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.models import RunRow
from tests.e2e.conftest import DATASET, TOKEN, write_settings
from tests.postgres import scratch_database

ROOT = Path(__file__).resolve().parents[2]
LEAD = 1.0  # seconds between a process's clock start and the fire time: time to open the store


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def no_request_in_flight() -> bool:
    """True once no HTTP server thread of this process is still answering a request: a killed
    client's pending answer has been written (or has failed, with a traceback on stderr, while the
    test that caused it still owns stderr)."""
    return not any("process_request_thread" in t.name for t in threading.enumerate())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards. Skips without a server, except under CI."""
    with scratch_database("outcomes_sched") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATASET) as running:
        yield running


def serve_settings(
    folder: Path,
    sandbox_url: str,
    store_url: str,
    *,
    schedule: dict[str, Any],
    health: dict[str, Any] | None = None,
    logging: dict[str, Any] | None = None,
) -> Path:
    """The e2e settings (sandbox portfolio) plus a store, a schedule and optional health/logging."""
    path = write_settings(folder, sandbox_url)
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["store"] = {"url": store_url}
    settings["schedule"] = {"timezone": "Europe/Berlin", "lease_seconds": 1, **schedule}
    if health is not None:
        settings["health"] = health
    if logging is not None:
        settings["logging"] = logging
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def runs_of(engine: Engine) -> list[RunRow]:
    with Session(engine) as session:
        rows = list(session.scalars(select(RunRow).order_by(RunRow.id)).all())
        for row in rows:
            session.expunge(row)
        return rows


class Serve:
    """`outcomes serve` as its own OS process, whose clock starts LEAD seconds before `fire`."""

    def __init__(self, config: Path, fire: datetime, log_path: Path, *extra: str) -> None:
        self.log_path = log_path
        env = {**os.environ, "E2E_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        clock_at = fire - timedelta(seconds=LEAD)
        command = [
            sys.executable,
            "-m",
            "tests.scheduler.shifted",
            clock_at.isoformat(),
            "serve",
            "--config",
            str(config),
            *extra,
        ]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        found: re.Match[str] = wait_until(
            lambda: re.search(pattern, self.output()), timeout, f"{pattern!r} in the log"
        )
        return found

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    def exit_code(self, timeout: float = 20) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve did not exit within {timeout} s:\n{self.output()[-3000:]}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def serves(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    """Start `serve` processes; any still running at the end are killed."""
    started: list[Serve] = []

    def start(config: Path, fire: datetime, *extra: str) -> Serve:
        log_path = tmp_path / f"serve-{len(started) + 1}.log"
        process = Serve(config, fire, log_path, *extra)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
