"""Scratch PostgreSQL databases for tests: a fresh one each time, dropped afterwards.

The server comes from OUTCOMES_TEST_POSTGRES_URL. Without it the test is skipped, with the reason
printed, except under CI, where it fails: there PostgreSQL must be tested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(prefix: str = "outcomes_test") -> Iterator[str]:
    admin_url = os.environ.get("OUTCOMES_TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI needs OUTCOMES_TEST_POSTGRES_URL for the PostgreSQL tests")
        pytest.skip("set OUTCOMES_TEST_POSTGRES_URL to run the tests on PostgreSQL")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
