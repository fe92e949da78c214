"""The retry policy for Jira and Confluence calls, owned here rather than by the client libraries.

The `jira` client is built with `max_retries=0` and the `atlassian` clients without their own
429 handling: their loops sleep up to minutes, ignore HTTP-date `Retry-After` values and would
nest inside ours. Here, 429 and 503 wait what the server asks (seconds or an HTTP date, bounded
by `max_delay`); other 5xx, connection errors, timeouts and garbled answers (cut off, or not
JSON: see connector/transit.py) back off exponentially with full jitter; attempts and total
waiting are both bounded. A wait that the server asked for (429, or 503 with `Retry-After`) closes
the policy's `PauseGate`: every thread that shares the policy (the sync's search workers) holds
its next request until the wait is over, so one rate-limited worker pauses them all instead of
each finding out by its own 429. Data Center's "Search limit exceeded" is not retried: no retry
can fix it (the caller splits the query instead). A call that runs out of tries fails with one
line that names the service, the request and what went wrong.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NoReturn, TypeVar

from jira import JIRAError

from connector.transit import TRANSIT_ERRORS, Fault, fault_of, status_fault
from rules.errors import (
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
_COUNTING = threading.Lock()


class SearchWindowExceeded(ServiceError):
    """Data Center refused a page past its 10,000-result window; the query must be split."""


class PauseGate:
    """Open unless a thread is waiting what the server asked; callers pass it before each try.

    Holders count: two workers rate-limited at once both close it, and it opens when the last
    of them has waited. A thread waiting here spends none of its own tries or waiting budget."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holders = 0

    def passage(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._holders == 0)

    def hold(self, sleep: Callable[[float], None], seconds: float) -> None:
        with self._changed:
            self._holders += 1
        try:
            sleep(seconds)
        finally:
            with self._changed:
                self._holders -= 1
                self._changed.notify_all()


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    max_wait: float = 120.0  # total seconds spent waiting, over all attempts of one call
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retries: int = 0  # how many retries this policy has made, for reports and benchmarks
    gate: PauseGate = field(default_factory=PauseGate)  # shared by every thread using the policy

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base × 2^attempt, capped."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class CallContext:
    service: str  # "Jira at https://…"
    what: str  # "search", "read the field list"
    jql: str | None = None


class Attempts:
    """The tries of one call under a policy: `again(fault)` sleeps before the next try, or raises
    the one-line error once the tries or the waiting budget are spent."""

    def __init__(self, policy: RetryPolicy, service: str, *, advice: str, busy_advice: str) -> None:
        self.policy = policy
        self.service = service
        self.advice = advice  # what to do when the service stays down
        self.busy_advice = busy_advice  # ... and when it keeps rate-limiting
        self.made = 0
        self.waited = 0.0

    def again(self, fault: Fault) -> None:
        policy = self.policy
        self.made += 1
        asked = retry_after(fault.retry_after) if fault.status in (429, 503) else None
        wait = policy.backoff(self.made - 1) if asked is None else min(policy.max_delay, asked)
        if self.made >= policy.max_attempts or self.waited + wait > policy.max_wait:
            raise self.failed(fault)
        log.info(
            "%s: %s failed (%s); retrying in %.1fs",
            self.service,
            fault.request or "a request",
            fault.what,
            wait,
        )
        with _COUNTING:  # worker threads share the policy
            policy.retries += 1
        if asked is None:
            policy.sleep(wait)
        else:  # what the server asked holds every thread that shares the policy
            policy.gate.hold(policy.sleep, wait)
        self.waited += wait

    def failed(self, fault: Fault) -> ServiceError:
        tries = f"{self.made} {'try' if self.made == 1 else 'tries'}"
        request = fault.request or "a request"
        if fault.status == 429:
            return RateLimited(
                f"{self.service} kept rate-limiting {request} (429) after {tries};"
                f" {self.busy_advice}"
            )
        if not fault.sent:
            return Unavailable(
                f"{self.service} is unreachable ({fault.what}) for {request} after {tries};"
                f" {self.advice}"
            )
        return Unavailable(
            f"{self.service} did not answer {request} properly after {tries} ({fault.what});"
            f" {self.advice}"
        )


def call(action: Callable[[], T], context: CallContext, policy: RetryPolicy) -> T:
    attempts = Attempts(
        policy,
        context.service,
        advice="check that it is up and reachable (jira.url, the network, a proxy)",
        busy_advice="run again later or lower the sync frequency",
    )
    while True:
        policy.gate.passage()
        try:
            return action()
        except JIRAError as exc:
            if not _retryable(exc):
                _raise_for(exc, context)
            fault = status_fault(exc.response)
        except TRANSIT_ERRORS as exc:
            fault = fault_of(exc)
        attempts.again(fault)


def _retryable(exc: JIRAError) -> bool:
    status = exc.status_code or 0
    return status == 429 or (status >= 500 and not _search_limit(exc))


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
