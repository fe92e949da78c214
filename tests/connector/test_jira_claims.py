"""`connector.jira_claims`: claim values, links and parents out of a raw Jira issue."""

from __future__ import annotations

from typing import Any

import pytest

from connector.jira_claims import (
    ClaimReader,
    claim_reader,
    claim_values,
    issue_links,
    option_values,
    parent_type,
)
from rules.errors import UserError


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("P1.KR2", ["P1.KR2"]),  # text
        ("P1.KR2, p2.kr1;P3\nP4", ["P1.KR2", "p2.kr1", "P3", "P4"]),  # several in a text
        ({"value": "P1.KR2 Median transfer time", "id": "10001"}, ["P1.KR2"]),  # select
        ([{"value": "P1.KR2"}, {"value": "P2"}, {"value": "P1.KR2"}], ["P1.KR2", "P2"]),  # multi
        (None, []),
        ("  ", []),
        ([], []),
    ],
)
def test_claim_values(raw: Any, ids: list[str]) -> None:
    assert claim_values(raw) == ids


def test_option_values_of_other_shapes() -> None:
    assert option_values({"name": "Approved"}) == ["Approved"]
    assert option_values(3) == ["3"]
    assert option_values(True) == []
    assert option_values({"id": "1"}) == []


LINKS = [
    {
        "id": "1",
        "type": {"name": "Supports", "inward": "is supported by", "outward": "supports"},
        "outwardIssue": {"key": "OKR-3"},
    },
    {
        "id": "2",
        "type": {"name": "Supports", "inward": "is supported by", "outward": "supports"},
        "inwardIssue": {"key": "OKR-9"},
    },
    {
        "id": "3",
        "type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
        "outwardIssue": {"key": "PAY-2"},
    },
]


def test_links_of_one_type_by_name_or_verb() -> None:
    expected = [
        {"type": "Supports", "key": "OKR-3", "direction": "outward"},
        {"type": "Supports", "key": "OKR-9", "direction": "inward"},
    ]
    assert issue_links(LINKS, "supports") == expected
    assert issue_links(LINKS, "is supported by") == expected
    assert issue_links(LINKS, "Relates") == []
    assert issue_links(None, "Supports") == []


def test_parent_type_and_the_reader() -> None:
    fields = {
        "parent": {"key": "OKR-1", "fields": {"issuetype": {"name": "Objective"}}},
        "customfield_1": [{"value": "P1.KR1"}],
        "customfield_2": {"value": "Rejected"},
        "issuelinks": LINKS,
    }
    assert parent_type(fields) == "Objective"
    assert parent_type({}) is None
    reader = ClaimReader("customfield_1", "Supports", "customfield_2")
    assert reader.field_ids() == ["customfield_1", "issuelinks", "customfield_2"]
    assert reader.values(fields) == {
        "claim_values": ["P1.KR1"],
        "links": issue_links(LINKS, "Supports"),
        "parent_type": "Objective",
        "approval_value": "Rejected",
    }
    assert ClaimReader().field_ids() == []


def test_field_names_resolve_to_ids() -> None:
    site = [{"id": "customfield_10100", "name": "Key Result"}, {"id": "summary", "name": "Summary"}]
    reader = claim_reader(site, claim_field="key result", link_type=None, approval_field=None)
    assert reader.claim_field == "customfield_10100"
    by_id = claim_reader(site, claim_field="customfield_10100", link_type=None, approval_field=None)
    assert by_id.claim_field == "customfield_10100"
    with pytest.raises(UserError) as problem:
        claim_reader(
            site,
            claim_field=None,
            link_type=None,
            approval_field="Approval",
            settings_file="o.yaml",
        )
    assert str(problem.value) == "o.yaml: approval.jira_field: Jira has no field named 'Approval'"
