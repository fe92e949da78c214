"""Retries owned by the connector, and Data Center's 10,000-result window split into parts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from connector.jira_source import JiraCredentials, JiraSource
from connector.retry import RetryPolicy, retry_after
from connector.sandbox import Sandbox
from connector.sync import ScopeSpec, sync_scopes
from rules.errors import AuthError, BadQuery, RateLimited, Unavailable
from tests.sync.conftest import (
    PAT,
    SCOPE,
    TOKEN,
    USER,
    content,
    fresh_full_sync,
    issue,
    portfolio,
    sync,
)


def test_every_second_request_failing_still_converges(
    sandbox: Sandbox, engine: Engine, tmp_path: Path
) -> None:
    expected = fresh_full_sync(sandbox, tmp_path)
    sandbox.reset_requests()
    sandbox.faults.fail_every(2, statuses=(429, 500), retry_after=0)

    sync(sandbox, engine)

    statuses = [r.status for r in sandbox.requests]
    assert statuses.count(429) >= 1 and statuses.count(500) >= 1
    # Our policy did the work: each failed request was followed by a retry that succeeded.
    assert len([s for s in statuses if s == 200]) == len(statuses) - statuses.count(429) - (
        statuses.count(500)
    )
    assert content(engine) == expected


def test_429_waits_what_retry_after_asks(sandbox: Sandbox, engine: Engine) -> None:
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append, base_delay=0.001)
    sandbox.faults.fail_next(429, count=1, retry_after=3, path_prefix="/rest/api/2/search")
    sync(sandbox, engine, policy=policy)
    assert waits == [3.0]
    assert policy.retries == 1


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert retry_after("7", now) == 7.0
    assert retry_after("Tue, 24 Nov 2026 09:00:30 GMT", now) == 30.0
    assert retry_after("Tue, 24 Nov 2026 08:59:00 GMT", now) == 0.0  # already passed
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


def test_a_jira_that_stays_down_fails_after_bounded_attempts(
    sandbox: Sandbox, engine: Engine
) -> None:
    waits: list[float] = []
    sandbox.faults.fail_next(503, count=100, path_prefix="/rest/api/2/search")
    sandbox.reset_requests()
    said = r"did not answer GET /rest/api/2/search(/jql)? properly after 4 tries \(HTTP 503\)"
    with pytest.raises(Unavailable, match=said):
        sync(sandbox, engine, policy=RetryPolicy(max_attempts=4, sleep=waits.append))
    assert len(waits) == 3
    assert len([r for r in sandbox.requests if "/search" in r.path]) == 4
    assert content(engine) == (set(), set())  # nothing half-written


def test_rate_limiting_beyond_the_budget_says_so(sandbox: Sandbox, engine: Engine) -> None:
    sandbox.faults.fail_next(429, count=100, retry_after=1, path_prefix="/rest/api/2/search")
    policy = RetryPolicy(max_attempts=3, sleep=lambda _: None)
    with pytest.raises(RateLimited, match="rate-limiting"):
        sync(sandbox, engine, policy=policy)


def test_bad_jql_is_a_user_error_with_jira_s_own_words(sandbox: Sandbox, engine: Engine) -> None:
    scope = ScopeSpec("retail", "Retail", "projekt = PAY")
    with pytest.raises(BadQuery) as refused:
        sync(sandbox, engine, scope=scope)
    assert "projekt" in str(refused.value)
    assert refused.value.exit_code == 2


def test_wrong_credentials_say_what_to_check(engine: Engine) -> None:

    with Sandbox(portfolio()) as sandbox, pytest.raises(AuthError) as refused:
        JiraSource(JiraCredentials(sandbox.url, token="wrong", email="sync@example.com"))
    message = str(refused.value)
    assert "401" in message and "token" in message and "expire" in message
    assert "wrong" not in message


def many_epics(count: int) -> dict[str, Any]:
    data = portfolio("Server")
    issues = [issue("PAY-1", "Epic")]
    for n in range(2, count + 2):
        item = issue(f"PAY-{n}", "Epic")
        item["updated"] = f"2026-10-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z"
        issues.append(item)
    data["jira"]["issues"] = issues
    return data


def test_data_center_searches_past_the_window_are_split_not_cut(tmp_path: Path) -> None:
    from connector.store.db import open_store

    with Sandbox(many_epics(260)) as sandbox:
        sandbox.faults.search_window = 100  # as if the admin set jira.search.views.default.max
        engine = open_store(f"sqlite:///{tmp_path / 'dc.db'}")
        result = sync(sandbox, engine, search_window=100)
        engine.dispose()
        assert result.epics == 261
        assert all(r.status == 200 for r in sandbox.requests)
        windows = [r for r in sandbox.requests if "updated >=" in str(r.query.get("jql", ""))]
        assert windows  # it split by `updated`


def test_the_sync_commits_its_cursor_with_its_data(sandbox: Sandbox, engine: Engine) -> None:
    from sqlalchemy.orm import Session

    from connector.store.issues import sync_cursor

    sync(sandbox, engine)
    with Session(engine) as session:
        cursor = sync_cursor(session, "retail")
        assert cursor is not None
        # MOB-4 is the newest issue in scope: 2026-10-05 09:09 UTC.
        expected = datetime(2026, 10, 5, 9, 9, tzinfo=UTC)
        assert cursor.last_updated_ms == int(expected.timestamp() * 1000)


def test_a_request_that_times_out_is_retried(sandbox: Sandbox, engine: Engine) -> None:
    cloud = sandbox.jira.deployment == "Cloud"
    credentials = JiraCredentials(
        url=sandbox.url, token=TOKEN if cloud else PAT, email=USER if cloud else None, timeout=0.5
    )
    waits: list[float] = []
    source = JiraSource(credentials, policy=RetryPolicy(sleep=waits.append, base_delay=0.001))
    sandbox.faults.slow_next(2.0, count=1)  # the next answer comes after the client gave up
    sandbox.reset_requests()
    (result,) = sync_scopes(source, engine, [SCOPE], now=datetime.now(UTC), lookback_ms=0)
    assert result.epics == 4
    assert len(waits) == 1  # one timeout, one retry
