"""The sync: Jira → store, full or incremental, in one transaction.

Incremental runs ask only for what changed since the cursor (minus a lookback, for clocks and
Jira's eventual consistency), written into JQL as epoch milliseconds. A cheap ids-only pass then
reconciles what the scope holds now: epics that left it, children deleted or moved elsewhere,
epics that entered it (whose children are fetched whole). The cursor also keeps the field settings
it was built with (`JiraSource.field_settings`): when they change, an incremental sync re-reads the
scope's epics (and children, for story points), since stored issues lack what the new settings
read. Everything, cursor included, commits together: a crash leaves the store as it was, and the
next run picks up from the old cursor.

The searches run side by side on worker threads (`jira.concurrency`; see connector/fetch_pool.py);
this module, on the caller's thread, is the one writer: what it stores does not depend on the
order in which pages arrive (upserts by id, ids in sets, the newest `updated` kept).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.gc_pacing import sync_gc_pace
from connector.jira_source import JiraSource
from connector.store.issues import (
    IssueRecord,
    child_counts,
    delete_unseen,
    mark_seen,
    rekey_children,
    replace_scope,
    scope_ids,
    sync_cursor,
    upsert_issues,
)

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
LOOKBACK_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class ScopeSpec:
    id: str
    name: str
    epics_jql: str


@dataclass(frozen=True)
class SyncResult:
    portfolio_id: str
    full: bool
    epics: int  # in scope now
    children: int  # in scope now
    fetched: int  # issues read with their fields this run
    removed: int = 0  # issues deleted from the store (gone from Jira or from every scope)
    note: str | None = None  # why an incremental sync re-read more than what changed


class _Run:
    """One portfolio's pass: what it fetched, and the newest `updated` it saw. Every issue it
    sees gets the sync's mark; what no scope marked is removed at the end."""

    def __init__(self, session: Session, now: datetime, progress: Progress, name: str, mark: str):
        self.session = session
        self.now = now
        self.progress = progress
        self.name = name
        self.mark = mark
        self.fetched = 0
        self.newest: int | None = None

    def store(self, pages: Iterable[list[IssueRecord]], *, epics: bool) -> set[str]:
        """Upsert each page as it comes; returns the ids (callers keep only epics' ids)."""
        ids: set[str] = set()
        for page in pages:
            if epics:
                rekey_children(self.session, page)
                ids.update(record.id for record in page)
            upsert_issues(self.session, page, synced_at=self.now, mark=self.mark)
            self.fetched += len(page)
            latest = max((r.updated for r in page if r.updated), default=None)
            if latest is not None:
                self.newest = max(self.newest or 0, int(latest.timestamp() * 1000))
            self.progress(f"{self.name}: {self.fetched} issues fetched")
        return ids

    def store_scope(self, pages: Iterable[tuple[bool, list[IssueRecord]]]) -> tuple[set[str], int]:
        """Epics' and children's pages in any order (`JiraSource.scope_pages`): the epics' ids
        and how many children they have. A child whose epic was deleted after the scope was
        listed is stored, as Jira answered it, but not counted: no scope holds its epic, and
        the next sync, which does not see it, removes it."""
        epics: set[str] = set()
        epic_keys: set[str] = set()
        by_parent: Counter[str | None] = Counter()
        for is_epic, page in pages:
            if is_epic:
                epics |= self.store([page], epics=True)
                epic_keys.update(record.key for record in page)
            else:
                self.store([page], epics=False)
                by_parent.update(record.parent_key for record in page)
        return epics, sum(n for parent, n in by_parent.items() if parent in epic_keys)


def sync_scopes(
    source: JiraSource,
    engine: Engine,
    scopes: Sequence[ScopeSpec],
    *,
    now: datetime,
    full: bool = False,
    lookback_ms: int = LOOKBACK_MS,
    progress: Progress = lambda _: None,
) -> list[SyncResult]:
    """Sync every scope in one transaction; issues no scope holds any more are removed."""
    results = []
    mark = uuid.uuid4().hex
    with sync_gc_pace(), Session(engine) as session, session.begin():
        for scope in scopes:
            run = _Run(session, now, progress, scope.name, mark)
            results.append(_sync_scope(source, run, scope, full=full, lookback_ms=lookback_ms))
        removed = delete_unseen(session, mark)
    if removed and results:  # one count for the whole sync, reported with its last scope
        results[-1] = replace(results[-1], removed=removed)
    return results


def _sync_scope(
    source: JiraSource, run: _Run, scope: ScopeSpec, *, full: bool, lookback_ms: int
) -> SyncResult:
    session = run.session
    cursor = sync_cursor(session, scope.id)
    incremental = not full and cursor is not None and cursor.last_updated_ms is not None
    settings = source.field_settings()
    note = None
    if not incremental:
        # The scope's ids first (one cheap request per 5,000 epics), so that the epics and
        # their children are read side by side; an epic deleted since is not in the scope.
        listed = source.epic_ids(scope.epics_jql)
        epics, children = run.store_scope(source.scope_pages(sorted(listed)))
    else:
        assert cursor is not None and cursor.last_updated_ms is not None
        since = cursor.last_updated_ms - lookback_ms
        run.newest = cursor.last_updated_ms
        # Issues stored under other field settings lack what the new ones read: re-read them
        # (epics; children too when their points come from another field).
        changed = changed_settings(cursor.fields, settings)
        epics_since = None if changed else since
        children_since = None if {"story_points_field", "all"} & set(changed) else since
        previous = scope_ids(session, scope.id)
        changed_ids = run.store(source.epic_pages(scope.epics_jql, epics_since), epics=True)
        epics = source.epic_ids(scope.epics_jql)
        mark_seen(session, sorted(epics), run.mark)
        entered = epics - previous
        # An epic can enter the scope without changing (the JQL changed): read it whole.
        run.store(source.issue_pages(sorted(entered - changed_ids)), epics=True)
        run.store(source.child_pages(sorted(entered)), epics=False)
        run.store(source.child_pages(sorted(epics & previous), children_since), epics=False)
        # Every child this run knows of is stored by now: their counts shape the ids pass.
        expected = child_counts(session, sorted(epics))
        id_pages = source.child_id_pages(sorted(epics), expected)
        children = _mark_pages(session, id_pages, run.mark)
        if changed:
            note = _reread_note(scope, changed, len(epics), children_since is None)
            log.info("%s", note)
            run.progress(note)
    replace_scope(
        session,
        scope.id,
        sorted(epics),
        synced_at=run.now,
        last_updated_ms=run.newest,
        children=children,
        fields=settings,
    )
    return SyncResult(scope.id, not incremental, len(epics), children, run.fetched, note=note)


def changed_settings(before: dict[str, str | None] | None, now: dict[str, str | None]) -> list[str]:
    """The settings that differ from the cursor's; ["all"] when the cursor kept none (a store
    synced before cursors kept them: what it was built with is unknown)."""
    if before is None:
        return ["all"]
    return [name for name, value in now.items() if before.get(name) != value]


def _reread_note(scope: ScopeSpec, changed: list[str], epics: int, children: bool) -> str:
    what = f"all {epics} epics of {scope.id}" + (" and their child issues" if children else "")
    if changed == ["all"]:
        return f"The last sync did not record its field settings: re-reading {what}"
    names = ", ".join(changed)
    return f"Settings for fields changed since the last sync ({names}): re-reading {what}"


def _mark_pages(session: Session, pages: Iterator[list[str]], mark: str) -> int:
    seen = 0
    for ids in pages:
        mark_seen(session, ids, mark)
        seen += len(ids)
    return seen
