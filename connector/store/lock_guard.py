"""A held lock is checked before every commit: a run that lost its lock commits nothing.

The pipeline lock exists to keep two runs from writing the store at once, so the moment it must
still be ours is a commit. While a run holds it, every commit its thread makes on that store asks
first; if the lock is gone, the commit raises LockLost (exit 3) and its transaction rolls back.

- PostgreSQL: the advisory lock lives on a connection of its own, and dies with it: an admin's
  `pg_terminate_backend`, the server's `idle_session_timeout` or a network drop would free it
  silently. So that session turns the idle timeout off for itself, has TCP keepalives (open_store),
  is pinged while held, and before each commit is asked whether its backend (the pid that took
  the lock) still holds the lock in `pg_locks`.
- SQLite: the lease row is read on the committing connection, inside its transaction. Once that
  transaction has written, no other process can write (take the lease) before it commits.

Run records are closed `unguarded()`: a run that lost its lock still says so in its own row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.exc import DBAPIError

from connector.store.models import RunLock
from rules.errors import LockLost, StoreUnavailable

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 30.0  # PostgreSQL: ping the lock's connection this often while held

_CHECK = text(
    "SELECT pg_backend_pid() AS pid, EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
    " AND granted AND pid = pg_backend_pid() AND classid::bigint = :hi AND objid::bigint = :lo"
    " AND objsubid = 1) AS held"
)
_NO_IDLE_TIMEOUT = text(  # the setting exists from PostgreSQL 14 on; a no-op before
    "SELECT set_config(name, '0', false) FROM pg_settings WHERE name = 'idle_session_timeout'"
)

_local = threading.local()  # .guards: the locks this thread holds; .paused: unguarded() depth


class Guard:
    """One held lock, as the commit check sees it."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.lost: str | None = None  # why, once lost; every later commit fails at once

    def covers(self, connection: Connection) -> bool:
        return connection.engine.pool is self.engine.pool

    def verify(self, connection: Connection) -> None:
        raise NotImplementedError

    def _lose(self, why: str) -> None:
        if self.lost is None:
            self.lost = (
                f"lost the {self.name!r} lock ({why}); another run may have started, so this"
                " one stopped without committing: run it again"
            )
        raise LockLost(self.lost)


class AdvisoryGuard(Guard):
    """PostgreSQL: the advisory lock held by `connection`'s backend, kept alive by a pinger."""

    def __init__(
        self, engine: Engine, name: str, connection: Connection, key: int, keepalive: float
    ) -> None:
        super().__init__(engine, name)
        self.connection = connection
        self._params = {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}
        self._use = threading.Lock()  # the pinger and the committing thread share the connection
        self._stopped = threading.Event()
        self.pid: int | None = None
        self._pinger = threading.Thread(
            target=self._ping, args=(keepalive,), name=f"outcomes-lock-{name}", daemon=True
        )

    @staticmethod
    def prepare(connection: Connection) -> None:
        """Before taking the lock: this session must not be ended for being idle."""
        connection.execute(_NO_IDLE_TIMEOUT)
        connection.commit()

    def start(self) -> None:
        """Once the lock is taken: remember the backend that holds it, and keep it alive."""
        self.pid = int(connection_pid(self.connection))
        self._pinger.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._pinger.is_alive():
            self._pinger.join(timeout=10)

    def covers(self, connection: Connection) -> bool:
        return connection is not self.connection and super().covers(connection)

    def verify(self, connection: Connection | None = None) -> None:
        with self._use:
            if self.lost is not None:
                raise LockLost(self.lost)
            try:
                row = self.connection.execute(_CHECK, self._params).one()
                self.connection.rollback()  # never leave the lock's session idle in a transaction
            except (DBAPIError, StoreUnavailable):
                self._lose("its connection to the store ended")
            if row.pid != self.pid or not row.held:
                self._lose("its connection to the store was replaced")

    def _ping(self, every: float) -> None:
        while not self._stopped.wait(every):
            try:
                self.verify()
            except LockLost as lost:  # said now, not only when the run next commits
                log.error("%s", lost)
                return


class LeaseGuard(Guard):
    """SQLite (and other stores without advisory locks): the lease row must still be ours."""

    def __init__(self, engine: Engine, name: str, holder: str) -> None:
        super().__init__(engine, name)
        self.holder = holder

    def verify(self, connection: Connection) -> None:
        if self.lost is not None:
            raise LockLost(self.lost)
        table = RunLock.__table__
        current = connection.execute(
            select(table.c.holder).where(table.c.name == self.name)
        ).scalar()
        if current != self.holder:
            self._lose(f"its lease was taken over by {current or 'nobody'}")


def connection_pid(connection: Connection) -> int:
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    connection.commit()
    return int(pid or 0)


def install(engine: Engine) -> None:
    """Make the engine check held locks before every commit (once per engine, before use)."""
    if not event.contains(engine, "commit", _before_commit):
        event.listen(engine, "commit", _before_commit)


@contextmanager
def guarding(guard: Guard) -> Iterator[Guard]:
    """Check `guard` before every commit this thread makes on its engine, for the block."""
    install(guard.engine)
    guards: list[Guard] = _local.__dict__.setdefault("guards", [])
    guards.append(guard)
    try:
        yield guard
    finally:
        guards.remove(guard)


@contextmanager
def unguarded() -> Iterator[None]:
    """Commit without the check: for a run's own record, which says how the run ended."""
    _local.paused = getattr(_local, "paused", 0) + 1
    try:
        yield
    finally:
        _local.paused -= 1


def _before_commit(connection: Connection) -> None:
    if getattr(_local, "paused", 0):
        return
    for guard in list(getattr(_local, "guards", ())):
        if guard.covers(connection):
            guard.verify(connection)
