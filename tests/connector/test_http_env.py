"""The environment's proxy and CA settings still decide, though each session reads them once.

`connector.http_env` reads `HTTP(S)_PROXY`, `NO_PROXY` and `REQUESTS_CA_BUNDLE` once per
session instead of on every request. A proxy the user set must still carry every request, and
`NO_PROXY` must still let the site be reached directly.
"""

from __future__ import annotations

import socket

import pytest

from connector.jira_source import JiraCredentials, JiraSource
from connector.retry import RetryPolicy
from connector.sandbox import Sandbox
from rules.errors import ServiceError
from tests.sync.conftest import TOKEN, USER, portfolio

ONCE = RetryPolicy(max_attempts=1, sleep=lambda _: None)


def closed_port() -> int:
    """A port nothing listens on: a proxy there refuses every connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sandbox() -> Sandbox:
    with Sandbox(portfolio("Cloud")) as running:
        yield running


def connect(sandbox: Sandbox) -> JiraSource:
    return JiraSource(JiraCredentials(sandbox.url, TOKEN, USER, timeout=5), policy=ONCE)


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_a_proxy_in_the_environment_carries_the_requests(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ServiceError):
        connect(sandbox)  # through the proxy, which is down
    assert sandbox.requests == []  # nothing reached the site directly


def test_no_proxy_naming_the_site_reaches_it_directly_every_time(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    source = connect(sandbox)
    assert source.epic_ids("project = PAY AND issuetype = Epic")  # later requests too
    assert len(sandbox.requests) >= 3


def test_a_ca_bundle_in_the_environment_is_the_sessions(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/company-ca.pem")
    source = connect(sandbox)  # plain HTTP here: the bundle is kept, not used
    assert source.client._session.verify == "/etc/ssl/certs/company-ca.pem"
