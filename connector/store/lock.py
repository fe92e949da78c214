"""Only one process acts at a time: a PostgreSQL advisory lock, or a lease row elsewhere.

Two locks, one mechanism:

- `run_lock` ("pipeline"): held by whoever does work right now — a scheduled job of `outcomes
  serve` or a one-shot `outcomes run`. Nothing waits for it: a second taker gets LockHeld (exit 4).
- `Leadership` ("leader"): held by the one `outcomes serve` process that schedules jobs; the others
  stand by and try again every few seconds.

The advisory lock lives as long as its connection, so a crashed holder frees it at once. SQLite has
no such thing, so there the lock is a row with an expiry that its holder renews while it lives; a
crashed holder's lease runs out (at once, if the holder was a process on this host that is gone).
On PostgreSQL the leader also keeps a row in `run_locks`, for `outcomes status` to show who leads;
there it is information only, never the lock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.lock_guard import KEEPALIVE_SECONDS, AdvisoryGuard, LeaseGuard, guarding
from connector.store.models import RunLock
from rules.errors import LockHeld, StoreUnavailable

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # SQLite: the pipeline lease, renewed every quarter of it while held


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(name: str) -> int:
    return zlib.crc32(f"outcomes:{name}".encode())


@contextmanager
def run_lock(
    engine: Engine,
    *,
    now: datetime,
    name: str = "pipeline",
    lease: timedelta = LEASE,
    holder: str | None = None,
    keepalive: float = KEEPALIVE_SECONDS,
) -> Iterator[str]:
    """Hold the named lock for the block, or raise LockHeld (exit 4) at once: nothing waits.

    Yields the holder id (record it on the run). Taking the lock also closes the runs that an
    earlier holder left `running` when it died: with the lock free, nobody can still be running.
    While held, every commit of this thread on this store first checks the lock is still ours
    (connector/store/lock_guard.py): one that is not raises LockLost (exit 3) and rolls back.
    """
    holder = holder or holder_id()
    now = now.astimezone(UTC)  # SQLite keeps no offset: compare leases in one zone
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, keepalive) as guard, guarding(guard):
            _reap(engine, now, holder)
            yield holder
        return
    _take_lease(engine, name, holder, now, lease)
    renewer = _Renewer(engine, name, holder, now, lease)
    renewer.start()
    try:
        with guarding(LeaseGuard(engine, name, holder)):
            _reap(engine, now, holder)
            yield holder
    finally:
        renewer.stop()
        with suppress(DBAPIError, StoreUnavailable):  # never hide why the block ended
            release_lease(engine, name, holder)


def release_lease(engine: Engine, name: str, holder: str) -> None:
    """Give up a lease row (no-op on PostgreSQL's advisory locks, or if another took it)."""
    with Session(engine) as session, session.begin():
        session.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == holder))


def _reap(engine: Engine, now: datetime, holder: str) -> None:
    with Session(engine) as session, session.begin():
        for run in runs.reap_interrupted(session, now, holder=holder):
            log.warning(
                "run %s (%s) was left running by %s, which stopped; recorded as failed",
                run.id,
                run.command,
                run.holder,
            )


@contextmanager
def _advisory(engine: Engine, name: str, keepalive: float) -> Iterator[AdvisoryGuard]:
    key = advisory_key(name)
    connection = engine.connect()
    try:
        AdvisoryGuard.prepare(connection)
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()
    except BaseException:
        _discard(connection)
        raise
    if not taken:
        _discard(connection)  # not back to the pool: its idle timeout is off
        raise LockHeld(
            f"another Outcomes run{_running_who(engine)} holds the {name!r} lock; nothing was done"
        )
    guard = AdvisoryGuard(engine, name, connection, key, keepalive)
    try:
        guard.start()
        yield guard
    finally:
        guard.stop()
        # Closed, not pooled: this session turned its idle timeout off, and if the unlock
        # failed it may still hold the lock, which ends with the session.
        if guard.lost is None:
            with suppress(DBAPIError, StoreUnavailable):
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
        _discard(connection)


def _discard(connection: Connection) -> None:
    """Close a lock's connection for good (never back to the pool): the server frees its locks."""
    with suppress(DBAPIError, StoreUnavailable):
        connection.invalidate()
    connection.close()


def _running_who(engine: Engine) -> str:
    """' (sync by host:pid since 07:00 UTC)' from the run records, or '' if none says."""
    with Session(engine) as session:
        current = next((r for r in runs.recent(session, 5) if r.outcome == runs.RUNNING), None)
    if current is None:
        return ""
    since = runs.utc(current.started_at)
    who = f" by {current.holder}" if current.holder else ""
    return f" ({current.command}{who} since {since:%Y-%m-%d %H:%M} UTC)"


def _take_lease(
    engine: Engine, name: str, holder: str, now: datetime, lease: timedelta = LEASE
) -> None:
    if not try_lease(engine, name, holder, now, lease):
        with Session(engine) as session:
            current = session.get(RunLock, name)
            since = f" since {current.acquired_at:%Y-%m-%d %H:%M}" if current else ""
            who = current.holder if current else "another process"
        raise LockHeld(
            f"another Outcomes run ({who}{since}) holds the {name!r} lock; nothing was done"
        )


def try_lease(engine: Engine, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take the lease row if it is free, ours already, or run out (one atomic statement each)."""
    now = now.astimezone(UTC)
    row = RunLock(name=name, holder=holder, acquired_at=now, expires_at=now + lease)
    try:
        with Session(engine) as session, session.begin():
            session.add(row)
        return True
    except IntegrityError:
        pass
    with Session(engine) as session, session.begin():
        current = session.get(RunLock, name)
        gone = current.holder if current is not None and _is_dead_here(current.holder) else None
        taken = session.execute(
            update(RunLock)
            .where(
                RunLock.name == name,
                (RunLock.expires_at < now) | (RunLock.holder.in_([holder, gone or holder])),
            )
            .values(holder=holder, acquired_at=now, expires_at=now + lease)
            .execution_options(synchronize_session=False)  # SQLite rows read back naive
        )
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _is_dead_here(holder: str) -> bool:
    """True if `holder` names a process on this host that no longer runs: its lease is void at
    once, no need to wait for it to run out. (A reused pid looks alive: then the expiry decides.)"""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def renew_lease(engine: Engine, name: str, holder: str, expires_at: datetime) -> bool:
    """Push our lease's expiry out; False if the row is no longer ours."""
    with Session(engine) as session, session.begin():
        renewed = session.execute(
            update(RunLock)
            .where(RunLock.name == name, RunLock.holder == holder)
            .values(expires_at=expires_at.astimezone(UTC))
            .execution_options(synchronize_session=False)
        )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


def current_holder(engine: Engine, name: str) -> RunLock | None:
    """The lease row as it stands (on PostgreSQL: the leader's information row)."""
    with Session(engine) as session:
        row = session.get(RunLock, name)
        if row is not None:
            session.expunge(row)
        return row


class _Renewer(threading.Thread):
    """Keeps a lease alive while its block runs, on a clock that starts at the caller's `now`."""

    def __init__(
        self, engine: Engine, name: str, holder: str, now: datetime, lease: timedelta
    ) -> None:
        super().__init__(name=f"outcomes-lease-{name}", daemon=True)
        self._engine, self._name, self._holder = engine, name, holder
        self._start_at, self._lease = now, lease
        self._began = time.monotonic()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._lease.total_seconds() / 4):
            elapsed = timedelta(seconds=time.monotonic() - self._began)
            try:
                kept = renew_lease(
                    self._engine, self._name, self._holder, self._start_at + elapsed + self._lease
                )
            except (DBAPIError, StoreUnavailable) as exc:
                why = type(exc.orig).__name__ if isinstance(exc, DBAPIError) else exc
                log.error("cannot renew the %r lease: %s", self._name, why)
                continue
            if not kept:
                log.error("the %r lease was taken over by another process", self._name)
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=10)


class Leadership:
    """Leader election for `outcomes serve`: `acquire` to try, `confirm` at every heartbeat.

    PostgreSQL: an advisory lock on a connection kept for as long as we lead; `confirm` checks the
    connection is alive (if it died, the server already freed the lock). Elsewhere: a lease row that
    `confirm` renews; a leader that misses its renewals for a whole lease loses it to a standby.
    """

    NAME = "leader"

    def __init__(self, engine: Engine, *, lease: timedelta, holder: str | None = None) -> None:
        self.engine = engine
        self.lease = lease
        self.holder = holder or holder_id()
        self.held = False
        self._connection: Connection | None = None
        self._postgres = engine.dialect.name == "postgresql"

    def acquire(self, now: datetime) -> bool:
        if self.held:
            return self.confirm(now)
        if self._postgres:
            self.held = self._acquire_advisory()
            if self.held:
                self._inform(now, acquired=True)
        else:
            self.held = try_lease(self.engine, self.NAME, self.holder, now, self.lease)
        return self.held

    def confirm(self, now: datetime) -> bool:
        """Renew (SQLite) or check (PostgreSQL) that we still lead; False once we do not."""
        if not self.held:
            return False
        if self._postgres:
            try:
                assert self._connection is not None
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except (DBAPIError, StoreUnavailable):
                self._drop_connection()
                self.held = False
                return False
            self._inform(now, acquired=False)
            return True
        try:
            self.held = renew_lease(self.engine, self.NAME, self.holder, now + self.lease)
        except (DBAPIError, StoreUnavailable):
            return True  # the store is briefly unreachable: keep leading until the lease runs out
        return self.held

    def release(self) -> None:
        if self._postgres and self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(self.NAME)}
                )
                self._connection.commit()
            except (DBAPIError, StoreUnavailable):
                pass
            self._drop_connection()
        if self.held:
            with suppress(DBAPIError, StoreUnavailable):
                release_lease(self.engine, self.NAME, self.holder)
        self.held = False

    def _acquire_advisory(self) -> bool:
        connection = self.engine.connect()
        try:
            AdvisoryGuard.prepare(connection)  # leading is not being idle
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": advisory_key(self.NAME)}
            ).scalar()
            connection.commit()
        except (DBAPIError, StoreUnavailable):
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()  # never hand a lock-holding connection back to a pool
                self._connection.close()
            except (DBAPIError, StoreUnavailable):
                pass
            self._connection = None

    def _inform(self, now: datetime, *, acquired: bool) -> None:
        """PostgreSQL: keep the `leader` row current, for `outcomes status` (best effort)."""
        now = now.astimezone(UTC)
        try:
            with Session(self.engine) as session, session.begin():
                row = session.get(RunLock, self.NAME)
                if row is None or row.holder != self.holder or acquired:
                    session.merge(
                        RunLock(
                            name=self.NAME,
                            holder=self.holder,
                            acquired_at=now,
                            expires_at=now + self.lease,
                        )
                    )
                else:
                    row.expires_at = now + self.lease
        except (DBAPIError, StoreUnavailable):
            log.warning("cannot update the leader row in the store")
