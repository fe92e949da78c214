"""Confluence's v1 content API over HTTP, driven by the real atlassian-python-api client."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from atlassian import Confluence
from atlassian.errors import ApiError

from connector.sandbox import Sandbox

from .conftest import TOKEN, USER

ROOT = "Portfolio outcomes"


def root_id(confluence: Confluence) -> str:
    found = confluence.get_page_by_title("PORT", ROOT)
    assert [r["title"] for r in found["results"]] == [ROOT]
    return str(found["results"][0]["id"])


def put(
    confluence: Confluence, page_id: str, number: int, body: str, title: str = "Team Payments"
) -> Any:
    return confluence.put(
        f"rest/api/content/{page_id}",
        data={
            "id": page_id,
            "type": "page",
            "title": title,
            "version": {"number": number},
            "body": {"storage": {"value": body, "representation": "storage"}},
        },
    )


def test_create_under_a_parent_then_find_and_read(sandbox: Sandbox, confluence: Confluence) -> None:
    parent = root_id(confluence)
    created = confluence.create_page("PORT", "Team Payments", "<p>Hello</p>", parent_id=parent)
    assert created["version"]["number"] == 1
    assert [a["title"] for a in created["ancestors"]] == [ROOT]
    assert sandbox.confluence.find_page("PORT", "Team Payments") == {
        "id": created["id"],
        "title": "Team Payments",
        "space": "PORT",
        "parent_id": parent,
        "version": 1,
        "body": "<p>Hello</p>",
    }
    assert confluence.page_exists("PORT", "Team Payments") is True
    assert confluence.page_exists("PORT", "Team Mobile") is False
    page = confluence.get_page_by_id(created["id"], expand="body.storage,version,ancestors,space")
    assert page["title"] == "Team Payments"
    assert page["space"] == {**page["space"], "key": "PORT", "name": "Portfolio"}
    assert page["version"]["number"] == 1
    assert page["version"]["by"]["displayName"] == "Demo Bot"
    assert page["body"]["storage"] == {"value": "<p>Hello</p>", "representation": "storage"}
    assert [a["id"] for a in page["ancestors"]] == [parent]
    children = list(confluence.get_page_child_by_type(parent))
    assert [c["title"] for c in children] == ["History", "Team Payments"]


def test_body_is_returned_only_when_expanded(confluence: Confluence) -> None:
    page = confluence.get_page_by_id(root_id(confluence))
    assert "body" not in page
    assert page["version"]["number"] == 1 and page["space"]["key"] == "PORT"


def test_update_needs_the_next_version_number(sandbox: Sandbox, confluence: Confluence) -> None:
    page_id = confluence.create_page("PORT", "Team Payments", "<p>v1</p>")["id"]
    assert put(confluence, page_id, 2, "<p>v2</p>")["version"]["number"] == 2
    with pytest.raises(requests.HTTPError) as stale:
        put(confluence, page_id, 2, "<p>again</p>")
    assert stale.value.response is not None and stale.value.response.status_code == 409
    assert "Current version is: 2" in str(stale.value)
    with pytest.raises(requests.HTTPError) as skipped:
        put(confluence, page_id, 4, "<p>too far</p>")
    assert skipped.value.response is not None and skipped.value.response.status_code == 409
    # The client's own helper reads the history and sends current + 1.
    updated = confluence.update_page(page_id, "Team Payments", "<p>v3</p>")
    assert updated["version"]["number"] == 3
    found = sandbox.confluence.find_page("PORT", "Team Payments")
    assert found is not None and (found["version"], found["body"]) == (3, "<p>v3</p>")
    versions = confluence.get_all_page_versions(page_id)
    assert [v["number"] for v in versions] == [3, 2, 1]
    old = confluence.get_page_by_id(page_id, expand="body.storage", version=1)
    assert old["body"]["storage"]["value"] == "<p>v1</p>"


def test_malformed_xhtml_is_refused(confluence: Confluence) -> None:
    with pytest.raises(requests.HTTPError) as err:
        confluence.create_page("PORT", "Broken", "<p>unclosed <b>bold</p>")
    assert err.value.response is not None and err.value.response.status_code == 400
    assert "Error parsing xhtml" in str(err.value)
    with pytest.raises(requests.HTTPError) as prefix:
        confluence.create_page("PORT", "Broken", '<zz:macro zz:name="x" />')
    assert prefix.value.response is not None and prefix.value.response.status_code == 400


def test_storage_is_renormalised(sandbox: Sandbox, confluence: Confluence) -> None:
    body = (
        '<p>a<br/>b&nbsp;c</p><ac:structured-macro ac:name="status"><ac:parameter '
        'ac:name="colour">Green</ac:parameter></ac:structured-macro>'
        '<ac:image><ri:url ri:value="https://x/y.png"/></ac:image>'
        "<ac:plain-text-body><![CDATA[keep <br/> here]]></ac:plain-text-body>"
    )
    page_id = confluence.create_page("PORT", "Team Payments", body)["id"]
    stored = confluence.get_page_by_id(page_id, expand="body.storage")["body"]["storage"]["value"]
    macro_ids = re.findall(r'ac:macro-id="([0-9a-f-]{36})"', stored)
    assert len(macro_ids) == 1
    assert stored.replace(macro_ids[0], "ID") == (
        '<p>a<br />b&nbsp;c</p><ac:structured-macro ac:macro-id="ID" ac:name="status"'
        ' ac:schema-version="1"><ac:parameter ac:name="colour">Green</ac:parameter>'
        '</ac:structured-macro><ac:image><ri:url ri:value="https://x/y.png" /></ac:image>'
        "<ac:plain-text-body><![CDATA[keep <br/> here]]></ac:plain-text-body>"
    )
    seeded = sandbox.confluence.find_page("PORT", "History")
    assert seeded is not None and seeded["body"] == "<p>Old&nbsp;runs<br /></p>"


def test_storage_is_rewritten_as_confluence_writes_it(confluence: Confluence) -> None:
    """Entities, quoting, attribute order and empty elements come back in Confluence's form."""
    body = (
        "<p>Priya&#x27;s &#39;plan&#39; &quot;A&quot; &eacute;t&eacute; &amp; &lt;b&gt;&#160;</p>"
        "<p></p><table><tbody><tr><td></td></tr></tbody></table>"
        "<a title='say &quot;hi&quot;' href=\"https://x/?a=1&amp;b=2\">link</a>"
    )
    page_id = confluence.create_page("PORT", "Team Payments", body)["id"]
    stored = confluence.get_page_by_id(page_id, expand="body.storage")["body"]["storage"]["value"]
    assert stored == (
        "<p>Priya's 'plan' \"A\" \u00e9t\u00e9 &amp; &lt;b&gt;&nbsp;</p>"
        "<p /><table><tbody><tr><td /></tr></tbody></table>"
        '<a href="https://x/?a=1&amp;b=2" title="say &quot;hi&quot;">link</a>'
    )
    # Each save gives a macro a new id, so the same body never comes back byte for byte.
    macro = '<ac:structured-macro ac:name="toc" />'
    put(confluence, page_id, 2, macro)
    first = confluence.get_page_by_id(page_id, expand="body.storage")["body"]["storage"]["value"]
    put(confluence, page_id, 3, macro)
    second = confluence.get_page_by_id(page_id, expand="body.storage")["body"]["storage"]["value"]
    assert first != second and 'ac:schema-version="1"' in first


def test_duplicate_title_in_a_space_is_refused(confluence: Confluence) -> None:
    with pytest.raises(requests.HTTPError) as err:
        confluence.create_page("PORT", "portfolio OUTCOMES", "<p>x</p>")
    assert err.value.response is not None and err.value.response.status_code == 400
    assert "A page with this title already exists" in str(err.value)


def test_human_edit_bumps_the_version(sandbox: Sandbox, confluence: Confluence) -> None:
    page_id = root_id(confluence)
    assert sandbox.confluence.human_edit(page_id, "<p>Edited<br/></p>", author="Priya") == 2
    page = confluence.get_page_by_id(page_id, expand="body.storage,version")
    assert page["version"]["number"] == 2
    assert page["version"]["by"]["displayName"] == "Priya"
    assert page["body"]["storage"]["value"] == "<p>Edited<br /></p>"


def test_spaces_and_paging(sandbox: Sandbox, confluence: Confluence) -> None:
    assert confluence.get_space("PORT")["name"] == "Portfolio"
    with pytest.raises(ApiError):
        confluence.get_space("NOPE")
    sandbox.faults.max_page_size = 1
    titles = [p["title"] for p in confluence.get_all_pages_from_space("PORT")]
    assert titles == [ROOT, "History"]
    assert sum(r.path == "/wiki/rest/api/content" for r in sandbox.requests) >= 2


def test_bad_credentials_answer_401_in_confluence_shape(sandbox: Sandbox) -> None:
    with requests.Session() as s:
        resp = s.get(
            sandbox.confluence_url + "/rest/api/space/PORT", auth=(USER, "nope"), timeout=10
        )
        good = s.get(
            sandbox.confluence_url + "/rest/api/space/PORT", auth=(USER, TOKEN), timeout=10
        )
    assert resp.status_code == 401 and resp.json()["statusCode"] == 401
    assert good.status_code == 200


def test_the_current_user_is_the_account_that_writes_the_pages(confluence: Confluence) -> None:
    me = confluence.get("rest/api/user/current")
    assert (me["type"], me["displayName"], me["username"]) == ("known", "Demo Bot", "demo.bot")
    page_id = confluence.create_page("PORT", "Team Payments", "<p>x</p>")["id"]
    by = confluence.get_page_by_id(page_id, expand="version")["version"]["by"]
    assert (by["accountId"], by["userKey"]) == (me["accountId"], me["userKey"])
