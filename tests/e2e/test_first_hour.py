"""Issue 17: the first hour on a real site, as the README tells it — `outcomes init`, point the
settings at the site, `outcomes doctor` (which finds what is wrong and says how to fix it), fix it,
`doctor` again, `run`, `approve` and `status`, every command run in the folder without --config.

The site is the sandbox, seeded the way real sites trip people up: the default "Story Points"
field exists but is empty (the stories carry "Story point estimate"), and one epic's team
component, "Apps", is a name no catalogue team has.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from service.cli import cli
from tests.e2e.conftest import AS_OF, CATALOGUE, DATASET, TOKEN, USER

pytestmark = pytest.mark.e2e


def site() -> dict[str, Any]:
    data = copy.deepcopy(DATASET)
    data["jira"]["fields"].append(
        {"id": "customfield_10035", "name": "Story point estimate", "type": "number"}
    )
    components = {"PAY-1": ["Payments"], "PAY-4": ["Payments"], "MOB-1": ["Apps"]}
    for issue in data["jira"]["issues"]:
        points = issue["fields"].pop("customfield_10016", None)
        if points is not None:
            issue["fields"]["customfield_10035"] = points
        issue["components"] = components.get(issue["key"], [])
    return data


def outcomes(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN, "OUTCOMES_CONFIG": None})
    return result.exit_code, result.output


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_from_init_through_doctor_to_run_approve_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = outcomes("init")
    assert code == 0, output
    settings_file, catalogue_file = tmp_path / "outcomes.yaml", tmp_path / "okrs.yaml"
    assert settings_file.is_file() and catalogue_file.is_file()

    with Sandbox(site()) as sandbox:
        # What the README asks the user to edit: the site, the sign-in, the scope, the teams.
        settings = read(settings_file)
        auth = {"email": USER, "token": "${E2E_TOKEN}"}
        settings["jira"].update(url=sandbox.url, auth=auth, timeout=10)
        settings["confluence"].update(url=f"{sandbox.url}/wiki", auth=auth, timeout=10)
        settings["portfolios"][0]["epics_jql"] = "project in (PAY, MOB) AND issuetype = Epic"
        settings["teams"] = {"source": "component"}
        assert settings["jira"]["story_points_field"] == "Story Points"  # the default, kept
        write(settings_file, settings)
        write(catalogue_file, CATALOGUE)  # their own OKRs and teams

        code, output = outcomes("doctor")
        assert code == 1, output
        lines = output.splitlines()
        points = next(x for x in lines if x.startswith("FAIL jira.story_points_field (retail): "))
        assert "'Story Points' (customfield_10016) is empty on all 4 sampled child issues" in points
        assert "set `jira.story_points_field: Story point estimate`" in points
        teams = next(x for x in lines if x.startswith("FAIL teams (retail): "))
        assert "components no team has: 'Apps' (1)" in teams
        assert "add it to the aliases of the team it names in okrs.yaml" in teams
        assert "ok   Jira credentials: signed in as" in output

        # Do what doctor said.
        settings["jira"]["story_points_field"] = "Story point estimate"
        write(settings_file, settings)
        catalogue = read(catalogue_file)
        mobile = next(t for t in catalogue["teams"] if t["id"] == "mobile")
        mobile["aliases"] = ["Apps"]
        write(catalogue_file, catalogue)

        code, output = outcomes("doctor")
        assert code == 0, output
        assert "FAIL" not in output
        assert "ok   teams (retail): 7 of 7 sampled epics map to a catalogue team" in output

        code, output = outcomes("run", "--as-of", AS_OF)
        assert code == 0, output
        assert "Synced retail: 7 epics, 4 children" in output
        assert "Confluence: 8 created" in output

        code, output = outcomes("approve", "MOB-1", "--okr", "P2.KR1", "--by", "Priya")
        assert code == 0, output
        assert "Approved MOB-1" in output

        code, output = outcomes("status")
    assert code == 0, output
    jobs = output.split("Jobs:")[1].split("Failures:")[0]
    ran = jobs.split("  run ")[1]  # the one-shot run's line and what it did, wrapped below it
    assert "#1 done" in ran
    assert "epics=7 children=4" in ran
    assert "pages_created=8" in ran
