"""A field configured after the first sync is back-filled by the next incremental sync, which says
so on one line; `outcomes sync` through the CLI against the sandbox.

PAY-1 names P1.KR1 in its Key Result field and belongs to squad Mobile; its story PAY-3 is
estimated 5 in the Estimate field. Nothing changes in Jira between the syncs: only the settings.
PAY-2 is the newest issue, which every incremental sync reads again (its lookback).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.models import IssueRow, SyncCursor
from service.cli import cli

USER, TOKEN = "sync@example.com", "late-token"
CATALOGUE = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [
        {"id": "payments", "name": "Payments", "projects": ["PAY"]},
        {"id": "mobile", "name": "Mobile", "projects": []},
    ],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Payments",
            "key_results": [{"id": "P1.KR1", "title": "Instant", "start": 0, "target": 100}],
        }
    ],
}


def issue(key: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": type_,
        "summary": key,
        "status": "In Progress",
        "created": "2026-10-02T09:00:00Z",
        "updated": "2026-10-04T09:00:00Z",
        **extra,
    }


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    data = {
        "auth": [{"user": USER, "token": TOKEN}],
        "jira": {
            "fields": [
                {"id": "customfield_10016", "name": "Story Points", "type": "number"},
                {"id": "customfield_10100", "name": "Key Result", "type": "string"},
                {"id": "customfield_10200", "name": "Squad", "type": "option"},
                {"id": "customfield_10300", "name": "Estimate", "type": "number"},
            ],
            "projects": [{"key": "PAY", "name": "Payments"}],
            "issues": [
                issue(
                    "PAY-1",
                    "Epic",
                    fields={"customfield_10100": "P1.KR1", "customfield_10200": "Mobile"},
                ),
                issue("PAY-2", "Epic", updated="2026-10-05T09:00:00Z"),
                issue("PAY-3", "Story", parent="PAY-1", fields={"customfield_10300": 5}),
            ],
        },
    }
    with Sandbox(data) as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(CATALOGUE), encoding="utf-8")
    return tmp_path


def configure(folder: Path, sandbox: Sandbox, **extra: Any) -> Path:
    jira = {"url": sandbox.url, "auth": {"email": USER, "token": TOKEN}, "timeout": 10}
    settings = {
        "version": 1,
        "jira": {**jira, **extra.pop("jira", {})},
        "portfolios": [
            {"id": "retail", "name": "Retail", "epics_jql": "project = PAY AND issuetype = Epic"}
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        **extra,
    }
    path = folder / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def sync(config: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["sync", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def stored(config: Path, key: str) -> IssueRow:
    engine = open_store(f"sqlite:///{config.parent / 'outcomes.db'}")
    try:
        with Session(engine) as session:
            return session.scalars(select(IssueRow).where(IssueRow.key == key)).one()
    finally:
        engine.dispose()


def unaligned(config: Path) -> list[str]:
    args = ["check", "--config", str(config), "--as-of", "2026-11-15", "--json"]
    (portfolio,) = json.loads(CliRunner().invoke(cli, args).stdout)["portfolios"]
    return [f["subject"] for f in portfolio["findings"] if f["code"] == "UNALIGNED_EPIC"]


def test_a_claim_field_configured_later_is_read_for_unchanged_epics(
    folder: Path, sandbox: Sandbox
) -> None:
    sync(configure(folder, sandbox))
    config = configure(folder, sandbox, claims={"field": {"name": "Key Result"}})
    lines = sync(config)
    assert unaligned(config) == ["PAY-2"]  # PAY-1 claims P1.KR1 through the field
    assert lines == [
        "Settings for fields changed since the last sync (claims.field):"
        " re-reading all 2 epics of retail",
        "Synced retail (incremental): 2 epics and 1 child issues in scope; 2 read",
    ]
    # Once read, the next sync is an ordinary one again.
    assert sync(config) == [
        "Synced retail (incremental): 2 epics and 1 child issues in scope; 1 read"
    ]


def test_a_team_field_and_a_points_field_configured_later(folder: Path, sandbox: Sandbox) -> None:
    sync(configure(folder, sandbox))
    assert stored(folder / "outcomes.yaml", "PAY-1").team_names == []
    config = configure(folder, sandbox, teams={"source": "field", "field": "Squad"})
    lines = sync(config)
    assert stored(config, "PAY-1").team_names == ["Mobile"]
    assert lines[0] == (
        "Settings for fields changed since the last sync (teams.source, teams.field):"
        " re-reading all 2 epics of retail"
    )
    assert stored(config, "PAY-3").story_points is None
    config = configure(
        folder,
        sandbox,
        jira={"story_points_field": "Estimate"},
        teams={"source": "field", "field": "Squad"},
    )
    lines = sync(config)
    assert stored(config, "PAY-3").story_points == 5.0
    assert lines[0] == (
        "Settings for fields changed since the last sync (story_points_field):"
        " re-reading all 2 epics of retail and their child issues"
    )


def test_a_store_synced_before_cursors_kept_their_settings_is_read_again_once(
    folder: Path, sandbox: Sandbox
) -> None:
    config = configure(folder, sandbox)
    sync(config)
    engine = open_store(f"sqlite:///{folder / 'outcomes.db'}")
    with Session(engine) as session, session.begin():
        session.execute(update(SyncCursor).values(fields=None))
    engine.dispose()
    assert sync(config) == [
        "The last sync did not record its field settings:"
        " re-reading all 2 epics of retail and their child issues",
        "Synced retail (incremental): 2 epics and 1 child issues in scope; 3 read",
    ]
    assert len(sync(config)) == 1


def test_outcomes_run_says_so_too(folder: Path, sandbox: Sandbox) -> None:
    sync(configure(folder, sandbox))
    config = configure(folder, sandbox, claims={"field": {"name": "Key Result"}})
    args = ["run", "--config", str(config), "--as-of", "2026-11-15", "--no-publish", "--no-export"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        "Settings for fields changed since the last sync (claims.field):"
        " re-reading all 2 epics of retail"
    ) in result.stderr.splitlines()
