"""An epic's team from the source the settings name: project, component, a field or a label."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.errors import UserError
from connector.jira_teams import team_reader
from connector.sandbox import Sandbox
from connector.store.issues import load_epics
from connector.sync import ScopeSpec, sync_scopes
from rules.alignment import team_of
from rules.model import Team
from tests.sync.conftest import NOW, connect, issue, portfolio

TEAMS = (
    Team("payments", "Payments", projects=("PAY",), aliases=("Rails",)),
    Team("mobile", "Mobile", projects=("MOB",), aliases=("Apps squad",)),
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
