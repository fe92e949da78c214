"""`outcomes doctor` reports each check on one line, and what to fix."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from service.cli import cli
from tests.e2e.conftest import TOKEN, write_settings


def doctor(config: Path, token: str = TOKEN) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", "--config", str(config)], env={"E2E_TOKEN": token})
    return result.exit_code, result.output


def test_a_sound_set_up_passes_every_check(tmp_path: Path) -> None:
    from connector.sandbox import Sandbox
    from tests.e2e.conftest import DATASET

    with Sandbox(DATASET) as sandbox:
        code, output = doctor(write_settings(tmp_path, sandbox.url))
    assert code == 0, output
    assert "FAIL" not in output
    assert "ok   Jira: " in output and "Cloud" in output
    assert "ok   Jira credentials: signed in as" in output
    assert "ok   field Story Points: customfield_10016" in output
    assert "ok   portfolios[retail].epics_jql: Jira accepts the query" in output
    assert "'Portfolio outcomes' does not exist yet" in output


def test_a_bad_query_and_bad_credentials_are_reported_with_what_to_do(tmp_path: Path) -> None:
    from connector.sandbox import Sandbox
    from tests.e2e.conftest import DATASET

    with Sandbox(DATASET) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        settings = yaml.safe_load(config.read_text())
        settings["portfolios"][0]["epics_jql"] = "project = PAY AND sprint = 3"
        config.write_text(yaml.safe_dump(settings))
        code, output = doctor(config)
        assert code == 1
        assert "FAIL portfolios[retail].epics_jql: " in output
        assert "sprint" in output and "fix the query" in output

        code, output = doctor(config, token="not-the-token")
        assert code == 3  # Jira refused the credentials: an outside failure, as the README says
        assert "FAIL Jira: " in output and "401" in output
        assert "not-the-token" not in output


def test_a_team_field_that_jira_lacks_is_named(tmp_path: Path) -> None:
    from connector.sandbox import Sandbox
    from tests.e2e.conftest import DATASET

    with Sandbox(DATASET) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        settings = yaml.safe_load(config.read_text())
        settings["teams"] = {"source": "field", "field": "Squad"}
        config.write_text(yaml.safe_dump(settings))
        code, output = doctor(config)
    assert code == 1
    assert "teams.field: Jira has no field named 'Squad'" in output


def test_doctor_asks_confluence_through_the_api_the_settings_choose(tmp_path: Path) -> None:
    from connector.sandbox import Sandbox
    from tests.e2e.conftest import DATASET

    with Sandbox(DATASET) as sandbox:
        config = write_settings(tmp_path, sandbox.url, api="v2")
        code, output = doctor(config)
        paths = [r.path for r in sandbox.requests if r.path.startswith("/wiki/")]
    assert code == 0, output
    assert paths and all(p.startswith("/wiki/api/v2/") for p in paths)
