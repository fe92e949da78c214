"""The page API's choices and errors, and attachments, on both Confluence APIs over HTTP."""

from __future__ import annotations

import pytest
from atlassian import Confluence

from connector.confluence import choose_api, connect_pages
from connector.confluence_api import PageApi, V1Pages
from connector.confluence_v2 import V2Pages
from connector.publish_results import Action, Draft
from connector.publisher import Publisher
from connector.sandbox import Sandbox
from rules.errors import RateLimited, ServiceError, UserError
from tests.connector.test_publisher import DATA, ROOT, TOKEN, USER, make_api, page, sandbox

__all__ = ["sandbox"]  # the fixture, shared


@pytest.mark.parametrize(
    ("url", "setting", "chosen"),
    [
        ("https://acme.atlassian.net/wiki", "auto", "v2"),
        ("https://ACME.Atlassian.NET/wiki", "auto", "v2"),
        ("https://wiki.acme.example/confluence", "auto", "v1"),
        ("http://127.0.0.1:8090/wiki", "auto", "v1"),
        ("https://atlassian.net.evil.example/wiki", "auto", "v1"),
        ("https://acme.atlassian.net/wiki", "v1", "v1"),
        ("https://wiki.acme.example", "v2", "v2"),
    ],
)
def test_the_api_follows_the_setting_and_auto_means_v2_on_cloud(
    url: str, setting: str, chosen: str
) -> None:
    assert choose_api(url, setting) == chosen
    api = connect_pages(url, api=setting, user=USER, token=TOKEN)  # no request is made
    assert isinstance(api, V2Pages if chosen == "v2" else V1Pages)


@pytest.fixture(params=["v1", "v2"])
def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> PageApi:
    return make_api(request.param, sandbox.confluence_url)


def test_attach_uploads_once_then_only_when_the_content_changes(
    sandbox: Sandbox, api: PageApi
) -> None:
    target = api.create("PORT", "Workbook", "<p>See the attachment.</p>", None)
    first = api.attach(target.id, "outcomes.xlsx", b"PK first", "application/vnd.ms-excel")
    assert (first.written, first.version) == (True, 1)
    sandbox.reset_requests()
    same = api.attach(target.id, "outcomes.xlsx", b"PK first", "application/vnd.ms-excel")
    assert (same.id, same.written, same.version) == (first.id, False, 1)
    assert [r.method for r in sandbox.requests] == ["GET"]
    newer = api.attach(target.id, "outcomes.xlsx", b"PK second", "application/vnd.ms-excel")
    assert (newer.id, newer.written, newer.version) == (first.id, True, 2)
    stored = sandbox.confluence.attachments_of(target.id)
    assert [(a["title"], a["version"], a["data"]) for a in stored] == [
        ("outcomes.xlsx", 2, b"PK second")
    ]
    # Attaching never makes a new version of the page itself.
    assert page(sandbox, "Workbook")["version"] == 1


def test_attachments_are_listed_and_downloaded_with_the_client(sandbox: Sandbox) -> None:
    api = make_api("v1", sandbox.confluence_url)
    target = api.create("PORT", "Charts", "<p>x</p>", None)
    api.attach(target.id, "trend.png", b"\x89PNG\r\n", "image/png")
    client = Confluence(url=sandbox.confluence_url, username=USER, password=TOKEN, timeout=10)
    listing = client.get_attachments_from_content(target.id)
    assert [(a["title"], a["extensions"]["mediaType"]) for a in listing["results"]] == [
        ("trend.png", "image/png")
    ]
    link = listing["results"][0]["_links"]["download"]
    assert client.get(link, not_json_response=True) == b"\x89PNG\r\n"
    client.close()


def test_two_429s_no_longer_stop_the_run_but_the_retry_budget_does(
    sandbox: Sandbox, api: PageApi
) -> None:
    sandbox.faults.fail_next(429, count=2, retry_after=0, path_prefix="/wiki/")
    (result,) = Publisher(api, space="PORT", root_title=ROOT).publish(
        [Draft("overview", "Outcomes", None, "<p>x</p>")], {}
    )
    assert result.action is Action.CREATED
    assert [r.status for r in sandbox.requests[:3]] == [429, 429, 200]
    sandbox.faults.fail_next(429, count=100, retry_after=0, path_prefix="/wiki/")
    with pytest.raises(RateLimited) as err:
        api.find("PORT", "Outcomes")
    assert str(err.value).startswith(
        f"Confluence at {sandbox.confluence_url} kept rate-limiting GET /wiki/"
    )
    assert "(429) after 6 tries" in str(err.value)


def test_a_server_error_on_one_page_s_write_fails_that_page_only(
    sandbox: Sandbox, api: PageApi
) -> None:
    publisher = Publisher(api, space="PORT", root_title=ROOT)
    records = {}
    for result in publisher.publish(
        [Draft("one", "One", None, "<p>1</p>"), Draft("two", "Two", None, "<p>2</p>")], {}
    ):
        assert result.record is not None
        records[result.key] = result.record
    base = "/wiki/api/v2/pages/" if isinstance(api, V2Pages) else "/wiki/rest/api/content/"
    path = base + records["one"].page_id
    sandbox.faults.fail_next(500, count=1, path_prefix=path, method="PUT")
    changed = [Draft("one", "One", None, "<p>1b</p>"), Draft("two", "Two", None, "<p>2b</p>")]
    results = publisher.publish(changed, records)
    assert [r.action for r in results] == [Action.FAILED, Action.UPDATED]
    # The write may have been made behind the 500: it is not sent again blindly.
    assert f"did not answer PUT {path} properly (HTTP 500)" in results[0].message
    assert [r.method for r in sandbox.requests if r.path == path] == ["GET", "PUT"]


def test_a_v2_space_that_does_not_exist_is_a_settings_error(sandbox: Sandbox) -> None:
    api = make_api("v2", sandbox.confluence_url)
    with pytest.raises(UserError) as err:
        api.find("NOPE", "Outcomes")
    assert str(err.value).startswith("confluence.space: no space with key 'NOPE'")


def test_errors_carry_the_service_s_reason_never_request_details(sandbox: Sandbox) -> None:
    api = make_api("v2", sandbox.confluence_url)
    with pytest.raises(ServiceError) as err:
        api.create("PORT", "", "<p>x</p>", None)
    assert str(err.value) == (
        "Confluence failed to create page '' (HTTP 400): Content title cannot be empty"
    )
    assert TOKEN not in str(err.value) and "Authorization" not in str(err.value)


def test_both_apis_see_the_same_pages(sandbox: Sandbox) -> None:
    v1, v2 = make_api("v1", sandbox.confluence_url), make_api("v2", sandbox.confluence_url)
    made = v1.create("PORT", "Shared", "<p>one<br/>two</p>", None)
    seen = v2.find("PORT", "Shared")
    assert seen is not None
    assert (seen.id, seen.version, seen.body) == (made.id, 1, "<p>one<br />two</p>")
    assert v2.editor_name(seen) == "Outcomes Bot"
    assert DATA["auth"][0]["name"] == "Outcomes Bot"
