"""Logs: one line per event with a timestamp and a level, JSON on request, and never a secret."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.sandbox import Sandbox
from service.logs import configure, secrets_of
from service.settings import load_settings
from tests.e2e.conftest import TOKEN as E2E_TOKEN
from tests.scheduler.conftest import serve_settings

TOKEN = "tok-3f9a1c77e2"
PASSWORD = "pg-pass-81b2"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_text_lines_carry_a_timestamp_a_level_and_the_logger(restore_logging: None) -> None:
    stream = io.StringIO()
    configure(format="text", level="info", stream=stream)
    logging.getLogger("service.jobs").info("job %s done (run %s)", "sync", 12)
    logging.getLogger("service.jobs").debug("not shown at info")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d INFO service\.jobs: job sync done"
        r" \(run 12\)",
        lines[0],
    ), lines[0]


def test_json_lines_carry_the_event_fields(restore_logging: None) -> None:
    stream = io.StringIO()
    configure(format="json", level="info", stream=stream)
    log = logging.getLogger("service.scheduler")
    log.warning("job %s skipped", "publish", extra={"event": "job_skipped", "job": "publish"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.error("job failed", exc_info=True)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(entries) == 2  # the traceback stays inside its event's line
    first = entries[0]
    assert {k: first[k] for k in ("level", "logger", "message", "event", "job")} == {
        "level": "warning",
        "logger": "service.scheduler",
        "message": "job publish skipped",
        "event": "job_skipped",
        "job": "publish",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", first["ts"])
    assert "RuntimeError: boom" in entries[1]["traceback"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_configured_secret_ever_reaches_the_log(
    tmp_path: Path, restore_logging: None, fmt: str
) -> None:
    config = serve_settings(
        tmp_path,
        "http://127.0.0.1:9",
        f"postgresql+psycopg://outcomes:{PASSWORD}@db.example.com/outcomes",
        schedule={"sync": "*/15 * * * *"},
    )
    loaded = load_settings(config, environ={"E2E_TOKEN": TOKEN})
    basic = base64.b64encode(f"lead@example.com:{TOKEN}".encode()).decode()
    stream = io.StringIO()
    configure(format=fmt, level="debug", secrets=secrets_of(loaded), stream=stream)
    log = logging.getLogger("connector.jira_source")
    log.info("calling Jira with token %s", TOKEN)
    log.info("headers: %r", {"Authorization": f"Basic {basic}"})
    log.warning("store at %s", loaded.settings.store.url, extra={"event": "x", "url": TOKEN})
    try:
        raise ValueError(f"refused: token={TOKEN}")
    except ValueError:
        log.debug("failed", exc_info=True)
    output = stream.getvalue()
    for secret in (TOKEN, PASSWORD, basic):
        assert secret not in output
    for masked in (
        "calling Jira with token ***",
        "Basic ***",
        "postgresql+psycopg://outcomes:***@db.example.com/outcomes",
        "refused: token=***",
    ):
        assert masked in output
    if fmt == "json":
        assert json.loads(output.splitlines()[2])["url"] == "***"


def sync_once_retried(
    tmp_path: Path, sandbox: Sandbox, logging: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`outcomes sync` as cron starts it, with the given logging settings; Jira answers its
    first request 503 (one retry, an INFO event)."""
    config = serve_settings(
        tmp_path,
        sandbox.url,
        f"sqlite:///{tmp_path / 'store.db'}",
        schedule={},
        logging=logging,
    )
    sandbox.faults.fail_next(503, retry_after=0, path_prefix="/rest/api")
    answer = subprocess.run(
        [sys.executable, "-m", "service", "sync", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "E2E_TOKEN": E2E_TOKEN},
        timeout=120,
    )
    assert answer.returncode == 0, answer.stderr
    return answer


def test_a_single_stage_command_logs_as_the_settings_say(tmp_path: Path, sandbox: Sandbox) -> None:
    # JSON logs asked for: every line on stderr is a JSON event, with the Jira token nowhere in
    # it (only `run` and `serve` used to read the settings' logging).
    answer = sync_once_retried(tmp_path, sandbox, {"format": "json", "level": "info"})
    events = [json.loads(line) for line in answer.stderr.splitlines()]
    retries = [e for e in events if e["logger"] == "connector.retry"]
    assert len(retries) == 1, answer.stderr
    assert retries[0]["level"] == "info" and "retrying in" in retries[0]["message"]
    assert E2E_TOKEN not in answer.stdout + answer.stderr


def test_a_single_stage_command_logs_warnings_only_unless_its_settings_name_a_level(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    # A one-shot command whose settings name no level keeps its stderr for what went wrong (in
    # the settings' format), not for every retry.
    answer = sync_once_retried(tmp_path, sandbox, {"format": "json"})
    assert answer.stderr == "", answer.stderr
    assert "epics" in answer.stdout
