"""An epic's team from the source the settings name: project, component, a field or a label."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.jira_teams import team_reader
from connector.sandbox import Sandbox
from connector.store.issues import load_epics
from connector.sync import ScopeSpec, sync_scopes
from rules.alignment import team_choice, team_of
from rules.errors import UserError
from rules.model import Team
from tests.sync.conftest import NOW, connect, issue, portfolio

TEAMS = (
    Team("payments", "Payments", projects=("PAY",), aliases=("Rails",)),
    Team("mobile", "Mobile", projects=("MOB",), aliases=("Apps squad",)),
)
# Catalogue order: platform before mobile before payments.
PLATFORM_FIRST = (
    Team("platform", "Platform", projects=("PLT",), aliases=("CI/CD",)),
    Team("mobile", "Mobile", projects=("MOB",)),
    Team("payments", "Payments", projects=("PAY",)),
)


def data() -> dict[str, Any]:
    dataset = portfolio("Cloud")
    dataset["jira"]["fields"].append({"id": "customfield_10001", "name": "Team", "type": "option"})
    dataset["jira"]["issues"] = [
        # In project PAY, but its component, Team field and label all say the mobile squad.
        {
            **issue("PAY-1", "Epic", labels=["team:mobile"]),
            "components": ["Apps squad"],
            "fields": {"customfield_10001": "Mobile"},
        },
        {
            **issue("MOB-1", "Epic"),
            "components": ["Rails"],
            "fields": {"customfield_10001": "Rails"},
        },
        issue("MOB-2", "Epic"),  # no component, no field, no label
    ]
    return dataset


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("project", {"PAY-1": "payments", "MOB-1": "mobile", "MOB-2": "mobile"}),
        ("component", {"PAY-1": "mobile", "MOB-1": "payments", "MOB-2": "mobile"}),
        ("field", {"PAY-1": "mobile", "MOB-1": "payments", "MOB-2": "mobile"}),
        ("label", {"PAY-1": "mobile", "MOB-1": "mobile", "MOB-2": "mobile"}),
    ],
)
def test_each_source_names_the_team(engine: Engine, source: Any, expected: dict[str, str]) -> None:
    with Sandbox(data()) as sandbox:
        jira = connect(sandbox)
        jira.teams = team_reader(source, "Team", "team:", jira.field_list)
        scope = ScopeSpec("retail", "Retail", "issuetype = Epic")
        sync_scopes(jira, engine, [scope], now=NOW, lookback_ms=0)
    with Session(engine) as session:
        epics = load_epics(session, "retail")
    # Without a name from Jira the team falls back to the project's.
    assert {e.key: team_of(e, TEAMS) for e in epics} == expected


def test_a_team_field_that_does_not_exist_is_a_settings_error() -> None:
    with Sandbox(data()) as sandbox:
        jira = connect(sandbox)
        with pytest.raises(UserError, match=r"teams\.field: Jira has no field named 'Squad'"):
            team_reader("field", "Squad", "team:", jira.field_list)


def several_names(deployment: str) -> dict[str, Any]:
    dataset = portfolio(deployment)
    dataset["jira"]["fields"].append(
        {"id": "customfield_10001", "name": "Team", "type": "array(option)"}
    )
    dataset["jira"]["issues"] = [
        # Only the second component names a catalogue team.
        {**issue("PAY-1", "Epic"), "components": ["Backlog grooming", "Mobile"]},
        # Two teams, neither of them the project's: the first in catalogue order counts.
        {
            **issue("PAY-2", "Epic", labels=["team:Mobile", "team:CI/CD"]),
            "components": ["Mobile", "CI/CD"],
            "fields": {"customfield_10001": ["Mobile", "CI/CD"]},
        },
        # Two teams, one of them the project's: the project's counts.
        {
            **issue("MOB-1", "Epic", labels=["team:CI/CD", "team:Mobile"]),
            "components": ["CI/CD", "Mobile"],
            "fields": {"customfield_10001": ["CI/CD", "Mobile"]},
        },
    ]
    return dataset


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
@pytest.mark.parametrize("source", ["component", "field", "label"])
def test_any_of_several_names_finds_the_team(engine: Engine, deployment: str, source: Any) -> None:
    with Sandbox(several_names(deployment)) as sandbox:
        jira = connect(sandbox)
        jira.teams = team_reader(source, "Team", "team:", jira.field_list)
        scope = ScopeSpec("retail", "Retail", "issuetype = Epic")
        sync_scopes(jira, engine, [scope], now=NOW, lookback_ms=0)
    with Session(engine) as session:
        epics = {e.key: e for e in load_epics(session, "retail")}
    choices = {key: team_choice(epic, PLATFORM_FIRST) for key, epic in epics.items()}
    assert {key: (c.team, c.others) for key, c in choices.items()} == {
        # Components only: the label and field sources have nothing on PAY-1 (project's team).
        "PAY-1": ("mobile", ()) if source == "component" else ("payments", ()),
        "PAY-2": ("platform", ("mobile",)),
        "MOB-1": ("mobile", ("platform",)),
    }


def test_team_labels_of_the_catalogue_follow_the_same_rule() -> None:
    from rules.model import Epic, StatusCategory

    teams = (
        Team("platform", "Platform", projects=("PLT",), labels=("platform",)),
        Team("mobile", "Mobile", projects=("MOB",), labels=("mobile",)),
    )
    epic = Epic("MOB-9", "Both", "MOB", "To Do", StatusCategory.NEW, labels=("platform", "mobile"))
    assert team_choice(epic, teams).team == "mobile"  # the project's team is among them
    assert team_choice(epic, teams).others == ("platform",)
    other = Epic("PAY-9", "Both", "PAY", "To Do", StatusCategory.NEW, labels=("mobile", "platform"))
    assert (team_choice(other, teams).team, team_choice(other, teams).others) == (
        "platform",
        ("mobile",),
    )
