"""One process acts at a time, on SQLite (lease row) and PostgreSQL (advisory lock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store.db import open_store
from connector.store.lock import LEASE, run_lock
from connector.store.models import RunLock
from rules.errors import LockHeld

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_second_holder_is_refused_until_the_first_lets_go(engine: Engine) -> None:
    with run_lock(engine, now=NOW):
        with pytest.raises(LockHeld) as refused, run_lock(engine, now=NOW):
            pytest.fail("two holders at once")
        assert refused.value.exit_code == 4
        assert "nothing was done" in str(refused.value)
    with run_lock(engine, now=NOW):  # released: free again
        pass


def test_a_crashed_holder_s_lease_runs_out(tmp_path: Path) -> None:
    # SQLite only: PostgreSQL's advisory lock is freed with its connection, so it has no lease.
    engine = open_store(f"sqlite:///{tmp_path / 'lease.db'}")
    with Session(engine) as session, session.begin():
        session.add(
            RunLock(name="pipeline", holder="crashed:1", acquired_at=NOW, expires_at=NOW + LEASE)
        )
    with pytest.raises(LockHeld, match="crashed:1"), run_lock(engine, now=NOW + LEASE / 2):
        pass
    with run_lock(engine, now=NOW + LEASE + timedelta(minutes=1)):
        pass
    engine.dispose()
