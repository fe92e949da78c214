"""Named approvers through the CLI on a store `outcomes sync` filled from the sandbox: who may
decide with `--by`, what a Jira label by someone else does, and the groups the sync reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id
from tests.service.test_alignment_cli import check, config, found, outcomes, sandbox, synced

__all__ = ["config", "sandbox"]  # fixtures, used by name

LEADS = {"people": ["priya.raman@example.com", account_id("Priya Raman")], "groups": ["okr-leads"]}


@pytest.fixture
def approvers_config(config: Path, sandbox: Sandbox) -> Path:
    sandbox.jira.groups["okr-leads"] = ["Ana Ruiz"]
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["approval"] = {"approvers": LEADS}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return config


def trail(config: Path, subject: str) -> list[dict[str, Any]]:
    result = outcomes("decisions", subject, "--json", "--config", str(config))
    return list(json.loads(result.stdout))


def test_by_must_name_an_approver(approvers_config: Path) -> None:
    synced(approvers_config)
    args = ("--config", str(approvers_config))
    refused = outcomes("approve", "PAY-1", "--by", "Sam Lee", *args)
    assert refused.exit_code == 2
    assert refused.output.splitlines() == [
        "outcomes: error: --by: 'Sam Lee' is not an approver of PAY-1; only "
        f"priya.raman@example.com, {account_id('Priya Raman')} or a member of okr-leads may decide"
    ]
    assert trail(approvers_config, "PAY-1") == []
    assert outcomes("approve", "PAY-1", "--by", "Priya.Raman@example.com", *args).exit_code == 0
    # A member of the group, by the email Jira shows for her.
    member = outcomes("reject", "PAY-2", "--by", "ana.ruiz@example.com", "--why", "No", *args)
    assert member.exit_code == 0, member.output
    rows = [*trail(approvers_config, "PAY-1"), *trail(approvers_config, "PAY-2")]
    assert [(r["subject"], r["state"], r["by"], r["counted"]) for r in rows] == [
        ("PAY-1", "approved", "Priya.Raman@example.com", True),
        ("PAY-2", "rejected", "ana.ruiz@example.com", True),
    ]


def test_without_approvers_anyone_decides(config: Path) -> None:
    synced(config)
    result = outcomes("approve", "PAY-1", "--by", "Sam Lee", "--config", str(config))
    assert result.exit_code == 0, result.output


def test_a_jira_label_by_someone_else_is_kept_not_counted_and_flagged(
    approvers_config: Path, sandbox: Sandbox
) -> None:
    sandbox.jira.update_issue(
        "PAY-2", by="Marcus", labels=["okr:P1.KR2", "okr-approved"], updated="2026-11-12T10:00:00Z"
    )
    synced(approvers_config)
    (row,) = trail(approvers_config, "PAY-2")
    assert (row["state"], row["origin"], row["by"], row["by_id"], row["counted"]) == (
        "approved",
        "jira",
        "Marcus",
        account_id("Marcus"),
        False,
    )
    _, portfolio = check(approvers_config)
    assert ("AWAITING_APPROVAL", "PAY-2") in found(portfolio)  # still waits
    (flag,) = [f for f in portfolio["findings"] if f["code"] == "DECISION_BY_NON_APPROVER"]
    assert (flag["severity"], flag["subject"], flag["message"]) == (
        "warning",
        "PAY-2",
        "Marcus approved PAY-2 → P1.KR2 in Jira on 2026-11-12, but is not an approver: not counted",
    )
    lines = outcomes("decisions", "PAY-2", "--config", str(approvers_config)).stdout.splitlines()
    assert lines[1].endswith("— label okr-approved  NOT COUNTED (not an approver)")


def test_a_jira_label_by_a_group_member_counts(approvers_config: Path, sandbox: Sandbox) -> None:
    sandbox.jira.update_issue(
        "PAY-2",
        by="Ana Ruiz",
        labels=["okr:P1.KR2", "okr-approved"],
        updated="2026-11-12T10:00:00Z",
    )
    synced(approvers_config)
    (row,) = trail(approvers_config, "PAY-2")
    assert (row["by"], row["counted"]) == ("Ana Ruiz", True)
    _, portfolio = check(approvers_config)
    assert ("AWAITING_APPROVAL", "PAY-2") not in found(portfolio)
    assert "DECISION_BY_NON_APPROVER" not in {code for code, _ in found(portfolio)}


def test_a_group_jira_does_not_know_is_named(approvers_config: Path, sandbox: Sandbox) -> None:
    del sandbox.jira.groups["okr-leads"]
    result = outcomes("sync", "--config", str(approvers_config))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"outcomes: error: {approvers_config}: approvers: Jira has no group 'okr-leads'; "
        "name an existing group"
    ]
