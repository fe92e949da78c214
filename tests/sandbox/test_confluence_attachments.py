"""Attachments and edit races in the sandbox's Confluence, through the real v1 client."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from atlassian import Confluence

from connector.sandbox import Sandbox

from .conftest import TOKEN, USER


def new_page(confluence: Confluence, title: str = "Team Payments") -> str:
    return str(confluence.create_page("PORT", title, "<p>x</p>")["id"])


def test_the_client_s_attach_content_and_attach_file_upload(
    sandbox: Sandbox, confluence: Confluence, tmp_path: Path
) -> None:
    page_id = new_page(confluence)
    answer = confluence.attach_content(
        b"col1,col2\n", "data.csv", "text/csv", page_id=page_id, comment="weekly"
    )
    assert [(a["title"], a["version"]["number"]) for a in answer["results"]] == [("data.csv", 1)]
    image = tmp_path / "trend.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    confluence.attach_file(str(image), page_id=page_id)
    stored = sandbox.confluence.attachments_of(page_id)
    assert [(a["title"], a["media_type"], a["comment"], a["data"]) for a in stored] == [
        ("data.csv", "text/csv", "weekly", b"col1,col2\n"),
        ("trend.png", "image/png", "Uploaded trend.png.", b"\x89PNG\r\n\x1a\n"),
    ]
    listing = confluence.get_attachments_from_content(page_id, filename="trend.png")
    assert [a["title"] for a in listing["results"]] == ["trend.png"]
    assert listing["results"][0]["extensions"]["fileSize"] == 8
    assert confluence.get_page_by_id(page_id)["version"]["number"] == 1  # the page did not change


def upload(
    sandbox: Sandbox, page_id: str, name: str, data: bytes, *, token: bool = True, path: str = ""
) -> requests.Response:
    headers = {"X-Atlassian-Token": "no-check"} if token else {}
    url = f"{sandbox.confluence_url}/rest/api/content/{page_id}/child/attachment{path}"
    with requests.Session() as session:
        return session.post(
            url,
            auth=(USER, TOKEN),
            headers=headers,
            files={"file": (name, data, "application/octet-stream")},
            timeout=10,
        )


def test_uploads_need_the_xsrf_header_and_a_name_is_unique_per_page(
    sandbox: Sandbox, confluence: Confluence
) -> None:
    page_id = new_page(confluence)
    refused = upload(sandbox, page_id, "a.bin", b"1", token=False)
    assert refused.status_code == 403 and refused.json()["message"] == "XSRF check failed"
    assert upload(sandbox, page_id, "a.bin", b"1").status_code == 200
    again = upload(sandbox, page_id, "a.bin", b"2")
    assert again.status_code == 400
    assert "same file name as an existing attachment: a.bin" in again.json()["message"]
    att = sandbox.confluence.attachments_of(page_id)[0]["id"]
    newer = upload(sandbox, page_id, "a.bin", b"2", path=f"/{att}/data")
    assert newer.status_code == 200 and newer.json()["version"]["number"] == 2
    missing = upload(sandbox, "424242", "a.bin", b"1")
    assert missing.status_code == 404


def test_a_conflict_switch_answers_409_and_leaves_the_page(
    sandbox: Sandbox, confluence: Confluence
) -> None:
    page_id = new_page(confluence)
    sandbox.confluence.conflict_next(1)
    data = {
        "id": page_id,
        "type": "page",
        "title": "Team Payments",
        "version": {"number": 2},
        "body": {"storage": {"value": "<p>y</p>", "representation": "storage"}},
    }
    with pytest.raises(requests.HTTPError) as err:
        confluence.put(f"rest/api/content/{page_id}", data=data)
    assert err.value.response is not None and err.value.response.status_code == 409
    assert confluence.put(f"rest/api/content/{page_id}", data=data)["version"]["number"] == 2


def test_a_person_can_save_just_before_the_next_update(
    sandbox: Sandbox, confluence: Confluence
) -> None:
    page_id = new_page(confluence)
    sandbox.confluence.edit_before_next_update("<p>Mine</p>", author="Marco")
    data = {
        "id": page_id,
        "type": "page",
        "title": "Team Payments",
        "version": {"number": 2},
        "body": {"storage": {"value": "<p>ours</p>", "representation": "storage"}},
    }
    with pytest.raises(requests.HTTPError) as err:
        confluence.put(f"rest/api/content/{page_id}", data=data)
    assert "Current version is: 2" in str(err.value)
    page = confluence.get_page_by_id(page_id, expand="body.storage,version")
    assert page["version"]["by"]["displayName"] == "Marco"
    assert page["body"]["storage"]["value"] == "<p>Mine</p>"


def test_a_user_is_found_by_account_id(sandbox: Sandbox, confluence: Confluence) -> None:
    page_id = new_page(confluence)
    account = confluence.get_page_by_id(page_id, expand="version")["version"]["by"]["accountId"]
    user = confluence.get("rest/api/user", params={"accountId": account})
    assert user["displayName"] == "Demo Bot"
    with pytest.raises(requests.HTTPError):
        confluence.get("rest/api/user", params={"accountId": "712020:nobody"})
