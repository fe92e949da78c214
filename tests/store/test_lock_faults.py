"""A lock that is lost mid-run is noticed before the next commit, which then does not happen.

PostgreSQL's advisory lock dies with its connection (an admin's pg_terminate_backend, the server's
idle_session_timeout); SQLite's lease row can be taken over once it runs out. Either way a second
run may start, so the first must stop without writing.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from connector.store.db import open_store
from connector.store.lock import LEASE, advisory_key, run_lock, try_lease
from connector.store.models import SyncCursor
from rules.errors import LockHeld, LockLost
from tests.postgres import scratch_database

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def write_cursor(engine: Engine, scope: str) -> None:
    """A write a run makes (a sync's cursor), committed the way the sync commits."""
    with Session(engine) as session, session.begin():
        session.add(SyncCursor(portfolio_id=scope, last_sync_at=NOW, last_updated_ms=1))


def cursors(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(SyncCursor.portfolio_id)).all())


def terminate_lock_backend(url: str, name: str = "pipeline") -> int:
    """What an admin does: end the session that holds the advisory lock. Returns how many."""
    admin = create_engine(url)
    key = advisory_key(name)
    with admin.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks"
                " WHERE locktype = 'advisory'"
                " AND objid::bigint = :lo AND granted"
            ),
            {"lo": key & 0xFFFFFFFF},
        ).scalar()
        connection.commit()
    admin.dispose()
    return int(ended or 0)


def wait_for(check: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


@pytest.mark.postgres
def test_postgres_a_run_whose_lock_session_is_terminated_commits_nothing() -> None:
    with scratch_database() as url:
        first, second = open_store(url), open_store(url)
        try:
            with pytest.raises(LockLost) as lost, run_lock(first, now=NOW):
                write_cursor(first, "before")  # the lock is ours: this commits
                assert terminate_lock_backend(url) == 1

                def free() -> bool:
                    try:
                        with run_lock(second, now=NOW):
                            return True  # a second run could start: the danger is real
                    except LockHeld:
                        return False

                wait_for(free)
                write_cursor(first, "after")  # must not commit: another run may be writing
            assert lost.value.exit_code == 3
            message = str(lost.value)
            assert "lost the 'pipeline' lock" in message and "\n" not in message
            assert cursors(second) == ["before"]
            with run_lock(first, now=NOW):  # the next run takes the lock as usual
                write_cursor(first, "next run")
            assert sorted(cursors(second)) == ["before", "next run"]
            assert first.pool.checkedout() == 0  # type: ignore[attr-defined]
        finally:
            first.dispose()
            second.dispose()


@pytest.mark.postgres
def test_postgres_the_keepalive_says_at_once_that_the_lock_was_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def said() -> bool:
        return any("lost the 'pipeline' lock" in r.getMessage() for r in caplog.records)

    with scratch_database() as url:
        engine = open_store(url)
        try:
            with (
                caplog.at_level(logging.ERROR, logger="connector.store.lock_guard"),
                pytest.raises(LockLost),
                run_lock(engine, now=NOW, keepalive=0.05),
            ):
                assert terminate_lock_backend(url) == 1
                wait_for(said)  # before the run commits anything: an operator sees it now
                write_cursor(engine, "after")
            assert cursors(engine) == []
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_postgres_the_lock_outlives_the_server_s_idle_session_timeout() -> None:
    with scratch_database() as url:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:  # every new session of this database
            database = connection.execute(text("SELECT current_database()")).scalar()
            connection.execute(text(f'ALTER DATABASE "{database}" SET idle_session_timeout = 300'))
        admin.dispose()
        first, second = open_store(url), open_store(url)
        try:
            with run_lock(first, now=NOW):
                time.sleep(1.0)  # the lock's session sits idle for longer than the timeout
                with pytest.raises(LockHeld), run_lock(second, now=NOW):
                    pytest.fail("a second run started beside the first")
                write_cursor(first, "retail")  # pooled sessions the server ended are replaced
            assert cursors(second) == ["retail"]
        finally:
            first.dispose()
            second.dispose()


def test_sqlite_a_run_whose_lease_was_taken_over_commits_nothing(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'lease.db'}")
    try:
        with pytest.raises(LockLost) as lost, run_lock(engine, now=NOW, holder="host-a:1:aa"):
            write_cursor(engine, "before")
            # The holder froze past its lease; another process found it run out and took it.
            later = NOW + LEASE + timedelta(minutes=1)
            assert try_lease(engine, "pipeline", "host-b:2:bb", later, LEASE)
            write_cursor(engine, "after")
        assert lost.value.exit_code == 3
        assert "taken over by host-b:2:bb" in str(lost.value)
        assert cursors(engine) == ["before"]
    finally:
        engine.dispose()


def test_commits_outside_a_held_lock_are_not_checked(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'free.db'}")
    try:
        write_cursor(engine, "retail")  # `outcomes approve` and friends take no run lock
        assert cursors(engine) == ["retail"]
    finally:
        engine.dispose()


def test_ctrl_c_during_a_query_stays_an_interrupt_not_a_lost_store(tmp_path: Path) -> None:
    """SQLAlchemy drops the connection of a query that Ctrl-C interrupts and calls that a
    disconnect; the run must still be recorded as interrupted, not as a store that went away."""
    from sqlalchemy import event

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    event.listen(engine, "before_cursor_execute", interrupted)
    try:
        with pytest.raises(KeyboardInterrupt), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        event.remove(engine, "before_cursor_execute", interrupted)
        engine.dispose()
