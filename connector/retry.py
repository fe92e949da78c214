"""The retry policy for Jira calls, owned here rather than by the client library.

The `jira` client is built with `max_retries=0`: its own loop sleeps up to minutes, ignores
HTTP-date `Retry-After` values and would nest inside ours. Here, 429 and 503 wait what the server
asks (seconds or an HTTP date); other 5xx and connection errors back off exponentially with full
jitter; attempts and total waiting are both bounded. Data Center's "Search limit exceeded" is not
retried: no retry can fix it (the caller splits the query instead).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn, TypeVar

import requests
from jira import JIRAError

from connector.errors import (
    AuthError,
    BadQuery,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceError,
    Unavailable,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class SearchWindowExceeded(ServiceError):
    """Data Center refused a page past its 10,000-result window; the query must be split."""


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    max_wait: float = 120.0  # total seconds spent waiting, over all attempts of one call
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retries: int = 0  # how many retries this policy has made, for reports and benchmarks

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base × 2^attempt, capped."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class CallContext:
    service: str  # "Jira at https://…"
    what: str  # "search", "read the field list"
    jql: str | None = None


def call(action: Callable[[], T], context: CallContext, policy: RetryPolicy) -> T:
    waited = 0.0
    for attempt in range(policy.max_attempts):
        try:
            return action()
        except JIRAError as exc:
            wait = _wait_for_status(exc, attempt, policy)
            if wait is None:
                _raise_for(exc, context)
            failure: Exception = exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            wait = policy.backoff(attempt)
            failure = exc
        if attempt + 1 >= policy.max_attempts or waited + wait > policy.max_wait:
            _give_up(failure, context)
        log.info(
            "%s: %s failed (%s); retrying in %.1fs",
            context.service,
            context.what,
            _describe(failure),
            wait,
        )
        policy.retries += 1
        policy.sleep(wait)
        waited += wait
    raise AssertionError("unreachable")  # pragma: no cover


def _wait_for_status(exc: JIRAError, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying, or None when retrying cannot help."""
    status = exc.status_code or 0
    if status in (429, 503):
        asked = retry_after(_header(exc, "Retry-After"))
        return min(policy.max_delay, asked) if asked is not None else policy.backoff(attempt)
    if status >= 500 and not _search_limit(exc):
        return policy.backoff(attempt)
    return None


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds, whether given as seconds or as an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _header(exc: JIRAError, name: str) -> str | None:
    response = getattr(exc, "response", None)
    headers: Any = getattr(response, "headers", None) or {}
    value = headers.get(name)
    return str(value) if value is not None else None


def _messages(exc: JIRAError) -> list[str]:
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") or {}
    values = errors.values() if isinstance(errors, dict) else []
    return [str(m) for m in [*(body.get("errorMessages") or []), *values]]


def _search_limit(exc: JIRAError) -> bool:
    return exc.status_code == 500 and any("limit exceeded" in m.lower() for m in _messages(exc))


def _describe(failure: Exception) -> str:
    if isinstance(failure, JIRAError):
        return f"HTTP {failure.status_code}"
    return type(failure).__name__


def _give_up(failure: Exception, context: CallContext) -> NoReturn:
    if isinstance(failure, JIRAError) and failure.status_code == 429:
        raise RateLimited(
            f"{context.service} kept rate-limiting ({context.what}) beyond the retry budget;"
            " run again later or lower the sync frequency"
        ) from None
    raise Unavailable(
        f"{context.service} failed to {context.what} ({_describe(failure)}) after retries;"
        " check that it is up and reachable"
    ) from None


def _raise_for(exc: JIRAError, context: CallContext) -> NoReturn:
    status = exc.status_code
    if status == 401:
        raise AuthError(
            f"{context.service} rejected the credentials (401): check jira.url, the user and the"
            " API token (Atlassian API tokens expire)"
        ) from None
    if status == 403:
        raise Forbidden(
            f"{context.service} refused to {context.what} (403): the user lacks permission"
        ) from None
    if status == 404:
        raise NotFound(
            f"{context.service} has no such resource ({context.what}, 404): check jira.url"
        ) from None
    if _search_limit(exc):
        raise SearchWindowExceeded(f"{context.service}: search limit exceeded") from None
    if status == 400 and context.jql is not None:
        messages = "; ".join(_messages(exc)) or "bad request"
        raise BadQuery(f"Jira refused the JQL {context.jql!r}: {messages}", context.jql) from None
    raise ServiceError(f"{context.service} failed to {context.what} (HTTP {status})") from None
