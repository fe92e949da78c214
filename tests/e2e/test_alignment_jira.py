"""Every way teams tag epics, OKRs kept as Jira issues, and key results measured from Jira: through
the real `jira` client against the sandbox, then evaluated from the store.

As of 2026-11-15, 46 of the 92 days of 2026-Q4 have passed: expected score 0.5.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from jira import JIRA
from sqlalchemy.orm import Session

from connector import jira_okrs
from connector.jira_source import JiraCredentials, JiraSource
from connector.sandbox import Sandbox
from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from connector.store.db import open_store
from rules.errors import UserError
from rules.model import ApprovalState, ClaimSource, DecisionOrigin
from rules.results import Evaluation
from service import pipeline
from service.evaluating import evaluate_portfolio
from service.settings import LoadedSettings, load_settings

USER, TOKEN = "lead@example.com", "jira-token"
AS_OF = date(2026, 11, 15)
SYNCED = datetime(2026, 11, 14, 18, 0, tzinfo=UTC)
KEY_RESULT, APPROVAL = "customfield_10100", "customfield_10101"
CYCLE, TEAM, START, TARGET, CURRENT = (f"customfield_1020{i}" for i in range(5))


def issue(key: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": type_,
        "summary": extra.pop("summary", f"Work {key}"),
        "status": extra.pop("status", "In Progress"),
        "labels": extra.pop("labels", []),
        "created": "2026-10-02T09:00:00Z",
        "updated": "2026-11-10T10:00:00Z",
        **extra,
    }


def dataset(field_type: str, claim_value: Any) -> dict[str, Any]:
    number = {"type": "number"}
    return {
        "auth": [{"user": USER, "token": TOKEN}],
        "jira": {
            "deployment": "Cloud",
            "fields": [
                {"id": "customfield_10016", "name": "Story Points", **number},
                {"id": KEY_RESULT, "name": "Key Result", "type": field_type},
                {"id": APPROVAL, "name": "OKR approval", "type": "option"},
                {"id": CYCLE, "name": "Cycle", "type": "option"},
                {"id": TEAM, "name": "Team", "type": "option"},
                {"id": START, "name": "Start value", **number},
                {"id": TARGET, "name": "Target value", **number},
                {"id": CURRENT, "name": "Current value", **number},
            ],
            "link_types": [
                {"name": "Supports", "inward": "is supported by", "outward": "supports"},
                {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
            ],
            "projects": [
                {"key": "PAY", "name": "Payments"},
                {"key": "OKR", "name": "Objectives"},
                {"key": "OPS", "name": "Operations"},
            ],
            "issues": [
                issue(
                    "OKR-1", "Objective", summary="Effortless payments", fields={CYCLE: "2026-Q4"}
                ),
                issue(
                    "OKR-2",
                    "Key Result",
                    parent="OKR-1",
                    summary="Instant payments",
                    # 0 -> 100, now 60: score 0.6
                    fields={START: 0, TARGET: 100, CURRENT: 60},
                ),
                issue(
                    "OKR-3",
                    "Key Result",
                    parent="OKR-1",
                    summary="Transfer time",
                    fields={START: 40, TARGET: 10, CURRENT: 34},  # score 0.2
                ),
                issue(
                    "OKR-4",
                    "Objective",
                    summary="Fewer failed payments",
                    labels=["okr-approved"],
                    fields={CYCLE: "2026-Q4", TEAM: "payments"},
                    links=[{"type": "Supports", "to": "OKR-2"}],
                ),
                issue("PAY-1", "Epic", labels=["okr:P1.KR1"]),
                issue("PAY-2", "Epic", fields={KEY_RESULT: claim_value}),
                issue("PAY-3", "Epic", links=[{"type": "Supports", "to": "OKR-3"}]),
                issue("PAY-4", "Epic", parent="OKR-1"),
                issue(
                    "PAY-5",
                    "Epic",
                    labels=["okr:P1.KR1"],
                    links=[{"type": "Supports", "to": "OKR-3"}],
                ),
                issue("PAY-6", "Epic", links=[{"type": "Blocks", "to": "PAY-1"}]),
                issue("PAY-7", "Epic", labels=["okr:P1.KR2"], fields={APPROVAL: "Approved"}),
                issue(
                    "PAY-8", "Story", parent="PAY-1", status="Done", fields={"customfield_10016": 3}
                ),
                # Open incidents: two Highest ones still open, one closed, one Low
                issue("OPS-1", "Incident", priority="Highest"),
                issue("OPS-2", "Incident", priority="Highest", status="To Do"),
                issue("OPS-3", "Incident", priority="Highest", status="Done"),
                issue("OPS-4", "Incident", priority="Low"),
            ],
        },
        "confluence": {"spaces": [], "pages": []},
    }


CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
    "objectives": [
        {
            "id": "P1",
            "jira": "OKR-1",
            "cycle": "2026-Q4",
            "title": "Effortless payments",
            "key_results": [
                {"id": "P1.KR1", "jira": "OKR-2", "title": "Instant", "start": 0, "target": 100},
                {"id": "P1.KR2", "jira": "OKR-3", "title": "Transfer", "start": 40, "target": 10},
            ],
        },
        {
            "id": "P2",
            "cycle": "2026-Q4",
            "title": "Accounts",
            "key_results": [
                {
                    "id": "P2.KR1",
                    "title": "Accounts opened",
                    "start": 0,
                    "target": 10,
                    "current": 5,
                },
                # 5 open P1 incidents at the start, 1 is the target; counted at sync time
                {
                    "id": "P2.KR2",
                    "title": "Open P1 incidents",
                    "start": 5,
                    "target": 1,
                    "measure": {
                        "jql": "project = OPS AND priority = Highest AND statusCategory != Done"
                    },
                },
            ],
        },
    ],
}


def settings_file(folder: Path, url: str, **extra: Any) -> LoadedSettings:
    (folder / "okrs.yaml").write_text(yaml.safe_dump(extra.pop("okrs", CATALOGUE)))
    settings = {
        "version": 1,
        "jira": {"url": url, "auth": {"email": USER, "token": TOKEN}, "timeout": 10},
        "portfolios": [
            {"id": "retail", "name": "Retail", "epics_jql": "project = PAY AND issuetype = Epic"}
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        "claims": {
            "labels": {"prefix": "okr:"},
            "field": {"name": "Key Result"},
            "links": {"type": "Supports"},
            "parent": True,
        },
        "approval": {"jira_field": "OKR approval"},
        **extra,
    }
    (folder / "outcomes.yaml").write_text(yaml.safe_dump(settings))
    return load_settings(folder / "outcomes.yaml")


def sync_and_evaluate(loaded: LoadedSettings) -> Evaluation:
    engine = open_store(loaded.store_url())
    try:
        pipeline.sync(loaded, engine, now=SYNCED)
        catalogue = pipeline.load_catalogue(loaded, engine)
        with Session(engine) as session:
            return evaluate_portfolio(loaded, session, catalogue, "retail", as_of=AS_OF)
    finally:
        engine.dispose()


def claims_of(evaluation: Evaluation) -> dict[str, list[tuple[str, ClaimSource]]]:
    return {e.epic.key: [(c.okr_id, c.source) for c in e.claims] for e in evaluation.epics}


LABEL, FIELD, LINK, PARENT = (
    ClaimSource.LABEL,
    ClaimSource.FIELD,
    ClaimSource.LINK,
    ClaimSource.PARENT,
)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("field_type", "value", "pay2"),
    [
        ("array(option)", ["P1.KR2", "p2.kr1"], [("P1.KR2", FIELD), ("P2.KR1", FIELD)]),
        ("option", "P2.KR1 Accounts opened", [("P2.KR1", FIELD)]),  # an id with its title
        ("string", "P1.KR2, P2.KR1", [("P1.KR2", FIELD), ("P2.KR1", FIELD)]),
    ],
)
def test_claims_from_labels_field_links_and_parent(
    tmp_path: Path, field_type: str, value: Any, pay2: list[tuple[str, ClaimSource]]
) -> None:
    with Sandbox(dataset(field_type, value)) as sandbox:
        evaluation = sync_and_evaluate(settings_file(tmp_path, sandbox.url))
        searched = [r for r in sandbox.requests if r.path.endswith("/search/jql")]
    assert claims_of(evaluation) == {
        "PAY-1": [("P1.KR1", LABEL)],
        "PAY-2": pay2,
        "PAY-3": [("P1.KR2", LINK)],  # OKR-3 holds P1.KR2
        "PAY-4": [("P1", PARENT)],  # its parent OKR-1 holds P1
        "PAY-5": [("P1.KR1", LABEL), ("P1.KR2", LINK)],  # two sources disagree: both count
        "PAY-6": [],  # a Blocks link is no claim
        "PAY-7": [("P1.KR2", LABEL)],
    }
    unaligned = [f.subject for f in evaluation.findings if f.code == "UNALIGNED_EPIC"]
    assert unaligned == ["PAY-6"]
    assert searched, "the sync went through enhanced search"


@pytest.mark.e2e
def test_a_leader_s_approval_field_in_jira_is_recorded_and_counts(tmp_path: Path) -> None:
    with Sandbox(dataset("string", None)) as sandbox:
        loaded = settings_file(tmp_path, sandbox.url)
        evaluation = sync_and_evaluate(loaded)
    pay7 = next(e for e in evaluation.epics if e.epic.key == "PAY-7")
    assert [(c.okr_id, c.state) for c in pay7.claims] == [("P1.KR2", ApprovalState.APPROVED)]
    awaiting = sorted(f.subject for f in evaluation.findings if f.code == "AWAITING_APPROVAL")
    assert awaiting == ["PAY-1", "PAY-3", "PAY-4", "PAY-5"]
    engine = open_store(loaded.store_url())
    with Session(engine) as session:
        trail = decision_store.decisions(session, "PAY-7")
    engine.dispose()
    assert [(d.okr_id, d.state, d.origin, d.why) for d in trail] == [
        ("P1.KR2", ApprovalState.APPROVED, DecisionOrigin.JIRA, "approval field says 'Approved'")
    ]
    # Dated by the epic's last update, not by the sync.
    assert trail[0].at == datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


@pytest.mark.e2e
def test_a_jql_count_measures_a_key_result_at_sync_time(tmp_path: Path) -> None:
    with Sandbox(dataset("string", None)) as sandbox:
        loaded = settings_file(tmp_path, sandbox.url)
        evaluation = sync_and_evaluate(loaded)
        counted = [r for r in sandbox.requests if r.path.endswith("/search/approximate-count")]
        engine = open_store(loaded.store_url())
        try:
            pipeline.sync(loaded, engine, now=SYNCED)  # the same day again: still one measurement
            with Session(engine) as session:
                assert len(checkin_store.checkins(session, "P2.KR2")["P2.KR2"]) == 1
        finally:
            engine.dispose()
    assert len(counted) == 1
    kr = next(
        k for o in evaluation.objectives for k in o.key_results if k.key_result.id == "P2.KR2"
    )
    # Two open Highest incidents (OPS-1, OPS-2): (2 - 5) / (1 - 5) = 0.75
    assert (kr.key_result.current, kr.score) == (2.0, 0.75)
    assert kr.last_checkin is not None
    assert (kr.last_checkin.on, kr.last_checkin.source) == (date(2026, 11, 14), "jql")


@pytest.mark.e2e
def test_a_numeric_field_measures_a_key_result(tmp_path: Path) -> None:
    catalogue = copy.deepcopy(CATALOGUE)
    # P1.KR1 lives in OKR-2, whose "Current value" is 60
    catalogue["objectives"][0]["key_results"][0]["measure"] = {"field": "Current value"}
    with Sandbox(dataset("string", None)) as sandbox:
        evaluation = sync_and_evaluate(settings_file(tmp_path, sandbox.url, okrs=catalogue))
    kr = evaluation.objectives[0].key_results[0]
    assert (kr.key_result.id, kr.key_result.current, kr.score) == ("P1.KR1", 60.0, 0.6)
    assert kr.last_checkin is not None and kr.last_checkin.source == "jira-field"


@pytest.mark.e2e
def test_okrs_kept_as_jira_issues(tmp_path: Path) -> None:
    only_cycles = {"version": 1, "cycles": CATALOGUE["cycles"], "teams": CATALOGUE["teams"]}
    with Sandbox(dataset("string", None)) as sandbox:
        loaded = settings_file(
            tmp_path,
            sandbox.url,
            okrs=only_cycles,
            catalogue={"files": ["okrs.yaml"], "jira": {"jql": "project = OKR"}},
        )
        evaluation = sync_and_evaluate(loaded)
    objectives = {o.objective.id: o for o in evaluation.objectives}
    assert set(objectives) == {"OKR-1", "OKR-4"}
    okr1 = objectives["OKR-1"]
    assert okr1.objective.title == "Effortless payments"
    # OKR-2 0.6 and OKR-3 (40 -> 10, now 34) 0.2: mean 0.4
    assert [(k.key_result.id, k.score) for k in okr1.key_results] == [
        ("OKR-2", 0.6),
        ("OKR-3", pytest.approx(0.2)),
    ]
    assert okr1.score == pytest.approx(0.4)
    assert okr1.supported_by == ("OKR-4",)  # linked with Supports, approved by its label
    team = objectives["OKR-4"]
    assert (team.objective.team, team.objective.supports) == ("payments", ("OKR-2",))
    assert team.objective.approval is not None
    assert team.objective.approval.state is ApprovalState.APPROVED
    # Epics linked to, or children of, OKR issues claim them by key.
    claims = claims_of(evaluation)
    assert claims["PAY-3"] == [("OKR-3", LINK)]
    assert claims["PAY-4"] == [("OKR-1", PARENT)]
    # A label naming a YAML id that is not there any more is an unknown OKR.
    assert ("UNKNOWN_OKR", "PAY-1") in {(f.code, f.subject) for f in evaluation.findings}


@pytest.mark.e2e
def test_an_unknown_claim_field_name_is_a_user_error(tmp_path: Path) -> None:
    with Sandbox(dataset("string", None)) as sandbox:
        loaded = settings_file(
            tmp_path,
            sandbox.url,
            claims={"field": {"name": "Key Results"}},
        )
        engine = open_store(loaded.store_url())
        try:
            with pytest.raises(UserError) as problem:
                pipeline.sync(loaded, engine, now=SYNCED)
        finally:
            engine.dispose()
    assert str(problem.value) == (
        f"{tmp_path / 'outcomes.yaml'}: claims.field.name: Jira has no field named "
        "'Key Results' (did you mean 'Key Result'?)"
    )


@pytest.mark.e2e
def test_a_jql_count_on_data_center_reads_the_search_total() -> None:
    data = dataset("string", None)
    data["jira"]["deployment"] = "Server"
    with Sandbox(data) as sandbox:
        source = JiraSource(JiraCredentials(sandbox.url, TOKEN, USER, timeout=10))
        jql = "project = OPS AND priority = Highest AND statusCategory != Done"
        assert jira_okrs.count(source, jql) == 2
        assert not [r for r in sandbox.requests if "approximate-count" in r.path]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("deployment", "bulk", "field"),
    [
        ("Cloud", True, "OKR approval"),
        ("Cloud", False, "OKR approval"),
        ("Server", False, "OKR approval"),
        ("Server", False, APPROVAL),  # the settings name the field by id; the changelog by name
    ],
    ids=["cloud-bulk", "cloud-one-by-one", "data-center", "data-center-field-id"],
)
def test_a_decision_in_jira_names_who_made_it_from_the_changelog(
    tmp_path: Path, deployment: str, bulk: bool, field: str
) -> None:
    data = dataset("string", None)
    data["jira"]["deployment"] = deployment
    with Sandbox(data) as sandbox:
        sandbox.jira.changelog_bulk = bulk  # without it, Cloud's changelogs are read one by one
        loaded = settings_file(tmp_path, sandbox.url, approval={"jira_field": field})
        sync_and_evaluate(loaded)
        # A leader in Sydney rejects PAY-1's claim on 12 November, 09:00 her time.
        sandbox.jira.update_issue(
            "PAY-1",
            by="Priya Raman",
            fields={APPROVAL: "Rejected"},
            updated="2026-11-12T09:00:00+11:00",
        )
        sandbox.jira.changelog_reads.clear()
        sync_and_evaluate(loaded)
        read = list(sandbox.jira.changelog_reads)
    engine = open_store(loaded.store_url())
    with Session(engine) as session:
        pay1 = decision_store.decisions(session, "PAY-1")
        pay7 = decision_store.decisions(session, "PAY-7")
    engine.dispose()
    assert [(d.state, d.by, d.at, d.origin_detail) for d in pay1] == [
        (
            ApprovalState.REJECTED,
            "Priya Raman",
            datetime(2026, 11, 11, 22, 0, tzinfo=UTC),
            None,
        )
    ]
    # Only the epic whose signal changed had its changelog read.
    assert read == ["PAY-1"]
    # PAY-7 came approved from the start: nothing in its changelog says who did it.
    assert [(d.by, d.origin_detail) for d in pay7] == [
        (None, "Jira field, no matching change in the changelog")
    ]


@pytest.mark.e2e
def test_a_leader_approving_with_her_own_account_is_named(tmp_path: Path) -> None:
    data = dataset("string", None)
    data["auth"].append({"user": "priya@example.com", "token": "p-token", "name": "Priya Raman"})
    with Sandbox(data) as sandbox:
        loaded = settings_file(tmp_path, sandbox.url)
        sync_and_evaluate(loaded)
        leader = JIRA(sandbox.url, basic_auth=("priya@example.com", "p-token"), max_retries=0)
        leader.issue("PAY-1").add_field_value("labels", "okr-approved")
        sync_and_evaluate(loaded)
    engine = open_store(loaded.store_url())
    with Session(engine) as session:
        (decision,) = decision_store.decisions(session, "PAY-1")
    engine.dispose()
    assert (decision.state, decision.by, decision.why, decision.origin_detail) == (
        ApprovalState.APPROVED,
        "Priya Raman",
        "label okr-approved",
        None,
    )
