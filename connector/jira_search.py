"""Paging through Jira searches on Cloud and on Data Center, as jobs for a `FetchPool`.

Cloud: enhanced search (`/search/jql`) follows `nextPageToken`, so one query's pages come one
after the other (the server may return fewer issues than asked); queries run side by side.
Data Center: `/search` pages with `startAt`, so once the first page has told the total, the
other pages are jobs of their own. It refuses to go past its 10,000-result window ("Search limit
exceeded", a 500 that no retry fixes), so a query that would pass it is split into `updated`
windows, halved until each fits; a window of one millisecond that still holds more (a bulk
import) is read project by project in key order, `window` issues at a time (`key > LAST`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from jira import JIRA

from connector.fetch_pool import FetchPool, Job, More
from connector.jira_fields import parse_time
from connector.retry import CallContext, RetryPolicy, call
from connector.transit import PARSED_BY_CALLER, read_json

Page = list[dict[str, Any]]
DC_WINDOW = 10_000
# Id and key, no fields: the largest pages Jira serves (Cloud: 5,000). Asked as "key", which
# Jira documents for this; "id" alone gets Cloud's bare {"id"} items, without the key.
KEYS_ONLY = ["key"]
LONG_JQL = 1500  # characters; longer queries go by POST (URL length limits)
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


@dataclass
class _Tally:
    issues: int = 0
    largest: int = 0  # the largest page


@dataclass
class SearchStats:
    """What the searches cost, for progress reports and benchmarks."""

    requests: int = 0
    issues: int = 0
    tallies: list[_Tally] = field(default_factory=list)

    @property
    def queries(self) -> list[tuple[int, int]]:
        """(issues, largest page) of each query."""
        return [(t.issues, t.largest) for t in self.tallies]


def without_order_by(jql: str) -> str:
    """The query's condition alone, so it can be combined with others (quotes respected)."""
    quoted = False
    for index, char in enumerate(jql):
        if char == '"':
            quoted = not quoted
        elif not quoted and _ORDER_BY.match(jql, index):
            return jql[:index].strip()
    return jql.strip()


def both(condition: str, extra: str) -> str:
    condition = without_order_by(condition)
    return f"({condition}) AND {extra}" if condition else extra


def by_key(condition: str) -> str:
    return f"{without_order_by(condition)} ORDER BY key ASC"  # stable pages for startAt


class Searcher:
    def __init__(
        self,
        client: JIRA,
        *,
        cloud: bool,
        service: str,
        policy: RetryPolicy,
        page_size: int = 100,
        id_page_size: int = 5000,
        window: int = DC_WINDOW,
        concurrency: int = 1,
    ) -> None:
        self.client = client
        self.cloud = cloud
        self.service = service
        self.policy = policy
        self.window = window
        # Data Center: no page reaches past the window (a site's lowered window included).
        self.page_size = page_size if cloud else min(page_size, window)
        self.id_page_size = id_page_size if cloud else min(id_page_size, 1000, window)
        self.pool = FetchPool(concurrency)
        self.stats = SearchStats()
        self._counting = threading.Lock()

    def pages(self, jql: str, fields: list[str], *, in_order: bool = True) -> Iterator[Page]:
        """Every issue matching `jql`, page by page, with only `fields` (empty: ids only).

        In order: one request at a time, the pages in the query's order (what reads only the
        first few, or keeps the order, needs). Otherwise as `run` gives them."""
        if in_order:
            return FetchPool().run([self.job(jql, fields)])
        return self.pool.run([self.job(jql, fields)])

    def run(self, jobs: Iterable[Job]) -> Iterator[Page]:
        """The pages of many jobs (`job`), fetched side by side; in no promised order."""
        return self.pool.run(jobs)

    def job(self, jql: str, fields: list[str]) -> Job:
        return partial(self.items, jql, fields)

    def items(self, jql: str, fields: list[str]) -> Iterator[Page | More]:
        """One query as a job: its pages, and `More` for the jobs that fetch the rest."""
        size = self.page_size if fields else self.id_page_size
        wanted = fields or KEYS_ONLY
        tally = _Tally()
        with self._counting:
            self.stats.tallies.append(tally)
        if self.cloud:
            return self._cloud_pages(jql, wanted, size, tally)
        return self._dc_pages(jql, wanted, size, tally)

    def _counted(self, tally: _Tally, page: Page) -> Page:
        with self._counting:
            tally.issues += len(page)
            tally.largest = max(tally.largest, len(page))
            self.stats.issues += len(page)
        return page

    def _get(self, fetch: Callable[[], Any], jql: str) -> Any:
        with self._counting:
            self.stats.requests += 1
        return call(fetch, CallContext(self.service, "search", jql), self.policy)

    def _cloud_pages(self, jql: str, fields: list[str], size: int, tally: _Tally) -> Iterator[Page]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": fields}
            if token:
                params["nextPageToken"] = token
            answer = self._get(partial(self._search, "search/jql", params), jql)
            yield self._counted(tally, answer.get("issues") or [])
            token = answer.get("nextPageToken")
            if answer.get("isLast", not token) or not token:
                return

    def _dc_search(self, jql: str, fields: list[str], start: int, size: int) -> dict[str, Any]:
        params = {"jql": jql, "startAt": start, "maxResults": size, "validateQuery": True}
        answer: dict[str, Any] = self._get(
            partial(self._search, "search", {**params, "fields": fields}), jql
        )
        return answer

    def _search(self, path: str, params: dict[str, Any]) -> Any:
        """One search request, as the client's own search methods send it (its session: sign-in,
        timeout, error statuses raised as JIRAError), with the answer parsed once: the client
        would parse it a second time after the transit check, a fifth of a sync's CPU."""
        session, url = self.client._session, self.client._get_url(path)
        if len(params["jql"]) > LONG_JQL:
            response = session.post(url, data=json.dumps(params), hooks=PARSED_BY_CALLER)
        else:
            response = session.get(url, params=params, hooks=PARSED_BY_CALLER)
        return read_json(response)

    def _dc_pages(
        self, jql: str, fields: list[str], size: int, tally: _Tally
    ) -> Iterator[Page | More]:
        ordered = by_key(jql)
        first = self._dc_search(ordered, fields, 0, size)
        if first.get("total", 0) > self.window:
            yield from self._dc_windows(jql, fields, size, tally)
        else:
            yield from self._dc_rest(ordered, fields, first, tally)

    def _dc_rest(
        self,
        jql: str,
        fields: list[str],
        first: dict[str, Any],
        tally: _Tally,
        upto: int | None = None,
    ) -> Iterator[Page | More]:
        """The first page, then a job for each later one (first `upto` results at most).

        Each job asks for no result past its own range, so none passes the window even if
        the query gained issues since the first page."""
        page: Page = first.get("issues") or []
        total = int(first.get("total", 0)) if upto is None else upto
        if not page:
            return
        yield self._counted(tally, page)
        step = len(page)  # the server may cap the page below what we asked
        ranges = [(start, min(start + step, total)) for start in range(step, total, step)]
        if ranges:
            yield More(tuple(partial(self._dc_range, jql, fields, r, tally) for r in ranges))

    def _dc_range(
        self, jql: str, fields: list[str], span: tuple[int, int], tally: _Tally
    ) -> Iterator[Page]:
        start, end = span
        while start < end:
            page = self._dc_search(jql, fields, start, end - start).get("issues") or []
            if not page:
                return
            yield self._counted(tally, page)
            start += len(page)

    def _dc_windows(
        self, jql: str, fields: list[str], size: int, tally: _Tally
    ) -> Iterator[Page | More]:
        """Split by `updated` (epoch ms) until each window holds at most `window` issues."""
        oldest = self._dc_search(f"{without_order_by(jql)} ORDER BY updated ASC", ["updated"], 0, 1)
        newest = self._dc_search(
            f"{without_order_by(jql)} ORDER BY updated DESC", ["updated"], 0, 1
        )
        low = _updated_ms(oldest)
        high = _updated_ms(newest)
        if low is not None and high is not None:
            yield from self._dc_window(jql, fields, size, (low, high + 1), tally)

    def _dc_window(
        self, jql: str, fields: list[str], size: int, span: tuple[int, int], tally: _Tally
    ) -> Iterator[Page | More]:
        start, end = span
        condition = both(jql, f"updated >= {start} AND updated < {end}")
        first = self._dc_search(by_key(condition), fields, 0, size)
        if first.get("total", 0) <= self.window:
            yield from self._dc_rest(by_key(condition), fields, first, tally)
        elif end - start > 1:
            middle = (start + end) // 2
            halves = [(start, middle), (middle, end)]
            yield More(tuple(partial(self._dc_window, jql, fields, size, h, tally) for h in halves))
        else:  # more than a window's worth changed in one millisecond: a bulk import
            yield from self._dc_projects(condition, fields, size, tally)

    def _dc_projects(
        self, condition: str, fields: list[str], size: int, tally: _Tally
    ) -> Iterator[More]:
        """Each project in the condition, found by asking for the first key of the others.

        Key ranges hold within one project only (`key > PAY-9` matches no MOB issue)."""
        found: list[str] = []
        while True:
            others = ", ".join(f'"{key}"' for key in found)
            rest = both(condition, f"project not in ({others})") if found else condition
            issues = self._dc_search(by_key(rest), KEYS_ONLY, 0, 1).get("issues") or []
            if not issues:
                return
            found.append(str(issues[0]["key"]).rsplit("-", 1)[0])
            part = both(condition, f'project = "{found[-1]}"')
            yield More((partial(self._dc_keys, part, fields, size, None, tally),))

    def _dc_keys(
        self, condition: str, fields: list[str], size: int, after: str | None, tally: _Tally
    ) -> Iterator[Page | More]:
        """One project's issues in key order, `window` at a time: the next part starts after
        the last key of this one."""
        ordered = by_key(both(condition, f'key > "{after}"') if after else condition)
        first = self._dc_search(ordered, fields, 0, size)
        if first.get("total", 0) <= self.window:
            yield from self._dc_rest(ordered, fields, first, tally)
            return
        last = self._dc_search(ordered, KEYS_ONLY, self.window - 1, 1).get("issues") or []
        yield from self._dc_rest(ordered, fields, first, tally, upto=self.window)
        if last:
            key = str(last[0]["key"])
            yield More((partial(self._dc_keys, condition, fields, size, key, tally),))


def _updated_ms(answer: dict[str, Any]) -> int | None:
    issues = answer.get("issues") or []
    if not issues:
        return None
    when = parse_time((issues[0].get("fields") or {}).get("updated"))
    return int(when.timestamp() * 1000) if when else None
