"""The fault suite: the e2e portfolio on Cloud and Data Center, a store, and `outcomes` as its own
process (so that a fault can strike while it runs, and its exit code and stderr are the real ones).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.lock import advisory_key
from connector.store.models import RunRow
from tests.e2e.conftest import DATASET, TOKEN, write_settings

ROOT = Path(__file__).resolve().parents[2]


def dataset(deployment: str) -> dict[str, Any]:
    """The e2e portfolio as Jira Cloud or Data Center ("Server") serves it."""
    data = copy.deepcopy(DATASET)
    data["jira"]["deployment"] = deployment
    if deployment == "Server":
        data["jira"]["fields"].append(
            {"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}
        )
    return data


@pytest.fixture(params=["Cloud", "Server"])
def deployment(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sandbox(deployment: str) -> Iterator[Sandbox]:
    with Sandbox(dataset(deployment)) as running:
        yield running


def settings(folder: Path, sandbox: Sandbox, deployment: str, store_url: str, **extra: Any) -> Path:
    """Cloud signs in with e-mail and API token and publishes through Confluence's v2 API; Data
    Center with a personal access token alone, through the v1 API."""
    path = write_settings(folder, sandbox.url, api="v2" if deployment == "Cloud" else "v1")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if deployment == "Server":
        for section in ("jira", "confluence"):
            data[section]["auth"] = {"token": "${E2E_TOKEN}"}
    data["store"] = {"url": store_url}
    data.update(extra)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def start(*args: str, token: str = TOKEN) -> subprocess.Popen[str]:
    """`outcomes ARGS` as its own process."""
    env = {**os.environ, "E2E_TOKEN": token, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "service", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def outcomes(*args: str, token: str = TOKEN) -> tuple[int, str, str]:
    return finish(start(*args, token=token))


def wait_until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
    return value


def runs_of(engine: Engine) -> list[tuple[str, str, str | None]]:
    """(command, outcome, message) of every run, oldest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(RunRow.command, RunRow.outcome, RunRow.message).order_by(RunRow.id)
        ).all()
    return [(c, o, m) for c, o, m in rows]


def terminate(url: str, where: str) -> int:
    """What a database admin does: pg_terminate_backend on the sessions `where` selects (a
    condition on pg_stat_activity `a`), waiting until they are gone. Returns how many ended."""
    admin = create_engine(url)
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(a.pid, 5000)) FROM pg_stat_activity a"
                    " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()"
                    f" AND ({where})"
                ),
                {"lo": advisory_key("pipeline")},
            ).scalar()
            connection.commit()
    finally:
        admin.dispose()
    return int(ended or 0)


HOLDS_THE_LOCK = (
    "a.pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND objid::bigint = :lo)"
)
IN_A_TRANSACTION = "a.state = 'idle in transaction'"
