"""`outcomes publish`: from the store (no Jira), safe re-runs, a dry run that touches nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from connector.sandbox import Sandbox
from connector.sandbox.xhtml import normalise_storage
from connector.store.db import open_store
from connector.store.lock import run_lock
from tests.connector.publish_setup import (
    AS_OF,
    dataset,
    outcomes,
    without_macro_ids,
    write_settings,
)
from tests.e2e.conftest import CATALOGUE

PAGES = [
    "Retail banking — Outcomes",
    "Retail banking — P1: Make everyday payments effortless",
    "Retail banking — P2: Open an account in minutes",
    "Retail banking — Team Payments",
    "Retail banking — Team Mobile",
    "Retail banking — Work not tied to an outcome",
    "Retail banking — Awaiting approval",
    "Retail banking — History",
]
NS = 'xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier"'


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(dataset()) as running:
        yield running


def synced(folder: Path, sandbox: Sandbox, **confluence: object) -> Path:
    config = write_settings(folder, sandbox.url, **confluence)
    code, output = outcomes("sync", "--config", str(config))
    assert code == 0, output
    sandbox.reset_requests()
    return config


def publish(config: Path, *extra: str) -> tuple[int, str]:
    return outcomes("publish", "--config", str(config), "--as-of", AS_OF, *extra)


def titles(sandbox: Sandbox) -> list[str]:
    return sorted(str(p["title"]) for p in sandbox.confluence.pages())


def test_publish_reads_the_store_not_jira_and_a_rerun_writes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(tmp_path, sandbox)
    code, output = publish(config)
    assert code == 0, output
    assert "Confluence: 8 created" in output
    assert titles(sandbox) == sorted([*PAGES, "Portfolio outcomes"])
    assert all(r.path.startswith("/wiki/") for r in sandbox.requests)  # no Jira at all

    sandbox.reset_requests()
    code, output = publish(config)
    assert code == 0 and "Confluence: 8 unchanged" in output
    assert [r for r in sandbox.requests if r.method != "GET"] == []


def test_publish_before_any_sync_names_what_to_do(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    code, output = publish(config)
    assert code == 2
    assert output.strip() == (
        f"outcomes: error: {config}: portfolios[0].id: 'retail' has not been synced yet;"
        " run `outcomes sync` first (publish reads the store, not Jira)"
    )
    assert sandbox.requests == []


def test_dry_run_writes_storage_and_preview_and_touches_no_confluence(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(tmp_path, sandbox)
    out = tmp_path / "dry"
    code, output = publish(config, "--dry-run", str(out))
    assert code == 0, output
    assert sandbox.requests == []
    assert "a publish would write: 8 new, 0 changed, 0 unchanged" in output
    assert "Confluence was not touched." in output
    storage = sorted(p.name for p in (out / "retail" / "storage").iterdir())
    assert storage == [
        "approvals.xhtml",
        "history.xhtml",
        "objective-p1.xhtml",
        "objective-p2.xhtml",
        "overview.xhtml",
        "team-mobile.xhtml",
        "team-payments.xhtml",
        "unaligned.xhtml",
    ]
    for path in (out / "retail" / "storage").iterdir():
        fromstring(f"<root {NS}>{path.read_text(encoding='utf-8')}</root>")  # well-formed
    preview = out / "retail" / "preview"
    assert (preview / "index.html").exists() and (preview / "overview.html").exists()

    assert publish(config)[0] == 0
    code, output = publish(config, "--dry-run", str(out))
    assert "a publish would write: 0 new, 0 changed, 8 unchanged" in output
    overview = (out / "retail" / "storage" / "overview.xhtml").read_text(encoding="utf-8")
    assert sandbox.confluence.find_page("PORT", PAGES[0]) is not None
    stored = str((sandbox.confluence.find_page("PORT", PAGES[0]) or {})["body"])
    # What the dry run wrote is what was published (as Confluence rewrites it on save).
    assert without_macro_ids(stored) == without_macro_ids(normalise_storage(overview))


def test_a_person_s_edit_exits_1_unless_told_to_overwrite(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(tmp_path, sandbox)
    assert publish(config)[0] == 0
    overview = sandbox.confluence.find_page("PORT", PAGES[0])
    assert overview is not None
    sandbox.confluence.human_edit(overview["id"], "<p>Review notes</p>", author="Priya")
    sandbox.jira.update_issue("MOB-2", labels=["okr:P2.KR1"])
    code, output = outcomes("sync", "--config", str(config))
    assert code == 0, output

    code, output = publish(config)
    assert code == 1
    assert "skipped: Retail banking — Outcomes: page 'Retail banking — Outcomes' was edited by" in (
        output
    )
    assert "edited by Priya" in output

    config = write_settings(tmp_path, sandbox.url, on_foreign_edit="overwrite")
    code, output = publish(config)
    assert code == 0, output
    assert "1 overwritten" in output and "edited by Priya" in output
    after = sandbox.confluence.find_page("PORT", PAGES[0])
    assert after is not None and after["version"] == 3


def test_publish_on_the_v2_api_when_configured(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(tmp_path, sandbox, api="v2")
    code, output = publish(config)
    assert code == 0, output
    paths = {r.path for r in sandbox.requests}
    assert "/wiki/api/v2/pages" in paths and "/wiki/rest/api/content" not in paths
    assert titles(sandbox) == sorted([*PAGES, "Portfolio outcomes"])


def test_publish_waits_for_no_one_while_another_run_holds_the_lock(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(tmp_path, sandbox)
    engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
    with run_lock(engine, now=datetime.now().astimezone()):
        code, output = publish(config)
    engine.dispose()
    assert code == 4 and sandbox.requests == []
    assert "nothing was done" in output


def test_earlier_runs_give_the_pages_a_history_and_a_same_day_rerun_writes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    run = ("run", "--config", str(config), "--no-export", "--as-of")
    assert outcomes(*run, "2026-11-08")[0] == 0
    code, output = outcomes(*run, "2026-11-15")
    assert code == 0, output
    overview = sandbox.confluence.find_page("PORT", PAGES[0])
    history = sandbox.confluence.find_page("PORT", PAGES[-1])
    assert overview is not None and history is not None
    root = fromstring(f"<root {NS}>{overview['body']}</root>")
    assert "Since the report of 2026-11-08:" in "".join(root.itertext())
    days = [
        row.find("td").text  # type: ignore[union-attr]
        for row in fromstring(f"<root {NS}>{history['body']}</root>").iter("tr")
        if row.find("td") is not None
    ]
    # The chart's table first (oldest first), then the table by day (newest first).
    assert days[:4] == ["2026-11-08", "2026-11-15", "2026-11-15", "2026-11-08"]

    sandbox.reset_requests()
    code, output = outcomes(*run, "2026-11-15")  # its own snapshot of the day is stored now
    assert code == 0 and "Confluence: 8 unchanged" in output
    assert [r for r in sandbox.requests if r.path.startswith("/wiki/") and r.method != "GET"] == []


def without_p2() -> dict[str, Any]:
    catalogue = copy.deepcopy(CATALOGUE)
    catalogue["objectives"] = [o for o in catalogue["objectives"] if o["id"] != "P2"]
    return catalogue


def test_a_page_that_leaves_the_report_says_so_once_and_comes_back_with_its_objective(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(tmp_path, sandbox)
    assert publish(config)[0] == 0
    before = sandbox.confluence.find_page("PORT", PAGES[2])
    assert before is not None and "Accounts opened" in str(before["body"])

    gone = write_settings(tmp_path, sandbox.url, catalogue=without_p2())
    code, output = publish(gone, "--dry-run", str(tmp_path / "dry"))
    assert code == 0, output
    assert ", 1 marked no longer reported" in output  # the dry run says so, and touches nothing
    assert sandbox.confluence.find_page("PORT", PAGES[2]) == before

    code, output = publish(gone)
    assert code == 0, output
    assert "1 marked no longer reported" in output
    assert f"marked no longer reported: {PAGES[2]}: no longer in the report" in output
    after = sandbox.confluence.find_page("PORT", PAGES[2])
    assert after is not None and (after["id"], after["version"]) == (before["id"], 2)
    body = str(after["body"])
    assert "no longer part of the outcome reports" in body and "Accounts opened" not in body
    assert 'ri:content-title="Portfolio outcomes"' in body  # where the current reports are

    sandbox.reset_requests()
    code, output = publish(gone)  # said once: a re-run only reads
    assert code == 0 and "marked no longer reported" not in output, output
    assert [r for r in sandbox.requests if r.method != "GET"] == []

    code, output = publish(write_settings(tmp_path, sandbox.url))  # P2 is back
    assert code == 0, output
    back = sandbox.confluence.find_page("PORT", PAGES[2])
    assert back is not None and (back["id"], back["version"]) == (before["id"], 3)
    assert without_macro_ids(str(back["body"])) == without_macro_ids(str(before["body"]))


@pytest.mark.parametrize("fate", ["edited", "deleted"])
def test_a_page_that_left_the_report_after_a_person_edited_or_deleted_it_is_let_go(
    sandbox: Sandbox, tmp_path: Path, fate: str
) -> None:
    config = synced(tmp_path, sandbox)
    assert publish(config)[0] == 0
    p2 = sandbox.confluence.find_page("PORT", PAGES[2])
    assert p2 is not None
    if fate == "edited":
        sandbox.confluence.human_edit(p2["id"], "<p>P2 moved to next quarter</p>", author="Marco")
    else:
        sandbox.confluence.human_delete(p2["id"])

    config = write_settings(tmp_path, sandbox.url, catalogue=without_p2())
    code, output = publish(config)
    assert code == 0, output
    if fate == "edited":
        assert f"left to its editor: {PAGES[2]}: no longer in the report, but page" in output
        assert "edited by Marco" in output and "Outcomes leaves it as it is" in output
        edited = sandbox.confluence.find_page("PORT", PAGES[2])
        assert edited is not None and edited["body"] == "<p>P2 moved to next quarter</p>"
    else:
        assert f"left to its editor: {PAGES[2]}: deleted" in output

    sandbox.reset_requests()
    code, output = publish(config)  # forgotten: not read again, not reported again
    assert code == 0 and "left to its editor" not in output, output
    assert not [r for r in sandbox.requests if r.path.endswith(f"/{p2['id']}")]


def test_confluence_max_table_rows_caps_the_long_tables(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(tmp_path, sandbox, max_table_rows=1)
    code, output = publish(config)
    assert code == 0, output
    unaligned = sandbox.confluence.find_page("PORT", PAGES[5])
    assert unaligned is not None
    body = str(unaligned["body"])
    assert "Payments (2 epics)" in body and "The first 1 of 2;" in body
    assert ("PAY-4" in body) != ("PAY-6" in body)  # one of the two is listed
