"""Issue 17, item 2: `outcomes doctor` samples the epics in scope, not only the field list — a
field that exists but is empty, team names no catalogue team has, claims to unknown OKRs — and
every check prints even after one fails. Through the real clients, against the sandbox."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from service.cli import cli
from tests.e2e.conftest import DATASET, TOKEN, write_settings


def doctor(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["doctor", "--config", str(config)], env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output.splitlines()


def line(lines: list[str], start: str) -> str:
    found = [entry for entry in lines if entry.startswith(start)]
    assert len(found) == 1, lines
    return found[0]


def edit(config: Path, **changes: Any) -> None:
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.update(changes)
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")


def two_point_fields() -> dict[str, Any]:
    """A Cloud site where "Story Points" exists but nobody fills it: the stories carry
    "Story point estimate" (the next-gen field) instead."""
    data = copy.deepcopy(DATASET)
    data["jira"]["fields"].append(
        {"id": "customfield_10035", "name": "Story point estimate", "type": "number"}
    )
    for issue in data["jira"]["issues"]:
        points = issue["fields"].pop("customfield_10016", None)
        if points is not None:
            issue["fields"]["customfield_10035"] = points
    return data


def test_an_empty_story_points_field_is_reported_with_the_field_that_has_the_values(
    tmp_path: Path,
) -> None:
    with Sandbox(two_point_fields()) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        code, lines = doctor(config)
        assert code == 1, lines
        points = line(lines, "FAIL jira.story_points_field (retail): ")
        assert (
            "'Story Points' (customfield_10016) is empty on all 4 sampled child issues"
            " and 7 sampled epics;" in points
        )
        assert "'Story point estimate' (customfield_10035) has values on 4 of 4 sampled" in points
        assert "set `jira.story_points_field: Story point estimate`" in points

        # Doing what it says passes the check.
        settings = yaml.safe_load(config.read_text(encoding="utf-8"))
        settings["jira"]["story_points_field"] = "Story point estimate"
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        code, lines = doctor(config)
    assert code == 0, lines
    assert line(lines, "ok   jira.story_points_field (retail): ").endswith(
        "'Story point estimate' (customfield_10035) has a value on 4 of 4 sampled child issues"
        " and 0 of 7 sampled epics"
    )


def test_a_missing_team_field_on_data_center_leaves_every_other_line(tmp_path: Path) -> None:
    data = copy.deepcopy(DATASET)
    data["jira"]["deployment"] = "Data Center"
    data["jira"]["fields"].append(
        {"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}
    )
    with Sandbox(data) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        edit(config, teams={"source": "field"})  # Jira's Team field, which Data Center lacks
        code, lines = doctor(config)
    assert code == 1, lines
    assert "Data Center" in line(lines, "ok   Jira: ")
    assert line(lines, "ok   Jira credentials: ").startswith("ok   Jira credentials: signed in as")
    team = line(lines, "FAIL fields: ")
    assert "teams.field: Jira has no field named 'Team'" in team
    assert "set teams.source to component or label" in team
    assert line(lines, "ok   portfolios[retail].epics_jql: ")
    assert line(lines, "ok   jira.story_points_field (retail): ")
    assert line(lines, "ok   Confluence: ")


def test_team_components_no_catalogue_team_has_are_listed_with_counts_and_the_fix(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(DATASET)
    components = {
        "PAY-1": ["Payments", "Backend"],  # Backend beside a team's name: a subsystem, left alone
        "PAY-4": ["Apps"],
        "MOB-1": ["Apps"],
        "MOB-2": ["Web"],
    }
    for issue in data["jira"]["issues"]:
        issue["components"] = components.get(issue["key"], [])
    with Sandbox(data) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        edit(config, teams={"source": "component"})
        code, lines = doctor(config)
    assert code == 1, lines
    teams = line(lines, "FAIL teams (retail): ")
    # Every epic still maps to a team (by its project), but three name a team no one has.
    assert "7 of 7 sampled epics map to a catalogue team" in teams
    assert "components no team has: 'Apps' (2), 'Web' (1)" in teams
    assert "add it to the aliases of the team it names in okrs.yaml" in teams
    assert "Backend" not in teams


def test_claims_are_counted_and_unknown_okr_ids_named(tmp_path: Path) -> None:
    with Sandbox(DATASET) as sandbox:
        code, lines = doctor(write_settings(tmp_path, sandbox.url))
    assert code == 0, lines
    claims = line(lines, "ok   claims (retail): ")
    # PAY-1 (P1.KR1), PAY-6 (P9.KR1, unknown), MOB-1 (p2.kr1) of the seven open and done epics.
    assert "3 of 7 sampled epics claim an OKR" in claims
    assert "ids the catalogue does not know: P9.KR1 (1)" in claims


def test_without_the_jql_parse_endpoint_the_query_is_checked_by_a_search(tmp_path: Path) -> None:
    data = copy.deepcopy(DATASET)
    data["jira"]["jql_parse"] = False
    with Sandbox(data) as sandbox:
        config = write_settings(tmp_path, sandbox.url)
        code, lines = doctor(config)
        assert code == 0, lines
        assert line(lines, "ok   portfolios[retail].epics_jql: ").endswith("Jira accepts the query")

        settings = yaml.safe_load(config.read_text(encoding="utf-8"))
        settings["portfolios"][0]["epics_jql"] = "project = PAY AND sprint = 3"
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        code, lines = doctor(config)
    assert code == 1, lines
    query = line(lines, "FAIL portfolios[retail].epics_jql: ")
    assert "sprint" in query and "fix the query" in query
    assert "check jira.url" not in query


def test_the_sample_is_bounded_and_says_so(tmp_path: Path) -> None:
    data = copy.deepcopy(DATASET)
    data["jira"]["issues"] = [
        {"key": f"PAY-{n}", "type": "Epic", "summary": f"Epic {n}", "status": "To Do"}
        for n in range(1, 206)
    ]
    with Sandbox(data) as sandbox:
        code, lines = doctor(write_settings(tmp_path, sandbox.url))
    assert code == 0, lines
    assert line(lines, "ok   portfolios[retail] sample: ").endswith(
        "200 epics (the first 200 at most) and 0 of their child issues"
    )
    assert "0 of 200 sampled epics claim an OKR" in line(lines, "ok   claims (retail): ")
