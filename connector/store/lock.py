"""Only one process acts at a time: a PostgreSQL advisory lock, or a lease row elsewhere.

The advisory lock lives as long as its connection, so a crashed holder frees it at once. SQLite has
no such thing, so there the lock is a row with an expiry: a crashed holder's lease runs out.
"""

from __future__ import annotations

import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connector.errors import LockHeld
from connector.store.models import RunLock

LEASE = timedelta(hours=2)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def run_lock(engine: Engine, *, now: datetime, name: str = "pipeline") -> Iterator[str]:
    """Hold the named lock for the block, or raise LockHeld (exit 4) at once: nothing waits."""
    holder = holder_id()
    now = now.astimezone(UTC)  # SQLite keeps no offset: compare leases in one zone
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name):
            yield holder
        return
    _take_lease(engine, name, holder, now)
    try:
        yield holder
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == holder))


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[None]:
    key = zlib.crc32(f"outcomes:{name}".encode())
    with engine.connect() as connection:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()
        if not taken:
            raise LockHeld(f"another Outcomes run holds the {name!r} lock; nothing was done")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()


def _take_lease(engine: Engine, name: str, holder: str, now: datetime) -> None:
    lease = RunLock(name=name, holder=holder, acquired_at=now, expires_at=now + LEASE)
    try:
        with Session(engine) as session, session.begin():
            session.add(lease)
        return
    except IntegrityError:
        pass
    # The row exists: take it over only if its lease has run out (one atomic conditional update).
    with Session(engine) as session, session.begin():
        taken = session.execute(
            update(RunLock)
            .where(RunLock.name == name, RunLock.expires_at < now)
            .values(holder=holder, acquired_at=now, expires_at=now + LEASE)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return
        current = session.get(RunLock, name)
        since = f" since {current.acquired_at:%Y-%m-%d %H:%M}" if current else ""
        who = current.holder if current else "another process"
    raise LockHeld(f"another Outcomes run ({who}{since}) holds the {name!r} lock; nothing was done")
