"""A write whose answer is lost: Confluence made it, Outcomes never heard. The next run must take
the page back (one rerun, nothing duplicated) and still never write over a person's edit.

Through the real clients against the sandbox, whose Confluence rewrites every body it stores
(entities, quoting, empty elements, macro ids), on both APIs. What the first run raises depends
on how the client reports a dropped connection; the tests assert what the NEXT run does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector.confluence_api import PageApi
from connector.publish_results import Action, Draft, PageRecord, PublishResult
from connector.publisher import Publisher
from connector.sandbox import Sandbox, Transit
from connector.storage_form import canonical_hash, legacy_hash
from rules.errors import ServiceError
from tests.connector.test_publisher import DATA, ROOT, make_api, page, publish, writes

PAGES_PATH = {"v1": "/wiki/rest/api/content", "v2": "/wiki/api/v2/pages"}
# Bodies as the renderer escapes them: Confluence stores none of them byte for byte.
OVERVIEW = (
    '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Priya&#x27;s &quot;plan&quot;'
    "&nbsp;&mdash; 50%<br/></p></ac:rich-text-body></ac:structured-macro><p></p>"
)
TREE = [
    Draft("overview", "Outcomes", None, OVERVIEW),
    Draft("unaligned", "Unaligned", "overview", "<p>Team&#x27;s epics</p><table><td></td></table>"),
    Draft("history", "History", "overview", "<p title='days'>Days</p>"),
]
NEXT = [Draft("overview", "Outcomes", None, "<p>Marco&#x27;s update</p>"), *TREE[1:]]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATA) as running:
        yield running


@pytest.fixture(params=["v1", "v2"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(kind: str, sandbox: Sandbox) -> PageApi:
    return make_api(kind, sandbox.confluence_url)


def lose_next(sandbox: Sandbox, kind: str, method: str) -> None:
    """The next create (POST) or update (PUT) is made, then its connection drops unanswered."""
    sandbox.faults.break_next(Transit.LOST, path_prefix=PAGES_PATH[kind], method=method)


def publish_losing(
    api: PageApi, drafts: list[Draft], records: dict[str, PageRecord]
) -> dict[str, PublishResult]:
    """A run that meets the lost answer: that page fails, or the run stops; either way the
    records of what was answered are kept."""
    try:
        return publish(api, drafts, records)
    except ServiceError:
        return {}


def titles(sandbox: Sandbox) -> list[str]:
    return sorted(str(p["title"]) for p in sandbox.confluence.pages())


def authors(sandbox: Sandbox, title: str) -> list[str]:
    stored = sandbox.confluence.get(str(page(sandbox, title)["id"]))
    assert stored is not None
    return [v.by for v in stored.versions]


def test_a_lost_create_is_adopted_by_the_next_run(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [], records)  # the root page exists; the next create is the overview's
    lose_next(sandbox, kind, "POST")
    first = publish_losing(api, TREE, records)
    assert "overview" not in records
    if first:  # the lost page failed alone; its children could not be placed yet
        assert first["overview"].action is Action.FAILED

    second = publish(api, TREE, records)

    assert second["overview"].action is Action.ADOPTED
    assert second["unaligned"].action is Action.CREATED
    assert second["history"].action is Action.CREATED
    assert titles(sandbox) == ["History", "Outcomes", ROOT, "Unaligned"]  # no duplicate
    overview = page(sandbox, "Outcomes")
    assert records["overview"] == PageRecord(str(overview["id"]), 1, records["overview"].body_hash)
    assert page(sandbox, "Unaligned")["parent_id"] == overview["id"]
    sandbox.reset_requests()
    third = publish(api, TREE, records)
    assert {r.action for r in third.values()} == {Action.UNCHANGED} and writes(sandbox) == []


def test_a_lost_create_with_a_newer_report_is_adopted_and_updated(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [], records)
    lose_next(sandbox, kind, "POST")
    publish_losing(api, TREE, records)

    second = publish(api, NEXT, records)

    assert second["overview"].action is Action.ADOPTED
    overview = page(sandbox, "Outcomes")
    assert (overview["version"], overview["body"]) == (2, "<p>Marco's update</p>")
    assert records["overview"].version == 2


def test_a_lost_update_is_taken_back_by_the_next_run(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    lose_next(sandbox, kind, "PUT")
    publish_losing(api, NEXT, records)
    assert records["overview"].version == 1  # the store never heard of version 2
    assert page(sandbox, "Outcomes")["version"] == 2

    second = publish(api, NEXT, records)

    assert {r.action for r in second.values()} == {Action.UNCHANGED}
    assert records["overview"].version == 2
    assert titles(sandbox) == ["History", "Outcomes", ROOT, "Unaligned"]
    third = publish(api, TREE, records)  # and the page is written again as usual
    assert third["overview"].action is Action.UPDATED
    assert page(sandbox, "Outcomes")["version"] == 3


def test_a_lost_update_then_a_newer_report_updates_the_page(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    lose_next(sandbox, kind, "PUT")
    publish_losing(api, NEXT, records)
    newer = [Draft("overview", "Outcomes", None, "<p>Ana&#x27;s numbers</p>"), *TREE[1:]]

    second = publish(api, newer, records)

    assert second["overview"].action is Action.UPDATED
    assert page(sandbox, "Outcomes")["body"] == "<p>Ana's numbers</p>"
    assert records["overview"].version == 3


def test_a_person_s_edit_after_a_lost_update_is_never_overwritten(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    lose_next(sandbox, kind, "PUT")
    publish_losing(api, NEXT, records)
    overview_id = str(page(sandbox, "Outcomes")["id"])
    sandbox.confluence.human_edit(overview_id, "<p>Review notes</p>", author="Priya")

    second = publish(api, NEXT, records)

    # Outcomes' account wrote version 2; Priya wrote the latest: hers stands.
    assert second["overview"].action is Action.SKIPPED
    assert "edited by Priya" in second["overview"].message
    after = page(sandbox, "Outcomes")
    assert (after["version"], after["body"]) == (3, "<p>Review notes</p>")
    assert authors(sandbox, "Outcomes")[-1] == "Priya"


def test_a_person_s_page_with_our_title_is_still_refused(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [], records)
    root = page(sandbox, ROOT)
    sandbox.confluence.create("PORT", "Outcomes", "<p>Mine</p>", str(root["id"]), "Priya")

    result = publish(api, TREE[:1], records)

    assert result["overview"].action is Action.SKIPPED
    assert "last edited by Priya" in result["overview"].message
    assert "no record of writing it" in result["overview"].message
    assert page(sandbox, "Outcomes")["body"] == "<p>Mine</p>"


def test_a_page_of_ours_that_a_person_edited_last_is_refused_without_a_record(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, TREE[:1], records)
    sandbox.confluence.human_edit(str(page(sandbox, "Outcomes")["id"]), "<p>Notes</p>", "Priya")

    result = publish(api, TREE[:1], {})  # the store forgot the page

    assert result["overview"].action is Action.SKIPPED
    assert page(sandbox, "Outcomes")["body"] == "<p>Notes</p>"


def test_a_page_of_ours_under_another_parent_is_not_adopted(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    api.create("PORT", "Elsewhere", "<p>x</p>", None)
    elsewhere = page(sandbox, "Elsewhere")
    api.create("PORT", "Outcomes", "<p>An old copy</p>", str(elsewhere["id"]))

    result = publish(api, TREE[:1], {})

    assert result["overview"].action is Action.SKIPPED
    assert "sits under another parent page" in result["overview"].message
    assert page(sandbox, "Outcomes")["body"] == "<p>An old copy</p>"


def test_a_lost_answer_fails_only_its_page(sandbox: Sandbox, kind: str) -> None:
    """The pages after a lost answer go on when the client reports it as a lost answer; when
    it reports an unreachable Confluence, the run stops and the next run converges."""
    api = make_api(kind, sandbox.confluence_url)
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    lose_next(sandbox, kind, "PUT")
    changed = [NEXT[0], Draft("unaligned", "Unaligned", "overview", "<p>Two</p>"), TREE[2]]
    publisher = Publisher(api, space="PORT", root_title=ROOT)
    seen: list[Any] = []
    try:
        publisher.publish(changed, records, on_result=seen.append)
    except ServiceError:
        assert seen == []
    else:
        assert [(r.key, r.action) for r in seen] == [
            ("overview", Action.FAILED),
            ("unaligned", Action.UPDATED),
            ("history", Action.UNCHANGED),
        ]
        assert "next run" in seen[0].message


def test_records_of_an_earlier_release_still_match_their_pages(
    sandbox: Sandbox, api: PageApi, kind: str
) -> None:
    """Records hashed the old way (bytes, `<br/>` spaced) make no page look edited after an
    upgrade; each is rewritten with the canonical hash, and a person's edit is still seen."""
    records: dict[str, PageRecord] = {}
    publish(api, TREE, records)
    records = {
        key: PageRecord(r.page_id, r.version, legacy_hash(draft.body))
        for draft in TREE
        for key, r in records.items()
        if key == draft.key
    }
    sandbox.reset_requests()

    upgraded = publish(api, TREE, records)

    assert {r.action for r in upgraded.values()} == {Action.UNCHANGED} and writes(sandbox) == []
    assert records["overview"].body_hash == canonical_hash(OVERVIEW)
    sandbox.confluence.human_edit(str(page(sandbox, "Outcomes")["id"]), "<p>Notes</p>", "Priya")
    assert publish(api, NEXT, records)["overview"].action is Action.SKIPPED
