"""Which Confluence page API to speak: the settings' `confluence.api`, where `auto` means the v2
pages API on Atlassian Cloud (`*.atlassian.net`) and the v1 content API everywhere else."""

from __future__ import annotations

from urllib.parse import urlsplit

from connector.confluence_api import PageApi, V1Pages
from connector.confluence_v2 import V2Pages
from connector.retry import RetryPolicy


def is_cloud(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "atlassian.net" or host.endswith(".atlassian.net")


def choose_api(url: str, api: str) -> str:
    """`auto` means v2 on Atlassian Cloud (`*.atlassian.net`) and v1 everywhere else."""
    if api == "auto":
        return "v2" if is_cloud(url) else "v1"
    return api


def connect_pages(
    url: str,
    *,
    api: str,
    user: str | None,
    token: str,
    timeout: float = 30.0,
    policy: RetryPolicy | None = None,
) -> PageApi:
    if choose_api(url, api) == "v2":
        return V2Pages(url, user=user, token=token, timeout=timeout, policy=policy)
    return V1Pages(url, user=user, token=token, timeout=timeout, policy=policy)
