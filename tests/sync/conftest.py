"""A small portfolio in the sandbox, Cloud or Data Center, and helpers to sync it and read back
what the store holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from connector.jira_source import JiraCredentials, JiraSource
from connector.retry import RetryPolicy
from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.models import IssueRow, ScopeMember
from connector.sync import ScopeSpec, SyncResult, sync_scopes

USER, TOKEN, PAT = "sync@example.com", "sync-token", "dc-personal-access-token"
SCOPE = ScopeSpec("retail", "Retail", "project in (PAY, MOB) AND issuetype = Epic")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STORY_POINTS = {"Cloud": "customfield_10016", "Server": "customfield_10106"}


def issue(key: str, type_: str = "Story", status: str = "To Do", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": type_,
        "summary": extra.pop("summary", f"Work {key}"),
        "status": status,
        "labels": extra.pop("labels", []),
        "parent": extra.pop("parent", None),
        "assignee": None,
        "created": "2026-10-02T09:00:00Z",
        "updated": extra.pop("updated", "2026-10-05T09:00:00Z"),
        "fields": extra.pop("fields", {}),
    }


def portfolio(deployment: str = "Cloud") -> dict[str, Any]:
    """PAY-1 (3 children), PAY-5 (1), MOB-1 (2), MOB-4 (none); ARC is out of scope."""
    points = STORY_POINTS[deployment]
    fields = [{"id": points, "name": "Story Points", "type": "number"}]
    if deployment == "Server":
        fields.append({"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"})
    issues = [
        issue("PAY-1", "Epic", "In Progress", labels=["okr:P1.KR1"]),
        issue("PAY-2", status="Done", parent="PAY-1", fields={points: 3}),
        issue("PAY-3", status="In Progress", parent="PAY-1", fields={points: 5}),
        issue("PAY-4", "Bug", parent="PAY-1"),
        issue("PAY-5", "Epic"),
        issue("PAY-6", "Task", status="Done", parent="PAY-5", fields={points: 2}),
        issue("MOB-1", "Epic", "Done"),
        issue("MOB-2", status="Done", parent="MOB-1", fields={points: 8}),
        issue("MOB-3", status="Done", parent="MOB-1", fields={points: 1}),
        issue("MOB-4", "Epic"),
        issue("ARC-1", "Epic"),
        issue("ARC-2", parent="ARC-1"),
    ]
    for minute, item in enumerate(issues):  # distinct times, as on a real site: MOB-4 is newest
        item["updated"] = f"2026-10-05T09:{minute:02d}:00Z"  # in scope (ARC-* are not)
    auth = [{"user": USER, "token": TOKEN}]
    if deployment == "Server":
        auth.append({"user": "dc-user", "token": PAT})
    return {
        "auth": auth,
        "jira": {
            "deployment": deployment,
            "statuses": [
                {"name": "To Do", "category": "new"},
                {"name": "In Progress", "category": "indeterminate"},
                {"name": "Done", "category": "done"},
            ],
            "fields": fields,
            "projects": [
                {"key": "PAY", "name": "Payments"},
                {"key": "MOB", "name": "Mobile"},
                {"key": "ARC", "name": "Archive"},
            ],
            "issues": issues,
        },
    }


@pytest.fixture(params=["Cloud", "Server"])
def deployment(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sandbox(deployment: str) -> Iterator[Sandbox]:
    with Sandbox(portfolio(deployment)) as running:
        yield running


def connect(sandbox: Sandbox, policy: RetryPolicy | None = None, **options: Any) -> JiraSource:
    """Cloud signs in with e-mail and API token; Data Center with a personal access token."""
    cloud = sandbox.jira.deployment == "Cloud"
    credentials = JiraCredentials(
        url=sandbox.url, token=TOKEN if cloud else PAT, email=USER if cloud else None, timeout=10
    )
    fast = RetryPolicy(base_delay=0.001, max_delay=0.01)
    return JiraSource(credentials, policy=policy or fast, **options)


def sync(
    sandbox: Sandbox, engine: Engine, *, full: bool = False, scope: ScopeSpec = SCOPE, **kw: Any
) -> SyncResult:
    source = connect(sandbox, **kw)
    (result,) = sync_scopes(source, engine, [scope], now=NOW, full=full, lookback_ms=0)
    return result


def content(engine: Engine) -> tuple[set[tuple[Any, ...]], set[tuple[str, str]]]:
    """What the store holds, minus bookkeeping (when each row was synced)."""
    with Session(engine) as session:
        rows = {
            (
                r.id,
                r.key,
                r.project,
                r.issuetype,
                r.is_epic,
                r.summary,
                r.status,
                r.status_category,
                r.assignee,
                tuple(r.labels),
                r.parent_key,
                r.story_points,
                r.created,
                r.updated,
            )
            for r in session.scalars(select(IssueRow))
        }
        scope = {(m.portfolio_id, m.issue_id) for m in session.scalars(select(ScopeMember))}
    return rows, scope


def fresh_full_sync(sandbox: Sandbox, folder: Path) -> tuple[set[tuple[Any, ...]], set[Any]]:
    engine = open_store(f"sqlite:///{folder / f'fresh-{datetime.now().timestamp()}.db'}")
    try:
        sync(sandbox, engine, full=True)
        return content(engine)
    finally:
        engine.dispose()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()
