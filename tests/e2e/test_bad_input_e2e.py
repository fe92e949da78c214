"""Bad input that only shows against a store and a Jira: commands that read only the store run
without Jira's secrets, Jira's text is printed safely, a closed pipe ends quietly, and a JQL that
Jira refuses names the setting it came from."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from service.cli import cli
from tests.e2e.conftest import AS_OF, CATALOGUE, DATASET, TOKEN, write_settings

ROOT = Path(__file__).resolve().parents[2]
# A summary that would retitle the terminal (OSC 0), clear it (CSI 2J) and overwrite the line.
EVIL = "\x1b]0;pwned\x07Retitled\x1b[2J epic\r\x9b31m"


def invoke(*args: str, token: str | None = TOKEN) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": token}, prog_name="outcomes")
    return result.exit_code, result.output


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    data: dict[str, Any] = copy.deepcopy(DATASET)
    for issue in data["jira"]["issues"]:
        if issue["key"] == "MOB-2":  # unaligned: `check` prints its summary
            issue["summary"] = EVIL
    with Sandbox(data) as running:
        yield running


def synced(sandbox: Sandbox, folder: Path) -> Path:
    config = write_settings(folder, sandbox.url)
    code, output = invoke("sync", "--config", str(config))
    assert code == 0, output
    return config


def edit(config: Path, change: dict[str, Any]) -> None:
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.update(change)
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("check", "--as-of", AS_OF), 1, "UNKNOWN_OKR"),  # an error finding: exit 1
        (("decisions",), 0, "No decisions recorded."),
        (("approve", "MOB-1", "--okr", "P2.KR1", "--by", "Priya"), 0, "Approved MOB-1"),
        (("reject", "MOB-1", "--okr", "P2.KR1", "--by", "Priya", "--why", "No"), 0, "Rejected"),
        (("checkin", "P1.KR1", "--value", "50", "--by", "Ana"), 0, "P1.KR1"),
        (("export", "--as-of", AS_OF), 0, "Workbook: "),
        (("status",), 0, "sync"),
    ],
    ids=["check", "decisions", "approve", "reject", "checkin", "export", "status"],
)
def test_store_only_commands_run_without_the_jira_secrets(
    sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    config = synced(sandbox, tmp_path)
    sandbox.reset_requests()

    exit_code, output = invoke(args[0], "--config", str(config), *args[1:], token=None)

    assert exit_code == code, output
    assert says in output
    assert "E2E_TOKEN" not in output
    assert sandbox.requests == []  # none of them asked Jira or Confluence anything


@pytest.mark.e2e
def test_commands_that_reach_jira_name_the_missing_secret(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(sandbox, tmp_path)

    code, output = invoke("sync", "--config", str(config), token=None)

    assert code == 2
    assert output.strip() == (
        f"outcomes: error: {config}: jira.auth.token: environment variable E2E_TOKEN is not set;"
        " export it first"
    )


@pytest.mark.e2e
def test_check_strips_terminal_control_sequences_from_jira_text(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)

    code, output = invoke("check", "--config", str(config), "--as-of", AS_OF)

    assert code == 1, output
    line = next(line for line in output.splitlines() if "MOB-2" in line and "serves no" in line)
    assert "Retitled epic" in line
    for control in ("\x1b", "\x07", "\r", "\x9b", "pwned"):
        assert control not in output


@pytest.mark.e2e
def test_check_into_a_reader_that_has_gone_ends_quietly_with_its_own_code(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)  # `outcomes check | head` after head has left: every write fails (EPIPE)
    try:
        process = subprocess.run(
            [sys.executable, "-m", "service", "check", "--config", str(config), "--as-of", AS_OF],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", "/usr/bin"), "PYTHONPATH": str(ROOT)},
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)

    assert process.returncode == 1  # check's own code (an error finding), not a crash
    assert process.stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


@pytest.mark.e2e
def test_a_jql_jira_refuses_names_the_setting(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    jql = "project in (PAY, MOB) AND issuetype = Epic AND fixVersion ~ spring"
    edit(config, {"portfolios": [{"id": "retail", "name": "Retail", "epics_jql": jql}]})

    code, output = invoke("sync", "--config", str(config))

    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"outcomes: error: {config}: portfolios[0].epics_jql: ")
    assert repr(jql) in lines[0]


@pytest.mark.e2e
def test_excel_path_naming_a_folder_is_a_user_error(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(sandbox, tmp_path)
    (tmp_path / "reports").mkdir()
    edit(config, {"excel": {"path": "reports"}})

    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF, token=None)

    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"outcomes: error: {config}: excel.path: 'reports' is a folder")
    assert "Traceback" not in output


@pytest.mark.e2e
def test_a_measure_jql_jira_refuses_names_the_key_result(sandbox: Sandbox, tmp_path: Path) -> None:
    catalogue: dict[str, Any] = copy.deepcopy(CATALOGUE)
    jql = "project = PAY AND fixVersion ~ spring"
    catalogue["objectives"][0]["key_results"][0]["measure"] = {"jql": jql}
    config = write_settings(tmp_path, sandbox.url, catalogue=catalogue)

    code, output = invoke("sync", "--config", str(config))

    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("outcomes: error: key result P1.KR1: measure.jql: ")
    assert repr(jql) in lines[0]
