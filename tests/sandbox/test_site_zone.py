"""A Jira site in a time zone of its own: timestamps carry the site's offset (Jira's `+1100`
form), which moves at daylight saving; an issue may have several components."""

from __future__ import annotations

from typing import Any

import pytest
from jira import JIRA

from connector.sandbox import DatasetError, Sandbox
from connector.sandbox.dataset import parse_dataset
from tests.sync.conftest import PAT, TOKEN, USER, issue, portfolio


def sydney(deployment: str) -> dict[str, Any]:
    data = portfolio(deployment)
    data["jira"]["timezone"] = "Australia/Sydney"
    data["jira"]["issues"] = [
        # 2026-10-03 20:00 UTC is Sunday 4 October 07:00 in Sydney: after the 02:00 change.
        {
            **issue("PAY-1", "Epic", updated="2026-10-03T20:00:00Z"),
            "created": "2026-10-03T15:00:00Z",  # Sunday 01:00 in Sydney: still +1000
            "components": ["CI/CD", "Mobile"],
        },
        {**issue("PAY-2", "Epic", updated="2026-11-11T21:00:26.859Z"), "components": []},
    ]
    return data


def client(sandbox: Sandbox) -> JIRA:
    cloud = sandbox.jira.deployment == "Cloud"
    auth: dict[str, Any] = {"basic_auth": (USER, TOKEN)} if cloud else {"token_auth": PAT}
    return JIRA(server=sandbox.url, max_retries=0, timeout=10, **auth)


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_timestamps_carry_the_sites_offset_across_the_dst_change(deployment: str) -> None:
    with Sandbox(sydney(deployment)) as sandbox:
        jira = client(sandbox)
        found = jira.search_issues(
            "project = PAY ORDER BY key",
            fields=["created", "updated", "components"],
            json_result=True,
        )
        server_time = jira.server_info()["serverTime"]
    fields = {i["key"]: i["fields"] for i in found["issues"]}
    assert fields["PAY-1"]["created"] == "2026-10-04T01:00:00.000+1000"
    assert fields["PAY-1"]["updated"] == "2026-10-04T07:00:00.000+1100"
    assert fields["PAY-2"]["updated"] == "2026-11-12T08:00:26.859+1100"
    assert [c["name"] for c in fields["PAY-1"]["components"]] == ["CI/CD", "Mobile"]
    assert fields["PAY-2"]["components"] == []
    assert server_time[-5:] in ("+1000", "+1100")


def test_a_site_without_a_zone_answers_in_utc() -> None:
    with Sandbox(portfolio("Cloud")) as sandbox:
        found = client(sandbox).search_issues("key = PAY-1", fields=["updated"], json_result=True)
    assert found["issues"][0]["fields"]["updated"] == "2026-10-05T09:00:00.000+0000"


def test_an_unknown_zone_is_a_dataset_error() -> None:
    data = portfolio("Cloud")
    data["jira"]["timezone"] = "Mars/Olympus"
    with pytest.raises(DatasetError, match=r"jira\.timezone: expected an IANA time zone"):
        parse_dataset(data, "site.yaml")
