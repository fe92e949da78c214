"""One store suite, run on SQLite and on a real PostgreSQL (OUTCOMES_TEST_POSTGRES_URL).

PostgreSQL tests skip when no server is configured, except under CI, where they must run.
Each PostgreSQL test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from connector.store.db import open_store


def _postgres_admin_url() -> str | None:
    url = os.environ.get("OUTCOMES_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI needs OUTCOMES_TEST_POSTGRES_URL for the PostgreSQL store tests")
        pytest.skip("set OUTCOMES_TEST_POSTGRES_URL to run the store tests on PostgreSQL")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    admin_url = _postgres_admin_url()
    assert admin_url is not None
    name = f"outcomes_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_store(store_url)
    yield engine
    # Connection-leak check: every connection the test borrowed went back to the pool.
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()
