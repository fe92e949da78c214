"""The sync: Jira → store, full or incremental, in one transaction.

Incremental runs ask only for what changed since the cursor (minus a lookback, for clocks and
Jira's eventual consistency), written into JQL as epoch milliseconds. A cheap ids-only pass then
reconciles what the scope holds now: epics that left it, children deleted or moved elsewhere,
epics that entered it (whose children are fetched whole). Everything, cursor included, commits
together: a crash leaves the store as it was, and the next run picks up from the old cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.jira_source import JiraSource
from connector.store.issues import (
    IssueRecord,
    delete_issues_except,
    rekey_children,
    replace_scope,
    scope_ids,
    sync_cursor,
    upsert_issues,
)

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


class _Run:
    """One portfolio's pass: what it fetched, and the newest `updated` it saw."""

    def __init__(self, session: Session, now: datetime, progress: Progress, name: str):
        self.session = session
        self.now = now
        self.progress = progress
        self.name = name
        self.fetched = 0
        self.newest: int | None = None

    def store(self, pages: Iterable[list[IssueRecord]], *, epics: bool) -> set[str]:
        ids: set[str] = set()
        for page in pages:
            if epics:
                rekey_children(self.session, page)
            upsert_issues(self.session, page, synced_at=self.now)
            ids.update(record.id for record in page)
            self.fetched += len(page)
            stamps = [int(r.updated.timestamp() * 1000) for r in page if r.updated]
            if stamps:
                self.newest = max(self.newest or 0, *stamps)
            self.progress(f"{self.name}: {self.fetched} issues fetched")
        return ids


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
    keep: set[str] = set()
    with Session(engine) as session, session.begin():
        for scope in scopes:
            result, epics, children = _sync_scope(
                source,
                session,
                scope,
                now=now,
                full=full,
                lookback_ms=lookback_ms,
                progress=progress,
            )
            keep |= epics | children
            results.append(result)
        removed = delete_issues_except(session, keep)
    if removed and results:
        results[-1] = _with_removed(results[-1], removed)
    return results


def _sync_scope(
    source: JiraSource,
    session: Session,
    scope: ScopeSpec,
    *,
    now: datetime,
    full: bool,
    lookback_ms: int,
    progress: Progress,
) -> tuple[SyncResult, set[str], set[str]]:
    cursor = sync_cursor(session, scope.id)
    incremental = not full and cursor is not None and cursor.last_updated_ms is not None
    run = _Run(session, now, progress, scope.name)
    if not incremental:
        epics = run.store(source.epic_pages(scope.epics_jql), epics=True)
        children = run.store(source.child_pages(sorted(epics)), epics=False)
    else:
        assert cursor is not None and cursor.last_updated_ms is not None
        since = cursor.last_updated_ms - lookback_ms
        run.newest = cursor.last_updated_ms
        before = scope_ids(session, scope.id)
        changed = run.store(source.epic_pages(scope.epics_jql, since), epics=True)
        epics = source.epic_ids(scope.epics_jql)
        entered = epics - before
        # An epic can enter the scope without changing (the JQL changed): read it whole.
        run.store(source.issue_pages(sorted(entered - changed)), epics=True)
        run.store(source.child_pages(sorted(entered)), epics=False)
        run.store(source.child_pages(sorted(epics & before), since), epics=False)
        children = source.child_ids(sorted(epics))
    replace_scope(
        session,
        scope.id,
        sorted(epics),
        synced_at=now,
        last_updated_ms=run.newest,
        children=len(children),
    )
    result = SyncResult(scope.id, not incremental, len(epics), len(children), run.fetched)
    return result, epics, children


def _with_removed(result: SyncResult, removed: int) -> SyncResult:
    return SyncResult(
        result.portfolio_id, result.full, result.epics, result.children, result.fetched, removed
    )
