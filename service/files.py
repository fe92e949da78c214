"""Files Outcomes writes (workbooks, dry-run pages, the preview): whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from reports.pages import Page
from reports.preview import page_file_names, render_preview


def write_atomically(path: Path, content: bytes | str) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_pages(folder: Path, pages: Sequence[Page], *, jira_url: str, stamp: str) -> None:
    """Each page's storage XHTML in `folder/storage` and their HTML preview in `folder/preview`
    (a dry run's files)."""
    names = page_file_names(pages)
    for page in pages:
        write_atomically(
            folder / "storage" / (names[page.key].removesuffix(".html") + ".xhtml"), page.body
        )
    for name, html in render_preview(pages, generated_at=stamp, jira_url=jira_url).items():
        write_atomically(folder / "preview" / name, html)
