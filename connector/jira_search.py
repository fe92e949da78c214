"""Paging through Jira searches, one page in memory at a time, on Cloud and on Data Center.

Cloud: enhanced search (`/search/jql`) follows `nextPageToken`; the server may return fewer
issues than asked, so the page size is whatever came back. Data Center: `/search` pages with
`startAt`, and refuses to go past its 10,000-result window ("Search limit exceeded", a 500 that
no retry fixes), so a query that would pass it is split into `updated` windows, halved until each
fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jira import JIRA

from connector.jira_fields import parse_time
from connector.retry import CallContext, RetryPolicy, SearchWindowExceeded, call

Page = list[dict[str, Any]]
DC_WINDOW = 10_000
LONG_JQL = 1500  # characters; longer queries go by POST (URL length limits)
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


@dataclass
class SearchStats:
    """What the searches cost, for progress reports and benchmarks."""

    requests: int = 0
    issues: int = 0
    queries: list[tuple[int, int]] = field(default_factory=list)  # (issues, largest page) each


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
    ) -> None:
        self.client = client
        self.cloud = cloud
        self.service = service
        self.policy = policy
        self.page_size = page_size
        self.id_page_size = id_page_size if cloud else min(id_page_size, 1000)
        self.window = window
        self.stats = SearchStats()

    def pages(self, jql: str, fields: list[str]) -> Iterator[Page]:
        """Every issue matching `jql`, page by page, with only `fields` (empty: ids only)."""
        size = self.page_size if fields else self.id_page_size
        wanted = fields or ["id"]
        total = largest = 0
        pager = self._cloud_pages if self.cloud else self._dc_pages
        for page in pager(jql, wanted, size):
            total += len(page)
            largest = max(largest, len(page))
            self.stats.issues += len(page)
            yield page
        self.stats.queries.append((total, largest))

    def _get(self, fetch: Callable[[], Any], jql: str) -> Any:
        self.stats.requests += 1
        return call(fetch, CallContext(self.service, "search", jql), self.policy)

    def _cloud_pages(self, jql: str, fields: list[str], size: int) -> Iterator[Page]:
        token: str | None = None
        while True:

            def fetch(token: str | None = token) -> Any:
                return self.client.enhanced_search_issues(
                    jql,
                    nextPageToken=token,
                    maxResults=size,
                    fields=list(fields),
                    json_result=True,
                    use_post=len(jql) > LONG_JQL,
                )

            answer = self._get(fetch, jql)
            yield answer.get("issues") or []
            token = answer.get("nextPageToken")
            if answer.get("isLast", not token) or not token:
                return

    def _dc_search(self, jql: str, fields: list[str], start: int, size: int) -> dict[str, Any]:
        answer: dict[str, Any] = self._get(
            lambda: self.client.search_issues(
                jql,
                startAt=start,
                maxResults=size,
                fields=list(fields),
                json_result=True,
                use_post=len(jql) > LONG_JQL,
            ),
            jql,
        )
        return answer

    def _dc_pages(self, jql: str, fields: list[str], size: int) -> Iterator[Page]:
        ordered = f"{without_order_by(jql)} ORDER BY key ASC"  # stable pages for startAt
        first = self._dc_search(ordered, fields, 0, size)
        if first.get("total", 0) > self.window:
            yield from self._dc_windows(jql, fields, size)
            return
        try:
            yield from self._dc_rest(ordered, fields, size, first)
        except SearchWindowExceeded:  # it grew past the window while we paged
            yield from self._dc_windows(jql, fields, size)

    def _dc_rest(
        self, jql: str, fields: list[str], size: int, first: dict[str, Any]
    ) -> Iterator[Page]:
        page: Page = first.get("issues") or []
        start, total = 0, int(first.get("total", 0))
        while page:
            yield page
            start += len(page)  # the server may cap the page below what we asked
            if start >= total:
                return
            page = self._dc_search(jql, fields, start, size).get("issues") or []

    def _dc_windows(self, jql: str, fields: list[str], size: int) -> Iterator[Page]:
        """Split by `updated` (epoch ms) until each window holds at most `window` issues."""
        oldest = self._dc_search(f"{without_order_by(jql)} ORDER BY updated ASC", ["updated"], 0, 1)
        newest = self._dc_search(
            f"{without_order_by(jql)} ORDER BY updated DESC", ["updated"], 0, 1
        )
        low = _updated_ms(oldest)
        high = _updated_ms(newest)
        if low is None or high is None:
            return
        stack = [(low, high + 1)]
        while stack:
            start, end = stack.pop()
            window = f"{both(jql, f'updated >= {start} AND updated < {end}')} ORDER BY key ASC"
            first = self._dc_search(window, fields, 0, size)
            if first.get("total", 0) > self.window and end - start > 1:
                middle = (start + end) // 2
                stack.extend([(middle, end), (start, middle)])
                continue
            yield from self._dc_rest(window, fields, size, first)


def _updated_ms(answer: dict[str, Any]) -> int | None:
    issues = answer.get("issues") or []
    if not issues:
        return None
    when = parse_time((issues[0].get("fields") or {}).get("updated"))
    return int(when.timestamp() * 1000) if when else None
