"""Issue 12, row 8: publish and export record a failure of any kind — not only Outcomes' own
errors — so that no run is left "running" in `outcomes status`. Cloud and Data Center, through the
real clients against the sandbox.
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store import history
from connector.store.db import open_store
from tests.e2e.conftest import AS_OF
from tests.faults.conftest import finish, outcomes, runs_of, settings, start, wait_until

pytestmark = pytest.mark.e2e


def store_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'store.db'}"


def recorded(folder: Path) -> list[tuple[str, str, str | None]]:
    engine = open_store(store_url(folder))
    try:
        return runs_of(engine)
    finally:
        engine.dispose()


def status_lines(config: Path) -> str:
    _, out, _ = outcomes("status", "--config", str(config))
    return out


def synced(tmp_path: Path, sandbox: Sandbox, deployment: str, **extra: object) -> Path:
    config = settings(tmp_path, sandbox, deployment, store_url(tmp_path), **extra)
    code, out, err = outcomes("sync", "--config", str(config))
    assert code == 0, out + err
    return config


def spoil_the_score_history(folder: Path) -> None:
    """A stored snapshot whose score is not a number (a hand edit, another tool's row): reading
    the trend for the report fails with an error the code does not expect."""
    engine = open_store(store_url(folder))
    try:
        with Session(engine) as session, session.begin():
            history.save_snapshot(
                session,
                run_id=None,
                portfolio_id="retail",
                cycle_id="2026-Q4",
                as_of="2026-11-14",
                created_at=datetime(2026, 11, 14, 7, 0, tzinfo=UTC),
                data={"objectives": {"P1": {"score": "high", "status": "on track"}}},
            )
    finally:
        engine.dispose()


def test_a_publish_that_fails_unexpectedly_is_recorded_failed(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = synced(tmp_path, sandbox, deployment)
    spoil_the_score_history(tmp_path)
    code, out, err = outcomes("publish", "--config", str(config), "--as-of", AS_OF)
    assert code == 1, out + err
    assert err.strip() == "outcomes: internal error (ValueError); run with --debug for details"
    assert recorded(tmp_path) == [
        ("sync", "done", None),
        ("publish", "failed", "internal error (ValueError); run with --debug for details"),
    ]
    shown = status_lines(config)
    assert "running" not in shown
    assert "publish  cli" in shown and "failed" in shown


def test_a_review_that_fails_unexpectedly_is_recorded_failed(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = synced(tmp_path, sandbox, deployment)
    spoil_the_score_history(tmp_path)
    code, out, err = outcomes("review", "--config", str(config), "--as-of", AS_OF)
    assert code == 1, out + err
    assert recorded(tmp_path) == [
        ("sync", "done", None),
        ("review", "failed", "internal error (ValueError); run with --debug for details"),
    ]
    assert "running" not in status_lines(config)


def test_an_export_that_fails_unexpectedly_is_recorded_failed(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = synced(tmp_path, sandbox, deployment)
    spoil_the_score_history(tmp_path)  # the Score History sheet reads it
    code, out, err = outcomes("export", "--config", str(config), "--as-of", AS_OF)
    assert code == 1, out + err
    assert err.strip() == "outcomes: internal error (ValueError); run with --debug for details"
    assert recorded(tmp_path) == [
        ("sync", "done", None),
        ("export", "failed", "internal error (ValueError); run with --debug for details"),
    ]
    assert "running" not in status_lines(config)


def test_an_export_records_its_run_with_its_counts(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = synced(tmp_path, sandbox, deployment)
    code, out, err = outcomes("export", "--config", str(config), "--as-of", AS_OF)
    assert code == 0, out + err
    assert recorded(tmp_path)[-1] == ("export", "done", None)
    assert "workbooks=1" in status_lines(config)


@pytest.mark.parametrize("command", ["publish", "run"])
def test_an_interrupted_run_is_recorded_failed_not_left_running(
    tmp_path: Path, sandbox: Sandbox, deployment: str, command: str
) -> None:
    config = synced(tmp_path, sandbox, deployment)
    sandbox.faults.latency_ms = 1500  # every answer is slow: the user gives up and presses Ctrl-C
    process = start(command, "--config", str(config), "--as-of", AS_OF)
    wait_until(lambda: (command, "running", None) in recorded(tmp_path), f"the {command} to start")
    process.send_signal(signal.SIGINT)
    code, out, err = finish(process)
    assert code != 0, out + err
    assert recorded(tmp_path)[-1] == (command, "failed", "interrupted (KeyboardInterrupt)")
    assert "running" not in status_lines(config)
