"""Publishing safety against the sandbox's Confluence, through atlassian-python-api."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from connector.confluence_api import RemotePage, V1Pages
from connector.publisher import Action, PageRecord, Publisher
from connector.sandbox import Sandbox

USER, TOKEN = "pub@example.com", "pub-token"
DATA = {
    "auth": [{"user": USER, "token": TOKEN}],
    "jira": {
        "deployment": "Cloud",
        "statuses": [{"name": "To Do", "category": "new"}],
        "fields": [],
        "projects": [],
        "issues": [],
    },
    "confluence": {"spaces": [{"key": "PORT", "name": "Portfolio"}], "pages": []},
}


@dataclass(frozen=True)
class Draft:
    key: str
    title: str
    parent_key: str | None
    body: str


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATA) as running:
        yield running


@pytest.fixture
def api(sandbox: Sandbox) -> V1Pages:
    return V1Pages(sandbox.confluence_url, user=USER, token=TOKEN, timeout=10)


def publish(api: V1Pages, drafts: list[Draft], records: dict[str, PageRecord]) -> dict[str, object]:
    results = Publisher(api, space="PORT", root_title="Portfolio outcomes").publish(drafts, records)
    for result in results:
        if result.record is not None:
            records[result.key] = result.record
    return {r.key: r for r in results}


def writes(sandbox: Sandbox) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests if r.method in ("POST", "PUT")]


def test_creates_children_under_the_root_then_writes_nothing_when_unchanged(
    sandbox: Sandbox, api: V1Pages
) -> None:
    drafts = [
        Draft("overview", "Outcomes", None, "<p>Score<br/>50%</p>"),
        Draft("unaligned", "Unaligned", "overview", "<p>None</p>"),
    ]
    records: dict[str, PageRecord] = {}
    first = publish(api, drafts, records)
    assert [first[k].action for k in ("overview", "unaligned")] == [Action.CREATED] * 2  # type: ignore[attr-defined]
    root = sandbox.confluence.find_page("PORT", "Portfolio outcomes")
    overview = sandbox.confluence.find_page("PORT", "Outcomes")
    unaligned = sandbox.confluence.find_page("PORT", "Unaligned")
    assert root and overview and unaligned
    assert overview["parent_id"] == root["id"]
    assert unaligned["parent_id"] == overview["id"]

    sandbox.reset_requests()
    second = publish(api, drafts, records)
    assert {r.action for r in second.values()} == {Action.UNCHANGED}  # type: ignore[attr-defined]
    assert writes(sandbox) == []


def test_a_changed_body_is_written_with_the_next_version(sandbox: Sandbox, api: V1Pages) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("overview", "Outcomes", None, "<p>Before</p>")], records)
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>after</p>")], records)
    assert result["overview"].action is Action.UPDATED  # type: ignore[attr-defined]
    page = sandbox.confluence.find_page("PORT", "Outcomes")
    assert page is not None
    assert (page["version"], page["body"]) == (2, "<p>after</p>")  # a change of case alone counts
    assert records["overview"].version == 2


def test_a_person_s_edit_is_left_alone_and_reported(sandbox: Sandbox, api: V1Pages) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("overview", "Outcomes", None, "<p>v1</p>")], records)
    page = sandbox.confluence.find_page("PORT", "Outcomes")
    assert page is not None
    sandbox.confluence.human_edit(page["id"], "<p>Their notes</p>", author="Priya")

    result = publish(api, [Draft("overview", "Outcomes", None, "<p>v2</p>")], records)

    assert result["overview"].action is Action.SKIPPED  # type: ignore[attr-defined]
    assert "edited by Priya" in result["overview"].message  # type: ignore[attr-defined]
    after = sandbox.confluence.find_page("PORT", "Outcomes")
    assert after is not None
    assert (after["version"], after["body"]) == (2, "<p>Their notes</p>")


def test_a_page_with_our_title_that_we_never_wrote_is_not_clobbered(
    sandbox: Sandbox, api: V1Pages
) -> None:
    api.create("PORT", "Outcomes", "<p>Someone's page</p>", None)
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>ours</p>")], {})
    assert result["overview"].action is Action.SKIPPED  # type: ignore[attr-defined]
    page = sandbox.confluence.find_page("PORT", "Outcomes")
    assert page is not None and page["body"] == "<p>Someone's page</p>"


def test_a_deleted_page_is_created_again(sandbox: Sandbox, api: V1Pages) -> None:
    records = {"overview": PageRecord("999999", 3, "0" * 64)}
    result = publish(api, [Draft("overview", "Outcomes", None, "<p>ours</p>")], records)
    assert result["overview"].action is Action.CREATED  # type: ignore[attr-defined]


class EditsJustBeforeOurWrite(V1Pages):
    """A person saves the page between our read and our write: the write meets a real 409."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox.confluence_url, user=USER, token=TOKEN, timeout=10)
        self.sandbox = sandbox

    def update(self, page_id: str, title: str, body: str, version: int) -> RemotePage:
        self.sandbox.confluence.human_edit(page_id, "<p>Raced</p>", author="Marco")
        return super().update(page_id, title, body, version)


def test_a_409_is_re_read_and_the_person_s_edit_wins(sandbox: Sandbox, api: V1Pages) -> None:
    records: dict[str, PageRecord] = {}
    publish(api, [Draft("overview", "Outcomes", None, "<p>v1</p>")], records)
    racing = EditsJustBeforeOurWrite(sandbox)
    results = Publisher(racing, space="PORT", root_title="Portfolio outcomes").publish(
        [Draft("overview", "Outcomes", None, "<p>v2</p>")], records
    )
    assert results[0].action is Action.SKIPPED
    page = sandbox.confluence.find_page("PORT", "Outcomes")
    assert page is not None and page["body"] == "<p>Raced</p>"
