"""Fewer passes of the cycle collector while a sync runs.

A sync builds millions of short-lived objects (each search page's dicts and lists, then its
records and rows) that reference counting frees at once; almost none is part of a cycle. The
collector's default pace (a young pass every 700 net allocations, each older pass after 10 of
the one below) then spends about a tenth of a large sync's CPU finding nothing, on the writer's
thread, which is the sync's critical path. Measured at 5,000 epics, concurrency 4: 8.3 s of client
CPU with the default pace, 7.2–7.5 s with this one; see BENCHMARKS.md.

The setting is the process's, so it is raised for the sync's duration only and put back as it
was afterwards, also when the sync fails. Overlapping syncs (threads) share one raise: the first
to enter keeps the previous pace, the last to leave restores it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SYNC_THRESHOLDS = (50_000, 20, 100)  # young pass every 50,000 allocations, older ones rarer

_lock = threading.Lock()
_depth = 0
_previous: tuple[int, int, int] | None = None


@contextmanager
def sync_gc_pace() -> Iterator[None]:
    global _depth, _previous
    with _lock:
        if _depth == 0:
            _previous = gc.get_threshold()
            if _previous[0]:  # 0: someone turned the collector's passes off; leave it so
                # Only ever slower than it was: a pace already set slower is kept.
                gc.set_threshold(*map(max, _previous, SYNC_THRESHOLDS))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _previous is not None:
                gc.set_threshold(*_previous)
                _previous = None
