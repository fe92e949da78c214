"""`rules.catalogue.parse_catalogue`: the okrs.yaml format, version 1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from rules.catalogue import parse_catalogue
from rules.model import (
    Approval,
    ApprovalState,
    CheckIn,
    Cycle,
    KeyResult,
    KrKind,
    Level,
    Milestone,
    Objective,
    Team,
)
from rules.validation import ValidationProblem

VALID = """
version: 1
cycles:
  - {id: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
  - {id: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
teams:
  - {id: payments, name: Payments, projects: [PAY], labels: [team-payments]}
  - {id: mobile, name: Mobile}
objectives:
  - id: P1
    cycle: 2026-Q4
    title: Make everyday payments effortless
    owner: Priya
    key_results:
      - {id: P1.KR1, title: Instant-payment success rate, unit: "%", start: 97.2, target: 99.5,
         current: 98.9, weight: 2, confidence: 0.7, needs_work: false}
      - id: P1.KR2
        title: Median P2P transfer time
        start: 42
        target: 10
        direction: decrease
        checkins:
          - {on: 2026-11-16, value: 30, confidence: 0.6, note: after the cache, forecast: 18}
          - {on: 2026-11-02, value: 36}
      - {id: P1.KR3, title: Open P1 payment incidents, start: 12, target: 2,
         measure: {jql: "project = PAY AND priority = P1"}, owner: "@accountid:557058:ab-12"}
  - id: PAY-O1
    cycle: 2026-Q4
    team: payments
    title: Cut failed instant payments in half
    supports: [p1.kr1, P1]
    approval: {state: approved, by: Priya, at: 2026-10-03, note: fits P1}
    retired: false
    key_results:
      - id: PAY-O1.KR1
        title: Ship the retry service
        kind: milestone
        milestones: [{title: Design, done: true}, {title: Build}]
      - {id: PAY-O1.KR2, title: Runbook published, kind: boolean, done: false}
"""


def valid() -> dict[str, Any]:
    data = yaml.safe_load(VALID)
    assert isinstance(data, dict)
    return data


def problem(change: Callable[[dict[str, Any]], object]) -> str:
    data = valid()
    change(data)
    with pytest.raises(ValidationProblem) as caught:
        parse_catalogue(data, "okrs.yaml")
    return str(caught.value)


def kr(data: dict[str, Any], objective: int, index: int) -> dict[str, Any]:
    found: dict[str, Any] = data["objectives"][objective]["key_results"][index]
    return found


# --- a valid catalogue ---------------------------------------------------------------------------


def test_a_valid_catalogue_parses_to_the_domain_objects() -> None:
    catalogue = parse_catalogue(valid(), "okrs.yaml")
    assert catalogue.cycles == (
        Cycle("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    )
    assert catalogue.teams == (
        Team("payments", "Payments", ("PAY",), ("team-payments",)),
        Team("mobile", "Mobile", (), ()),
    )
    p1, pay = catalogue.objectives
    assert p1 == Objective(
        id="P1",
        title="Make everyday payments effortless",
        level=Level.PORTFOLIO,
        cycle_id="2026-Q4",
        owner="Priya",
        key_results=(
            KeyResult(
                id="P1.KR1",
                objective_id="P1",
                title="Instant-payment success rate",
                start=97.2,
                target=99.5,
                current=98.9,
                unit="%",
                weight=2.0,
                confidence=0.7,
                needs_work=False,
                owner="Priya",  # the objective's owner, by default
            ),
            KeyResult(
                id="P1.KR2",
                objective_id="P1",
                title="Median P2P transfer time",
                start=42.0,
                target=10.0,
                checkins=(  # oldest first, although the file lists them newest first
                    CheckIn(date(2026, 11, 2), 36.0),
                    CheckIn(date(2026, 11, 16), 30.0, 0.6, "after the cache", forecast=18.0),
                ),
                owner="Priya",
            ),
            KeyResult(
                id="P1.KR3",
                objective_id="P1",
                title="Open P1 payment incidents",
                start=12.0,
                target=2.0,
                measure_jql="project = PAY AND priority = P1",
                owner="@accountid:557058:ab-12",  # its own
            ),
        ),
    )
    assert p1.key_results[1].direction == "decrease"
    assert p1.key_results[1].current is None  # not measured yet
    assert pay == Objective(
        id="PAY-O1",
        title="Cut failed instant payments in half",
        level=Level.TEAM,
        cycle_id="2026-Q4",
        team="payments",
        supports=("P1.KR1", "P1"),  # spelled as the catalogue spells them
        approval=Approval(ApprovalState.APPROVED, "Priya", date(2026, 10, 3), "fits P1"),
        key_results=(
            KeyResult(
                id="PAY-O1.KR1",
                objective_id="PAY-O1",
                title="Ship the retry service",
                kind=KrKind.MILESTONE,
                milestones=(Milestone("Design", True), Milestone("Build", False)),
            ),
            KeyResult(
                id="PAY-O1.KR2",
                objective_id="PAY-O1",
                title="Runbook published",
                kind=KrKind.BOOLEAN,
                done=False,
            ),
        ),
    )


def test_ids_are_kept_as_written_and_looked_up_upper_case() -> None:
    data = valid()
    data["objectives"][0]["id"] = "p1"
    catalogue = parse_catalogue(data, "okrs.yaml")
    assert catalogue.objectives[0].id == "p1"
    assert catalogue.okr_ids()["P1"].id == "p1"


def test_explicit_level_that_agrees_is_fine() -> None:
    data = valid()
    data["objectives"][0]["level"] = "portfolio"
    data["objectives"][1]["level"] = "team"
    levels = [o.level for o in parse_catalogue(data, "okrs.yaml").objectives]
    assert levels == [Level.PORTFOLIO, Level.TEAM]


def test_dates_as_iso_strings_are_accepted() -> None:
    data = valid()
    data["cycles"][0] = {"id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert parse_catalogue(data, "okrs.yaml").cycles[0].end == date(2026, 9, 30)


# --- the exact one-line messages -----------------------------------------------------------------


def test_unsupported_version() -> None:
    assert problem(lambda d: d.update(version=2)) == (
        "okrs.yaml: version: unsupported catalogue version 2 (this Outcomes reads version 1)"
    )


def test_unsupported_version_wins_over_other_problems() -> None:
    def change(d: dict[str, Any]) -> None:
        d.update(version="2", objectives="a new shape")

    assert problem(change) == (
        "okrs.yaml: version: unsupported catalogue version '2' (this Outcomes reads version 1)"
    )


def test_version_true_is_not_version_1() -> None:
    assert problem(lambda d: d.update(version=True)) == (
        "okrs.yaml: version: unsupported catalogue version true (this Outcomes reads version 1)"
    )


def test_missing_version() -> None:
    assert problem(lambda d: d.pop("version")) == "okrs.yaml: version: missing required key"


def test_empty_file() -> None:
    with pytest.raises(ValidationProblem) as caught:
        parse_catalogue(None, "okrs.yaml")
    assert str(caught.value) == "okrs.yaml: expected a mapping, got null"


def test_target_not_a_number() -> None:
    assert problem(lambda d: kr(d, 0, 0).update(target="ten")) == (
        "okrs.yaml: objectives[0].key_results[0].target: expected a number, got 'ten'"
    )


def test_a_boolean_is_not_a_number() -> None:
    assert problem(lambda d: kr(d, 0, 0).update(current=True)) == (
        "okrs.yaml: objectives[0].key_results[0].current: expected a number, got true"
    )


def test_misspelt_key() -> None:
    def change(d: dict[str, Any]) -> None:
        kr(d, 0, 2)["tagret"] = kr(d, 0, 2).pop("target")

    assert problem(change) == (
        "okrs.yaml: objectives[0].key_results[2]: unknown key 'tagret' (did you mean 'target'?)"
    )


def test_unknown_top_level_key() -> None:
    assert problem(lambda d: d.update(people=[])) == "okrs.yaml: unknown key 'people'"


def test_bad_date() -> None:
    assert problem(lambda d: d["cycles"][1].update(start="2026-13-01")) == (
        "okrs.yaml: cycles[1].start: expected a date like 2026-10-01, got '2026-13-01'"
    )


def test_a_number_is_not_a_date() -> None:
    assert problem(lambda d: d["cycles"][0].update(end=20260930)) == (
        "okrs.yaml: cycles[0].end: expected a date like 2026-10-01, got 20260930"
    )


def test_bad_direction() -> None:
    assert problem(lambda d: kr(d, 0, 1).update(direction="up")) == (
        "okrs.yaml: objectives[0].key_results[1].direction: "
        "expected one of increase, decrease, got 'up'"
    )


def test_direction_must_agree_with_start_and_target() -> None:
    assert problem(lambda d: kr(d, 0, 1).update(direction="increase")) == (
        "okrs.yaml: objectives[0].key_results[1].direction: "
        "says increase, but target 10 is below start 42"
    )


def test_target_equals_start() -> None:
    assert problem(lambda d: kr(d, 0, 1).update(target=42)) == (
        "okrs.yaml: objectives[0].key_results[1].target: "
        "target equals start (42); a key result must move"
    )


def test_metric_needs_start_and_target() -> None:
    assert problem(lambda d: kr(d, 0, 2).pop("start")) == (
        "okrs.yaml: objectives[0].key_results[2].start: "
        "missing required key (a metric key result needs start and target)"
    )
    assert problem(lambda d: kr(d, 0, 2).update(target=None)) == (
        "okrs.yaml: objectives[0].key_results[2].target: "
        "expected a number, got null (a metric key result needs start and target)"
    )


def test_milestone_needs_a_milestone() -> None:
    assert problem(lambda d: kr(d, 1, 0).update(milestones=[])) == (
        "okrs.yaml: objectives[1].key_results[0].milestones: "
        "a milestone key result needs at least one milestone, got []"
    )
    assert problem(lambda d: kr(d, 1, 0).pop("milestones")) == (
        "okrs.yaml: objectives[1].key_results[0].milestones: "
        "missing required key (a milestone key result needs at least one milestone)"
    )


def test_keys_of_another_kind_are_errors() -> None:
    assert problem(lambda d: kr(d, 1, 0).update(target=3)) == (
        "okrs.yaml: objectives[1].key_results[0].target: "
        "only metric key results have target; this one is a milestone key result"
    )
    assert problem(lambda d: kr(d, 0, 0).update(milestones=[{"title": "x"}])) == (
        "okrs.yaml: objectives[0].key_results[0].milestones: "
        "only milestone key results have milestones (add kind: milestone)"
    )
    assert problem(lambda d: kr(d, 0, 0).update(done=True)) == (
        "okrs.yaml: objectives[0].key_results[0].done: "
        "only boolean key results have done (add kind: boolean)"
    )


def test_weight_must_be_positive() -> None:
    assert problem(lambda d: kr(d, 0, 0).update(weight=0)) == (
        "okrs.yaml: objectives[0].key_results[0].weight: must be greater than 0, got 0"
    )


def test_confidence_between_0_and_1() -> None:
    assert problem(lambda d: kr(d, 0, 0).update(confidence=1.5)) == (
        "okrs.yaml: objectives[0].key_results[0].confidence: must be at most 1, got 1.5"
    )
    assert problem(lambda d: kr(d, 0, 1)["checkins"][0].update(confidence=-0.1)) == (
        "okrs.yaml: objectives[0].key_results[1].checkins[0].confidence: "
        "must be at least 0, got -0.1"
    )


def test_cycle_must_end_after_it_starts() -> None:
    assert problem(lambda d: d["cycles"][1].update(end=date(2026, 10, 1))) == (
        "okrs.yaml: cycles[1].end: must be after start (2026-10-01), got 2026-10-01"
    )


def test_at_least_one_cycle() -> None:
    assert problem(lambda d: d.update(cycles=[])) == (
        "okrs.yaml: cycles: a catalogue needs at least one cycle"
    )


def test_duplicate_cycle_and_team_ids() -> None:
    assert problem(lambda d: d["cycles"][1].update(id="2026-Q3")) == (
        "okrs.yaml: cycles[1].id: duplicate cycle id '2026-Q3' (also cycles[0].id)"
    )
    assert problem(lambda d: d["teams"][1].update(id="payments")) == (
        "okrs.yaml: teams[1].id: duplicate team id 'payments' (also teams[0].id)"
    )


def test_objective_must_name_a_cycle() -> None:
    assert problem(lambda d: d["objectives"][1].update(cycle="2026-q4")) == (
        "okrs.yaml: objectives[1].cycle: no cycle '2026-q4' in cycles (did you mean '2026-Q4'?)"
    )


def test_objective_must_name_a_team() -> None:
    assert problem(lambda d: d["objectives"][1].update(team="paymnts")) == (
        "okrs.yaml: objectives[1].team: no team 'paymnts' in teams (did you mean 'payments'?)"
    )
    assert problem(lambda d: d["objectives"][1].update(team="infra")) == (
        "okrs.yaml: objectives[1].team: no team 'infra' in teams"
    )


def test_level_must_agree_with_team() -> None:
    assert problem(lambda d: d["objectives"][0].update(level="team")) == (
        "okrs.yaml: objectives[0].level: level is team but no team is given (add team: ...)"
    )
    assert problem(lambda d: d["objectives"][1].update(level="portfolio")) == (
        "okrs.yaml: objectives[1].level: level is portfolio but team 'payments' is given"
    )


def test_ids_unique_across_objectives_and_key_results_ignoring_case() -> None:
    assert problem(lambda d: kr(d, 1, 1).update(id="p1.kr1")) == (
        "okrs.yaml: objectives[1].key_results[1].id: "
        "duplicate id 'p1.kr1' (also objectives[0].key_results[0].id)"
    )
    assert problem(lambda d: kr(d, 0, 0).update(id="PAY-O1")) == (
        "okrs.yaml: objectives[1].id: duplicate id 'PAY-O1' (also objectives[0].key_results[0].id)"
    )


def test_ids_cannot_hold_spaces() -> None:
    assert problem(lambda d: kr(d, 0, 0).update(id="P1 KR1")) == (
        "okrs.yaml: objectives[0].key_results[0].id: "
        "expected an id of letters, digits, '.', '_' or '-' (no spaces), got 'P1 KR1'"
    )


def test_supports_an_unknown_id_names_both_ids() -> None:
    assert problem(lambda d: d["objectives"][1].update(supports=["P1", "P9.KR1"])) == (
        "okrs.yaml: objectives[1].supports[1]: PAY-O1 supports 'P9.KR1', "
        "which is not in the catalogue (did you mean 'P1.KR1'?)"
    )
    assert problem(lambda d: d["objectives"][1].update(supports=["ZZZ"])) == (
        "okrs.yaml: objectives[1].supports[0]: PAY-O1 supports 'ZZZ', which is not in the catalogue"
    )


def test_supports_only_portfolio_objectives_of_the_same_cycle() -> None:
    def team_supports_team(d: dict[str, Any]) -> None:
        mobile = {"id": "MOB-O1", "cycle": "2026-Q4", "team": "mobile", "title": "T"}
        d["objectives"].append({**mobile, "supports": ["PAY-O1.KR2"]})

    assert problem(team_supports_team) == (
        "okrs.yaml: objectives[2].supports[0]: MOB-O1 supports 'PAY-O1.KR2' of team objective "
        "PAY-O1; team objectives support portfolio objectives or their key results"
    )
    assert problem(lambda d: d["objectives"][1].update(cycle="2026-Q3")) == (
        "okrs.yaml: objectives[1].supports[0]: PAY-O1 (cycle 2026-Q3) supports 'p1.kr1' "
        "of cycle 2026-Q4; both must be in the same cycle"
    )
    assert problem(lambda d: d["objectives"][0].update(supports=["P1.KR1"])) == (
        "okrs.yaml: objectives[0].supports: only team objectives support others; "
        "P1 is a portfolio objective"
    )


def test_bad_approval_state() -> None:
    assert problem(lambda d: d["objectives"][1]["approval"].update(state="ok")) == (
        "okrs.yaml: objectives[1].approval.state: "
        "expected one of proposed, approved, rejected, got 'ok'"
    )


def test_missing_title_and_empty_title() -> None:
    assert problem(lambda d: d["objectives"][0].pop("title")) == (
        "okrs.yaml: objectives[0].title: missing required key"
    )
    assert problem(lambda d: d["objectives"][0].update(title="  ")) == (
        "okrs.yaml: objectives[0].title: must not be empty, got '  '"
    )


def test_projects_must_be_a_list() -> None:
    assert problem(lambda d: d["teams"][0].update(projects="PAY")) == (
        "okrs.yaml: teams[0].projects: expected a list, got 'PAY'"
    )


def test_a_check_in_written_with_a_bare_on_key_reads_yaml_true_as_on() -> None:
    data = yaml.safe_load(
        "version: 1\n"
        "cycles: [{id: C, start: 2026-10-01, end: 2026-12-31}]\n"
        "objectives:\n"
        "  - {id: P1, cycle: C, title: T, key_results: [{id: K, title: T, start: 0, target: 1,\n"
        "     checkins: [{on: 2026-11-02, value: 0.5}]}]}\n"
    )
    assert True in data["objectives"][0]["key_results"][0]["checkins"][0]  # what PyYAML does
    checkin = parse_catalogue(data, "okrs.yaml").objectives[0].key_results[0].checkins[0]
    assert checkin == CheckIn(date(2026, 11, 2), 0.5)


# --- alignment keys: Jira issues, measurement, dated values, written decisions -------------------


def test_jira_keys_measures_and_current_on_are_read() -> None:
    data = valid()
    data["objectives"][0]["jira"] = "okr-1"
    kr(data, 0, 0).update(jira="OKR-2", current_on=date(2026, 11, 10))
    kr(data, 0, 2)["measure"] = {"field": "Open incidents", "issue": "OPS-7"}
    kr(data, 0, 1)["jira"] = "OKR-3"
    kr(data, 0, 1)["measure"] = {"field": "Median seconds"}  # its own issue
    catalogue = parse_catalogue(data, "okrs.yaml")
    p1 = catalogue.objectives[0]
    assert p1.jira_key == "OKR-1"
    first, second, third = p1.key_results
    assert (first.jira_key, first.current_on) == ("OKR-2", date(2026, 11, 10))
    assert (second.measure_issue, second.measure_field) == ("OKR-3", "Median seconds")
    assert (third.measure_issue, third.measure_field, third.measure_jql) == (
        "OPS-7",
        "Open incidents",
        None,
    )


def test_bad_measures_are_named() -> None:
    assert problem(lambda d: kr(d, 0, 2).update(measure={"jql": "x", "field": "y"})) == (
        "okrs.yaml: objectives[0].key_results[2].measure: "
        "give either jql, or field (with issue), not both"
    )
    assert problem(lambda d: kr(d, 0, 2).update(measure={})) == (
        "okrs.yaml: objectives[0].key_results[2].measure: "
        "missing required key (jql: a JQL count, or field: a number)"
    )
    assert problem(lambda d: kr(d, 0, 2).update(measure={"field": "Incidents"})) == (
        "okrs.yaml: objectives[0].key_results[2].measure.issue: "
        "missing required key (which issue's 'Incidents'? or give the key result a jira: issue)"
    )


def test_one_jira_issue_holds_one_okr() -> None:
    def twice(d: dict[str, Any]) -> None:
        d["objectives"][0]["jira"] = "OKR-1"
        kr(d, 0, 0)["jira"] = "okr-1"

    assert problem(twice) == (
        "okrs.yaml: objectives[0].key_results[0].jira: issue OKR-1 also holds objectives[0].jira; "
        "one OKR each"
    )


def test_written_approvals() -> None:
    def add(entry: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        return lambda d: d.update(approvals=[entry])

    base = {"state": "approved", "by": "Priya", "at": "2026-11-02"}
    assert problem(add({**base, "subject": "P1"})) == (
        "okrs.yaml: approvals[0].subject: 'P1' is no team objective; approvals name an epic key "
        "or a team objective id"
    )
    assert problem(add({**base, "subject": "PAY-O1", "okr": "P1.KR2"})) == (
        "okrs.yaml: approvals[0].okr: PAY-O1 does not support 'P1.KR2' (it supports: P1.KR1, P1)"
    )
    assert problem(add({**base, "subject": "PAY-12", "okr": "P1.KR9"})) == (
        "okrs.yaml: approvals[0].okr: 'P1.KR9' is not in the catalogue (did you mean 'P1.KR1'?)"
    )
    assert problem(add({**base, "subject": "payments work"})) == (
        "okrs.yaml: approvals[0].subject: expected an epic key like PAY-12 or a team objective "
        "id, got 'payments work'"
    )
    assert problem(add({**base, "subject": "PAY-12", "state": "proposed"})) == (
        "okrs.yaml: approvals[0].state: expected one of approved, rejected, got 'proposed'"
    )
    assert problem(add({"subject": "PAY-12", "state": "approved", "by": "Priya"})) == (
        "okrs.yaml: approvals[0].at: missing required key"
    )
