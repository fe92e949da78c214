"""Attachments of Confluence pages: named files with versions, as the v1 API uploads them.

An attachment belongs to one page; its name is unique on that page (a second upload with the same
name is refused, as Data Center does: new data goes to ``.../child/attachment/{id}/data``).
Uploading never changes the page's own version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class FileVersion:
    number: int
    data: bytes
    media_type: str
    comment: str
    by: str
    when: datetime


@dataclass
class Attachment:
    id: str  # "att" + digits, as Confluence numbers them
    page_id: str
    title: str
    versions: list[FileVersion] = field(default_factory=list)

    @property
    def current(self) -> FileVersion:
        return self.versions[-1]

    @property
    def file_id(self) -> str:
        """The media file id (a UUID on Cloud), stable per attachment."""
        digest = hashlib.sha256(self.id.encode()).hexdigest()
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.current.number,
            "media_type": self.current.media_type,
            "comment": self.current.comment,
            "data": self.current.data,
        }


class AttachmentStore:
    """Attachments by id; the caller (ConfluenceState) holds the lock."""

    def __init__(self) -> None:
        self._by_id: dict[str, Attachment] = {}
        self._next = 200001

    def of_page(self, page_id: str) -> list[Attachment]:
        return [a for a in self._by_id.values() if a.page_id == page_id]

    def get(self, attachment_id: str) -> Attachment | None:
        return self._by_id.get(attachment_id)

    def named(self, page_id: str, name: str) -> Attachment | None:
        return next((a for a in self.of_page(page_id) if a.title == name), None)

    def add(
        self,
        page_id: str,
        name: str,
        data: bytes,
        media_type: str,
        comment: str,
        author: str,
        when: datetime,
    ) -> Attachment:
        if not name.strip():
            raise ValueError("An attachment needs a file name")
        if self.named(page_id, name) is not None:
            raise ValueError(
                "Cannot add a new attachment with same file name as an existing attachment: " + name
            )
        attachment = Attachment(f"att{self._next}", page_id, name)
        self._next += 1
        self._by_id[attachment.id] = attachment
        return self.new_version(attachment, data, media_type, comment, author, when)

    @staticmethod
    def new_version(
        attachment: Attachment,
        data: bytes,
        media_type: str,
        comment: str,
        author: str,
        when: datetime,
    ) -> Attachment:
        number = len(attachment.versions) + 1
        attachment.versions.append(FileVersion(number, data, media_type, comment, author, when))
        return attachment
