"""Opening the store: an engine for the configured URL, its schema brought to head by Alembic."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from connector.store import lock_guard
from rules.errors import ServiceError, StoreUnavailable, UserError

MIGRATIONS = files("connector.store").joinpath("migrations")
MIGRATION_LOCK = 0x6F75_7463  # advisory-lock key: "outc"
# libpq's TCP keepalives (seconds), unless the URL sets its own
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
# SQLite errors that come from outside the program: the file is busy, full or unreadable
SQLITE_OUTSIDE = (
    "database is locked",
    "disk I/O error",
    "database or disk is full",
    "unable to open database file",
    "attempt to write a readonly database",
)


def open_store(url: str) -> Engine:
    """Create the engine and migrate the schema to the newest revision."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"store.url: not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **_engine_options(parsed))
    except ModuleNotFoundError as exc:
        raise UserError(
            f"store.url: the driver for {parsed.get_backend_name()} is not installed ({exc.name});"
            " for PostgreSQL install outcomes[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _store_failed(parsed))
    lock_guard.install(engine)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        where = parsed.render_as_string(hide_password=True)
        raise ServiceError(f"store.url: cannot open {where}: {exc.orig}") from None
    except StoreUnavailable:
        engine.dispose()
        raise
    return engine


def _engine_options(url: URL) -> dict[str, Any]:
    """PostgreSQL: TCP keepalives, so that a connection held for long (the lock's) is not dropped
    by the network as idle, and a ping before reuse, so that a pooled connection the server ended
    (idle_session_timeout, a restart) is replaced instead of failing the run."""
    if url.get_backend_name() != "postgresql":
        return {}
    keepalives = {k: v for k, v in KEEPALIVES.items() if k not in url.query}
    return {"pool_pre_ping": True, "connect_args": keepalives}


def _store_failed(url: URL) -> Callable[[ExceptionContext], None]:
    """A lost connection or a failing database becomes StoreUnavailable (exit 3): one line that
    names the store (never its password) instead of an internal error."""
    where = url.render_as_string(hide_password=True)

    def handle(context: ExceptionContext) -> None:
        if context.is_pre_ping:  # the pool replaces a dead pooled connection by itself
            return
        original = context.original_exception
        if not isinstance(original, Exception):
            # Ctrl-C (or SystemExit) during a query: SQLAlchemy drops the connection and calls
            # it a disconnect, but the store is fine; the interrupt goes on as it is.
            return
        reason = (str(original).strip().splitlines() or [type(original).__name__])[0]
        if context.connection is None:  # could not connect at all
            raise StoreUnavailable(f"store: cannot open {where}: {reason}")
        if context.is_disconnect:
            raise StoreUnavailable(
                f"store: lost the connection to {where} ({reason}); what was not committed was"
                " rolled back: run again"
            )
        if not isinstance(context.sqlalchemy_exception, OperationalError):
            return  # a constraint or a query the program got wrong: not the store's fault
        if url.get_backend_name() == "postgresql" or reason.startswith(SQLITE_OUTSIDE):
            raise StoreUnavailable(f"store: {where} failed: {reason}")

    return handle


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes that start together (two `serve` replicas) migrate one after the other.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
