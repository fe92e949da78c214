"""The JQL parser and evaluator on hand-written cases (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connector.sandbox.dataset import parse_dataset
from connector.sandbox.jira_model import JiraState
from connector.sandbox.jql_parse import BoolOp, Clause, JqlError, Not, Value, parse


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO instant: the form the connector writes into JQL."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def state(data: dict[str, Any]) -> JiraState:
    return JiraState(parse_dataset(data))


def keys(state: JiraState, jql: str) -> list[str]:
    return [r.key for r in state.search(jql)]


def test_parse_gives_and_tighter_than_or() -> None:
    query = parse("a = 1 OR b = 2 AND NOT c = 3")
    assert query.where == BoolOp(
        "or",
        (
            Clause("a", "=", Value("1", False)),
            BoolOp(
                "and",
                (Clause("b", "=", Value("2", False)), Not(Clause("c", "=", Value("3", False)))),
            ),
        ),
    )


def test_parse_reads_escapes_lists_and_custom_field_ids() -> None:
    query = parse('cf[10030] in ("a\\"b", \'c\\u0020d\', e) order by key desc, "Story Points"')
    assert query.where == Clause(
        "cf[10030]", "in", (Value('a"b', True), Value("c d", True), Value("e", False))
    )
    assert [(s.field, s.descending) for s in query.order] == [
        ("key", True),
        ("Story Points", False),
    ]


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = PAY", ["PAY-1", "PAY-2", "PAY-3", "PAY-10"]),
        (
            "project in (PAY, MOB) ORDER BY key",
            ["MOB-1", "MOB-2", "PAY-1", "PAY-2", "PAY-3", "PAY-10"],
        ),
        ("project = PAY ORDER BY key DESC", ["PAY-10", "PAY-3", "PAY-2", "PAY-1"]),
        ("project = Payments", ["PAY-1", "PAY-2", "PAY-3", "PAY-10"]),
        ("project = pay and STATUS = done order by KEY desc", ["PAY-2"]),
        # AND binds tighter than OR; parentheses change that.
        ("project = MOB OR project = PAY AND status = Done", ["MOB-1", "MOB-2", "PAY-2"]),
        ("(project = MOB OR project = PAY) AND status = Done", ["MOB-1", "PAY-2"]),
        ("project = PAY AND NOT status = Done", ["PAY-1", "PAY-3", "PAY-10"]),
        ("issuetype = Epic", ["MOB-1", "PAY-1", "PAY-3"]),
        ("type in (Story, Bug)", ["MOB-2", "PAY-2", "PAY-10"]),
        ("type not in (Epic)", ["MOB-2", "PAY-2", "PAY-10"]),
        ("parent = PAY-1", ["PAY-2", "PAY-10"]),
        ("parent in (PAY-1, MOB-1)", ["MOB-2", "PAY-2", "PAY-10"]),
        ("parent = 10000", ["PAY-2", "PAY-10"]),
        ("project = PAY AND parent is EMPTY", ["PAY-1", "PAY-3"]),
        ("key = PAY-10", ["PAY-10"]),
        ("issuekey in (pay-1, MOB-2)", ["MOB-2", "PAY-1"]),
        ("id = 10003", ["PAY-3"]),
        ("key > PAY-2", ["PAY-3", "PAY-10"]),
        ("status = 'In Progress'", ["MOB-2", "PAY-1"]),
        ("status != Done AND project = MOB", ["MOB-2"]),
        ("statusCategory = Done", ["MOB-1", "PAY-2"]),
        ("statusCategory != done", ["MOB-2", "PAY-1", "PAY-3", "PAY-10"]),
        ("statusCategory in ('to do', indeterminate)", ["MOB-2", "PAY-1", "PAY-3", "PAY-10"]),
        ('statusCategory = "In Progress"', ["MOB-2", "PAY-1"]),
        ("assignee is EMPTY", ["MOB-2", "PAY-10"]),
        ('assignee = "Bo Chen"', ["MOB-1", "PAY-3"]),
        ('assignee != "Ana Ruiz"', ["MOB-1", "PAY-3"]),
        ("assignee in (EMPTY, 'Bo Chen')", ["MOB-1", "MOB-2", "PAY-3", "PAY-10"]),
        ("priority = High", ["PAY-1"]),
        ("priority > Medium", ["PAY-1"]),
        ("priority is not empty ORDER BY priority", ["PAY-1", "PAY-2", "PAY-3"]),
        ("summary ~ 'retry'", ["PAY-2", "PAY-10"]),
        ('summary ~ "card \\"tokens\\""', ["PAY-3"]),
        ("summary !~ retry AND project = PAY", ["PAY-1", "PAY-3"]),
    ],
)
def test_search_without_dates_or_custom_fields(
    state: JiraState, jql: str, expected: list[str]
) -> None:
    assert keys(state, jql) == expected


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("labels = mobile", ["MOB-1", "MOB-2"]),
        ("labels = okr:P1.KR1", ["PAY-1"]),
        ('labels = "okr:p1.kr1"', ["PAY-1"]),
        # != and NOT IN leave out issues that have no labels at all (PAY-10), as Jira does.
        ("labels != mobile", ["PAY-1", "PAY-2", "PAY-3"]),
        ("labels not in (mobile, backend)", ["PAY-1", "PAY-3"]),
        ("labels in (backend, okr-exempt)", ["PAY-2", "PAY-3"]),
        ("labels is EMPTY", ["PAY-10"]),
        ("labels is not EMPTY and project = PAY", ["PAY-1", "PAY-2", "PAY-3"]),
        ("NOT labels = mobile", ["PAY-1", "PAY-2", "PAY-3", "PAY-10"]),
    ],
)
def test_labels(state: JiraState, jql: str, expected: list[str]) -> None:
    assert keys(state, jql) == expected


def test_dates_compare_as_epoch_milliseconds(state: JiraState) -> None:
    at = ms("2026-11-15T12:30:00")  # PAY-10's updated, exactly
    assert keys(state, f"updated >= {at}") == ["MOB-2", "PAY-1", "PAY-10"]
    assert keys(state, f"updated > {at}") == ["MOB-2", "PAY-1"]
    assert keys(state, f"updated < {ms('2026-10-01T00:00:00')}") == ["PAY-3"]
    assert keys(state, f"updated = {at}") == ["PAY-10"]
    assert keys(state, 'created >= "2026/10/03"') == ["MOB-2", "PAY-2", "PAY-10"]
    assert keys(state, 'createdDate < "2026-09-01 09:01"') == ["MOB-1", "PAY-3"]


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("cf[10016] > 4", ["PAY-1", "PAY-2"]),
        ('"Story Points" <= 3', ["MOB-2", "PAY-10"]),
        ('"story points" = 13', ["PAY-1"]),
        ('"Story Points" is EMPTY', ["MOB-1", "PAY-3"]),
        ('"Key Result" ~ "p1.kr1"', ["PAY-1"]),
        ("cf[10030] is not empty", ["MOB-1", "PAY-1"]),
        ("Team = core", ["PAY-1"]),
        ("Team != Core", ["MOB-1"]),
        ("cf[10050] = iOS", ["MOB-2", "PAY-10"]),
        ("Platforms not in (Android)", ["MOB-2"]),
    ],
)
def test_custom_fields(state: JiraState, jql: str, expected: list[str]) -> None:
    assert keys(state, jql) == expected


def test_order_by(state: JiraState) -> None:
    assert keys(state, "project in (PAY, MOB) ORDER BY updated DESC") == [
        "MOB-2",
        "PAY-1",
        "PAY-10",
        "PAY-2",
        "MOB-1",
        "PAY-3",
    ]
    # Empty values sort last ascending; ties fall back to key order.
    assert keys(state, 'project in (PAY, MOB) ORDER BY "Story Points" ASC') == [
        "MOB-2",
        "PAY-10",
        "PAY-2",
        "PAY-1",
        "MOB-1",
        "PAY-3",
    ]
    assert keys(state, "project = PAY ORDER BY status, created DESC") == [
        "PAY-10",
        "PAY-3",
        "PAY-1",
        "PAY-2",
    ]
    assert keys(state, "ORDER BY key") == ["MOB-1", "MOB-2", "PAY-1", "PAY-2", "PAY-3", "PAY-10"]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "project = ",
            "Error in the JQL Query: Expecting either a value, list or function but got "
            "the end of the query.",
        ),
        (
            "project = PAY AND",
            "Error in the JQL Query: Expecting a field name but got the end of the query.",
        ),
        (
            "project = PAY foo",
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'."
            " (line 1, character 15)",
        ),
        ("project PAY", "Error in the JQL Query: Expecting operator but got 'PAY'."),
        (
            'project = "PAY',
            "Error in the JQL Query: The quoted string 'PAY' has not been completed."
            " (line 1, character 11)",
        ),
        (
            "project in PAY",
            "Error in the JQL Query: Expecting '(' to start a list of values but got 'PAY'.",
        ),
        ("(project = PAY", "Error in the JQL Query: Expecting ')' but got the end of the query."),
        ("labels = a%b", "Error in the JQL Query: The character '%' is a reserved JQL character."),
        ("project = PAY ORDER key", "Error in the JQL Query: Expecting 'by' but got 'key'."),
        ("foo = bar", "Field 'foo' does not exist or you do not have permission to view it."),
        (
            "cf[99999] = 1",
            "Field 'cf[99999]' does not exist or you do not have permission to view it.",
        ),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("status = Doing", "The value 'Doing' does not exist for the field 'status'."),
        (
            "statusCategory = Finished",
            "The value 'Finished' does not exist for the field 'statusCategory'.",
        ),
        ("key = PAY-99", "An issue with key 'PAY-99' does not exist for field 'key'."),
        ("labels > x", "The operator '>' is not supported by the 'labels' field."),
        ("summary = x", "The operator '=' is not supported by the 'summary' field."),
        ('"Key Result" = "P1.KR1"', "The operator '=' is not supported by the 'Key Result' field."),
        ("labels is x", "The operator 'IS' only supports the value 'EMPTY'"),
        ('updated > "yesterday"', "Date value 'yesterday' for field 'updated' is invalid."),
        (
            '"Story Points" > many',
            "The value 'many' for field 'Story Points' is not a valid number.",
        ),
        ("assignee = currentUser()", "Unable to find JQL function 'currentUser()'"),
        ("project = PAY ORDER BY labels", "Field 'labels' does not support sorting."),
    ],
)
def test_refused_queries_name_the_problem(state: JiraState, jql: str, message: str) -> None:
    with pytest.raises(JqlError) as err:
        state.search(jql)
    assert str(err.value).startswith(message)


def test_relative_periods_follow_the_clock(state: JiraState) -> None:
    state.update_issue("PAY-3", updated="2000-01-01T00:00:00Z")
    assert keys(state, "key = PAY-3 AND updated >= -1d") == []
    state.update_issue("PAY-3", summary="Touched now")  # updated becomes now
    assert keys(state, "key = PAY-3 AND updated >= -1d") == ["PAY-3"]
    assert keys(state, "key = PAY-3 AND updated >= '-2w 3d' AND updated < 1h") == ["PAY-3"]


def test_empty_query_matches_everything_but_is_unbounded(state: JiraState) -> None:
    assert len(state.search("")) == 6
    with pytest.raises(JqlError, match="Unbounded JQL queries are not allowed here"):
        state.search("ORDER BY key", require_bounded=True)
