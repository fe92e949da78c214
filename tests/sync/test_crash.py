"""A sync killed with SIGKILL halfway leaves the store as it was; the next run converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.models import IssueRow
from service.cli import cli
from tests.sync.conftest import SCOPE, TOKEN, USER, content, fresh_full_sync, issue, portfolio

ROOT = Path(__file__).resolve().parents[2]


def big_portfolio() -> dict[str, object]:
    data = portfolio()
    issues = []
    for e in range(1, 31):
        issues.append(issue(f"PAY-{e * 10}", "Epic"))
        issues.extend(issue(f"PAY-{e * 10 + c}", parent=f"PAY-{e * 10}") for c in range(1, 8))
    data["jira"]["issues"] = issues  # type: ignore[index]
    return data


def write_settings(folder: Path, url: str) -> Path:
    (folder / "okrs.yaml").write_text("version: 1\n", encoding="utf-8")
    settings = {
        "version": 1,
        "jira": {"url": url, "auth": {"email": USER, "token": "${CRASH_TOKEN}"}, "timeout": 10},
        "portfolios": [{"id": SCOPE.id, "name": SCOPE.name, "epics_jql": SCOPE.epics_jql}],
        "catalogue": {"files": ["okrs.yaml"]},
        "sync": {"lookback_minutes": 0},
    }
    path = folder / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def test_a_sync_killed_halfway_commits_nothing_and_the_next_run_converges(
    tmp_path: Path,
) -> None:
    with Sandbox(big_portfolio()) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        sandbox.faults.max_page_size = 5  # many small pages: a long sync to cut short
        sandbox.faults.latency_ms = 20
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "sync", "--config", str(config)],
            cwd=ROOT,
            env={**os.environ, "CRASH_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len([r for r in sandbox.requests if "/search" in r.path]) < 15:
            assert process.poll() is None, "the sync ended before it could be killed"
            assert time.monotonic() < deadline, "the sync never got going"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL

        engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
        assert content(engine) == (set(), set())  # the killed run committed nothing
        engine.dispose()

        sandbox.faults.latency_ms = 0
        result = CliRunner().invoke(
            cli, ["sync", "--config", str(config)], env={"CRASH_TOKEN": TOKEN}
        )
        assert result.exit_code == 0, result.output
        assert "30 epics and 210 child issues" in result.output

        engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
        with Session(engine) as session:
            rows = session.scalar(select(func.count()).select_from(IssueRow))
            keys = session.scalar(select(func.count(func.distinct(IssueRow.key))))
        assert rows == keys == 240  # no duplicate, no lost issue
        assert content(engine) == fresh_full_sync(sandbox, tmp_path)
        engine.dispose()
