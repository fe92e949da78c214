"""Instants in the store: kept and compared in UTC on every database, read back aware in UTC.

SQLite keeps no offset: an aware 08:00+11:00 was stored as 08:00 and read back as 08:00 UTC,
eleven hours off. Converting every instant to UTC on its way in makes the stored wall time the
UTC one on SQLite (and changes nothing on PostgreSQL's timestamptz); on the way out every
instant is aware and in UTC, whichever database and session zone it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time (written by older code) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value if value.tzinfo is UTC else as_utc(value)  # parse_time's are UTC already
        # SQLite would drop the offset anyway; PostgreSQL gets the instant with its zone.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)
