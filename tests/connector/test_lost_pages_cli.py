"""`outcomes run` after a lost Confluence answer or a lost store: one rerun converges, exits 0,
duplicates nothing and writes over no person's edit. On the v1 and v2 APIs, through the real
clients, against a sandbox whose Confluence rewrites every body it stores.

The portfolio's pages carry text Confluence rewrites (PAY-1's summary has `"quotes"` and `&`,
another an apostrophe), so a publisher that compared bytes would refuse them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox, Transit
from connector.store import history
from connector.store.db import open_store
from tests.connector.publish_setup import AS_OF, dataset, outcomes, write_settings
from tests.connector.test_publish_command import PAGES

ROOT = "Portfolio outcomes"
PAGES_PATH = {"v1": "/wiki/rest/api/content", "v2": "/wiki/api/v2/pages"}
ACCOUNT = "lead@example.com"  # the sandbox names the account after its e-mail address


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    data = dataset(**{"MOB-1": "Priya's onboarding flow"})
    # The root page is there already, written by a person: the first create is the overview's.
    data["confluence"]["pages"] = [{"space": "PORT", "title": ROOT, "body": "<p>Reports</p>"}]
    with Sandbox(data) as running:
        yield running


@pytest.fixture(params=["v1", "v2"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(config: Path) -> tuple[int, str]:
    return outcomes("run", "--config", str(config), "--as-of", AS_OF, "--no-export")


def pages(sandbox: Sandbox) -> dict[str, dict[str, object]]:
    """Every page by title; a duplicate title would lose an entry, so count them too."""
    found = sandbox.confluence.pages()
    by_title = {str(p["title"]): p for p in found}
    assert len(by_title) == len(found)
    return by_title


def last_author(sandbox: Sandbox, title: str) -> str:
    found = sandbox.confluence.find_page("PORT", title)
    assert found is not None, title
    page = sandbox.confluence.get(str(found["id"]))
    assert page is not None
    return page.current.by


def assert_converged(sandbox: Sandbox, output: str) -> None:
    assert sorted(pages(sandbox)) == sorted([*PAGES, ROOT])
    overview = pages(sandbox)[PAGES[0]]
    assert pages(sandbox)[PAGES[1]]["parent_id"] == overview["id"]
    assert {last_author(sandbox, title) for title in PAGES} == {ACCOUNT}
    assert "skipped" not in output and "failed" not in output


def test_a_lost_create_is_adopted_in_one_rerun(sandbox: Sandbox, tmp_path: Path, kind: str) -> None:
    config = write_settings(tmp_path, sandbox.url, api=kind)
    sandbox.faults.break_next(Transit.LOST, path_prefix=PAGES_PATH[kind], method="POST")
    code, output = run(config)
    assert code != 0, output  # the overview's create landed, its answer never came
    assert PAGES[0] in pages(sandbox)

    code, output = run(config)

    assert code == 0, output
    assert "1 adopted" in output and "7 created" in output
    assert_converged(sandbox, output)
    sandbox.reset_requests()
    code, output = run(config)
    assert code == 0 and "Confluence: 8 unchanged" in output, output
    assert [r for r in sandbox.requests if r.path.startswith("/wiki") and r.method != "GET"] == []


def recorded_versions(folder: Path) -> dict[str, int]:
    """The version the store says Outcomes last wrote, by page id."""
    engine = open_store(f"sqlite:///{folder / 'outcomes.db'}")
    try:
        with Session(engine) as session:
            return {r.page_id: r.version for r in history.publish_records(session, "retail")}
    finally:
        engine.dispose()


def test_a_lost_update_is_taken_back_in_one_rerun(
    sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    config = write_settings(tmp_path, sandbox.url, api=kind)
    assert run(config)[0] == 0
    sandbox.jira.update_issue("MOB-2", labels=["okr:P2.KR1"])  # MOB-2 now serves P2
    sandbox.faults.break_next(Transit.LOST, path_prefix=PAGES_PATH[kind], method="PUT")
    code, output = run(config)
    assert code != 0, output  # one update landed, its answer never came
    known = recorded_versions(tmp_path)
    ours = [pages(sandbox)[title] for title in PAGES]
    lost = [p for p in ours if p["version"] != known.get(str(p["id"]))]
    assert [p["version"] for p in lost] == [2]  # the store never heard of it

    code, output = run(config)

    assert code == 0, output
    assert_converged(sandbox, output)
    # That page keeps the version it got then (nothing was written twice), now on record.
    after = pages(sandbox)[str(lost[0]["title"])]
    assert after["version"] == 2 and recorded_versions(tmp_path)[str(after["id"])] == 2


def test_a_lost_store_adopts_every_page_in_one_rerun(
    sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    config = write_settings(tmp_path, sandbox.url, api=kind)
    assert run(config)[0] == 0
    (tmp_path / "outcomes.db").unlink()

    code, output = run(config)

    assert code == 0, output
    assert "Confluence: 8 adopted" in output
    assert_converged(sandbox, output)
    sandbox.reset_requests()
    code, output = run(config)
    assert code == 0 and "Confluence: 8 unchanged" in output, output


def test_a_lost_store_leaves_a_person_s_edit_alone(
    sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    config = write_settings(tmp_path, sandbox.url, api=kind)
    assert run(config)[0] == 0
    team = sandbox.confluence.find_page("PORT", PAGES[3])
    assert team is not None
    sandbox.confluence.human_edit(str(team["id"]), "<p>Our own notes</p>", author="Priya")
    (tmp_path / "outcomes.db").unlink()

    code, output = run(config)

    assert code == 1, output
    assert "7 adopted" in output and "1 skipped" in output
    assert f"skipped: {PAGES[3]}: a page titled {PAGES[3]!r} already exists" in output
    assert "last edited by Priya" in output
    after = sandbox.confluence.find_page("PORT", PAGES[3])
    assert after is not None and (after["version"], after["body"]) == (2, "<p>Our own notes</p>")
