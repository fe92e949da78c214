"""A manual check-in and a JQL measurement of the same key result on the same day: the later
instant wins, both ways, through `outcomes checkin` and `outcomes sync`.

P1.KR1 counts open incidents (10 -> 0), measured by JQL at sync time; the cycle runs around today,
so the sync's measurement (dated today) counts for an evaluation as of today.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from connector.sandbox import Sandbox
from service.cli import cli

USER, TOKEN = "lead@example.com", "checkin-token"


def incident(key: str, status: str) -> dict[str, Any]:
    return {"key": key, "type": "Incident", "summary": key, "status": status}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    data = {
        "auth": [{"user": USER, "token": TOKEN}],
        "jira": {
            "projects": [{"key": "PAY", "name": "Payments"}, {"key": "OPS", "name": "Ops"}],
            "issues": [
                {"key": "PAY-1", "type": "Epic", "summary": "E", "status": "In Progress"},
                incident("OPS-1", "In Progress"),
                incident("OPS-2", "To Do"),
                incident("OPS-3", "Done"),
            ],
        },
    }
    with Sandbox(data) as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, sandbox: Sandbox) -> Path:
    today = date.today()
    catalogue = {
        "version": 1,
        "cycles": [
            {"id": "C", "start": str(today - timedelta(days=30)), "end": str(today + timedelta(60))}
        ],
        "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
        "objectives": [
            {
                "id": "P1",
                "cycle": "C",
                "title": "Calm operations",
                "key_results": [
                    {
                        "id": "P1.KR1",
                        "title": "Open incidents",
                        "start": 10,
                        "target": 0,
                        "measure": {"jql": "project = OPS AND statusCategory != Done"},
                    }
                ],
            }
        ],
    }
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    settings = {
        "version": 1,
        "jira": {"url": sandbox.url, "auth": {"email": USER, "token": TOKEN}, "timeout": 10},
        "portfolios": [{"id": "retail", "name": "Retail", "epics_jql": "project = PAY"}],
        "catalogue": {"files": ["okrs.yaml"]},
    }
    path = tmp_path / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def outcomes(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output
    return result


def current(config: Path) -> tuple[float, str | None]:
    """P1.KR1's current value and confidence as `outcomes check` evaluates it today."""
    result = outcomes("check", "--config", str(config), "--as-of", str(date.today()), "--json")
    (portfolio,) = json.loads(result.stdout)["portfolios"]
    kr = portfolio["objectives"]["P1"]["key_results"]["P1.KR1"]
    return kr["current"], kr["confidence"]


def test_a_check_in_after_the_sync_stands_while_the_measured_value_is_unchanged(
    config: Path,
) -> None:
    outcomes("sync", "--config", str(config))
    assert current(config) == (2.0, None)  # OPS-1 and OPS-2 are open
    outcomes("checkin", "P1.KR1", "--value", "4", "--confidence", "0.5", "--config", str(config))
    assert current(config) == (4.0, 0.5)
    # The next sync of the day counts the same 2 incidents: nothing was measured after the
    # check-in, so the team's word stands.
    outcomes("sync", "--config", str(config))
    assert current(config) == (4.0, 0.5)


def test_a_measurement_after_the_check_in_wins_and_a_later_check_in_again(
    config: Path, sandbox: Sandbox
) -> None:
    outcomes("sync", "--config", str(config))
    outcomes("checkin", "P1.KR1", "--value", "4", "--confidence", "0.5", "--config", str(config))
    # An incident closes after the check-in: the sync measures 1, later the same day, and wins.
    sandbox.jira.update_issue("OPS-1", status="Done")
    outcomes("sync", "--config", str(config))
    assert current(config) == (1.0, None)
    outcomes("checkin", "P1.KR1", "--value", "3", "--config", str(config))
    assert current(config) == (3.0, None)
