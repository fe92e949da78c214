"""In-memory Confluence state: spaces, pages and every version of every page, attachments.

Tests can make the next page updates meet a 409 (``conflict_next``) or have a person save the page
just before the next update lands (``edit_before_next_update``), as happens on a busy wiki.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .confluence_files import Attachment, AttachmentStore
from .confluence_tasks import TaskBook, TaskRecord
from .dataset import Dataset
from .xhtml import StorageError, normalise_storage, with_task_status

SEED_AUTHOR = "Sandbox seed"
# A user mention in storage format: <ac:link><ri:user ri:account-id="..." /></ac:link>.
_MENTION = re.compile(r'<ri:user\b[^>]*?\bri:account-id="([^"]*)"')


@dataclass(frozen=True)
class Notification:
    """Confluence tells a user they were mentioned: once, when a version that newly mentions them
    is saved (a later version that still mentions them notifies nobody)."""

    account_id: str
    page_id: str
    version: int


class ContentError(Exception):
    """A refused content operation; the API answers ``status`` with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class PageVersion:
    number: int
    title: str
    body: str
    by: str
    when: datetime
    message: str = ""


@dataclass
class Page:
    id: str
    space: str
    parent_id: str | None
    versions: list[PageVersion] = field(default_factory=list)

    @property
    def current(self) -> PageVersion:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return self.current.title

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "space": self.space,
            "parent_id": self.parent_id,
            "version": self.current.number,
            "body": self.current.body,
        }


def _now() -> datetime:
    return datetime.now(UTC)


class ConfluenceState:
    """Pages by id. Public methods lock; HTTP handlers call them concurrently."""

    def __init__(self, ds: Dataset, lock: threading.RLock | None = None) -> None:
        self.lock = lock or threading.RLock()
        self.spaces: dict[str, str] = dict(ds.spaces)
        self._pages: dict[str, Page] = {}
        self._next_id = 100001
        self.files = AttachmentStore()
        self._conflicts = 0
        self._races: list[tuple[str, str]] = []  # (body, author) of edits that beat our update
        self.notifications: list[Notification] = []  # mention notifications, in order sent
        self.tasks = TaskBook()
        self.people: set[str] = set()  # users known besides page authors (who ticked a task)
        by_title: dict[tuple[str, str], str] = {}
        for seed in ds.pages:  # ids in listed order; parents resolved once all exist
            page = self._new_page(seed.space, None, seed.title, seed.body, SEED_AUTHOR, "")
            by_title[(seed.space, seed.title.lower())] = page.id
        for seed in ds.pages:
            if seed.parent is not None:
                page_id = by_title[(seed.space, seed.title.lower())]
                self._pages[page_id].parent_id = by_title[(seed.space, seed.parent.lower())]

    # -- inspection for tests ------------------------------------------------------------------
    def find_page(self, space: str, title: str) -> dict[str, Any] | None:
        with self.lock:
            page = self._by_title(space, title)
            return page.as_dict() if page else None

    def pages(self) -> list[dict[str, Any]]:
        with self.lock:
            return [p.as_dict() for p in self._pages.values()]

    def human_edit(self, page_id: str, body: str, author: str = "someone") -> int:
        """Simulate a person editing the page in Confluence; return the new version number."""
        with self.lock:
            page = self.require(str(page_id))
            self._add_version(page, page.title, normalise_storage(body), author, "")
            return page.current.number

    def human_delete(self, page_id: str) -> None:
        """Simulate a person deleting the page (and purging it from the trash)."""
        with self.lock:
            self.require(str(page_id))
            del self._pages[str(page_id)]
            self.tasks.dropped(str(page_id))

    def complete_task(
        self,
        page_id: str,
        task_id: int | str,
        user: str,
        at: datetime | None = None,
        *,
        done: bool = True,
        new_version: bool = True,
    ) -> TaskRecord:
        """A person ticks (``done``) or unticks a task in the page, by its local or global id, at
        ``at`` (aware; default now): the stored body and the task record change as Confluence
        changes them, as a new page version by that person unless ``new_version`` is False."""
        when = (at or _now()).astimezone(UTC)
        with self.lock:
            page = self.require(str(page_id))
            task = self.tasks.find(page.id, int(task_id))
            if task is None:
                raise ContentError(404, f"No task {task_id} on content {page_id}")
            status = "complete" if done else "incomplete"
            body = with_task_status(page.current.body, task.local_id, status)
            self.people.add(user)
            if new_version:
                self._add_version(page, page.title, body, user, "", when)
            else:
                page.current.body = body
                self.tasks.saved(page.id, body, user, when)
            return task

    def conflict_next(self, count: int = 1) -> None:
        """Answer the next ``count`` page updates with 409, leaving the page as it is."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got: {count}")
        with self.lock:
            self._conflicts += count

    def edit_before_next_update(self, body: str, author: str = "someone") -> None:
        """A person saves the page between the publisher's read and its write (a real race)."""
        with self.lock:
            self._races.append((normalise_storage(body), author))

    def attachments_of(self, page_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [a.as_dict() for a in self.files.of_page(str(page_id))]

    # -- used by the API -------------------------------------------------------------------------
    def author_named(self, matches: Callable[[str], bool]) -> str | None:
        """The first author (of any page version) whose name ``matches``."""
        with self.lock:
            names = {v.by for p in self._pages.values() for v in p.versions} | self.people
            return next((n for n in sorted(names) if matches(n)), None)

    def space_id(self, key: str) -> str:
        return str(98305 + sorted(self.spaces).index(key))

    def space_key(self, space_id: str) -> str | None:
        return next((k for k in self.spaces if self.space_id(k) == space_id), None)

    def add_attachment(
        self, page_id: str, name: str, data: bytes, media_type: str, comment: str, author: str
    ) -> Attachment:
        with self.lock:
            self.require(page_id)
            try:
                return self.files.add(page_id, name, data, media_type, comment, author, _now())
            except ValueError as exc:
                raise ContentError(400, str(exc)) from None

    def update_attachment(
        self,
        page_id: str,
        attachment_id: str,
        data: bytes,
        media_type: str,
        comment: str,
        author: str,
    ) -> Attachment:
        with self.lock:
            self.require(page_id)
            found = self.files.get(attachment_id)
            if found is None or found.page_id != page_id:
                raise ContentError(404, f"No attachment {attachment_id} on content {page_id}")
            return self.files.new_version(found, data, media_type, comment, author, _now())

    def get(self, page_id: str) -> Page | None:
        with self.lock:
            return self._pages.get(page_id)

    def require(self, page_id: str) -> Page:
        page = self._pages.get(page_id)
        if page is None:
            raise ContentError(404, f"No content found with id: ContentId{{id={page_id}}}")
        return page

    def ancestors(self, page: Page) -> list[Page]:
        """Root first, as Confluence lists them."""
        with self.lock:
            chain: list[Page] = []
            parent_id = page.parent_id
            while parent_id is not None and parent_id in self._pages:
                parent = self._pages[parent_id]
                chain.insert(0, parent)
                parent_id = parent.parent_id
            return chain

    def search(self, space: str | None, title: str | None) -> list[Page]:
        with self.lock:
            return [
                p
                for p in self._pages.values()
                if (space is None or p.space == space)
                and (title is None or p.title.lower() == title.lower())
            ]

    def children(self, page_id: str) -> list[Page]:
        with self.lock:
            self.require(page_id)
            return [p for p in self._pages.values() if p.parent_id == page_id]

    def create(
        self,
        space: str,
        title: str,
        body: str,
        parent_id: str | None,
        author: str,
        message: str = "",
    ) -> Page:
        with self.lock:
            if space not in self.spaces:
                raise ContentError(404, f"No space with key : {space}")
            self._check_title(space, title, None)
            if parent_id is not None:
                self._check_parent(space, parent_id, None)
            return self._new_page(space, parent_id, title, _storage(body), author, message)

    def update(
        self,
        page_id: str,
        *,
        number: int,
        title: str | None,
        body: str | None,
        parent_id: str | None,
        author: str,
        message: str = "",
    ) -> Page:
        with self.lock:
            page = self.require(page_id)
            if self._races:
                race_body, race_author = self._races.pop(0)
                self._add_version(page, page.title, race_body, race_author, "")
            elif self._conflicts:
                self._conflicts -= 1
                raise ContentError(409, "Conflict: the page was being saved by someone else")
            if number != page.current.number + 1:
                raise ContentError(
                    409,
                    "Version must be incremented on update. Current version "
                    f"is: {page.current.number}",
                )
            new_title = title if title is not None else page.title
            self._check_title(page.space, new_title, page.id)
            if parent_id is not None:
                self._check_parent(page.space, parent_id, page.id)
                page.parent_id = parent_id
            new_body = _storage(body) if body is not None else page.current.body
            self._add_version(page, new_title, new_body, author, message)
            return page

    # -- internals -------------------------------------------------------------------------------
    def _by_title(self, space: str, title: str) -> Page | None:
        return next(
            (
                p
                for p in self._pages.values()
                if p.space == space and p.title.lower() == title.lower()
            ),
            None,
        )

    def _check_title(self, space: str, title: str, own_id: str | None) -> None:
        if not title.strip():
            raise ContentError(400, "Content title cannot be empty")
        clash = next(
            (
                p
                for p in self._pages.values()
                if p.space == space and p.title.lower() == title.lower() and p.id != own_id
            ),
            None,
        )
        if clash is not None:
            raise ContentError(
                400,
                "A page with this title already exists: A page already "
                "exists with the same TITLE in this space",
            )

    def _check_parent(self, space: str, parent_id: str, own_id: str | None) -> None:
        parent = self._pages.get(parent_id)
        if parent is None or parent.space != space:
            raise ContentError(
                400, f"Could not find the parent page with id {parent_id} in space {space}"
            )
        walk: str | None = parent_id
        while walk is not None:  # moving a page under its own descendant would make a cycle
            if walk == own_id:
                raise ContentError(400, "A page cannot become a child of itself or its children")
            walk = self._pages[walk].parent_id

    def _new_page(
        self, space: str, parent_id: str | None, title: str, body: str, author: str, message: str
    ) -> Page:
        page = Page(str(self._next_id), space, parent_id)
        self._next_id += 1
        self._add_version(page, title, body, author, message)
        self._pages[page.id] = page
        return page

    def _add_version(
        self,
        page: Page,
        title: str,
        body: str,
        author: str,
        message: str,
        when: datetime | None = None,
    ) -> None:
        number = page.current.number + 1 if page.versions else 1
        before = set(_MENTION.findall(page.current.body)) if page.versions else set()
        when = when or _now()
        page.versions.append(PageVersion(number, title, body, author, when, message))
        self.tasks.saved(page.id, body, author, when)
        for account in dict.fromkeys(_MENTION.findall(body)):
            if account not in before:
                self.notifications.append(Notification(account, page.id, number))


def _storage(body: str) -> str:
    try:
        return normalise_storage(body)
    except StorageError as exc:
        raise ContentError(400, str(exc)) from exc
