"""Full and incremental sync on Cloud and Data Center, through the real `jira` client."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.issues import load_epics
from rules.model import StatusCategory
from tests.sync.conftest import connect, content, fresh_full_sync, sync


def test_full_sync_stores_the_scope_s_epics_with_their_children(
    sandbox: Sandbox, engine: Engine
) -> None:
    result = sync(sandbox, engine)
    assert (result.full, result.epics, result.children) == (True, 4, 6)
    with Session(engine) as session:
        epics = {e.key: e for e in load_epics(session, "retail")}
    assert sorted(epics) == ["MOB-1", "MOB-4", "PAY-1", "PAY-5"]  # ARC is out of scope
    pay1 = epics["PAY-1"]
    assert pay1.labels == ("okr:P1.KR1",)
    assert pay1.status_category is StatusCategory.IN_PROGRESS
    assert (pay1.children.total, pay1.children.done) == (3, 1)
    assert (pay1.children.points_total, pay1.children.points_done) == (8.0, 3.0)
    assert (epics["MOB-1"].children.total, epics["MOB-1"].children.points_done) == (2, 9.0)
    assert epics["MOB-4"].children.total == 0


def test_each_deployment_uses_its_own_search(sandbox: Sandbox, engine: Engine) -> None:
    sync(sandbox, engine)
    paths = {r.path for r in sandbox.requests if "/search" in r.path}
    if sandbox.jira.deployment == "Cloud":
        assert paths == {"/rest/api/2/search/jql"}
    else:
        assert paths == {"/rest/api/2/search"}  # Data Center has no enhanced search


def test_data_center_children_come_by_epic_link(engine: Engine) -> None:
    from tests.sync.conftest import portfolio

    with Sandbox(portfolio("Server")) as sandbox:
        source = connect(sandbox)
        assert source.deployment == "datacenter"
        assert source.site.epic_link == "customfield_10100"
        assert source.site.story_points == "customfield_10106"
        assert source.children_jql(["10001"]) == "cf[10100] in (10001)"


def test_incremental_sync_reads_only_what_changed(sandbox: Sandbox, engine: Engine) -> None:
    sync(sandbox, engine)
    sandbox.jira.update_issue("PAY-3", status="Done")
    sandbox.reset_requests()

    result = sync(sandbox, engine)

    assert result.full is False
    # PAY-3, plus MOB-4, whose `updated` is the cursor itself (the bound is inclusive).
    assert result.fetched == 2
    with Session(engine) as session:
        pay1 = next(e for e in load_epics(session, "retail") if e.key == "PAY-1")
    assert (pay1.children.done, pay1.children.points_done) == (2, 8.0)


def test_deletions_moves_and_scope_changes_converge_with_a_full_sync(
    sandbox: Sandbox, engine: Engine, tmp_path: Path
) -> None:
    sync(sandbox, engine)
    sandbox.jira.delete_issue("PAY-4")  # a child deleted
    sandbox.jira.move_issue("PAY-6", "MOB")  # a child moved to another project: new key
    sandbox.jira.move_issue("MOB-4", "ARC")  # an epic moved out of scope
    new_key = sandbox.jira.move_issue("PAY-1", "MOB")  # an epic moved within scope
    sandbox.jira.update_issue("MOB-2", parent="ARC-1")  # re-parented out of scope
    sandbox.jira.add_issue({"key": "ARC-9", "type": "Epic", "summary": "Enters", "status": "To Do"})
    entered = sandbox.jira.move_issue("ARC-1", "PAY")  # an epic (with a child) enters the scope

    sync(sandbox, engine)

    assert content(engine) == fresh_full_sync(sandbox, tmp_path)
    with Session(engine) as session:
        epics = {e.key: e for e in load_epics(session, "retail")}
    assert new_key in epics and "PAY-1" not in epics
    assert epics[new_key].children.total == 2  # PAY-2 and PAY-3 follow their epic's new key
    assert "MOB-4" not in epics
    assert epics[entered].children.total == 2  # ARC-2 and the re-parented MOB-2


def test_an_epic_deleted_mid_sync_does_not_sink_its_neighbours(sandbox: Sandbox) -> None:
    source = connect(sandbox)
    pay1 = sandbox.jira.get("PAY-1")
    pay5 = sandbox.jira.get("PAY-5")
    assert pay1 is not None and pay5 is not None
    gone = str(pay5.id)
    sandbox.jira.delete_issue("PAY-5")  # deleted after the sync listed the scope's epics
    children = [r.key for page in source.child_pages([str(pay1.id), gone]) for r in page]
    assert sorted(children) == ["PAY-2", "PAY-3", "PAY-4"]
    ids = [i for page in source.child_id_pages([str(pay1.id), gone]) for i in page]
    assert len(ids) == 3


def test_a_children_query_jira_refuses_for_a_live_epic_is_still_an_error(
    sandbox: Sandbox,
) -> None:
    from rules.errors import BadQuery

    source = connect(sandbox)
    source.site = type(source.site)(source.site.story_points, "customfield_1", "cf[1]")
    source.deployment = "datacenter"  # an Epic Link clause this site does not have
    pay1 = sandbox.jira.get("PAY-1")
    assert pay1 is not None
    with pytest.raises(BadQuery):
        list(source.child_pages([str(pay1.id)]))
