"""What publishing works with and answers: the pages to write, the records Outcomes keeps of
them, and the result for each page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

CHILD_SUFFIX = "~latest"  # record key of the child page that takes the report of an edited page


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
class Draft:
    key: str
    title: str
    parent_key: str | None
    body: str


@dataclass(frozen=True)
class PageRecord:
    page_id: str
    version: int
    body_hash: str


class OnForeignEdit(StrEnum):
    SKIP = "skip"
    OVERWRITE = "overwrite"
    CHILD = "child"


class SkipReason(StrEnum):
    """Why a page was left alone (`outcomes status` sums them up)."""

    EDITED = "edited by a person"  # ours, and a person edited it since
    NOT_OURS = "a page of that title is not Outcomes'"  # no record, and not ours to adopt


class Action(StrEnum):
    CREATED = "created"
    ADOPTED = "adopted"  # ours, with no record of it (a lost answer or store): recorded, updated
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    OVERWRITTEN = "overwritten"  # a person's edit was written over, as configured
    TO_CHILD = "written to a child page"  # a person's edit was kept; the report went below it
    SKIPPED = "skipped"  # someone else's edit or page: left alone, reported
    RETIRED = "marked no longer reported"  # a page that left the report says so
    RELEASED = "left to its editor"  # a page that left the report, edited since: no longer ours
    FAILED = "failed"


@dataclass(frozen=True)
class PublishResult:
    key: str
    title: str
    action: Action
    record: PageRecord | None = None  # what to remember for `key` (None: keep the old record)
    message: str = ""
    child: tuple[str, str, PageRecord] | None = None  # (key, title, record) of a child page
    forget: bool = False  # the page is no longer Outcomes' to write: drop its record
    skipped: SkipReason | None = None  # with Action.SKIPPED: why

    @property
    def ok(self) -> bool:
        return self.action not in (Action.SKIPPED, Action.FAILED)

    def saves(self) -> list[tuple[str, str, PageRecord]]:
        """(page key, title, record) of every page this result wrote or confirmed."""
        own = [(self.key, self.title, self.record)] if self.record is not None else []
        return own + ([self.child] if self.child is not None else [])


def record_keys(pages: Iterable[PageDraft]) -> list[str]:
    """The record keys a publish may need: each page's, and that of its child for edited pages."""
    return [key for page in pages for key in (page.key, page.key + CHILD_SUFFIX)]
