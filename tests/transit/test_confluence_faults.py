"""Confluence answers that go missing or come garbled, and Confluence's 429s and 5xx, on Cloud (the
v2 pages API) and Data Center (the v1 content API): `outcomes publish` reading, creating and
updating pages, and `outcomes export` attaching the workbook.

Reads are retried on every fault: one-off, the run ends as a clean run does; persistent, exit 3
and one line naming Confluence and the request. Writes are retried only where Confluence did
nothing (429, 503); a write whose answer was lost may have been made, so it is not sent again:
that page (or workbook) fails with a line that says so, and the next run finishes the job.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connector.sandbox import Sandbox
from tests.transit.conftest import (
    AS_OF,
    KINDS,
    TRIES,
    dataset,
    hits,
    inject,
    one_error_line,
    outcomes,
    timeout_for,
    write_settings,
)

NEXT_DAY = "2026-11-16"  # a day later every page's figures move on: each page is updated
PAGES = {"Cloud": "/wiki/api/v2/pages", "DC": "/wiki/rest/api/content"}
ANSWERED = ("429", "503")  # what says "not done": a write is sent again only after these
LOST = [kind for kind in KINDS if kind not in ANSWERED]
_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []  # kept for the session


@dataclass(frozen=True)
class Clean:
    store: Path  # a store the sync filled, copied into each test
    first: set[tuple[Any, ...]]  # the pages after one publish
    second: set[tuple[Any, ...]]  # ... and after a second publish a day later
    messages: str  # what a clean first publish says on stderr
    posts: int  # page creations of a clean first publish
    updates: int  # page updates of a clean second publish
    first_update: str  # the path of its first (pages have the same ids in every sandbox)


@functools.cache
def clean(deployment: str) -> Clean:
    folder = tempfile.TemporaryDirectory()
    _FOLDERS.append(folder)
    work = Path(folder.name)
    with Sandbox(dataset(deployment)) as sandbox:
        config = str(write_settings(work, sandbox.url, deployment))
        assert outcomes("sync", "--config", config)[0] == 0
        store = work / "synced.db"
        shutil.copy(work / "outcomes.db", store)
        code, _, messages = outcomes("publish", "--config", config, "--as-of", AS_OF)
        assert code == 0, messages
        first = pages(sandbox)
        posts = hits(sandbox, "POST", PAGES[deployment])
        assert outcomes("publish", "--config", config, "--as-of", NEXT_DAY)[0] == 0
        puts = [r.path for r in sandbox.requests if r.method == "PUT"]
        return Clean(store, first, pages(sandbox), messages, posts, len(puts), puts[0])


MACRO_ID = re.compile(r' ac:macro-id="[^"]*"')  # Confluence gives each save's macros new ids


def pages(sandbox: Sandbox) -> set[tuple[Any, ...]]:
    """Each page's title, parent's title, version and body (links name this sandbox's URL; the
    macro ids each save makes anew are left out)."""
    found = sandbox.confluence.pages()
    titles = {p["id"]: p["title"] for p in found}
    return {
        (
            p["title"],
            titles.get(p["parent_id"]),
            p["version"],
            MACRO_ID.sub("", p["body"].replace(sandbox.url, "U")),
        )
        for p in found
    }


def prepared(folder: Path, sandbox: Sandbox, deployment: str, kind: str) -> str:
    """Settings, and a store as the sync left it (no Jira fault here: Confluence's turn)."""
    config = write_settings(folder, sandbox.url, deployment, timeout=timeout_for(kind))
    shutil.copy(clean(deployment).store, folder / "outcomes.db")
    return str(config)


def publish(config: str, day: str = AS_OF) -> tuple[int, str, str]:
    return outcomes("publish", "--config", config, "--as-of", day)


def broken_line(sandbox: Sandbox, request: str, kind: str) -> str:
    """The one line a Confluence that stays broken gets, written out by hand per kind of fault."""
    service = f"Confluence at {sandbox.url}/wiki"
    if kind == "429":
        return f"{service} kept rate-limiting {request} (429) after {TRIES} tries; run again later"
    return (
        f"{service} did not answer {request} properly after {TRIES} tries ({KINDS[kind]});"
        " check that it is up and reachable (confluence.url, the network, a proxy)"
    )


def lost_line(sandbox: Sandbox, request: str, kind: str) -> str:
    """What a write whose answer was lost says: sent once, maybe made, looked at next time."""
    return (
        f"Confluence at {sandbox.url}/wiki did not answer {request} properly ({KINDS[kind]});"
        " the write may have been made, so it was not sent again (the next run looks before it"
        " writes)"
    )


def first_put(sandbox: Sandbox, deployment: str) -> tuple[str, str]:
    """The path of the first page update (a slow one is logged late: it is known from a clean
    run), and that page's title."""
    path = clean(deployment).first_update
    page_id = path.rsplit("/", 1)[1]
    title = next(p["title"] for p in sandbox.confluence.pages() if p["id"] == page_id)
    return path, title


# --- reading pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_reading_pages_is_retried_and_the_pages_are_as_a_clean_publish(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = prepared(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=False, path=PAGES[deployment], method="GET")
    code, _, messages = publish(config)
    assert (code, messages) == (0, clean(deployment).messages)
    assert pages(sandbox) == clean(deployment).first


@pytest.mark.parametrize("kind", KINDS)
def test_reading_pages_that_stays_broken_stops_the_publish_with_one_line(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = prepared(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=True, path=PAGES[deployment], method="GET")
    code, _, messages = publish(config)
    assert code == 3
    request = f"GET {PAGES[deployment]}"
    assert one_error_line(messages) == broken_line(sandbox, request, kind)
    assert hits(sandbox, "GET", PAGES[deployment], TRIES) == TRIES
    assert sandbox.confluence.pages() == []


# --- creating pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_creating_a_page_never_makes_it_twice(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = prepared(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=False, path=PAGES[deployment], method="POST")
    code, _, messages = publish(config)
    posts = clean(deployment).posts
    if kind in ANSWERED:  # Confluence said it did nothing: sent again, within the run
        assert (code, messages) == (0, clean(deployment).messages)
        assert hits(sandbox, "POST", PAGES[deployment]) == posts + 1
    else:  # the first write (the parent page) may have been made: the run stops
        assert code == 3
        request = f"POST {PAGES[deployment]}"
        assert one_error_line(messages) == lost_line(sandbox, request, kind)
        assert hits(sandbox, "POST", PAGES[deployment], 1) == 1  # sent once
        code, _, messages = publish(config)
        assert (code, messages) == (0, clean(deployment).messages)
    assert pages(sandbox) == clean(deployment).first  # every page once, as a clean run left it


# --- updating pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_updating_a_page_fails_that_page_at_most_once(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = prepared(tmp_path, sandbox, deployment, kind)
    assert publish(config)[0] == 0
    inject(sandbox, kind, persistent=False, path=PAGES[deployment] + "/", method="PUT")
    code, _, messages = publish(config, NEXT_DAY)
    path, title = first_put(sandbox, deployment)
    if kind in ANSWERED:
        assert code == 0, messages
        assert hits(sandbox, "PUT", path) == 2
    else:
        assert code == 1
        failed = [line for line in messages.splitlines() if line.startswith("  failed:")]
        assert failed == [f"  failed: {title}: {lost_line(sandbox, f'PUT {path}', kind)}"]
        assert hits(sandbox, "PUT", path, 1) == 1  # not sent again blindly
        code, _, messages = publish(config, NEXT_DAY)
        assert code == 0, messages
    assert pages(sandbox) == clean(deployment).second


@pytest.mark.parametrize("kind", KINDS)
def test_updating_pages_that_stays_broken_never_ends_in_an_internal_error(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = prepared(tmp_path, sandbox, deployment, kind)
    assert publish(config)[0] == 0
    before = pages(sandbox)
    inject(sandbox, kind, persistent=True, path=PAGES[deployment] + "/", method="PUT")
    code, _, messages = publish(config, NEXT_DAY)
    path, title = first_put(sandbox, deployment)
    assert "Traceback" not in messages and "internal error" not in messages
    if kind in ANSWERED:  # Confluence keeps refusing: the run stops at the first page
        assert code == 3
        assert one_error_line(messages) == broken_line(sandbox, f"PUT {path}", kind)
        assert hits(sandbox, "PUT", path, TRIES) == TRIES
    else:  # each write may have been made: each page fails once, and says so
        assert code == 1
        failed = [line for line in messages.splitlines() if line.startswith("  failed:")]
        updates = clean(deployment).updates
        assert hits(sandbox, "PUT", PAGES[deployment], updates, under=True) == updates
        puts = {r.path for r in sandbox.requests if r.method == "PUT"}
        assert len(failed) == len(puts) == updates  # each page failed, written once
        assert failed[0] == f"  failed: {title}: {lost_line(sandbox, f'PUT {path}', kind)}"
    if kind in ("html", "reset", "500", "502", "429", "503"):
        assert pages(sandbox) == before  # the sandbox made none of those writes


# --- attaching the workbook -------------------------------------------------------------------


def published(folder: Path, sandbox: Sandbox, deployment: str, kind: str) -> tuple[str, str]:
    """Settings with `excel.attach`, the pages published; the overview's attachment path."""
    config = prepared(folder, sandbox, deployment, kind)
    assert publish(config)[0] == 0
    overview = next(p for p in sandbox.confluence.pages() if p["title"].endswith("— Outcomes"))
    return config, f"/wiki/rest/api/content/{overview['id']}/child/attachment"


def export(config: str) -> tuple[int, str, str]:
    return outcomes("export", "--config", config, "--as-of", AS_OF)


def attached(sandbox: Sandbox, path: str) -> list[tuple[str, int]]:
    page_id = path.split("/")[-3]
    return [(a["title"], a["version"]) for a in sandbox.confluence.attachments_of(page_id)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_listing_attachments_is_retried(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config, path = published(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=False, path=path, method="GET")
    code, _, messages = export(config)
    assert code == 0, messages
    assert attached(sandbox, path) == [("outcomes-retail.xlsx", 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_listing_attachments_that_stays_broken_stops_the_export_with_one_line(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config, path = published(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=True, path=path, method="GET")
    code, _, messages = export(config)
    assert code == 3
    assert one_error_line(messages) == broken_line(sandbox, f"GET {path}", kind)
    assert attached(sandbox, path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_uploading_the_workbook_never_uploads_it_twice(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config, path = published(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=False, path=path, method="POST")
    code, _, messages = export(config)
    if kind in ANSWERED:
        assert code == 0, messages
        assert hits(sandbox, "POST", path) == 2
    else:
        assert code == 1
        said = re.findall(r"^outcomes-retail-\S+\.xlsx: not attached: (.*)$", messages, re.M)
        assert said == [lost_line(sandbox, f"POST {path}", kind)]
        assert hits(sandbox, "POST", path, 1) == 1
        code, _, messages = export(config)
        assert code == 0, messages
    assert attached(sandbox, path) == [("outcomes-retail.xlsx", 1)]  # once, one version


@pytest.mark.parametrize("kind", KINDS)
def test_uploading_the_workbook_that_stays_broken_never_ends_in_an_internal_error(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config, path = published(tmp_path, sandbox, deployment, kind)
    inject(sandbox, kind, persistent=True, path=path, method="POST")
    code, _, messages = export(config)
    assert "Traceback" not in messages and "internal error" not in messages
    if kind in ANSWERED:
        assert code == 3
        assert one_error_line(messages) == broken_line(sandbox, f"POST {path}", kind)
        assert hits(sandbox, "POST", path, TRIES) == TRIES
    else:
        assert code == 1
        said = re.findall(r"^outcomes-retail-\S+\.xlsx: not attached: (.*)$", messages, re.M)
        assert said == [lost_line(sandbox, f"POST {path}", kind)]
        assert hits(sandbox, "POST", path, 1) == 1
