"""Issue links in the sandbox dataset: declared once, shown from both ends, checked on load."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jira import JIRA

from connector.sandbox import Sandbox
from connector.sandbox.checker import DatasetError
from connector.sandbox.dataset import parse_dataset

DATA: dict[str, Any] = {
    "auth": [{"user": "u@example.com", "token": "t"}],
    "jira": {
        "link_types": [{"name": "Supports", "inward": "is supported by", "outward": "supports"}],
        "projects": [{"key": "PAY", "name": "Payments"}, {"key": "OKR", "name": "OKRs"}],
        "issues": [
            {"key": "OKR-1", "type": "Objective", "summary": "Goal", "status": "To Do"},
            {
                "key": "PAY-1",
                "type": "Epic",
                "summary": "Work",
                "status": "In Progress",
                "links": [{"type": "Supports", "to": "OKR-1"}],
            },
        ],
    },
}


def test_a_link_shows_outward_on_its_issue_and_inward_on_the_other() -> None:
    with Sandbox(DATA) as sandbox:
        client = JIRA(server=sandbox.url, basic_auth=("u@example.com", "t"), max_retries=0)
        found = client.enhanced_search_issues(
            "project in (PAY, OKR) ORDER BY key", fields=["issuelinks"], json_result=True
        )
        client.close()
    links = {i["key"]: i["fields"]["issuelinks"] for i in found["issues"]}
    (outward,) = links["PAY-1"]
    assert outward["type"] == {
        "id": outward["type"]["id"],
        "name": "Supports",
        "inward": "is supported by",
        "outward": "supports",
        "self": outward["type"]["self"],
    }
    assert outward["outwardIssue"]["key"] == "OKR-1"
    assert outward["outwardIssue"]["fields"]["issuetype"]["name"] == "Objective"
    (inward,) = links["OKR-1"]
    assert (inward["id"], inward["inwardIssue"]["key"]) == (outward["id"], "PAY-1")


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            {"type": "Relates", "to": "OKR-1"},
            "d.yaml: jira.issues[1].links[0].type: unknown link type 'Relates' (known: Supports)",
        ),
        (
            {"type": "Supports", "to": "OKR-9"},
            "d.yaml: jira.issues[1].links[0].to: 'OKR-9' is not another issue of the dataset",
        ),
        (
            {"type": "Supports", "to": "PAY-1"},
            "d.yaml: jira.issues[1].links[0].to: 'PAY-1' is not another issue of the dataset",
        ),
    ],
)
def test_bad_links_are_named(link: dict[str, str], message: str) -> None:
    data = copy.deepcopy(DATA)
    data["jira"]["issues"][1]["links"] = [link]
    with pytest.raises(DatasetError) as problem:
        parse_dataset(data, "d.yaml")
    assert str(problem.value) == message


def test_default_link_types() -> None:
    data = copy.deepcopy(DATA)
    del data["jira"]["link_types"]
    data["jira"]["issues"][1]["links"] = [{"type": "blocks", "to": "OKR-1"}]
    parsed = parse_dataset(data, "d.yaml")
    assert [t.name for t in parsed.link_types] == ["Blocks", "Relates"]
    assert parsed.issues[1].links == [{"type": "Blocks", "to": "OKR-1"}]
