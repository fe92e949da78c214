"""Connections to Jira's and Confluence's services, as the settings describe them."""

from __future__ import annotations

from connector.confluence import connect_pages
from connector.confluence_api import PageApi
from connector.retry import RetryPolicy
from service.settings import ConfluenceSettings, LoadedSettings


def retry_policy(loaded: LoadedSettings) -> RetryPolicy:
    """One policy for Jira's and Confluence's calls, from `jira.retries` (a fresh object per
    client, so each counts its own retries)."""
    retries = loaded.settings.jira.retries
    return RetryPolicy(
        max_attempts=retries.max_attempts,
        max_wait=retries.max_wait_seconds,
        base_delay=retries.base_delay_seconds,
    )


def connect_confluence(settings: ConfluenceSettings, policy: RetryPolicy | None = None) -> PageApi:
    """The page API the settings choose (`confluence.api`: v2 for *.atlassian.net on auto),
    retried by `policy` (pass `retry_policy(loaded)`: the one Jira's calls follow)."""
    settings.auth.require()  # a missing ${VAR} in confluence.auth is an error from here on
    return connect_pages(
        settings.url,
        api=settings.api,
        user=settings.auth.email,
        token=settings.auth.token.get_secret_value(),
        timeout=settings.timeout,
        policy=policy,
    )
