"""`outcomes doctor` against Jira Data Center: its query check leaves stderr clean."""

from __future__ import annotations

import copy
from pathlib import Path

from click.testing import CliRunner

from connector.sandbox import Sandbox
from service.cli import cli
from tests.e2e.conftest import DATASET, TOKEN, write_settings


def test_the_query_check_on_data_center_prints_no_library_warning(tmp_path: Path) -> None:
    data = copy.deepcopy(DATASET)
    data["jira"]["deployment"] = "Server"
    data["jira"]["fields"].append(
        {"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}
    )
    with Sandbox(data) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        result = CliRunner().invoke(
            cli, ["doctor", "--config", str(config)], env={"E2E_TOKEN": TOKEN}
        )
    # pytest turns warnings into errors: the jira library's "All issues cannot be fetched at
    # once" would have failed the check instead of passing it.
    assert "ok   portfolios[retail].epics_jql: Jira accepts the query" in result.output, (
        result.output
    )
    assert "Data Center" in result.output or "Server" in result.output
