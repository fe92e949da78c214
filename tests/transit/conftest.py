"""The fault suite's portfolio, settings and faults: what networks, proxies and busy services do
to a request, injected by the sandbox, against the real `jira` and `atlassian` clients driven
through the `outcomes` command line.

Cloud is the sandbox as Jira Cloud (e-mail and API token) with Confluence's v2 pages API; Data
Center is the sandbox as Jira Server (a personal access token) with Confluence's v1 content API.
Every fault kind is tried once ("one-off": the run recovers and ends as a clean run does) and
without end ("persistent": the run stops with exit 3 and one line naming the service and the
request). The retry settings keep the suite fast: 4 tries, backoff of at most 10 ms, Retry-After
of 0 (the sandbox log, not the clock, shows what was retried).
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox, Transit
from connector.store.db import open_store
from connector.store.models import IssueRow
from service.cli import cli
from service.logs import _OurHandler
from tests.e2e.conftest import CATALOGUE, DATASET, TOKEN, USER

AS_OF = "2026-11-15"
TRIES = 4
TIMEOUT = 1.0  # seconds: the client gives up on a slow answer after this
SLOW = 2.5  # seconds the sandbox holds a "slow" answer: past the timeout
CYCLE, TEAM, START, TARGET, CURRENT = (f"customfield_1020{i}" for i in range(5))

# Each fault kind, and how the one line that reports it names it (written by hand).
KINDS: dict[str, str] = {
    "truncated": "truncated answer",
    "html": "an HTML page instead of JSON",
    "chunked": "broken chunked answer",
    "reset": "connection reset",
    "slow": "no answer within the timeout",
    "429": "HTTP 429",
    "502": "HTTP 502",
    "503": "HTTP 503",
    "500": "HTTP 500",
}
TRANSIT = {
    "truncated": Transit.TRUNCATE,
    "html": Transit.HTML,
    "chunked": Transit.CHUNKED,
    "reset": Transit.RESET,
}
DEPLOYMENTS = {"Cloud": "v2", "DC": "v1"}  # Jira deployment -> the Confluence API it pairs with


def dataset(deployment: str) -> dict[str, Any]:
    """The e2e portfolio, plus OKRs kept as Jira issues (project OKR), as Cloud or Server."""
    data = copy.deepcopy(DATASET)
    jira = data["jira"]
    jira["deployment"] = "Cloud" if deployment == "Cloud" else "Server"
    number = {"type": "number"}
    jira["fields"] += [
        {"id": CYCLE, "name": "Cycle", "type": "option"},
        {"id": TEAM, "name": "Team", "type": "option"},
        {"id": START, "name": "Start value", **number},
        {"id": TARGET, "name": "Target value", **number},
        {"id": CURRENT, "name": "Current value", **number},
    ]
    if deployment == "DC":
        jira["fields"].append({"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"})
    jira["projects"].append({"key": "OKR", "name": "Objectives"})
    okr: dict[str, Any] = {"assignee": None, "labels": [], "status": "In Progress"}
    okr |= {"created": "2026-10-02T09:00:00Z", "updated": "2026-11-10T10:00:00Z"}
    jira["issues"] += [
        {**okr, "key": "OKR-1", "type": "Objective", "summary": "Faster payments"}
        | {"parent": None, "fields": {CYCLE: "2026-Q4"}},
        {**okr, "key": "OKR-2", "type": "Key Result", "summary": "Transfer time"}
        | {"parent": "OKR-1", "fields": {START: 40, TARGET: 10, CURRENT: 31}},
    ]
    return data


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    """Logging as a fresh process has it: an earlier test's `run` or `serve` may have routed
    INFO records to stderr, which a new `outcomes sync` or `publish` would not print."""
    root = logging.getLogger()
    ours = ("connector", "rules", "reports", "service")
    saved = list(root.handlers), root.level, {name: logging.getLogger(name).level for name in ours}
    for handler in saved[0]:
        if isinstance(handler, _OurHandler):
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ours:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(params=list(DEPLOYMENTS))
def deployment(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sandbox(deployment: str) -> Iterator[Sandbox]:
    with Sandbox(dataset(deployment)) as running:
        yield running


def write_settings(
    folder: Path, url: str, deployment: str, *, timeout: float = 10, **extra: Any
) -> Path:
    """Settings as a user writes them: Cloud signs in with e-mail and token, Data Center with a
    token alone; the token comes from the environment."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "okrs.yaml").write_text(yaml.safe_dump(CATALOGUE), encoding="utf-8")
    token = "${TRANSIT_TOKEN}"
    auth = {"email": USER, "token": token} if deployment == "Cloud" else {"token": token}
    settings = {
        "version": 1,
        "jira": {
            "url": url,
            "auth": auth,
            "timeout": timeout,
            "retries": {"max_attempts": TRIES, "base_delay_seconds": 0.01},
        },
        "portfolios": [
            {
                "id": "retail",
                "name": "Retail banking",
                "epics_jql": "project in (PAY, MOB) AND issuetype = Epic",
            }
        ],
        "catalogue": {"files": ["okrs.yaml"], "jira": {"jql": "project = OKR"}},
        "store": {"url": f"sqlite:///{folder / 'outcomes.db'}"},
        "confluence": {
            "url": f"{url}/wiki",
            "api": DEPLOYMENTS[deployment],
            "auth": auth,
            "space": "PORT",
            "parent_title": "Portfolio outcomes",
            "timeout": timeout,
        },
        "excel": {"path": "out/outcomes-{portfolio}-{cycle}-{date}.xlsx", "attach": True},
        **extra,
    }
    path = folder / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def outcomes(*args: str) -> tuple[int, str, str]:
    """Run the `outcomes` command line: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), env={"TRANSIT_TOKEN": TOKEN})
    return result.exit_code, result.stdout, result.stderr


def inject(
    sandbox: Sandbox,
    kind: str,
    *,
    persistent: bool,
    path: str,
    method: str | None = None,
    query: str | None = None,
) -> None:
    """Queue one fault of `kind` (or, persistent, more than any run tries) on matching requests."""
    count = 100 if persistent else 1
    faults = sandbox.faults
    if kind in TRANSIT:
        faults.break_next(
            TRANSIT[kind], count=count, path_prefix=path, method=method, query_contains=query
        )
    elif kind == "slow":
        faults.slow_next(SLOW, count=count, path_prefix=path, method=method, query_contains=query)
    else:
        status = int(kind)
        retry_after = 0 if status in (429, 503) else None
        faults.fail_next(
            status,
            count=count,
            retry_after=retry_after,
            path_prefix=path,
            method=method,
            query_contains=query,
        )


def timeout_for(kind: str) -> float:
    """A short client timeout where the fault is a slow answer; a patient one elsewhere."""
    return TIMEOUT if kind == "slow" else 10.0


def hits(
    sandbox: Sandbox, method: str, path: str, expected: int | None = None, *, under: bool = False
) -> int:
    """How many requests the sandbox logged for `method path` (or, `under`, for paths below it).
    A slow answer is logged when the sandbox finishes it, after the client gave up: with
    `expected`, wait (a bounded while) for the log to catch up before counting."""

    def count() -> int:
        return sum(
            1
            for r in sandbox.requests
            if r.method == method and (r.path.startswith(path) if under else r.path == path)
        )

    deadline = time.monotonic() + 3 * SLOW * TRIES
    while expected is not None and count() < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count()


def one_error_line(stderr: str) -> str:
    """The run's error: exactly one line on stderr, no traceback, no secret."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert TOKEN not in stderr
    assert lines[0].startswith("outcomes: error: "), stderr
    return lines[0].removeprefix("outcomes: error: ")


def store_issues(folder: Path) -> set[tuple[Any, ...]]:
    """What a sync put in the store: each issue's identity and fields (not when it was synced)."""
    engine = open_store(f"sqlite:///{folder / 'outcomes.db'}")
    try:
        with Session(engine) as session:
            return {
                (r.id, r.key, r.is_epic, r.summary, r.status, tuple(r.labels), r.parent_key)
                for r in session.scalars(select(IssueRow))
            }
    finally:
        engine.dispose()
