"""Issue 12, row 8: `outcomes doctor` exits as the README promises — 3 when Jira or Confluence
cannot be reached or refuses the credentials, 1 when it ran and found problems, 0 when all is
well — and prints every check's line either way. Cloud and Data Center, through the real clients.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from service.cli import cli
from tests.e2e.conftest import TOKEN
from tests.faults.conftest import dataset, settings

pytestmark = pytest.mark.e2e


def doctor(config: Path, token: str = TOKEN) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["doctor", "--config", str(config)], env={"E2E_TOKEN": token})
    return result.exit_code, result.output.splitlines()


def few_retries(config: Path) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["jira"]["retries"] = {"max_attempts": 1}
    config.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_doctor_exits_3_when_jira_and_confluence_cannot_be_reached(
    tmp_path: Path, deployment: str
) -> None:
    with Sandbox(dataset(deployment)) as gone:
        config = settings(tmp_path, gone, deployment, f"sqlite:///{tmp_path / 'store.db'}")
    few_retries(config)  # the sandbox has stopped: nothing listens on its port any more
    code, lines = doctor(config)
    assert code == 3, lines
    subjects = [line.split(":")[0] for line in lines]
    assert subjects == ["ok   catalogue", "FAIL Jira", "FAIL Confluence"]
    assert all(not line.startswith("Traceback") for line in lines)


def test_doctor_exits_3_when_the_credentials_are_refused(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = settings(tmp_path, sandbox, deployment, f"sqlite:///{tmp_path / 'store.db'}")
    code, lines = doctor(config, token="not-the-token")
    assert code == 3, lines
    jira = next(line for line in lines if line.startswith("FAIL Jira: "))
    assert "401" in jira
    assert any(line.startswith("FAIL Confluence: ") for line in lines)
    assert lines[0].startswith("ok   catalogue: ")
    assert "not-the-token" not in "\n".join(lines)


def test_doctor_exits_1_when_it_reached_everything_and_found_a_problem(
    tmp_path: Path, sandbox: Sandbox, deployment: str
) -> None:
    config = settings(tmp_path, sandbox, deployment, f"sqlite:///{tmp_path / 'store.db'}")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["portfolios"][0]["epics_jql"] = "project = PAY AND sprint = 3"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, lines = doctor(config)
    assert code == 1, lines
    assert any(line.startswith("FAIL portfolios[retail].epics_jql: ") for line in lines)
    assert any(line.startswith("ok   Jira credentials: signed in as ") for line in lines)
    assert any(line.startswith("ok   Confluence: ") for line in lines)


def test_doctor_exits_0_when_all_is_well(tmp_path: Path, sandbox: Sandbox, deployment: str) -> None:
    config = settings(tmp_path, sandbox, deployment, f"sqlite:///{tmp_path / 'store.db'}")
    code, lines = doctor(config)
    assert code == 0, lines
    assert not [line for line in lines if line.startswith("FAIL")]
    kind = "Cloud" if deployment == "Cloud" else "Data Center"
    assert any(line.startswith("ok   Jira: ") and kind in line for line in lines)
