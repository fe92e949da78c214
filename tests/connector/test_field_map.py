"""One Jira field map: every field name the settings give resolves in `FieldMap`, and a name the
site lacks is one error in one style, whichever part of the settings named it."""

from __future__ import annotations

from datetime import date

import pytest

from connector.jira_claims import claim_reader
from connector.jira_fields import EPIC_FIELDS, FieldMap, load_extra
from connector.jira_okrs import OkrFields
from connector.jira_teams import team_reader
from rules.errors import UserError
from service.settings import EpicFieldSettings

SITE = [
    {"id": "summary", "name": "Summary"},
    {"id": "customfield_10016", "name": "Story point estimate"},
    {"id": "customfield_10001", "name": "Team"},
    {"id": "customfield_10100", "name": "Key Result"},
    {"id": "customfield_10200", "name": "Cycle"},
    {"id": "customfield_10300", "name": "Target start"},
]


def test_story_points_fall_back_to_a_usual_name_and_say_which() -> None:
    fields = FieldMap(SITE)
    assert fields.site("Story Points").story_points == "customfield_10016"
    assert fields.name_of("customfield_10016") == "Story point estimate"


@pytest.mark.parametrize(
    ("resolve", "message"),
    [
        (
            lambda f: team_reader("field", "Teams", "team:", f),
            "o.yaml: teams.field: Jira has no field named 'Teams' (did you mean 'Team'?)",
        ),
        (
            lambda f: claim_reader(
                f, claim_field="Key Results", link_type=None, approval_field=None
            ),
            "o.yaml: claims.field.name: Jira has no field named 'Key Results'"
            " (did you mean 'Key Result'?)",
        ),
        (
            lambda f: OkrFields(f, {"cycle": "Cycles"}),
            "o.yaml: catalogue.jira.cycle_field: Jira has no field named 'Cycles'"
            " (did you mean 'Cycle'?)",
        ),
        (
            lambda f: f.epic_fields({"target_start": "Target strat"}),
            "o.yaml: jira.epic_fields.target_start: Jira has no field named 'Target strat'"
            " (did you mean 'Target start'?)",
        ),
    ],
)
def test_a_name_the_site_lacks_is_one_error_in_one_style(resolve: object, message: str) -> None:
    with pytest.raises(UserError) as problem:
        resolve(FieldMap(SITE, "o.yaml"))  # type: ignore[operator]
    assert str(problem.value) == message


def test_every_resolved_name_is_kept_for_doctor() -> None:
    fields = FieldMap(SITE)
    team_reader("field", "team", "team:", fields)
    claim_reader(fields, claim_field="customfield_10100", link_type=None, approval_field=None)
    assert {k: (r.name, r.field_id) for k, r in fields.resolved.items()} == {
        "teams.field": ("Team", "customfield_10001"),
        "claims.field.name": ("Key Result", "customfield_10100"),
    }


def test_an_extra_date_field_is_kept_as_text_and_read_back_as_a_date() -> None:
    reader = FieldMap(SITE).epic_fields({"target_start": "Target start"})
    assert reader.field_ids() == ["customfield_10300"]
    kept = reader.values({"customfield_10300": "2026-12-15", "summary": "x"})
    assert kept == {"target_start": "2026-12-15"}
    assert load_extra(kept) == {"target_start": date(2026, 12, 15)}
    assert reader.values({"customfield_10300": None}) == {}
    # A date-time field gives its UTC day: 08:00 in Sydney is the day before in UTC.
    assert reader.values({"customfield_10300": "2026-12-15T08:00:00.000+1100"}) == {
        "target_start": "2026-12-14"
    }


def test_every_settings_key_has_a_line_in_the_map_and_back() -> None:
    assert set(EpicFieldSettings.model_fields) == set(EPIC_FIELDS)
