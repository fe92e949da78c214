"""Answers kept until the data changes, and the sandbox's own time per request.

A sync asks for the same pages again when it runs again (and tests re-read what they just
wrote); a search answer depends only on the request, the data and the page-size switches, so it is
kept, keyed by all of those, until the data version moves. The cache is bounded by the bytes it
holds and forgets the least recently used answers first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

DEFAULT_BUDGET = 256 * 1024 * 1024  # bytes of answers kept at most


class AnswerCache:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._answers: OrderedDict[Any, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Any, version: int) -> bytes | None:
        with self._lock:
            found = self._answers.get(key)
            if found is None or found[0] != version:
                return None
            self._answers.move_to_end(key)
            return found[1]

    def put(self, key: Any, version: int, payload: bytes) -> None:
        if len(payload) > self.budget:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._answers[key] = (version, payload)
            self._bytes += len(payload)
            while self._bytes > self.budget:
                _, (_, dropped) = self._answers.popitem(last=False)
                self._bytes -= len(dropped)


@dataclass
class Stats:
    """What the sandbox spent answering: requests; seconds of its own, from reading the request
    to the answer's bytes, without the latency it was told to add (wall time, and the handling
    thread's CPU time, which a busy machine inflates less); answers that came from the cache."""

    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    cached: int = 0

    def as_dict(self) -> dict[str, Any]:
        def per_request(seconds: float) -> float:
            return round(seconds / self.requests * 1000, 3) if self.requests else 0.0

        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "ms_per_request": per_request(self.seconds),
            "cpu_ms_per_request": per_request(self.cpu_seconds),
            "cached": self.cached,
        }
