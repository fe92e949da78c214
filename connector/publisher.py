"""Publishing rendered pages to Confluence without ever clobbering a person's edit.

For each page Outcomes keeps a record: page id, the version it last wrote, and a hash of the
normalised body. Unchanged body → no write. The page's current version is not the one we wrote →
someone else edited it: leave it and report it. A 409 → re-read, re-check, retry a few times.
A failed page does not stop the others; it is tried again on the next run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from connector.confluence_api import PageApi, RemotePage, VersionConflict
from connector.errors import AuthError, ServiceError

CONFLICT_RETRIES = 3
ROOT_BODY = "<p>Outcome reports published by Outcomes. Pages below are rewritten on each run.</p>"


class PageDraft(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def parent_key(self) -> str | None: ...
    @property
    def body(self) -> str: ...


@dataclass(frozen=True)
class PageRecord:
    page_id: str
    version: int
    body_hash: str


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # someone else's edit or page: left alone, reported
    FAILED = "failed"


@dataclass(frozen=True)
class PublishResult:
    key: str
    title: str
    action: Action
    record: PageRecord | None = None  # what to remember (None: keep the old record)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.action in (Action.CREATED, Action.UPDATED, Action.UNCHANGED)


def normalise(body: str) -> str:
    """The body as Confluence will store it, so that hashes compare like for like."""
    body = re.sub(r"<([A-Za-z][^<>]*?)\s*/>", r"<\1 />", body)
    return re.sub(r">\s+<", "><", body.strip())


def body_hash(body: str) -> str:
    return hashlib.sha256(normalise(body).encode("utf-8")).hexdigest()


def _ours(remote: RemotePage, record: PageRecord, wanted: str) -> bool:
    """A newer version whose body is one we wrote (say, our write landed but the store's commit
    did not) is not a person's edit."""
    return body_hash(remote.body) in (record.body_hash, wanted)


class Publisher:
    def __init__(self, api: PageApi, *, space: str, root_title: str):
        self.api = api
        self.space = space
        self.root_title = root_title

    def publish(
        self, pages: Sequence[PageDraft], records: Mapping[str, PageRecord]
    ) -> list[PublishResult]:
        """Publish parents before children; one page's failure does not stop the others."""
        root = self.api.find(self.space, self.root_title) or self.api.create(
            self.space, self.root_title, ROOT_BODY, None
        )
        page_ids: dict[str | None, str] = {None: root.id}
        results = []
        for page in pages:
            parent_id = page_ids.get(page.parent_key)
            if parent_id is None:
                result = PublishResult(
                    page.key,
                    page.title,
                    Action.FAILED,
                    message=f"its parent page {page.parent_key!r} was not published",
                )
            else:
                result = self._publish_one(page, parent_id, records.get(page.key))
            if result.record is not None:
                page_ids[page.key] = result.record.page_id
            elif page.key in records and result.action is Action.SKIPPED:
                page_ids[page.key] = records[page.key].page_id
            results.append(result)
        return results

    def _publish_one(
        self, page: PageDraft, parent_id: str, record: PageRecord | None
    ) -> PublishResult:
        try:
            if record is not None:
                remote = self.api.get(record.page_id)
                if remote is not None:
                    return self._update(page, remote, record)
            return self._create(page, parent_id)
        except AuthError:
            raise
        except ServiceError as exc:
            return PublishResult(page.key, page.title, Action.FAILED, message=str(exc))

    def _update(self, page: PageDraft, remote: RemotePage, record: PageRecord) -> PublishResult:
        wanted = body_hash(page.body)
        for _ in range(CONFLICT_RETRIES):
            if remote.version != record.version and not _ours(remote, record, wanted):
                return self._foreign_edit(page, remote, record)
            same = wanted in (record.body_hash, body_hash(remote.body))
            if same and remote.title == page.title:
                current = PageRecord(remote.id, remote.version, wanted)
                return PublishResult(page.key, page.title, Action.UNCHANGED, current)
            try:
                written = self.api.update(remote.id, page.title, page.body, remote.version + 1)
            except VersionConflict:
                fresh = self.api.get(remote.id)
                if fresh is None:
                    break
                remote = fresh
                continue
            new_record = PageRecord(written.id, written.version, wanted)
            return PublishResult(page.key, page.title, Action.UPDATED, new_record)
        return PublishResult(
            page.key,
            page.title,
            Action.FAILED,
            message="the page kept changing while Outcomes wrote it; it is tried again next run",
        )

    def _create(self, page: PageDraft, parent_id: str) -> PublishResult:
        existing = self.api.find(self.space, page.title)
        if existing is not None:
            if normalise(existing.body) == normalise(page.body):
                record = PageRecord(existing.id, existing.version, body_hash(page.body))
                return PublishResult(page.key, page.title, Action.UNCHANGED, record)
            return PublishResult(
                page.key,
                page.title,
                Action.SKIPPED,
                message=(
                    f"a page titled {page.title!r} already exists in space {self.space} and"
                    " Outcomes has no record of writing it; rename or move that page, then run"
                    " again"
                ),
            )
        created = self.api.create(self.space, page.title, page.body, parent_id)
        record = PageRecord(created.id, created.version, body_hash(page.body))
        return PublishResult(page.key, page.title, Action.CREATED, record)

    @staticmethod
    def _foreign_edit(page: PageDraft, remote: RemotePage, record: PageRecord) -> PublishResult:
        editor = f" by {remote.last_editor}" if remote.last_editor else ""
        return PublishResult(
            page.key,
            page.title,
            Action.SKIPPED,
            message=(
                f"page {page.title!r} was edited{editor} after Outcomes wrote version"
                f" {record.version} (now version {remote.version}); left as it is. Copy the edit"
                " elsewhere and restore Outcomes' version to resume publishing"
            ),
        )
