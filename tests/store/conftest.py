"""One store suite, run on SQLite and on a real PostgreSQL (OUTCOMES_TEST_POSTGRES_URL).

PostgreSQL tests skip when no server is configured, except under CI, where they must run.
Each PostgreSQL test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connector.store.db import open_store
from tests.postgres import scratch_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with scratch_database() as url:
        yield url


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_store(store_url)
    yield engine
    # Connection-leak check: every connection the test borrowed went back to the pool.
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()
