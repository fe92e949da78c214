"""Searches on worker threads, one writer: the thread that iterates `FetchPool.run` gets the pages.

A job is a generator function run by one worker: it makes its requests and yields pages, or a
`More` holding jobs it found (Data Center's `startAt` pages once the first page told the total,
the halves of a split window), which any free worker takes at once, before the jobs not yet
started (so a query is finished before the next begins). The pages of every running job go into
one bounded queue, so memory stays flat however far the workers could run ahead: a worker that
finds the queue full waits for the writer.

Pages reach the writer in the order they arrive, which depends on timing; what the sync stores
does not: it upserts each issue by id (an issue's row depends on the issue, not on which page
brought it), gathers ids in sets and keeps the newest `updated` seen. With `concurrency` 1 no
thread is started: the jobs run one after the other on the caller's thread, in today's order.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

Job = Callable[[], Iterator[Any]]  # yields pages, or More


@dataclass(frozen=True)
class More:
    """Jobs that a job found; they run before the jobs not yet started."""

    jobs: tuple[Job, ...]


def mapped(convert: Callable[[Any], Any], job: Job) -> Job:
    """The job, each page passed through `convert` on the worker's thread, and so the pages of
    the jobs it finds: the queue then holds what the writer needs, not the whole answer."""

    def run() -> Iterator[Any]:
        for item in job():
            if isinstance(item, More):
                yield More(tuple(mapped(convert, found) for found in item.jobs))
            else:
                yield convert(item)

    return run


def labelled(label: Any, job: Job) -> Job:
    """The job, its pages given as (label, page), and so the pages of the jobs it finds: which
    query a page answers, when several kinds of query share one run."""
    return mapped(lambda page: (label, page), job)


@dataclass(frozen=True)
class _Done:
    error: BaseException | None


class FetchPool:
    def __init__(self, concurrency: int = 1, buffer: int | None = None) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got: {concurrency}")
        self.concurrency = concurrency
        self.buffer = buffer or 2 * concurrency  # pages waiting for the writer, at most
        self.high_water = 0  # the most items the queue ever held
        self.full_waits = 0  # how often a worker found the queue full and waited for the writer
        self._counting = threading.Lock()

    def run(self, jobs: Iterable[Job]) -> Iterator[Any]:
        """Every page of every job (and of the jobs they find)."""
        if self.concurrency == 1:
            return self._inline(iter(jobs))
        return self._threaded(iter(jobs))

    def _inline(self, jobs: Iterator[Job]) -> Iterator[Any]:
        for job in jobs:
            for item in job():
                if isinstance(item, More):
                    yield from self._inline(iter(item.jobs))
                else:
                    yield item

    def _threaded(self, jobs: Iterator[Job]) -> Iterator[Any]:
        schedule = _Schedule(jobs)
        out: queue.Queue[Any] = queue.Queue(maxsize=self.buffer)
        running = self.concurrency
        error: BaseException | None = None
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="jira-search") as workers:
            for _ in range(self.concurrency):
                workers.submit(self._work, schedule, out)
            try:
                while running:
                    item = out.get()
                    if isinstance(item, _Done):
                        running -= 1
                        if item.error is not None and error is None:
                            error = item.error
                            schedule.stop()
                    elif error is None:
                        yield item
                if error is not None:
                    raise error
            finally:  # the writer stopped (done, failed or abandoned): let every worker end
                schedule.stop()
                while running:
                    if isinstance(out.get(), _Done):
                        running -= 1

    def _work(self, schedule: _Schedule, out: queue.Queue[Any]) -> None:
        error: BaseException | None = None
        try:
            while (job := schedule.take()) is not None:
                try:
                    for item in job():
                        if isinstance(item, More):
                            schedule.add(item.jobs)
                        else:
                            self._put(out, item)
                        if schedule.stopped:
                            break
                finally:
                    schedule.finished()
        except BaseException as exc:  # handed to the writer, which raises it
            error = exc
            schedule.stop()
        out.put(_Done(error))  # the writer drains the queue until every worker said it is done

    def _put(self, out: queue.Queue[Any], item: Any) -> None:
        if out.full():
            with self._counting:
                self.full_waits += 1
        out.put(item)
        with self._counting:
            self.high_water = max(self.high_water, out.qsize())


class _Schedule:
    """The jobs not yet started, for the workers to take: found ones first. A worker with
    nothing to take waits while another may still find more; when none can, all are done."""

    def __init__(self, jobs: Iterator[Job]) -> None:
        self._jobs = jobs
        self._found: deque[Job] = deque()
        self._busy = 0  # jobs being run
        self._changed = threading.Condition()
        self.stopped = False

    def take(self) -> Job | None:
        with self._changed:
            while not self.stopped:
                job = self._found.popleft() if self._found else next(self._jobs, None)
                if job is not None:
                    self._busy += 1
                    return job
                if self._busy == 0:
                    return None
                self._changed.wait()
            return None

    def add(self, jobs: tuple[Job, ...]) -> None:
        with self._changed:
            self._found.extendleft(reversed(jobs))
            self._changed.notify_all()

    def finished(self) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()
