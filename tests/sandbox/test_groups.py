"""Jira groups: `GET /rest/api/{2,3}/group/member`, checked against Atlassian's description, and
read through the connector with the real `jira` client."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from connector.jira_groups import group_members
from connector.jira_source import JiraCredentials, JiraSource
from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id

from .conftest import DATA, TOKEN, USER
from .test_schema import check, response_schema

LEADS = ["Priya Raman", "Omar Haddad", "Ana Ruiz"]


def members(sandbox: Sandbox, version: str, **params: Any) -> requests.Response:
    with requests.Session() as session:
        return session.get(
            f"{sandbox.url}/rest/api/{version}/group/member",
            params=params,
            auth=(USER, TOKEN),
            timeout=10,
        )


@pytest.mark.parametrize("version", ["2", "3"])
def test_group_members_match_the_spec_and_page(sandbox: Sandbox, version: str) -> None:
    sandbox.jira.groups["okr-leads"] = LEADS
    first = members(sandbox, version, groupname="okr-leads", maxResults=2)
    assert first.status_code == 200
    check(first.json(), response_schema("/rest/api/3/group/member", "get"))
    assert [u["displayName"] for u in first.json()["values"]] == ["Priya Raman", "Omar Haddad"]
    assert first.json()["isLast"] is False
    rest = members(sandbox, version, groupname="okr-leads", startAt=2, maxResults=2).json()
    assert ([u["displayName"] for u in rest["values"]], rest["isLast"]) == (["Ana Ruiz"], True)


def test_an_unknown_group_is_404(sandbox: Sandbox) -> None:
    assert members(sandbox, "2", groupname="nobody").status_code == 404


def source(sandbox: Sandbox) -> JiraSource:
    return JiraSource(JiraCredentials(sandbox.url, TOKEN, USER, timeout=10))


def test_the_connector_reads_every_name_of_every_member_on_cloud(sandbox: Sandbox) -> None:
    sandbox.jira.groups["okr-leads"] = ["Priya Raman", "Omar Haddad"]
    found = group_members(source(sandbox), "okr-leads")
    assert found == [
        account_id("Priya Raman"),
        "priya.raman@example.com",
        account_id("Omar Haddad"),
        "omar.haddad@example.com",
    ]


def test_the_connector_reads_user_names_on_data_center() -> None:
    data = copy.deepcopy(DATA)
    data["jira"]["deployment"] = "Server"
    with Sandbox(data) as sandbox:
        sandbox.jira.groups["okr-leads"] = ["Priya Raman", *(f"Lead {n}" for n in range(60))]
        found = group_members(source(sandbox), "okr-leads")
    # Three names each (user name, key, email), across two pages of 50.
    assert found[:3] == ["priya.raman", "priya.raman", "priya.raman@example.com"]
    assert len(found) == 61 * 3
    assert found[-3:] == ["lead.59", "lead.59", "lead.59@example.com"]
