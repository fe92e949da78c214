"""A small hand-written dataset and fixtures that start the sandbox and the real clients."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from atlassian import Confluence
from jira import JIRA

from connector.sandbox import Sandbox

USER, TOKEN = "demo@example.com", "demo-token"

# Issue ids are assigned in listed order: PAY-1=10000, PAY-2=10001, PAY-10=10002, PAY-3=10003,
# MOB-1=10004, MOB-2=10005.
DATA: dict[str, Any] = {
    "auth": [{"user": USER, "token": TOKEN, "name": "Demo Bot"}],
    "jira": {
        "deployment": "Cloud",
        "statuses": [
            {"name": "To Do", "category": "new"},
            {"name": "In Progress", "category": "indeterminate"},
            {"name": "Done", "category": "done"},
        ],
        "fields": [
            {"id": "customfield_10016", "name": "Story Points", "type": "number"},
            {"id": "customfield_10030", "name": "Key Result", "type": "string"},
            {"id": "customfield_10040", "name": "Team", "type": "option"},
            {"id": "customfield_10050", "name": "Platforms", "type": "array(option)"},
        ],
        "projects": [{"key": "PAY", "name": "Payments"}, {"key": "MOB", "name": "Mobile"}],
        "issues": [
            {
                "key": "PAY-1",
                "type": "Epic",
                "summary": "Instant payment retries",
                "status": "In Progress",
                "labels": ["okr:P1.KR1"],
                "parent": None,
                "assignee": "Ana Ruiz",
                "priority": "High",
                "created": "2026-10-02T09:00:00Z",
                "updated": "2026-11-20T10:00:00Z",
                "fields": {
                    "customfield_10016": 13,
                    "customfield_10030": "P1.KR1",
                    "customfield_10040": "Core",
                },
            },
            {
                "key": "PAY-2",
                "type": "Story",
                "summary": "Retry queue",
                "status": "Done",
                "labels": ["backend"],
                "parent": "PAY-1",
                "assignee": "Ana Ruiz",
                "priority": "Medium",
                "created": "2026-10-03T09:00:00Z",
                "updated": "2026-11-01T08:00:00Z",
                "fields": {"customfield_10016": 5},
            },
            {
                "key": "PAY-10",
                "type": "Story",
                "summary": "Retry dashboard",
                "status": "To Do",
                "labels": [],
                "parent": "PAY-1",
                "assignee": None,
                "created": "2026-10-05T09:00:00Z",
                "updated": "2026-11-15T12:30:00Z",
                "fields": {"customfield_10016": 3, "customfield_10050": ["iOS", "Android"]},
            },
            {
                "key": "PAY-3",
                "type": "Epic",
                "summary": 'Card "tokens"',
                "status": "To Do",
                "labels": ["okr-exempt"],
                "assignee": "Bo Chen",
                "priority": "Low",
                "created": "2026-09-01T09:00:00Z",
                "updated": "2026-09-30T00:00:00Z",
            },
            {
                "key": "MOB-1",
                "type": "Epic",
                "summary": "Faster login",
                "status": "Done",
                "labels": ["okr:P2.KR1", "mobile"],
                "assignee": "Bo Chen",
                "created": "2026-08-01T09:00:00Z",
                "updated": "2026-10-10T10:00:00Z",
                "fields": {"customfield_10030": "P2.KR1", "customfield_10040": "Apps"},
            },
            {
                "key": "MOB-2",
                "type": "Bug",
                "summary": "Crash on start",
                "status": "In Progress",
                "labels": ["mobile"],
                "parent": "MOB-1",
                "created": "2026-10-20T09:00:00Z",
                "updated": "2026-11-25T00:00:00Z",
                "fields": {"customfield_10016": 2, "customfield_10050": ["iOS"]},
            },
        ],
    },
    "confluence": {
        "spaces": [{"key": "PORT", "name": "Portfolio"}],
        "pages": [
            {"space": "PORT", "title": "Portfolio outcomes", "parent": None, "body": "<p>Root</p>"},
            {
                "space": "PORT",
                "title": "History",
                "parent": "Portfolio outcomes",
                "body": "<p>Old&nbsp;runs<br/></p>",
            },
        ],
    },
}


@pytest.fixture
def data() -> dict[str, Any]:
    return copy.deepcopy(DATA)


@pytest.fixture
def sandbox(data: dict[str, Any]) -> Iterator[Sandbox]:
    with Sandbox(data) as sb:
        yield sb


@pytest.fixture
def jira_client(sandbox: Sandbox) -> Iterator[JIRA]:
    client = JIRA(server=sandbox.jira_url, basic_auth=(USER, TOKEN), max_retries=0, timeout=10)
    yield client
    client.close()


@pytest.fixture
def confluence(sandbox: Sandbox) -> Iterator[Confluence]:
    client = Confluence(url=sandbox.confluence_url, username=USER, password=TOKEN, timeout=10)
    yield client
    client.close()
