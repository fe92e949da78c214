"""Switches that make the sandbox misbehave the way Atlassian Cloud sometimes does."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Failure:
    status: int
    remaining: int
    retry_after: int | float | str | None
    path_prefix: str


class Faults:
    """Latency, page-size caps and queued failures; read by every request, set by tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms: int = 0
        self.max_page_size: int | None = None  # caps maxResults / limit, as a busy Jira may
        self._failures: list[Failure] = []

    def fail_next(
        self,
        status: int = 503,
        count: int = 1,
        retry_after: int | float | str | None = None,
        path_prefix: str = "/rest/api",
    ) -> None:
        """Make the next ``count`` requests whose path starts with ``path_prefix`` answer
        ``status`` (with a ``Retry-After`` header when ``retry_after`` is given)."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got: {count}")
        with self._lock:
            self._failures.append(Failure(status, count, retry_after, path_prefix))

    def take(self, path: str) -> Failure | None:
        """Consume one queued failure that applies to ``path``, oldest first."""
        with self._lock:
            for failure in self._failures:
                if path.startswith(failure.path_prefix):
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
            self.latency_ms = 0
            self.max_page_size = None
