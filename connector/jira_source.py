"""Reading epics and their children from Jira (Cloud or Data Center) through the `jira` client.

All Jira access goes through this module and `jira_search`. It asks only for the fields it needs,
pages itself (flat memory), retries by its own policy (`connector.retry`) and turns the client's
errors into `rules.errors`, whose messages never carry request headers or bodies.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from jira import JIRA
from requests.adapters import HTTPAdapter

from connector.fetch_pool import Job, More, labelled, mapped
from connector.http_env import settle_environment
from connector.jira_claims import NO_CLAIMS, ClaimReader
from connector.jira_fields import (
    NO_EPIC_FIELDS,
    EpicFieldReader,
    FieldMap,
    SiteFields,
    parse_time,
)
from connector.jira_search import DC_WINDOW, Page, Searcher, both
from connector.jira_teams import TeamReader
from connector.retry import CallContext, RetryPolicy, call
from connector.store.issues import IssueRecord
from connector.transit import watch
from rules.errors import BadQuery, NotFound

log = logging.getLogger(__name__)

CHILD_CHUNK = 500  # epics per children query; long queries go by POST
# Not "project": an issue's key starts with its project's key (a move or a renamed project gives
# it a new key), and the project object is an eighth of each issue's JSON, parsed for nothing.
BASE_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "assignee",
    "labels",
    "parent",
    "created",
    "updated",
)


@dataclass(frozen=True)
class JiraCredentials:
    url: str
    token: str
    email: str | None = None  # Cloud: email + API token (basic); Data Center: a PAT (bearer)
    timeout: float = 30.0


class JiraSource:
    """A connected Jira: knows its deployment type and the ids of the fields we read."""

    claims: ClaimReader = NO_CLAIMS  # claim fields, links, approval (service.alignment sets it)
    teams: TeamReader = TeamReader()  # where an epic's team comes from (settings: teams)
    epic_fields: EpicFieldReader = NO_EPIC_FIELDS  # extra epic fields (jira.epic_fields)

    def __init__(
        self,
        credentials: JiraCredentials,
        *,
        story_points_field: str = "Story Points",
        deployment: Literal["auto", "cloud", "datacenter"] = "auto",
        policy: RetryPolicy | None = None,
        page_size: int = 100,
        id_page_size: int = 5000,  # ids-only pages (Cloud's most; Data Center's are smaller)
        search_window: int = DC_WINDOW,
        settings_file: str = "settings",
        concurrency: int = 4,  # searches in flight at once (settings: jira.concurrency)
        child_chunk: int = CHILD_CHUNK,
    ):
        self.url = credentials.url
        self.service = f"Jira at {credentials.url}"
        self.policy = policy or RetryPolicy()
        self.child_chunk = child_chunk  # epics per children query: the queries run side by side
        auth: dict[str, Any] = (
            {"basic_auth": (credentials.email, credentials.token)}
            if credentials.email
            else {"token_auth": credentials.token}
        )
        # max_retries=0: the client's own retry loop would nest inside ours and sleep for minutes.
        # serverInfo is read here rather than by the constructor, so that it is watched (garbled
        # answers become faults that name the request) and retried like every other call.
        self.client = JIRA(
            server=credentials.url,
            max_retries=0,
            timeout=credentials.timeout,
            get_server_info=False,
            **auth,
        )
        # The search workers share this client and its session: requests' Session is used from
        # several threads in the common way (nothing here changes its settings after start-up),
        # and one client keeps one connection pool, one sign-in and one place for the answer
        # checks. Its pool keeps at least one connection per worker (requests' default is 10
        # per host; a smaller pool would open and drop a connection per request).
        pool = HTTPAdapter(pool_connections=4, pool_maxsize=max(10, concurrency), max_retries=0)
        for scheme in ("http://", "https://"):
            self.client._session.mount(scheme, pool)
        watch(self.client._session)
        settle_environment(self.client._session, credentials.url)
        self.server_info: dict[str, Any] = self._call(self.client.server_info, "connect")
        # What the constructor sets from serverInfo, for the client's own version checks.
        self.client.deploymentType = self.server_info.get("deploymentType")
        self.client._version = tuple(self.server_info.get("versionNumbers") or (0, 0, 0))
        detected = "cloud" if self.client.deploymentType == "Cloud" else "datacenter"
        self.deployment = detected if deployment == "auto" else deployment
        # The site's fields, read once: every field name in the settings resolves against them.
        self.field_list: list[dict[str, Any]] = self._call(
            self.client.fields, "read the field list"
        )
        self.field_map = FieldMap(self.field_list, settings_file)
        self.site: SiteFields = self.field_map.site(story_points_field)
        self.searcher = Searcher(
            self.client,
            cloud=self.deployment == "cloud",
            service=self.service,
            policy=self.policy,
            page_size=page_size,
            id_page_size=id_page_size,
            window=search_window,
            concurrency=concurrency,
        )

    @property
    def fields(self) -> list[str]:
        extra = [f for f in (self.site.story_points, self.site.epic_link) if f]
        return [
            *BASE_FIELDS,
            *extra,
            *self.claims.field_ids(),
            *self.teams.field_ids(),
            *self.epic_fields.field_ids(),
        ]

    def field_settings(self) -> dict[str, str | None]:
        """What decides the values a sync stores: field ids, claim and team settings (a sync
        cursor keeps it; when it changes, stored issues lack what the new settings read)."""
        teams = self.teams
        return {
            "story_points_field": self.site.story_points,
            "claims.field": self.claims.claim_field,
            "claims.links": self.claims.link_type,
            "approval.jira_field": self.claims.approval_field,
            "teams.source": teams.source,
            "teams.field": teams.field_id if teams.source == "field" else None,
            "teams.label_prefix": teams.label_prefix if teams.source == "label" else None,
            # One entry per configured extra field: none at all when none is configured.
            **{f"jira.epic_fields.{k}": i for k, (i, _) in self.epic_fields.wanted.items()},
        }

    def _call(self, action: Any, what: str) -> Any:
        return call(action, CallContext(self.service, what), self.policy)

    def validate_jql(self, jql: str) -> list[str]:
        """Jira's own verdict on a query: its error messages, none when the query is fine.

        Cloud parses it (`jql/parse`); where that endpoint is missing (404: Data Center, or a
        site or proxy without it) a one-issue search asks the same question."""
        if self.deployment == "cloud":
            url = f"{self.url}/rest/api/3/jql/parse"
            try:
                answer = self._call(
                    lambda: self.client._session.post(
                        url, params={"validation": "strict"}, json={"queries": [jql]}
                    ).json(),
                    "validate JQL",
                )
            except NotFound:
                log.info("%s has no jql/parse: validating the query by a search", self.service)
            else:
                return [str(e) for q in answer.get("queries", []) for e in q.get("errors") or []]
        try:
            call(self._one_issue(jql), CallContext(self.service, "validate JQL", jql), self.policy)
        except BadQuery as exc:
            return [str(exc)]
        return []

    def _one_issue(self, jql: str) -> Any:
        # One issue, not maxResults=0: the library warns on 0 ("All issues cannot be fetched at
        # once"), straight onto the user's terminal.
        if self.deployment == "cloud":
            return lambda: self.client.enhanced_search_issues(
                jql, maxResults=1, fields=["id"], json_result=True
            )
        return lambda: self.client.search_issues(
            jql, maxResults=1, fields=["id"], validate_query=True, json_result=True
        )

    def version(self) -> str:
        """The server's version, as serverInfo gave it."""
        return str(self.server_info.get("version", ""))

    def myself(self) -> str:
        me = self._call(self.client.myself, "read the signed-in user")
        return str(me.get("displayName") or me.get("name") or "unknown")

    # -- what the sync asks for ---------------------------------------------------------------

    def epic_pages(self, jql: str, since_ms: int | None = None) -> Iterator[list[IssueRecord]]:
        query = jql if since_ms is None else both(jql, f"updated >= {since_ms}")
        for page in self.searcher.pages(query, self.fields, in_order=False):
            yield [self.record(raw, is_epic=True) for raw in page]

    def child_pages(
        self, epic_ids: Sequence[str], since_ms: int | None = None
    ) -> Iterator[list[IssueRecord]]:
        """Children of many epics at once, in chunks (by id: ids survive project moves); the
        chunks are fetched side by side."""
        for page in self.searcher.run(self._child_jobs(epic_ids, since_ms)):
            yield [self.record(raw, is_epic=False) for raw in page]

    def scope_pages(self, epic_ids: Sequence[str]) -> Iterator[tuple[bool, list[IssueRecord]]]:
        """The epics (listed by id first: `epic_ids`) with their fields, and their children,
        all fetched side by side: (is_epic, records) per page.

        A full sync reads its scope this way so that every worker is busy until the end: Cloud
        pages one query one page at a time, so one query for all the epics would keep a worker
        on it for its 50 pages (5,000 epics) while the others wait for it or finish early. The
        children's long queries go first; the epics' short ones fill in at the end."""
        children = [labelled(False, job) for job in self._child_jobs(epic_ids, None)]
        epics = [labelled(True, job) for job in self._by_id_jobs(epic_ids)]
        labelled_pages: Iterator[tuple[bool, Page]] = self.searcher.pool.run([*children, *epics])
        for is_epic, page in labelled_pages:
            yield is_epic, [self.record(raw, is_epic=is_epic) for raw in page]

    def _child_jobs(self, epic_ids: Sequence[str], since_ms: int | None) -> list[Job]:
        return [partial(self._surviving, c, self.fields, since_ms) for c in self._spread(epic_ids)]

    def issue_pages(self, ids: Sequence[str]) -> Iterator[list[IssueRecord]]:
        """Issues by id, with their fields (epics that entered the scope without changing)."""
        for page in self.searcher.run(self._by_id_jobs(ids)):
            yield [self.record(raw, is_epic=True) for raw in page]

    def _by_id_jobs(self, ids: Sequence[str]) -> list[Job]:
        return [partial(self._surviving, c, self.fields, None, True) for c in self._chunks(ids)]

    def epic_ids(self, jql: str) -> set[str]:
        """Ids only (cheap: large pages): what the scope holds now, for reconciliation."""
        pages = self.searcher.pages(jql, [], in_order=False)
        return {str(raw["id"]) for page in pages for raw in page}

    def child_id_pages(
        self, epic_ids: Sequence[str], expected: Mapping[str, int] | None = None
    ) -> Iterator[list[str]]:
        """The ids of the epics' children, page by page (ids only: large, cheap pages).

        `expected`: how many children each epic should have (the store's count). The chunks are
        then cut where those counts fill whole pages, so that a query does not end on a nearly
        empty page; the counts shape the chunks only, never which epics are asked about."""
        if expected is None:
            chunks: Iterable[Sequence[str]] = self._chunks(epic_ids)
        else:
            window = None if self.deployment == "cloud" else self.searcher.window
            chunks = filling_pages(
                _by_number(epic_ids),
                expected,
                most=self.child_chunk,
                page=self.searcher.id_page_size,
                cap=window,  # Data Center: a query past its window is split, at a cost
            )
        # Each page becomes its ids on the worker's thread: a parsed page of 5,000 issues takes
        # about 2.5 MB, its ids 0.3 MB, and the pool holds a dozen pages at concurrency 4.
        jobs = [mapped(_ids, partial(self._surviving, chunk, [], None)) for chunk in chunks]
        yield from self.searcher.pool.run(jobs)

    def _surviving(
        self, epic_ids: Sequence[str], fields: list[str], since_ms: int | None, by_id: bool = False
    ) -> Iterator[Page | More]:
        """Pages of the epics' children (or, `by_id`, of the epics themselves), as a search job.
        Jira refuses a whole `parent in (…)` or `id in (…)` query when one of the epics was
        deleted since we listed them (a race on a busy site); then the chunk is halved until the
        refused query names only the deleted epic, which has nothing left to read."""
        query = f"id in ({', '.join(epic_ids)})" if by_id else self.children_jql(epic_ids)
        if since_ms is not None:
            query = both(query, f"updated >= {since_ms}")
        pages = self.searcher.items(query, fields)
        try:
            first = next(pages, None)
        except BadQuery:
            if len(epic_ids) == 1:
                if self._exists(epic_ids[0]):
                    raise  # the query itself is wrong, not a vanished epic: say so
                log.info("%s: epic %s is gone since it was listed", self.service, epic_ids[0])
                return
            middle = len(epic_ids) // 2
            halves = (epic_ids[:middle], epic_ids[middle:])
            yield More(tuple(partial(self._surviving, h, fields, since_ms, by_id) for h in halves))
            return
        if first is not None:
            yield first
            yield from pages

    def _chunks(self, ids: Sequence[str]) -> Iterator[Sequence[str]]:
        ordered = _by_number(ids)
        for start in range(0, len(ordered), self.child_chunk):
            yield ordered[start : start + self.child_chunk]

    def _spread(self, ids: Sequence[str]) -> Iterator[Sequence[str]]:
        """`ids` in chunks of at most `child_chunk`, as many as a multiple of the searches in
        flight and of near-equal size, so the workers finish together: Cloud pages each query
        one page after the other, and 10 long queries on 4 workers would leave two of them
        reading the last two queries alone. (One part-filled last page a chunk is the cost.)"""
        ordered = _by_number(ids)
        width = self.searcher.pool.concurrency
        count = width * math.ceil(len(ordered) / (width * self.child_chunk)) if ordered else 0
        for n in range(count):
            chunk = ordered[n * len(ordered) // count : (n + 1) * len(ordered) // count]
            if chunk:
                yield chunk

    def _exists(self, issue_id: str) -> bool:
        try:
            return any(self.searcher.items(f"id = {issue_id}", []))
        except BadQuery:
            return False  # Jira refuses to name an issue that does not exist

    def children_jql(self, epic_ids: Sequence[str]) -> str:
        listed = ", ".join(epic_ids)
        if self.deployment == "datacenter" and self.site.epic_link_clause:
            return f"{self.site.epic_link_clause} in ({listed})"
        return f"parent in ({listed})"

    def record(self, raw: dict[str, Any], *, is_epic: bool) -> IssueRecord:
        fields = raw.get("fields") or {}
        status = fields.get("status") or {}
        points_field, epic_link_field = self.site.story_points, self.site.epic_link
        points = fields.get(points_field) if points_field else None
        epic_link = fields.get(epic_link_field) if epic_link_field else None
        parent = epic_link or (fields.get("parent") or {}).get("key")
        labels = fields.get("labels")
        return IssueRecord(
            id=str(raw["id"]),
            key=raw["key"],
            project=raw["key"].rsplit("-", 1)[0],  # a key is its project's key, a dash, a number
            issuetype=(fields.get("issuetype") or {}).get("name", ""),
            is_epic=is_epic,
            summary=fields.get("summary") or "",
            status=status.get("name", ""),
            status_category=(status.get("statusCategory") or {}).get("key", "new"),
            assignee=(fields.get("assignee") or {}).get("displayName"),
            labels=sorted(labels) if labels else [],
            parent_key=parent if isinstance(parent, str) else None,
            story_points=float(points) if isinstance(points, _NUMBER) else None,
            created=parse_time(fields.get("created")),
            updated=parse_time(fields.get("updated")),
            **self.claims.values(fields),
            team_names=self.teams.team_names(fields),
            extra=(self.epic_fields.values(fields) or None) if is_epic else None,
        )


_NUMBER = (int, float)  # a tuple: `int | float` builds a new union object on every call


def _by_number(ids: Sequence[str]) -> list[str]:
    return sorted(ids, key=lambda i: int(i) if i.isdigit() else 0)


def filling_pages(
    ordered: Sequence[str], sizes: Mapping[str, int], *, most: int, page: int, cap: int | None
) -> Iterator[Sequence[str]]:
    """`ordered` in chunks of at most `most` ids whose `sizes` (results expected for each) add
    up to at most `cap`, each cut where its total falls nearest below a whole number of pages
    of `page` results (an empty answer costs a request too).

    Greedy: a chunk grows as far as the limits let it, then ends at its point of least waste
    (the latest of equals); the last chunk takes all that is left."""
    start = 0
    while start < len(ordered):
        end, total = start, 0
        best, least = start + 1, page
        while end < len(ordered) and end - start < most:
            size = max(0, sizes.get(ordered[end], 0))
            if cap is not None and end > start and total + size > cap:
                break
            total += size
            end += 1
            waste = -total % page if total else page
            if waste <= least:
                best, least = end, waste
        stop = end if end == len(ordered) else best
        yield ordered[start:stop]
        start = stop


def _ids(page: Page) -> list[str]:
    return [str(raw["id"]) for raw in page]
