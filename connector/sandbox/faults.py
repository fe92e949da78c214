"""Switches that make the sandbox misbehave the way Atlassian Cloud sometimes does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


@dataclass
class Target:
    """Which requests a queued fault applies to: a path prefix, and optionally a method and a
    piece of the (decoded) query string, such as a JQL condition."""

    path_prefix: str
    method: str | None = None
    query_contains: str | None = None

    def matches(self, method: str, path: str, query: str) -> bool:
        return (
            path.startswith(self.path_prefix)
            and self.method in (None, method)
            and (self.query_contains is None or self.query_contains in query)
        )


@dataclass
class Failure:
    status: int
    remaining: int
    retry_after: int | float | str | None
    path_prefix: str
    target: Target | None = None


class Transit(StrEnum):
    """What goes wrong between the service and the client, as proxies and networks do it."""

    RESET = "reset"  # the connection closes before the request is handled: nothing happened
    LOST = "lost"  # the request is handled (a write is made), then the answer never comes
    TRUNCATE = "truncate"  # the answer is cut off partway through its body
    CHUNKED = "chunked"  # a chunked answer breaks off after its first chunk
    HTML = "html"  # a proxy answers 200 with an HTML error page; the request never arrived


@dataclass
class TransitFault:
    kind: Transit
    remaining: int
    target: Target


@dataclass
class Slow:
    seconds: float
    remaining: int
    target: Target


class Faults:
    """Latency, page-size caps and queued failures; read by every request, set by tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms: int = 0
        self.max_page_size: int | None = None  # caps maxResults / limit, as a busy Jira may
        # Data Center's result window (jira.search.views.default.max); tests lower it.
        self.search_window: int = 10_000
        self._failures: list[Failure] = []
        self._every: tuple[int, tuple[int, ...], int | float | str | None, str] | None = None
        self._seen = 0  # requests counted for fail_every
        self._slow: list[Slow] = []
        self._transit: list[TransitFault] = []
        self._actions: list[tuple[Target, Callable[[], object]]] = []

    def fail_next(
        self,
        status: int = 503,
        count: int = 1,
        retry_after: int | float | str | None = None,
        path_prefix: str = "/rest/api",
        method: str | None = None,
        query_contains: str | None = None,
    ) -> None:
        """Make the next ``count`` requests whose path starts with ``path_prefix`` (and whose
        method and query match, when given) answer ``status`` (with a ``Retry-After`` header
        when ``retry_after`` is given)."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got: {count}")
        target = Target(path_prefix, method, query_contains)
        with self._lock:
            self._failures.append(Failure(status, count, retry_after, path_prefix, target))

    def fail_every(
        self,
        n: int,
        statuses: tuple[int, ...] = (429, 500),
        retry_after: int | float | str | None = 0,
        path_prefix: str = "/rest/api",
    ) -> None:
        """Make every ``n``-th matching request fail, cycling through ``statuses`` (a flaky,
        rate-limited Jira). 429 and 503 answers carry ``Retry-After`` when it is given."""
        if n < 2:
            raise ValueError(f"n must be at least 2, got: {n}")
        with self._lock:
            self._every = (n, statuses, retry_after, path_prefix)
            self._seen = 0

    def slow_next(
        self,
        seconds: float,
        count: int = 1,
        path_prefix: str = "/",
        method: str | None = None,
        query_contains: str | None = None,
    ) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` before answering (client
        timeouts); by default any request matches."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got: {count}")
        with self._lock:
            self._slow.append(Slow(seconds, count, Target(path_prefix, method, query_contains)))

    def break_next(
        self,
        kind: Transit | str,
        count: int = 1,
        path_prefix: str = "/rest/api",
        method: str | None = None,
        query_contains: str | None = None,
    ) -> None:
        """Break the transport of the next ``count`` requests whose path starts with
        ``path_prefix`` (and whose method and query match, when given); see :class:`Transit`."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got: {count}")
        target = Target(path_prefix, method, query_contains)
        with self._lock:
            self._transit.append(TransitFault(Transit(kind), count, target))

    def act_before_next(
        self,
        action: Callable[[], object],
        path_prefix: str = "/",
        method: str | None = None,
        query_contains: str | None = None,
    ) -> None:
        """Run ``action`` (a person's edit, a tick) just before the next matching request is
        handled: what lands between a client's read and its write on a real site."""
        with self._lock:
            self._actions.append((Target(path_prefix, method, query_contains), action))

    def take_action(self, method: str, path: str, query: str = "") -> Callable[[], object] | None:
        """Consume the oldest queued action that applies to this request."""
        with self._lock:
            for queued in self._actions:
                if queued[0].matches(method, path, query):
                    self._actions.remove(queued)
                    return queued[1]
            return None

    def take_transit(self, method: str, path: str, query: str = "") -> Transit | None:
        """Consume one queued transport fault that applies to this request, oldest first."""
        with self._lock:
            for fault in self._transit:
                if fault.target.matches(method, path, query):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._transit.remove(fault)
                    return fault.kind
            return None

    def delay(self, method: str = "GET", path: str = "/", query: str = "") -> float:
        """Seconds to hold this request: the latency plus one queued slow answer that applies."""
        with self._lock:
            extra = 0.0
            for slow in self._slow:
                if slow.target.matches(method, path, query):
                    extra = slow.seconds
                    slow.remaining -= 1
                    if slow.remaining <= 0:
                        self._slow.remove(slow)
                    break
            return self.latency_ms / 1000 + extra

    def take(self, path: str, method: str = "GET", query: str = "") -> Failure | None:
        """Consume one queued failure that applies to this request, oldest first."""
        with self._lock:
            if self._every is not None and path.startswith(self._every[3]):
                n, statuses, retry_after, prefix = self._every
                self._seen += 1
                if self._seen % n == 0:
                    status = statuses[(self._seen // n - 1) % len(statuses)]
                    header = retry_after if status in (429, 503) else None
                    return Failure(status, 1, header, prefix)
            for failure in self._failures:
                target = failure.target or Target(failure.path_prefix)
                if target.matches(method, path, query):
                    failure.remaining -= 1
                    if failure.remaining == 0:
                        self._failures.remove(failure)
                    return failure
            return None

    def page_size(self, asked: int) -> int:
        cap = self.max_page_size
        return asked if cap is None else max(1, min(asked, cap))

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._every = None
            self._slow.clear()
            self._transit.clear()
            self._actions.clear()
            self.latency_ms = 0
            self.max_page_size = None
            self.search_window = 10_000
