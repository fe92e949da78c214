"""Migrations: from an empty database and from every earlier revision to head, on SQLite and
PostgreSQL, ending where the models say the schema is."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from connector.store.db import MIGRATIONS, migrate
from connector.store.models import Base


def revisions() -> list[str]:
    script = ScriptDirectory(str(MIGRATIONS))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def upgrade_to(url: str, revision: str) -> None:
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_every_revision_upgrades_to_a_schema_that_matches_the_models(
    store_url: str, tmp_path: Path
) -> None:
    steps = revisions()
    assert steps[0] == "0001" and len(steps) >= 6
    for start in steps:
        url = store_url
        if store_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'from-{start}.db'}"
        else:
            reset(url)
        upgrade_to(url, start)
        engine = create_engine(url)
        migrate(engine)  # what `open_store` does: the rest of the way to head
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert differences == [], f"from {start}: {differences}"
        assert {"issues", "runs", "snapshots", "publish_records", "run_locks"} <= tables


def reset(url: str) -> None:
    """An empty PostgreSQL database again (each start revision begins from nothing)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}" CASCADE')
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
