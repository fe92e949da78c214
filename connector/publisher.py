"""Publishing rendered pages to Confluence without ever clobbering a person's edit by accident.

For each page Outcomes keeps a record: page id, the version it last wrote, and a hash of the
body's canonical form (connector/storage_form.py: Confluence rewrites bodies on save). Unchanged
body → no write (an unchanged run only reads). A newer version than the record's, whose body is
not ours and whose latest version Outcomes' own account did not write → a person edited it: by
default leave it and report it (`skip`); `overwrite` writes over it (Confluence keeps the edit in
the page history); `child` writes the new report to a child page of the edited one instead. Every
write sends an explicit version, ours + 1; a 409 → re-read, re-check, retry a few times. A failed
page does not stop the others and is tried again on the next run; losing Confluence altogether
(credentials, network, rate limit) stops the run. A page with no record (a lost answer, a lost
store) that sits where ours belongs, with our title, last written by our account, is adopted.

Ticking a task (a check box) is how leaders decide on the page, so a newer version that differs
from the one Outcomes wrote only in which tasks are ticked is no person's edit: the next report
is written over it (its statuses are the report's, rendered from the decisions recorded). When
the report has nothing new to say, the ticks are left on the page rather than written away: the
record moves to the ticked version and nothing is written."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from html import escape

from connector.confluence_api import PageApi, RemotePage, VersionConflict
from connector.publish_results import (
    CHILD_SUFFIX,
    Action,
    Draft,
    OnForeignEdit,
    PageDraft,
    PageRecord,
    PublishResult,
    SkipReason,
)
from connector.storage_form import (
    canonical_hash,
    hash_without_task_statuses,
    hashes,
    legacy_hash,
)
from rules.errors import AuthError, RateLimited, ServiceError, Unavailable

CONFLICT_RETRIES = 3
ROOT_BODY = "<p>Outcome reports published by Outcomes. Pages below are rewritten on each run.</p>"
RETIRED_NOTE = (
    '<ac:structured-macro ac:name="note"><ac:rich-text-body><p>This page is no longer part of the'
    " outcome reports: what it reported on (an objective, a team or a cycle) has left the"
    " portfolio's current report. Its earlier reports are in the page history; the current ones"
    ' are under <ac:link><ri:page ri:content-title="{root}" /></ac:link>.</p></ac:rich-text-body>'
    "</ac:structured-macro>"
)


def body_hash(body: str) -> str:
    """What a publish record keeps of a body: the hash of its canonical form."""
    return canonical_hash(body)


def recorded(record_hash: str, body: str) -> bool:
    """Whether a record's hash is of this body (canonical, or as an earlier release hashed it)."""
    return record_hash in hashes(body)


class Publisher:
    def __init__(
        self,
        api: PageApi,
        *,
        space: str,
        root_title: str,
        on_foreign_edit: OnForeignEdit | str = OnForeignEdit.SKIP,
        on_ticks: Callable[[RemotePage], None] | None = None,
    ):
        self.api = api
        # Hears of a version ticked since the record, just before the report is written over
        # it: a tick made after the run last read the page is still recorded, not written away.
        self.on_ticks = on_ticks
        self.space = space
        self.root_title = root_title
        self.on_foreign_edit = OnForeignEdit(on_foreign_edit)
        self._ticks: dict[tuple[str, int, int], bool] = {}

    def _by_us(self, remote: RemotePage) -> bool:
        """Whether Outcomes' own account wrote the page's latest version (asked once, on need)."""
        return bool(remote.author_keys & self.api.own_keys())

    def _ours(self, remote: RemotePage, record: PageRecord, wanted: str) -> bool:
        """A newer version than the record's is not a person's edit when its body is one we
        wrote or want, or when our own account wrote it: our write landed but its answer, or the
        store's commit, was lost. Only the latest version's author counts. Nor is it when it
        differs from the version we wrote only in which tasks are ticked: leaders decide there."""
        if recorded(record.body_hash, remote.body) or canonical_hash(remote.body) == wanted:
            return True
        return self._by_us(remote) or self._ticked_only(remote, record)

    def _ticked_only(self, remote: RemotePage, record: PageRecord) -> bool:
        """Whether the page differs from the version the record names only in task statuses
        (one read of that version, once per page and version)."""
        if remote.version == record.version or "<ac:task" not in remote.body:
            return False
        key = (remote.id, remote.version, record.version)
        if key not in self._ticks:
            ours = self.api.version(remote.id, record.version)
            self._ticks[key] = ours is not None and hash_without_task_statuses(
                ours.body
            ) == hash_without_task_statuses(remote.body)
        return self._ticks[key]

    def publish(
        self,
        pages: Sequence[PageDraft],
        records: Mapping[str, PageRecord],
        on_result: Callable[[PublishResult], None] | None = None,
    ) -> list[PublishResult]:
        """Publish parents before children; one page's failure does not stop the others.

        `on_result` hears of each page as soon as it is done, so its record can be kept even if
        a later page stops the run.
        """
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
                result = self._publish_one(page, parent_id, records, self.on_foreign_edit)
            if result.record is not None:
                page_ids[page.key] = result.record.page_id
            elif page.key in records:
                # Not written this time (edited, failed), but it exists: its children stay below.
                page_ids[page.key] = records[page.key].page_id
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def retire(
        self,
        stale: Sequence[tuple[str, str, PageRecord]],
        on_result: Callable[[PublishResult], None] | None = None,
    ) -> list[PublishResult]:
        """Pages Outcomes wrote that are no longer in the report ((key, title, record) each): each
        says so, once, instead of showing old figures as if they were current. A page someone
        edited since is theirs now, and one deleted is gone: both records are dropped."""
        notice = RETIRED_NOTE.format(root=escape(self.root_title))
        results = []
        for key, title, record in stale:
            try:
                result = self._retire_one(key, title, record, notice)
            except (AuthError, Unavailable, RateLimited):
                raise
            except ServiceError as exc:
                result = PublishResult(key, title, Action.FAILED, message=str(exc))
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def _retire_one(self, key: str, title: str, record: PageRecord, notice: str) -> PublishResult:
        remote = self.api.get(record.page_id)
        if remote is None:
            return PublishResult(key, title, Action.RELEASED, message="deleted", forget=True)
        wanted = body_hash(notice)
        if canonical_hash(remote.body) == wanted:
            current = PageRecord(remote.id, remote.version, wanted)
            return PublishResult(key, title, Action.UNCHANGED, current)
        if remote.version != record.version and not self._ours(remote, record, wanted):
            editor = self.api.editor_name(remote)
            said = _edited(remote.title, remote, record, editor)
            message = f"no longer in the report, but {said}; Outcomes leaves it as it is"
            return PublishResult(key, title, Action.RELEASED, message=message, forget=True)
        try:
            written = self.api.update(remote.id, remote.title, notice, remote.version + 1)
        except VersionConflict:
            message = "the page changed while Outcomes marked it; it is tried again next run"
            return PublishResult(key, title, Action.FAILED, message=message)
        record = PageRecord(written.id, written.version, wanted)
        message = "no longer in the report; the page says so (its history keeps the old ones)"
        return PublishResult(key, remote.title, Action.RETIRED, record, message=message)

    def _publish_one(
        self,
        page: PageDraft,
        parent_id: str,
        records: Mapping[str, PageRecord],
        mode: OnForeignEdit,
    ) -> PublishResult:
        record = records.get(page.key)
        try:
            if record is not None:
                remote = self.api.get(record.page_id)
                if remote is not None:
                    return self._update(page, remote, record, records, mode)
            return self._create(page, parent_id, records, mode)
        except (AuthError, Unavailable, RateLimited):
            raise  # every other page would fail the same way: stop, exit 3
        except ServiceError as exc:  # AnswerLost too: the next run finds the page and adopts it
            return PublishResult(page.key, page.title, Action.FAILED, message=str(exc))

    def _update(
        self,
        page: PageDraft,
        remote: RemotePage,
        record: PageRecord,
        records: Mapping[str, PageRecord],
        mode: OnForeignEdit,
    ) -> PublishResult:
        wanted = body_hash(page.body)
        overwrote: str | None = None
        for _ in range(CONFLICT_RETRIES):
            foreign = remote.version != record.version and not self._ours(remote, record, wanted)
            if foreign and overwrote is None:
                editor = self.api.editor_name(remote)
                if mode is OnForeignEdit.SKIP:
                    return self._skipped(page, remote, record, editor)
                if mode is OnForeignEdit.CHILD:
                    return self._to_child(page, remote, record, records, editor)
                overwrote = _edited(page.title, remote, record, editor)
            elif not foreign:
                # The record speaks for the page only while the page is at the recorded version.
                ours = record.body_hash in (wanted, legacy_hash(page.body))
                same = (
                    (remote.version == record.version and ours)
                    or canonical_hash(remote.body) == wanted
                    # Ticked since, and nothing new to say: the ticks stay (see module doc).
                    or (ours and self._ticked_only(remote, record))
                )
                if same and remote.title == page.title:
                    current = PageRecord(remote.id, remote.version, wanted)
                    return PublishResult(page.key, page.title, Action.UNCHANGED, current)
            if self.on_ticks is not None and not foreign and self._ticked_only(remote, record):
                self.on_ticks(remote)
            try:
                written = self.api.update(remote.id, page.title, page.body, remote.version + 1)
            except VersionConflict:
                fresh = self.api.get(remote.id)
                if fresh is None:
                    break
                remote = fresh
                continue
            new_record = PageRecord(written.id, written.version, wanted)
            if overwrote is not None:
                message = overwrote + "; overwritten as configured (the edit stays in its history)"
                return PublishResult(
                    page.key, page.title, Action.OVERWRITTEN, new_record, message=message
                )
            return PublishResult(page.key, page.title, Action.UPDATED, new_record)
        return PublishResult(
            page.key,
            page.title,
            Action.FAILED,
            message="the page kept changing while Outcomes wrote it; it is tried again next run",
        )

    def _create(
        self,
        page: PageDraft,
        parent_id: str,
        records: Mapping[str, PageRecord],
        mode: OnForeignEdit,
    ) -> PublishResult:
        existing = self.api.find(self.space, page.title)
        if existing is None:
            created = self.api.create(self.space, page.title, page.body, parent_id)
            record = PageRecord(created.id, created.version, body_hash(page.body))
            return PublishResult(page.key, page.title, Action.CREATED, record)
        same = canonical_hash(existing.body) == body_hash(page.body)
        in_place = existing.parent_id == parent_id
        if same or (in_place and self._by_us(existing)):
            return self._adopt(page, existing, records, mode)
        if in_place:
            editor = self.api.editor_name(existing)
            why = f"was last edited by {editor}" if editor else "was last edited by someone else"
        else:
            why = "sits under another parent page"
        return PublishResult(
            page.key,
            page.title,
            Action.SKIPPED,
            message=(
                f"a page titled {page.title!r} already exists in space {self.space}, {why}, and"
                " Outcomes has no record of writing it; rename or move that page, then run again"
            ),
            skipped=SkipReason.NOT_OURS,
        )

    def _adopt(
        self,
        page: PageDraft,
        existing: RemotePage,
        records: Mapping[str, PageRecord],
        mode: OnForeignEdit,
    ) -> PublishResult:
        """Record a page that is ours (its write's answer or the store was lost), then bring it
        up to date as any recorded page."""
        record = PageRecord(existing.id, existing.version, canonical_hash(existing.body))
        result = self._update(page, existing, record, records, mode)
        if result.action not in (Action.UNCHANGED, Action.UPDATED):
            return result
        message = "found with no record of it (an answer or the store was lost); taken over"
        return replace(result, action=Action.ADOPTED, message=message)

    @staticmethod
    def _skipped(
        page: PageDraft, remote: RemotePage, record: PageRecord, editor: str | None
    ) -> PublishResult:
        return PublishResult(
            page.key,
            page.title,
            Action.SKIPPED,
            message=(
                _edited(page.title, remote, record, editor) + "; left as it is. Copy the edit"
                " elsewhere and restore Outcomes' version to resume publishing, or set"
                " confluence.on_foreign_edit to overwrite or child"
            ),
            skipped=SkipReason.EDITED,
        )

    def _to_child(
        self,
        page: PageDraft,
        remote: RemotePage,
        record: PageRecord,
        records: Mapping[str, PageRecord],
        editor: str | None,
    ) -> PublishResult:
        who = f" by {editor}" if editor else ""
        notice = (
            '<ac:structured-macro ac:name="note"><ac:rich-text-body><p>'
            f"{escape(page.title)} was edited{escape(who)} after Outcomes last wrote it, so"
            " Outcomes publishes its latest report on this page and leaves that one as it is."
            "</p></ac:rich-text-body></ac:structured-macro>"
        )
        child = Draft(
            page.key + CHILD_SUFFIX,
            f"{page.title} (latest report)",
            page.key,
            notice + page.body,
        )
        # A person's edit on the child page itself is left alone: no child of a child.
        result = self._publish_one(child, remote.id, records, OnForeignEdit.SKIP)
        said = _edited(page.title, remote, record, editor)
        if not result.ok:
            return PublishResult(
                page.key,
                page.title,
                result.action,
                message=f"{said}; {result.message}",
                skipped=result.skipped,
            )
        assert result.record is not None
        return PublishResult(
            page.key,
            page.title,
            Action.TO_CHILD,
            message=f"{said}; kept, and the report went to its child page {child.title!r}",
            child=(child.key, child.title, result.record),
        )


def _edited(title: str, remote: RemotePage, record: PageRecord, editor: str | None) -> str:
    who = f" by {editor}" if editor else ""
    return (
        f"page {title!r} was edited{who} after Outcomes wrote version {record.version}"
        f" (now version {remote.version})"
    )
