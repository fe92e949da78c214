"""One leader per store, leases that live while their holder does, and runs a dead holder left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.db import open_store
from connector.store.lock import Leadership, current_holder, run_lock
from connector.store.models import RunLock, RunRow
from rules.errors import LockHeld
from tests.scheduler.conftest import wait_until

T = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def test_only_one_leader_at_a_time_until_it_lets_go(store_url: str) -> None:
    engine = open_store(store_url)
    first = Leadership(engine, lease=LEASE, holder="host-a:1:aa")
    second = Leadership(engine, lease=LEASE, holder="host-b:2:bb")
    try:
        assert first.acquire(T) is True
        assert second.acquire(T + timedelta(seconds=5)) is False
        assert first.confirm(T + timedelta(seconds=10)) is True
        shown = current_holder(engine, "leader")
        assert shown is not None and shown.holder == "host-a:1:aa"  # for `outcomes status`
        first.release()
        assert second.acquire(T + timedelta(seconds=11)) is True
        assert first.acquire(T + timedelta(seconds=12)) is False
    finally:
        first.release()
        second.release()
        engine.dispose()


def test_sqlite_a_leader_that_stops_renewing_loses_the_lease_to_a_standby(tmp_path: object) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/lease.db")
    leader = Leadership(engine, lease=LEASE, holder="host-a:1:aa")
    standby = Leadership(engine, lease=LEASE, holder="host-b:2:bb")
    assert leader.acquire(T)
    assert leader.confirm(T + timedelta(seconds=20))  # renewed: now runs to T+50 s
    assert not standby.acquire(T + timedelta(seconds=45))
    # The leader froze (or died) after that; its lease runs out at T+50 s.
    assert standby.acquire(T + timedelta(seconds=51))
    assert leader.confirm(T + timedelta(seconds=52)) is False  # it knows it lost
    assert not leader.held
    standby.release()
    engine.dispose()


@pytest.mark.postgres
def test_postgres_a_leader_whose_connection_dies_is_replaced(pg_url: str) -> None:
    engine = open_store(pg_url)
    leader = Leadership(engine, lease=LEASE, holder="host-a:1:aa")
    standby = Leadership(engine, lease=LEASE, holder="host-b:2:bb")
    assert leader.acquire(T)
    assert not standby.acquire(T)
    with engine.connect() as admin:  # the database drops the leader's session
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        admin.commit()
    # The server ends that session a moment later; the standby gets the lock then.
    wait_until(lambda: standby.acquire(T + timedelta(seconds=1)), 10, "the lock to be free")
    assert leader.confirm(T + timedelta(seconds=2)) is False
    standby.release()
    engine.dispose()


def test_a_run_left_running_by_a_dead_holder_is_closed_by_the_next_lock_holder(
    store_url: str,
) -> None:
    engine = open_store(store_url)
    with Session(engine) as session, session.begin():
        runs.start(session, "sync", T, trigger="schedule", holder="host-a:41:dead")
        runs.start(session, "run", T)  # no holder recorded: cannot be told from a live run
    with run_lock(engine, now=T + timedelta(minutes=5)):
        pass
    with Session(engine) as session:
        rows = {r.command: r for r in session.scalars(select(RunRow))}
    assert rows["sync"].outcome == "failed"
    assert rows["sync"].message == "interrupted: host-a:41:dead stopped before the run finished"
    assert runs.utc(rows["sync"].finished_at) == T + timedelta(minutes=5)  # type: ignore[arg-type]
    assert rows["run"].outcome == "running"
    engine.dispose()


def test_a_held_pipeline_lock_refuses_a_second_taker_and_names_the_running_job(
    store_url: str,
) -> None:
    engine = open_store(store_url)
    with run_lock(engine, now=T) as holder:
        with Session(engine) as session, session.begin():
            runs.start(session, "publish", T, trigger="schedule", holder=holder)
        with pytest.raises(LockHeld) as refused, run_lock(engine, now=T):
            pytest.fail("two holders at once")
    assert refused.value.exit_code == 4
    assert holder in str(refused.value)  # who holds it, so the operator can find it
    engine.dispose()


def test_sqlite_the_pipeline_lease_is_renewed_while_held(tmp_path: object) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/renew.db")
    lease = timedelta(seconds=1)  # renewed every quarter second

    def expiry() -> datetime:
        row = current_holder(engine, "pipeline")
        assert row is not None
        return runs.utc(row.expires_at)

    with run_lock(engine, now=T, lease=lease):
        first = expiry()
        assert first == T + lease
        wait_until(lambda: expiry() > first, 5, "a renewed lease")
    with Session(engine) as session:
        assert session.scalars(select(RunLock)).all() == []  # released on the way out
    engine.dispose()
