"""`outcomes check`, `approve`, `reject`, `checkin` and `decisions` through the CLI, on a store that
`outcomes sync` filled from the sandbox.

The portfolio (by hand): P1.KR1 (0 -> 100, now 50) and P1.KR2 (10 -> 0, now 8); PAY-1 claims
P1.KR1, PAY-2 claims P1.KR2, PAY-3 claims nothing. As of 2026-11-15 the expected score is 0.5.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from connector.sandbox import Sandbox
from service.cli import cli

USER, TOKEN = "lead@example.com", "cli-token"
AS_OF = "2026-11-15"


def epic(key: str, labels: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "type": "Epic",
        "summary": f"Epic {key}",
        "status": "In Progress",
        "labels": labels,
        "created": "2026-10-02T09:00:00Z",
        "updated": "2026-11-10T10:00:00Z",
    }


DATASET: dict[str, Any] = {
    "auth": [{"user": USER, "token": TOKEN}],
    "jira": {
        "projects": [{"key": "PAY", "name": "Payments"}],
        "issues": [
            epic("PAY-1", ["okr:P1.KR1"]),
            epic("PAY-2", ["okr:P1.KR2"]),
            epic("PAY-3", []),
        ],
    },
}

CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Effortless payments",
            "key_results": [
                {
                    "id": "P1.KR1",
                    "title": "Instant",
                    "start": 0,
                    "target": 100,
                    "current": 50,
                    "current_on": "2026-11-10",
                },
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
            "id": "PAY-O1",
            "cycle": "2026-Q4",
            "team": "payments",
            "title": "Fewer failures",
            "supports": ["P1.KR1"],
            "key_results": [],
        },
    ],
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATASET) as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, sandbox: Sandbox) -> Path:
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(CATALOGUE), encoding="utf-8")
    settings = {
        "version": 1,
        "jira": {"url": sandbox.url, "auth": {"email": USER, "token": TOKEN}, "timeout": 10},
        "portfolios": [{"id": "retail", "name": "Retail banking", "epics_jql": "project = PAY"}],
        "catalogue": {"files": ["okrs.yaml"]},
        "findings": {"OFF_PACE": {"enabled": False}},
    }
    path = tmp_path / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def outcomes(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def synced(config: Path) -> Path:
    result = outcomes("sync", "--config", str(config))
    assert result.exit_code == 0, result.output
    return config


def check(config: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = outcomes("check", "--config", str(config), "--as-of", AS_OF, "--json", *extra)
    (portfolio,) = json.loads(result.stdout)["portfolios"]
    return result.exit_code, portfolio


def found(portfolio: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["code"], f["subject"]) for f in portfolio["findings"]]


def test_check_before_any_sync_is_a_user_error(config: Path) -> None:
    result = outcomes("check", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"outcomes: error: {config}: portfolios[0].id: 'retail' has not been synced yet;"
        " run `outcomes sync` first (check reads the store, not Jira)"
    )


def test_check_lists_findings_and_fails_on_the_chosen_severity(config: Path) -> None:
    synced(config)
    code, portfolio = check(config)
    assert code == 0  # nothing at error level
    assert found(portfolio) == [
        ("STALE_KR", "P1.KR2"),  # no check-in, 45 days into the cycle
        ("UNALIGNED_EPIC", "PAY-3"),
        ("AWAITING_APPROVAL", "PAY-1"),
        ("AWAITING_APPROVAL", "PAY-2"),
        ("AWAITING_APPROVAL", "PAY-O1"),
    ]
    assert portfolio["counts"] == {"info": 3, "warning": 2, "error": 0}
    assert portfolio["objectives"]["P1"]["key_results"]["P1.KR1"]["score"] == 0.5
    assert "new" not in portfolio["findings"][0]  # no earlier run to compare with
    assert check(config, "--fail-on", "warning")[0] == 1
    assert check(config, "--fail-on", "info")[0] == 1


def test_check_prints_a_table_with_hints(config: Path) -> None:
    synced(config)
    result = outcomes("check", "--config", str(config), "--as-of", AS_OF)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Retail banking — 2026-Q4, as of 2026-11-15: 5 findings (2 warnings, 3 info)"
    )
    assert lines[3].split() == [
        "warning",
        "UNALIGNED_EPIC",
        "PAY-3",
        "PAY-3",
        "“Epic",
        "PAY-3”",
        "serves",
        "no",
        "outcome:",
        "it",
        "has",
        "no",
        "okr:",
        "label",
    ]
    assert lines[4].strip().startswith("→ Add a label okr:<key result id>")


def test_approval_round_trip_with_its_audit_trail(config: Path) -> None:
    synced(config)
    args = ("--config", str(config))
    # Decided in the review of 2026-11-12: it counts for an evaluation as of 2026-11-15.
    args_on = (*args, "--on", "2026-11-12")
    approved = outcomes("approve", "pay-1", "--okr", "p1.kr1", "--by", "Priya Raman", *args_on)
    assert approved.exit_code == 0, approved.output
    assert approved.stdout.strip() == (
        "Approved PAY-1 → P1.KR1 (by Priya Raman); the next evaluation counts it."
    )
    objective = outcomes("approve", "PAY-O1", "--by", "Priya Raman", "--why", "Fits P1", *args_on)
    assert objective.exit_code == 0, objective.output
    _, portfolio = check(config)
    assert ("AWAITING_APPROVAL", "PAY-1") not in found(portfolio)
    assert ("AWAITING_APPROVAL", "PAY-O1") not in found(portfolio)

    rejected = outcomes(
        "reject",
        "PAY-1",
        "--okr",
        "P1.KR1",
        "--by",
        "Marcus",
        "--why",
        "Duplicate of PAY-2",
        *args,
        "--on",
        "2026-11-13",
    )
    assert rejected.exit_code == 0, rejected.output
    code, portfolio = check(config, "--fail-on", "warning")
    assert code == 1
    rejection = next(f for f in portfolio["findings"] if f["code"] == "REJECTED_CLAIM")
    assert rejection["subject"] == "PAY-1"
    assert rejection["message"] == (
        "PAY-1 “Epic PAY-1” goes on, but its claim on P1.KR1 was rejected by Marcus on "
        "2026-11-13 (“Duplicate of PAY-2”)"
    )
    assert ("UNALIGNED_EPIC", "PAY-1") in found(portfolio)

    trail = outcomes("decisions", "PAY-1", "--json", *args)
    rows = [
        {k: r[k] for k in ("subject", "okr", "state", "by", "origin", "why")}
        for r in json.loads(trail.stdout)
    ]
    assert rows == [
        {
            "subject": "PAY-1",
            "okr": "P1.KR1",
            "state": "approved",
            "by": "Priya Raman",
            "origin": "cli",
            "why": "",
        },
        {
            "subject": "PAY-1",
            "okr": "P1.KR1",
            "state": "rejected",
            "by": "Marcus",
            "origin": "cli",
            "why": "Duplicate of PAY-2",
        },
    ]
    everything = json.loads(outcomes("decisions", "--json", *args).stdout)
    assert [(r["subject"], r["okr"]) for r in everything] == [
        ("PAY-1", "P1.KR1"),
        ("PAY-O1", "*"),  # every link of PAY-O1
        ("PAY-1", "P1.KR1"),
    ]


def test_a_label_added_in_jira_approves_and_its_removal_withdraws(
    config: Path, sandbox: Sandbox
) -> None:
    # A leader adds the label on 2026-11-12 at 10:00; the changelog says who and when.
    sandbox.jira.update_issue(
        "PAY-2",
        by="Priya Raman",
        labels=["okr:P1.KR2", "okr-approved"],
        updated="2026-11-12T10:00:00Z",
    )
    # A later, unrelated edit moves the epic's last update: the decision keeps its own time.
    sandbox.jira.update_issue("PAY-2", by="Ana", summary="Faster", updated="2026-11-12T15:00:00Z")
    synced(config)
    assert ("AWAITING_APPROVAL", "PAY-2") not in found(check(config)[1])
    synced(config)  # unchanged: nothing new in the trail
    sandbox.jira.update_issue(
        "PAY-2", by="Marcus", labels=["okr:P1.KR2"], updated="2026-11-13T10:00:00Z"
    )
    synced(config)
    trail = json.loads(outcomes("decisions", "PAY-2", "--json", "--config", str(config)).stdout)
    assert [(r["state"], r["origin"], r["by"], r["why"], r["origin_detail"]) for r in trail] == [
        ("approved", "jira", "Priya Raman", "label okr-approved", ""),
        ("proposed", "jira", "Marcus", "the approval signal was removed in Jira", ""),
    ]
    assert [r["at"][:16] for r in trail] == [_local("2026-11-12T10:00"), _local("2026-11-13T10:00")]
    assert ("AWAITING_APPROVAL", "PAY-2") in found(check(config)[1])


def test_a_label_whose_changelog_cannot_be_read_says_so(config: Path, sandbox: Sandbox) -> None:
    sandbox.jira.update_issue(
        "PAY-2",
        by="Priya Raman",
        labels=["okr:P1.KR2", "okr-approved"],
        updated="2026-11-12T10:00:00Z",
    )
    sandbox.jira.changelog_status = 403
    synced(config)
    zone, *trail = outcomes("decisions", "PAY-2", "--config", str(config)).stdout.splitlines()
    assert zone == "Times in UTC."  # schedule.timezone is not set
    assert [line[16:] for line in trail] == [
        "  PAY-2 → P1.KR2  approved  by Jira (jira: Jira label, changelog unavailable)"
        " — label okr-approved"
    ]
    assert trail[0][:16] == _local("2026-11-12T10:00").replace("T", " ")  # the epic's update


def test_a_label_set_when_the_epic_was_created_is_not_in_its_changelog(
    config: Path, sandbox: Sandbox
) -> None:
    sandbox.jira.add_issue(epic("PAY-4", ["okr:P1.KR1", "okr-approved"]))  # no change since
    synced(config)
    (row,) = json.loads(outcomes("decisions", "PAY-4", "--json", "--config", str(config)).stdout)
    assert (row["state"], row["by"], row["origin_detail"]) == (
        "approved",
        "Jira",
        "Jira label, no matching change in the changelog",
    )


def _local(utc: str) -> str:
    """A UTC time as `outcomes decisions` shows it (in schedule.timezone: UTC, as these tests'
    settings leave it unset), to the minute."""
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    return moment.isoformat(timespec="minutes")[:16]


def test_checkin_round_trip(config: Path) -> None:
    synced(config)
    result = outcomes(
        "checkin",
        "p1.kr2",
        "--value",
        "6",
        "--confidence",
        "0.7",
        "--note",
        "New cache",
        "--by",
        "Ana",
        "--on",
        "2026-11-14",
        "--forecast",
        "4",
        "--config",
        str(config),
    )
    assert result.exit_code == 0, result.output
    # (6 - 10) / (0 - 10) = 0.4
    assert result.stdout.strip() == (
        "Checked in P1.KR2 “Transfer time”: 6 s, confidence 0.7, forecast 4 s on 2026-11-14; "
        "score 40%"
    )
    _, portfolio = check(config)
    assert ("STALE_KR", "P1.KR2") not in found(portfolio)
    assert portfolio["objectives"]["P1"]["key_results"]["P1.KR2"] == {
        "score": 0.4,
        "status": "on track",  # pace 0.4 / 0.5 = 0.8
        "current": 6.0,
        "confidence": 0.7,
        "last_checkin": "2026-11-14",
        "owner": None,
        "forecast": None,  # one dated value: not enough for a line
        "forecast_score": None,
        "team_forecast": 4.0,
    }
    # The team forecasts 4 s: (4 - 10) / (0 - 10) = 60 % of the way, below the on-track 70 %.
    assert ("FORECAST_MISS", "P1.KR2") in found(portfolio)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("approve", "PAY-9", "--by", "P"),
            "EPIC-OR-OBJECTIVE: no team objective in the catalogue and no synced epic 'PAY-9' "
            "(did you mean PAY-1?)",
        ),
        (
            ("approve", "PAY-3", "--by", "P"),
            "EPIC-OR-OBJECTIVE: PAY-3 claims no OKR; nothing to decide",
        ),
        (
            ("approve", "PAY-1", "--okr", "P1.KR2", "--by", "P"),
            "--okr: PAY-1 is not connected to 'P1.KR2' (it names: P1.KR1)",
        ),
        (
            ("approve", "P1", "--by", "P"),
            "EPIC-OR-OBJECTIVE: P1 is a portfolio objective; leaders approve team objectives' "
            "links and epics' claims",
        ),
        (("approve", "PAY-1", "--by", " "), "--by: must not be empty"),
        (
            ("checkin", "P1.KR9", "--value", "1"),
            "KR-ID: no key result 'P1.KR9' in the catalogue (did you mean P1.KR1?)",
        ),
        (("checkin", "P1.KR1", "--value", "nan"), "--value: expected a finite number, got nan"),
        (
            ("checkin", "P1.KR1", "--value", "1", "--forecast", "inf"),
            "--forecast: expected a finite number, got inf",
        ),
        (
            ("checkin", "P1.KR1", "--value", "1", "--on", "2999-01-01"),
            "--on: 2999-01-01 is in the future",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    config: Path, args: tuple[str, ...], message: str
) -> None:
    synced(config)
    result = outcomes(*args, "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"outcomes: error: {message}"


def test_a_misspelt_finding_setting_is_named(config: Path) -> None:
    settings = yaml.safe_load(config.read_text())
    settings["findings"] = {"STALE_KRS": {"days": 30}}
    config.write_text(yaml.safe_dump(settings))
    result = outcomes("check", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"outcomes: error: {config}: findings: unknown key 'STALE_KRS' (did you mean 'STALE_KR'?)"
    )
    settings["findings"] = {"STALE_KR": {"max_share": 0.3}}
    config.write_text(yaml.safe_dump(settings))
    result = outcomes("check", "--config", str(config))
    assert result.stderr.strip().startswith(
        f"outcomes: error: {config}: findings.STALE_KR: unknown key 'max_share'"
    )


def test_check_marks_findings_new_since_the_last_run(config: Path, sandbox: Sandbox) -> None:
    run = outcomes("run", "--config", str(config), "--as-of", AS_OF, "--no-publish", "--no-export")
    assert run.exit_code == 0, run.output
    sandbox.jira.add_issue(epic("PAY-4", []))
    synced(config)
    _, portfolio = check(config)
    new = [(f["code"], f["subject"]) for f in portfolio["findings"] if f["new"]]
    assert new == [("UNALIGNED_EPIC", "PAY-4")]
    table = outcomes("check", "--config", str(config), "--as-of", AS_OF).stdout.splitlines()
    assert table[0].endswith("; 1 new since the last run")
    marked = [line.split()[1:4] for line in table if line.startswith("+ ")]
    assert marked == [["warning", "UNALIGNED_EPIC", "PAY-4"]]
