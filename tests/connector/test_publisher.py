"""Publishing safety against the sandbox's Confluence, through atlassian-python-api, on both APIs.

Every test runs twice: with V1Pages (the v1 content API, as Data Center serves it) and with
V2Pages (the Cloud v2 pages API).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector.confluence_api import PageApi, V1Pages
from connector.confluence_v2 import V2Pages
from connector.publish_results import (
    Action,
    Draft,
    OnForeignEdit,
    PageRecord,
    PublishResult,
    record_keys,
)
from connector.publisher import Publisher
from connector.retry import RetryPolicy
from connector.sandbox import Sandbox
from rules.errors import AuthError, Unavailable

USER, TOKEN = "pub@example.com", "pub-token"
DATA: dict[str, Any] = {
    "auth": [{"user": USER, "token": TOKEN, "name": "Outcomes Bot"}],
    "jira": {
        "deployment": "Cloud",
        "statuses": [{"name": "To Do", "category": "new"}],
        "fields": [],
        "projects": [],
        "issues": [],
    },
    "confluence": {"spaces": [{"key": "PORT", "name": "Portfolio"}], "pages": []},
}
ROOT = "Portfolio outcomes"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATA) as running:
        yield running


def make_api(kind: str, url: str, token: str = TOKEN) -> PageApi:
    cls = V1Pages if kind == "v1" else V2Pages
    fast = RetryPolicy(base_delay=0.001, max_delay=0.01)  # retries without the waiting
    return cls(url, user=USER, token=token, timeout=10, policy=fast)


@pytest.fixture(params=["v1", "v2"])
def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> PageApi:
    return make_api(request.param, sandbox.confluence_url)


def publish(
    api: PageApi,
    drafts: list[Draft],
    records: dict[str, PageRecord],
    mode: OnForeignEdit | str = OnForeignEdit.SKIP,
) -> dict[str, PublishResult]:
    publisher = Publisher(api, space="PORT", root_title=ROOT, on_foreign_edit=mode)
    results = publisher.publish(drafts, records)
    for result in results:  # what the pipeline stores
        for key, _title, record in result.saves():
            records[key] = record
    return {r.key: r for r in results}


def writes(sandbox: Sandbox) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests if r.method in ("POST", "PUT")]


def page(sandbox: Sandbox, title: str) -> dict[str, Any]:
    found = sandbox.confluence.find_page("PORT", title)
    assert found is not None, title
    return found


TREE = [
    Draft("overview", "Outcomes", None, "<p>Score<br/>50%</p>"),
    Draft("unaligned", "Unaligned", "overview", "<p>None</p>"),
    Draft("history", "History", "overview", "<p>Days</p>"),
]


def test_first_publish_builds_the_tree_then_an_unchanged_run_only_reads(
    sandbox: Sandbox, api: PageApi
) -> None:
    records: dict[str, PageRecord] = {}
    first = publish(api, TREE, records)
    assert [r.action for r in first.values()] == [Action.CREATED] * 3
    root, overview = page(sandbox, ROOT), page(sandbox, "Outcomes")
    assert overview["parent_id"] == root["id"]
    assert page(sandbox, "Unaligned")["parent_id"] == overview["id"]
    assert page(sandbox, "History")["parent_id"] == overview["id"]
    # At most two requests per page (look for a page of that title, create it) plus a constant.
    page_requests = [r for r in sandbox.requests if "/attachment" not in r.path]
    assert len(page_requests) <= 2 * len(TREE) + 3

    sandbox.reset_requests()
    second = publish(api, TREE, records)
    assert {r.action for r in second.values()} == {Action.UNCHANGED}
    assert writes(sandbox) == []
    assert {r.method for r in sandbox.requests} == {"GET"}


def test_a_changed_body_is_written_with_an_explicit_next_version(
    sandbox: Sandbox, api: PageApi
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("overview", "Outcomes", None, "<p>Before</p>")], records)
    sandbox.reset_requests()
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>before</p>")], records)
    assert result["overview"].action is Action.UPDATED
    found = page(sandbox, "Outcomes")
    assert (found["version"], found["body"]) == (2, "<p>before</p>")  # a change of case counts
    assert records["overview"].version == 2
    assert len(writes(sandbox)) == 1  # one PUT, no history read: the version came from our read


def test_a_renamed_page_keeps_its_id(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("overview", "Outcomes", None, "<p>x</p>")], records)
    first_id = records["overview"].page_id
    result = publish(api, [Draft("overview", "Outcomes (renamed)", None, "<p>x</p>")], records)
    assert result["overview"].action is Action.UPDATED
    assert page(sandbox, "Outcomes (renamed)")["id"] == first_id


def test_a_person_s_edit_is_left_alone_and_reported(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    sandbox.confluence.human_edit(page(sandbox, "Outcomes")["id"], "<p>Notes</p>", author="Priya")
    changed = [Draft("overview", "Outcomes", None, "<p>v2</p>"), *TREE[1:]]

    result = publish(api, changed, records)

    assert result["overview"].action is Action.SKIPPED
    assert "was edited by Priya after Outcomes wrote version 1 (now version 2)" in (
        result["overview"].message
    )
    after = page(sandbox, "Outcomes")
    assert (after["version"], after["body"]) == (2, "<p>Notes</p>")
    # Its children are still found under it and left unchanged.
    assert result["unaligned"].action is Action.UNCHANGED


def test_overwrite_writes_over_a_person_s_edit_when_told_to(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE[:1], records)
    sandbox.confluence.human_edit(page(sandbox, "Outcomes")["id"], "<p>Notes</p>", author="Priya")

    result = publish(api, [Draft("overview", "Outcomes", None, "<p>v2</p>")], records, "overwrite")

    assert result["overview"].action is Action.OVERWRITTEN
    assert "edited by Priya" in result["overview"].message
    after = page(sandbox, "Outcomes")
    assert (after["version"], after["body"]) == (3, "<p>v2</p>")
    assert records["overview"].version == 3
    again = publish(api, [Draft("overview", "Outcomes", None, "<p>v2</p>")], records, "overwrite")
    assert again["overview"].action is Action.UNCHANGED


def test_child_mode_keeps_the_edit_and_writes_the_report_below_it(
    sandbox: Sandbox, api: PageApi
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    edited = page(sandbox, "Outcomes")
    sandbox.confluence.human_edit(edited["id"], "<p>Notes</p>", author="Priya")
    changed = [Draft("overview", "Outcomes", None, "<p>v2</p>"), *TREE[1:]]

    result = publish(api, changed, records, "child")

    assert result["overview"].action is Action.TO_CHILD
    assert "'Outcomes (latest report)'" in result["overview"].message
    assert page(sandbox, "Outcomes")["body"] == "<p>Notes</p>"
    child = page(sandbox, "Outcomes (latest report)")
    assert child["parent_id"] == edited["id"]
    assert str(child["body"]).endswith("<p>v2</p>")
    assert "was edited by Priya after Outcomes last wrote it" in str(child["body"])
    assert records["overview~latest"].page_id == child["id"]
    assert records["overview"].version == 1  # the edited page's record stays as it was

    sandbox.reset_requests()
    again = publish(api, changed, records, "child")
    assert again["overview"].action is Action.TO_CHILD
    assert writes(sandbox) == []  # the child is up to date: nothing to write
    newer = publish(api, [Draft("overview", "Outcomes", None, "<p>v3</p>")], records, "child")
    assert newer["overview"].action is Action.TO_CHILD
    assert str(page(sandbox, "Outcomes (latest report)")["body"]).endswith("<p>v3</p>")
    assert page(sandbox, "Outcomes (latest report)")["version"] == 2


def test_record_keys_include_the_child_pages() -> None:
    assert record_keys(TREE[:2]) == ["overview", "overview~latest", "unaligned", "unaligned~latest"]


def test_a_page_with_our_title_that_we_never_wrote_is_not_clobbered(
    sandbox: Sandbox, api: PageApi
) -> None:
    api.create("PORT", "Outcomes", "<p>Someone's page</p>", None)
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>ours</p>")], {})
    assert result["overview"].action is Action.SKIPPED
    assert "no record of writing it" in result["overview"].message
    assert page(sandbox, "Outcomes")["body"] == "<p>Someone's page</p>"


def test_a_deleted_page_is_created_again(sandbox: Sandbox, api: PageApi) -> None:
    records = {"overview": PageRecord("999999", 3, "0" * 64)}
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>ours</p>")], records)
    assert result["overview"].action is Action.CREATED
    assert records["overview"].page_id == page(sandbox, "Outcomes")["id"]


def test_a_409_is_re_read_re_checked_and_retried(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE[:1], records)
    sandbox.confluence.conflict_next(2)
    sandbox.reset_requests()

    result = publish(api, [Draft("overview", "Outcomes", None, "<p>v2</p>")], records)

    assert result["overview"].action is Action.UPDATED
    assert len(writes(sandbox)) == 3  # two answered 409, the third landed
    assert page(sandbox, "Outcomes")["version"] == 2


def test_a_409_from_a_person_s_save_lets_the_person_win(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE[:1], records)
    sandbox.confluence.edit_before_next_update("<p>Raced</p>", author="Marco")

    result = publish(api, [Draft("overview", "Outcomes", None, "<p>v2</p>")], records)

    assert result["overview"].action is Action.SKIPPED
    assert "edited by Marco" in result["overview"].message
    assert page(sandbox, "Outcomes")["body"] == "<p>Raced</p>"


def test_conflicts_beyond_the_budget_fail_that_page_only_and_it_is_retried_next_run(
    sandbox: Sandbox, api: PageApi
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    sandbox.confluence.conflict_next(3)  # every attempt on the first page that changes
    changed = [
        Draft("overview", "Outcomes", None, "<p>v2</p>"),
        Draft("unaligned", "Unaligned", "overview", "<p>Two</p>"),
        TREE[2],
    ]

    result = publish(api, changed, records)

    assert result["overview"].action is Action.FAILED
    assert "kept changing" in result["overview"].message
    assert result["unaligned"].action is Action.UPDATED  # the next page went on
    assert result["history"].action is Action.UNCHANGED
    retry = publish(api, changed, records)
    assert retry["overview"].action is Action.UPDATED
    assert page(sandbox, "Outcomes")["body"] == "<p>v2</p>"


def test_a_page_confluence_refuses_fails_alone_and_its_children_say_why(
    sandbox: Sandbox, api: PageApi
) -> None:
    broken = [
        Draft("overview", "Outcomes", None, "<p>fine</p>"),
        Draft("unaligned", "Unaligned", "overview", "<p>unclosed <b>bold</p>"),
        Draft("below", "Below", "unaligned", "<p>child</p>"),
        Draft("history", "History", "overview", "<p>Days</p>"),
    ]
    seen: list[str] = []
    results = Publisher(api, space="PORT", root_title=ROOT).publish(
        broken, {}, on_result=lambda r: seen.append(f"{r.key}:{r.action.value}")
    )
    assert seen == ["overview:created", "unaligned:failed", "below:failed", "history:created"]
    assert "HTTP 400" in results[1].message and "Error parsing xhtml" in results[1].message
    assert results[2].message == "its parent page 'unaligned' was not published"


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_rejected_credentials_stop_the_run_without_the_token(sandbox: Sandbox, kind: str) -> None:
    bad = make_api(kind, sandbox.confluence_url, token="s3cret-wrong")
    with pytest.raises(AuthError) as err:
        Publisher(bad, space="PORT", root_title=ROOT).publish(TREE, {})
    assert "401" in str(err.value) and "s3cret-wrong" not in str(err.value)


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_an_unreachable_confluence_stops_the_run(kind: str) -> None:
    with Sandbox(DATA) as gone:
        url = gone.confluence_url
    with pytest.raises(Unavailable) as err:
        Publisher(make_api(kind, url), space="PORT", root_title=ROOT).publish(TREE, {})
    assert "unreachable" in str(err.value)


def test_a_page_that_left_the_tree_is_marked_once(sandbox: Sandbox, api: PageApi) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    publisher = Publisher(api, space="PORT", root_title=ROOT)
    sandbox.reset_requests()

    [result] = publisher.retire([("history", "History", records["history"])])

    assert result.action is Action.RETIRED and result.record is not None
    found = page(sandbox, "History")
    assert found["version"] == 2 and found["parent_id"] == page(sandbox, "Outcomes")["id"]
    assert "no longer part of the outcome reports" in found["body"]
    assert len(writes(sandbox)) == 1
    sandbox.reset_requests()
    [again] = publisher.retire([("history", "History", result.record)])
    assert again.action is Action.UNCHANGED and writes(sandbox) == []


def test_a_409_while_marking_a_page_fails_it_for_this_run_only(
    sandbox: Sandbox, api: PageApi
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    sandbox.confluence.conflict_next(1)
    publisher = Publisher(api, space="PORT", root_title=ROOT)

    [result] = publisher.retire([("history", "History", records["history"])])

    assert result.action is Action.FAILED and "tried again next run" in result.message
    assert (page(sandbox, "History")["version"], result.record) == (1, None)
    [retried] = publisher.retire([("history", "History", records["history"])])
    assert retried.action is Action.RETIRED
