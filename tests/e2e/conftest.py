"""A small hand-written portfolio in the sandbox, and settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.sandbox import Sandbox

USER, TOKEN = "lead@example.com", "e2e-token"


def issue(
    key: str,
    type_: str,
    status: str,
    *,
    labels: tuple[str, ...] = (),
    parent: str | None = None,
    points: float | None = None,
    summary: str | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "type": type_,
        "summary": summary or f"Work item {key}",
        "status": status,
        "labels": list(labels),
        "parent": parent,
        "assignee": "Ana Ruiz",
        "created": "2026-10-02T09:00:00Z",
        "updated": "2026-11-10T10:00:00Z",
        "fields": {} if points is None else {"customfield_10016": points},
    }


# Unaligned by hand: PAY-4 (no claim), PAY-6 (unknown OKR only), MOB-2 (no claim).
# PAY-7 is exempt; PAY-8 is done and unlabelled, so it is not flagged.
ISSUES = [
    issue(
        "PAY-1",
        "Epic",
        "In Progress",
        labels=("okr:P1.KR1",),
        summary='Retries <ac:structured-macro ac:name="html"/> & "quotes"',
    ),
    issue("PAY-2", "Story", "Done", parent="PAY-1", points=3),
    issue("PAY-3", "Story", "To Do", parent="PAY-1", points=5),
    issue("PAY-4", "Epic", "In Progress", summary='=HYPERLINK("http://evil")'),
    issue("PAY-5", "Task", "In Progress", parent="PAY-4", points=2),
    issue("PAY-6", "Epic", "To Do", labels=("okr:P9.KR1",)),
    issue("PAY-7", "Epic", "In Progress", labels=("okr-exempt",)),
    issue("PAY-8", "Epic", "Done"),
    issue("MOB-1", "Epic", "In Progress", labels=("OKR:p2.kr1",)),
    issue("MOB-2", "Epic", "To Do"),
    issue("MOB-3", "Bug", "Done", parent="MOB-1", points=1),
]

DATASET: dict[str, Any] = {
    "auth": [{"user": USER, "token": TOKEN}],
    "jira": {
        "deployment": "Cloud",
        "statuses": [
            {"name": "To Do", "category": "new"},
            {"name": "In Progress", "category": "indeterminate"},
            {"name": "Done", "category": "done"},
        ],
        "fields": [{"id": "customfield_10016", "name": "Story Points", "type": "number"}],
        "projects": [{"key": "PAY", "name": "Payments"}, {"key": "MOB", "name": "Mobile"}],
        "issues": ISSUES,
    },
    "confluence": {"spaces": [{"key": "PORT", "name": "Portfolio"}], "pages": []},
}

# As of 2026-11-15, 46 of the cycle's 92 days have passed: expected score 0.5.
CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [
        {"id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"},
        {"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"},
    ],
    "teams": [
        {"id": "payments", "name": "Payments", "projects": ["PAY"]},
        {"id": "mobile", "name": "Mobile", "projects": ["MOB"]},
    ],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Make everyday payments effortless",
            "owner": "Priya",
            "key_results": [
                # score 0.4, pace 0.8: on track
                {
                    "id": "P1.KR1",
                    "title": "Instant payments",
                    "unit": "%",
                    "start": 0,
                    "target": 100,
                    "current": 40,
                },
                # decrease; score 0.2, pace 0.4: at risk
                {
                    "id": "P1.KR2",
                    "title": "Transfer time",
                    "unit": "s",
                    "start": 10,
                    "target": 0,
                    "current": 8,
                },
            ],
        },
        {
            "id": "P2",
            "cycle": "2026-Q4",
            "title": "Open an account in minutes",
            "owner": "Marco",
            # score 0.1, pace 0.2: off track
            "key_results": [
                {"id": "P2.KR1", "title": "Accounts opened", "start": 0, "target": 10, "current": 1}
            ],
        },
    ],
}

AS_OF = "2026-11-15"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATASET) as running:
        yield running


def write_settings(
    folder: Path,
    url: str,
    *,
    token_var: str = "E2E_TOKEN",
    catalogue: dict[str, Any] | None = None,
    **confluence: Any,
) -> Path:
    """Settings as a user writes them (the token from the environment); `confluence` adds keys
    to the confluence section."""
    (folder / "okrs.yaml").write_text(
        yaml.safe_dump(catalogue or CATALOGUE, allow_unicode=True), encoding="utf-8"
    )
    auth = {"email": USER, "token": "${" + token_var + "}"}
    settings = {
        "version": 1,
        "jira": {"url": url, "auth": auth, "timeout": 10},
        "portfolios": [
            {
                "id": "retail",
                "name": "Retail banking",
                "epics_jql": "project in (PAY, MOB) AND issuetype = Epic",
            }
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        "confluence": {
            "url": f"{url}/wiki",
            "auth": auth,
            "space": "PORT",
            "parent_title": "Portfolio outcomes",
            "timeout": 10,
            **confluence,
        },
        "excel": {"path": "out/outcomes-{portfolio}-{cycle}-{date}.xlsx"},
    }
    path = folder / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path
