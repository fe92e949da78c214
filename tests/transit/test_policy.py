"""One retry policy, ours: the clients' own retry loops are off (so retries never nest), a 429 or
503 waits what its Retry-After asks (bounded), other faults back off. The policy's `sleep` is a
list here, so what it waited is read, never timed."""

from __future__ import annotations

from typing import Any

import pytest

from connector.confluence_api import PageApi, V1Pages
from connector.confluence_v2 import V2Pages
from connector.jira_source import JiraCredentials, JiraSource
from connector.retry import RetryPolicy
from connector.sandbox import Sandbox
from rules.errors import RateLimited, Unavailable
from tests.transit.conftest import TOKEN, USER, dataset


def confluence(kind: str, sandbox: Sandbox, policy: RetryPolicy) -> PageApi:
    cls: Any = V2Pages if kind == "v2" else V1Pages
    api: PageApi = cls(sandbox.confluence_url, user=USER, token=TOKEN, timeout=10, policy=policy)
    return api


@pytest.fixture
def site() -> Any:
    with Sandbox(dataset("Cloud")) as running:
        yield running


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_the_confluence_client_does_not_retry_a_429_behind_our_back(
    site: Sandbox, kind: str
) -> None:
    # atlassian-python-api sleeps and resends a 429 with Retry-After once by itself; ours is the
    # only retry loop, so one try allowed means one request sent.
    api = confluence(kind, site, RetryPolicy(max_attempts=1, sleep=lambda _: None))
    site.faults.fail_next(429, count=1, retry_after=0, path_prefix="/wiki/")
    site.reset_requests()
    with pytest.raises(RateLimited):
        api.find("PORT", "Portfolio outcomes")
    assert [r.status for r in site.requests] == [429]


def test_the_jira_client_does_not_retry_a_503_behind_our_back(site: Sandbox) -> None:
    source = JiraSource(
        JiraCredentials(site.url, token=TOKEN, email=USER, timeout=10),
        policy=RetryPolicy(max_attempts=1, sleep=lambda _: None),
    )
    site.faults.fail_next(503, count=1, retry_after=0, path_prefix="/rest/api/2/search")
    site.reset_requests()
    with pytest.raises(Unavailable):
        source.epic_ids("project = PAY")
    assert [r.status for r in site.requests if "/search" in r.path] == [503]


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_a_confluence_429_waits_what_retry_after_asks_up_to_the_cap(
    site: Sandbox, kind: str
) -> None:
    waits: list[float] = []
    api = confluence(kind, site, RetryPolicy(sleep=waits.append, max_delay=30))
    site.faults.fail_next(429, count=1, retry_after=7, path_prefix="/wiki/")
    site.faults.fail_next(503, count=1, retry_after=3600, path_prefix="/wiki/")
    site.faults.fail_next(429, count=1, retry_after="soon", path_prefix="/wiki/")
    assert api.find("PORT", "Portfolio outcomes") is None
    assert waits[:2] == [7.0, 30.0]  # as asked; an hour is capped at max_delay
    assert len(waits) == 3 and 0 <= waits[2] <= 0.5 * 2**2  # unreadable: backs off instead


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_confluence_5xx_back_off_with_jitter_below_the_doubling_cap(
    site: Sandbox, kind: str
) -> None:
    waits: list[float] = []
    api = confluence(kind, site, RetryPolicy(sleep=waits.append, base_delay=0.5))
    site.faults.fail_next(502, count=3, path_prefix="/wiki/")
    assert api.find("PORT", "Portfolio outcomes") is None
    assert len(waits) == 3
    assert all(0 <= wait <= cap for wait, cap in zip(waits, [0.5, 1.0, 2.0], strict=True))


def test_the_total_wait_is_bounded_too(site: Sandbox) -> None:
    waits: list[float] = []
    api = confluence("v1", site, RetryPolicy(sleep=waits.append, max_wait=10, max_delay=30))
    site.faults.fail_next(429, count=100, retry_after=6, path_prefix="/wiki/")
    with pytest.raises(RateLimited) as err:
        api.find("PORT", "Portfolio outcomes")
    assert waits == [6.0]  # a second 6 s wait would pass the 10 s budget
    assert "after 2 tries" in str(err.value)
