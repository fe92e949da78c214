"""A real site's shape, end to end on both stores: Jira in Sydney (+1000 until 4 October 2026,
+1100 after) and Data Center epics with several components.

As of 2026-11-15; the sync runs at 2026-11-14 18:00 UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store import decisions as decision_store
from connector.store.db import open_store
from rules.model import ApprovalState, DecisionOrigin
from service import exporting, pipeline
from service.cli import cli
from service.settings import LoadedSettings, load_settings
from tests.postgres import scratch_database

PAT = "dc-personal-access-token"
AS_OF = date(2026, 11, 15)
SYNCED = datetime(2026, 11, 14, 18, 0, tzinfo=UTC)


def epic(key: str, updated: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": "Epic",
        "summary": extra.pop("summary", f"Work {key}"),
        "status": "In Progress",
        "labels": extra.pop("labels", ["okr:P1.KR1"]),
        "created": "2026-10-02T09:00:00Z",
        "updated": updated,
        **extra,
    }


SITE: dict[str, Any] = {
    "auth": [{"user": "dc-user", "token": PAT}],
    "jira": {
        "deployment": "Server",
        "timezone": "Australia/Sydney",
        "fields": [{"id": "customfield_10100", "name": "Epic Link", "type": "epiclink"}],
        "projects": [{"key": "PAY", "name": "Payments"}],
        "issues": [
            # Jira answers 2026-10-04T01:00:00.000+1000: before the change to summer time.
            epic("PAY-1", "2026-10-03T15:00:00Z", components=["CI/CD", "Mobile"]),
            # Jira answers 2026-10-04T07:00:00.000+1100: after it.
            epic("PAY-2", "2026-10-03T20:00:00Z", components=["Payments"]),
            # A leader's approval label, set at 2026-11-12T08:00:26.859+1100 in Sydney.
            epic(
                "PAY-3",
                "2026-11-11T21:00:26.859Z",
                labels=["okr:P1.KR1", "okr-approved"],
                components=["Mobile", "Payments"],
            ),
        ],
    },
}

CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
    "teams": [
        {"id": "platform", "name": "Platform", "projects": ["PLT"], "aliases": ["CI/CD"]},
        {"id": "mobile", "name": "Mobile", "projects": ["MOB"]},
        {"id": "payments", "name": "Payments", "projects": ["PAY"]},
    ],
    "objectives": [
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Effortless payments",
            "key_results": [
                {"id": "P1.KR1", "title": "Instant", "start": 0, "target": 100, "current": 50}
            ],
        }
    ],
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outcomes.db'}"
        return
    with scratch_database() as url:
        yield url


def settings(folder: Path, url: str, store: str, zone: str | None = None) -> LoadedSettings:
    (folder / "okrs.yaml").write_text(yaml.safe_dump(CATALOGUE))
    data = {
        "version": 1,
        "jira": {"url": url, "auth": {"token": PAT}, "timeout": 10},
        "portfolios": [
            {"id": "retail", "name": "Retail", "epics_jql": "project = PAY AND issuetype = Epic"}
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        "teams": {"source": "component"},
        "store": {"url": store},
        **({"schedule": {"timezone": zone}} if zone else {}),
    }
    (folder / "outcomes.yaml").write_text(yaml.safe_dump(data))
    return load_settings(folder / "outcomes.yaml")


@pytest.mark.e2e
def test_a_sydney_data_center_site_end_to_end(tmp_path: Path, store: str) -> None:
    with Sandbox(SITE) as sandbox:
        loaded = settings(tmp_path, sandbox.url, store)
        engine = open_store(loaded.store_url())
        try:
            pipeline.sync(loaded, engine, now=SYNCED)
            catalogue = pipeline.load_catalogue(loaded, engine)
            results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=AS_OF, pages=False)
            exporting.export(loaded, catalogue, results, target=str(tmp_path / "review.xlsx"))
            with Session(engine) as session:
                trail = decision_store.decisions(session, "PAY-3")
        finally:
            engine.dispose()
    # The approval label is dated by the epic's last update, the same instant in UTC.
    assert [(d.state, d.origin, d.at) for d in trail] == [
        (
            ApprovalState.APPROVED,
            DecisionOrigin.JIRA,
            datetime(2026, 11, 11, 21, 0, 26, 859000, tzinfo=UTC),
        )
    ]
    (result,) = results
    evaluation = result.evaluation
    assert {e.epic.key: e.team for e in evaluation.epics} == {
        "PAY-1": "platform",  # CI/CD and Mobile: neither is PAY's team; Platform comes first
        "PAY-2": "payments",
        "PAY-3": "payments",  # Mobile and Payments: the project's team counts
    }
    ambiguous = {f.subject: f.message for f in evaluation.findings if f.code == "AMBIGUOUS_TEAM"}
    assert ambiguous == {
        "PAY-1": "PAY-1 “Work PAY-1” names the teams Platform and Mobile; it is counted under "
        "Platform",
        "PAY-3": "PAY-3 “Work PAY-3” names the teams Payments and Mobile; it is counted under "
        "Payments",
    }
    assert updated_column(tmp_path / "review.xlsx") == (
        "Updated (UTC)",
        {
            "PAY-1": "2026-10-03 15:00:00",
            "PAY-2": "2026-10-03 20:00:00",
            "PAY-3": "2026-11-11 21:00:26",
        },
    )


def updated_column(workbook: Path) -> tuple[str, dict[str, str]]:
    """The Epics sheet's "Updated (<zone>)" header, and each epic's time in it, to the second."""
    sheet = load_workbook(workbook)["Epics"]
    header = [str(c.value) for c in sheet[1]]
    column = next(i for i, name in enumerate(header) if name.startswith("Updated"))
    times = {
        str(row[0].value): row[column].value.strftime("%Y-%m-%d %H:%M:%S")
        for row in sheet.iter_rows(min_row=2)
    }
    return header[column], times


@pytest.mark.e2e
def test_reports_show_times_in_the_schedule_s_zone_and_say_so(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'outcomes.db'}"
    with Sandbox(SITE) as sandbox:
        loaded = settings(tmp_path, sandbox.url, store, zone="Australia/Sydney")
        engine = open_store(loaded.store_url())
        try:
            pipeline.sync(loaded, engine, now=SYNCED)
            catalogue = pipeline.load_catalogue(loaded, engine)
            results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=AS_OF, pages=False)
            exporting.export(loaded, catalogue, results, target=str(tmp_path / "review.xlsx"))
        finally:
            engine.dispose()
    # Sydney's clock: +1000 before 4 October, +1100 after.
    assert updated_column(tmp_path / "review.xlsx") == (
        "Updated (Australia/Sydney)",
        {
            "PAY-1": "2026-10-04 01:00:00",
            "PAY-2": "2026-10-04 07:00:00",
            "PAY-3": "2026-11-12 08:00:26",
        },
    )
    config = str(tmp_path / "outcomes.yaml")
    trail = CliRunner().invoke(cli, ["decisions", "PAY-3", "--json", "--config", config])
    assert [row["at"] for row in json.loads(trail.stdout)] == ["2026-11-12T08:00:26+11:00"]
    text = CliRunner().invoke(cli, ["decisions", "PAY-3", "--config", config])
    assert text.stdout.splitlines()[:2] == [
        "Times in Australia/Sydney.",
        # The label came with the epic, so no change in its changelog names a person: the
        # decision is dated by the epic's update and says why it has no name.
        "2026-11-12 08:00  PAY-3 → P1.KR1  approved  by Jira (jira: Jira label, no matching"
        " change in the changelog) — label okr-approved",
    ]


@pytest.mark.e2e
def test_dates_taken_from_jira_okr_issues_are_utc_days(tmp_path: Path) -> None:
    from tests.e2e import test_alignment_jira as jira_okrs_case

    site = jira_okrs_case.dataset("string", None)
    site["jira"]["timezone"] = "Australia/Sydney"
    for issue in site["jira"]["issues"]:
        if issue["key"] in ("OKR-2", "OKR-4"):
            # Jira answers 2026-11-12T08:00:00.000+1100: still 11 November in UTC.
            issue["updated"] = "2026-11-11T21:00:00Z"
    catalogue = jira_okrs_case.CATALOGUE
    with Sandbox(site) as sandbox:
        loaded = jira_okrs_case.settings_file(
            tmp_path,
            sandbox.url,
            okrs={"version": 1, "cycles": catalogue["cycles"], "teams": catalogue["teams"]},
            catalogue={"files": ["okrs.yaml"], "jira": {"jql": "project = OKR"}},
        )
        evaluation = jira_okrs_case.sync_and_evaluate(loaded)
    objectives = {o.objective.id: o.objective for o in evaluation.objectives}
    okr2 = next(k for k in objectives["OKR-1"].key_results if k.id == "OKR-2")
    assert okr2.current_on == date(2026, 11, 11)
    approval = objectives["OKR-4"].approval
    assert approval is not None and approval.at == date(2026, 11, 11)
