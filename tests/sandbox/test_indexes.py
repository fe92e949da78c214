"""The sandbox's JQL indexes: they narrow a search to candidates, never change its answer.

A hypothesis property drives random datasets through random writes (edits, creates, deletes,
moves, `updated` changes) and compares every search, in its order, with a scan of all issues
under the same predicate.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.sandbox.dataset import parse_dataset
from connector.sandbox.jira_model import JiraState
from connector.sandbox.jql_eval import compile_query
from connector.sandbox.jql_parse import JqlError

from .conftest import DATA

TYPES = ("Epic", "Story", "Bug", "Sub-task")
# A few `updated` times, so that several issues share one and range bounds fall on them.
STAMPS = ("2026-10-03T09:00:00Z", "2026-10-04T12:30:00.250Z", "2026-10-05T09:00:00Z")
BOUNDS = ("1791018000000", "1791117000250", "1791190800000", "1791190800001")  # STAMPS' ms, +1


def state_of(data: dict[str, Any]) -> JiraState:
    return JiraState(parse_dataset(data))


def scanned(state: JiraState, jql: str) -> list[str]:
    """What a scan of every issue finds: the answer before the indexes existed."""
    query = compile_query(jql, state)
    return [r.key for r in query.sort([r for r in state.all_issues() if query.matches(r)])]


def indexed(state: JiraState, jql: str) -> list[str]:
    return [r.key for r in state.search(jql)]


def outcome(search: Any, state: JiraState, jql: str) -> list[str] | str:
    try:
        keys: list[str] = search(state, jql)
    except JqlError as exc:
        return f"refused: {exc}"
    return keys


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    deployment = draw(st.sampled_from(["Cloud", "Server"]))
    issues: list[dict[str, Any]] = []
    counters = {"PAY": 0, "MOB": 0}
    for _ in range(draw(st.integers(1, 14))):
        project = draw(st.sampled_from(sorted(counters)))
        counters[project] += 1
        parent = draw(st.none() | st.sampled_from([i["key"] for i in issues] or [None]))
        issues.append(
            {
                "key": f"{project}-{counters[project]}",
                "type": draw(st.sampled_from(TYPES)),
                "summary": "Work",
                "status": draw(st.sampled_from(["To Do", "Done"])),
                "labels": draw(st.lists(st.sampled_from(["a", "b"]), unique=True, max_size=2)),
                "parent": parent,
                "created": "2026-10-02T09:00:00Z",
                "updated": draw(st.sampled_from(STAMPS)),
            }
        )
    issues = draw(st.permutations(issues))  # tables need not start in key order
    fields = [{"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}]
    return {
        "auth": [{"user": "u@example.com", "token": "t"}],
        "jira": {
            "deployment": deployment,
            "fields": fields if deployment == "Server" else [],
            "projects": [{"key": "PAY", "name": "Payments"}, {"key": "MOB", "name": "Mobile"}],
            "issues": issues,
        },
    }


def clauses(keys: list[str], touched: list[str]) -> st.SearchStrategy[str]:
    # Epoch ms (on and beside the stamps), dates, and a period (writes make issues recent).
    when = st.sampled_from([*BOUNDS, '"2026-10-04"', '"2026/10/04 12:30"', "-1d", "-5w"])
    # Half the keys named are those the writes touched, where a stale index would show.
    key = st.sampled_from(touched or keys) | st.sampled_from(keys)
    some = st.lists(key, min_size=1, max_size=3).map(", ".join)
    return st.one_of(
        key.map(lambda k: f"parent = {k}"),
        some.map(lambda ks: f"parent in ({ks})"),
        some.map(lambda ks: f"parent in ({ks}, EMPTY)"),
        some.map(lambda ks: f'"Epic Link" in ({ks})'),
        key.map(lambda k: f"key = {k}"),
        some.map(lambda ks: f"key in ({ks})"),
        some.map(lambda ks: f"issuekey not in ({ks})"),
        key.map(lambda k: f"key > {k}"),
        st.sampled_from(["PAY", "MOB", "Payments", "pay"]).map(lambda p: f"project = {p}"),
        st.just("project in (PAY, MOB)"),
        st.sampled_from(TYPES).map(lambda t: f'issuetype = "{t}"'),
        st.just("issuetype in (Story, Bug)"),
        st.just("parent is EMPTY"),
        st.just("labels = a"),
        st.just("status = Done"),
        st.tuples(st.sampled_from(["<", "<=", ">", ">="]), when)
        .map(" ".join)
        .map(lambda compared: f"updated {compared}"),
        st.tuples(when, when).map(lambda ab: f"updated >= {ab[0]} AND updated < {ab[1]}"),
    )


ORDERS = ("", " ORDER BY key ASC", " ORDER BY key DESC", " ORDER BY updated DESC, key ASC")


def queries(keys: list[str], touched: list[str]) -> st.SearchStrategy[str]:
    conditions = st.recursive(
        clauses(keys, touched),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
                lambda t: f"({t[0]}) {t[1]} ({t[2]})"
            ),
            inner.map(lambda q: f"NOT ({q})"),
        ),
        max_leaves=4,
    )
    return st.tuples(conditions, st.sampled_from(ORDERS)).map("".join)


WRITES = st.lists(
    st.tuples(st.sampled_from(["edit", "touch", "create", "delete", "move"]), st.integers(0, 99)),
    max_size=5,
)


def write(state: JiraState, kind: str, pick: int) -> list[str]:
    """Make one write; return the keys it touched (as they are now, or were if deleted)."""
    keys = sorted(r.key for r in state.all_issues())
    if not keys:
        return []
    key = keys[pick % len(keys)]
    other = keys[(pick // 3) % len(keys)]
    if kind == "edit":
        parent = None if other == key or pick % 4 == 0 else other
        state.update_issue(key, parent=parent, type=TYPES[pick % len(TYPES)], labels=["b"])
        return [key, other]
    if kind == "touch":  # an edit that sets `updated` to one of the stamps (a tie, maybe)
        state.update_issue(key, updated=STAMPS[pick % len(STAMPS)], summary=f"Touched {pick}")
        return [key]
    if kind == "create":
        new = state.add_issue({"project": "MOB", "type": "Story", "status": "To Do", "parent": key})
        return [key, new]
    if kind == "delete":
        state.delete_issue(key)
        return [key]
    return [state.move_issue(key, "MOB" if key.startswith("PAY") else "PAY")]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_indexed_searches_answer_as_a_scan_of_every_issue(data: st.DataObject) -> None:
    state = state_of(data.draw(datasets()))
    touched = [key for kind, pick in data.draw(WRITES) for key in write(state, kind, pick)]
    keys = [*sorted(r.key for r in state.all_issues()), "PAY-99"]
    # Every index asked about each key the writes touched, then random queries.
    around = [
        f"{field} in ({key})" for key in touched for field in ("parent", '"Epic Link"', "key")
    ] + ["project = PAY", "project = MOB", "issuetype = Epic", "issuetype = Story"]
    # Several tables at once, named against key order, and in key order.
    listed = ", ".join(keys[-2::-1])
    around += [f"parent in ({listed})", f'"Epic Link" in ({listed})', f"key in ({listed})"]
    around += ["project in (MOB, PAY)", "issuetype in (Story, Epic, Bug, Sub-task)"]
    # Every bound on each side of every `updated` range, alone, paired and with a table.
    around += [f"updated {op} {ms}" for op in ("<", "<=", ">", ">=") for ms in BOUNDS]
    around += [
        f"{scope}updated {low} {a} AND updated {high} {b}"
        for a in BOUNDS
        for b in BOUNDS
        for low, high in ((">=", "<"), (">", ">="), ("<=", "<"))
        for scope in ("", "project = PAY AND ")
    ]
    # A table narrowed by fewer issues (a range, keys), which asks it about those alone.
    around += [
        f"{scope} AND updated {op} {ms}"
        for scope in (f"parent in ({listed})", f'"Epic Link" in ({listed})', "issuetype = Story")
        for op in (">=", "<")
        for ms in BOUNDS
    ]
    around += [f"project = MOB AND issuetype in (Story, Bug) AND key in ({listed})"]
    for jql in around + data.draw(st.lists(queries(keys, touched), min_size=1, max_size=4)):
        assert outcome(indexed, state, jql) == outcome(scanned, state, jql), jql


@pytest.fixture
def state() -> JiraState:
    return state_of(copy.deepcopy(DATA))


@pytest.mark.parametrize(
    ("jql", "candidates"),
    [
        ("parent = PAY-1", {"PAY-2", "PAY-10"}),
        ("parent in (PAY-1, MOB-1)", {"PAY-2", "PAY-10", "MOB-2"}),
        ("key in (PAY-3, 10004)", {"PAY-3", "MOB-1"}),
        ("project = MOB", {"MOB-1", "MOB-2"}),
        ("issuetype = epic", {"PAY-1", "PAY-3", "MOB-1"}),
        ("project = PAY AND issuetype = Epic", {"PAY-1", "PAY-3"}),
        ("parent = PAY-1 OR key = MOB-2", {"PAY-2", "PAY-10", "MOB-2"}),
        ("project = PAY AND labels = backend", {"PAY-1", "PAY-2", "PAY-3", "PAY-10"}),
        ("labels = backend", None),  # no index: every issue is looked at
        ("parent = PAY-1 OR labels = backend", None),
        ("NOT project = PAY", None),
        ("parent in (PAY-1, EMPTY)", None),
    ],
)
def test_indexable_clauses_narrow_the_search_to_candidates(
    state: JiraState, jql: str, candidates: set[str] | None
) -> None:
    found = compile_query(jql, state).candidates
    assert (found if found is None else set(found)) == candidates


def test_the_indexes_follow_moves_and_deletes(state: JiraState) -> None:
    new_key = state.move_issue("PAY-1", "MOB")
    assert new_key == "MOB-3"
    assert list(compile_query("parent = MOB-3", state).candidates or ()) == ["PAY-2", "PAY-10"]
    assert list(compile_query("project = MOB", state).candidates or ()) == [
        "MOB-1",
        "MOB-2",
        "MOB-3",
    ]
    state.delete_issue("MOB-3")
    assert [r.key for r in state.search("project = PAY AND parent is EMPTY")] == [
        "PAY-2",
        "PAY-3",
        "PAY-10",
    ]
    assert list(compile_query("project = MOB", state).candidates or ()) == ["MOB-1", "MOB-2"]
