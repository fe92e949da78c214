"""Opening the store: an engine for the configured URL, its schema brought to head by Alembic."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from connector.errors import ServiceError, UserError

MIGRATIONS = files("connector.store").joinpath("migrations")
MIGRATION_LOCK = 0x6F75_7463  # advisory-lock key: "outc"


def open_store(url: str) -> Engine:
    """Create the engine and migrate the schema to the newest revision."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"store.url: not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed)
    except ModuleNotFoundError as exc:
        raise UserError(
            f"store.url: the driver for {parsed.get_backend_name()} is not installed ({exc.name});"
            " for PostgreSQL install outcomes[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        where = parsed.render_as_string(hide_password=True)
        raise ServiceError(f"store.url: cannot open {where}: {exc.orig}") from None
    return engine


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
