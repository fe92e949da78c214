"""Alignment settings: claim sources, approval, every finding's knobs -> the evaluation's Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.errors import UserError
from rules.finding_settings import FindingSettings
from rules.findings_forecast import ForecastSettings
from rules.findings_outcomes import ExemptSettings, OffPaceSettings, OutputSettings, StaleSettings
from rules.model import Severity
from rules.policy import Policy
from service.settings import load_settings

BASE: dict[str, Any] = {
    "version": 1,
    "jira": {"url": "https://acme.atlassian.net", "auth": {"email": "a@b.c", "token": "t"}},
    "portfolios": [{"id": "retail", "name": "Retail", "epics_jql": "project = PAY"}],
    "catalogue": {"files": ["okrs.yaml"]},
}


def load(tmp_path: Path, **extra: Any) -> Policy:
    path = tmp_path / "outcomes.yaml"
    path.write_text(yaml.safe_dump({**BASE, **extra}), encoding="utf-8")
    return load_settings(path, environ={}).settings.policy()


def problem(tmp_path: Path, **extra: Any) -> str:
    with pytest.raises(UserError) as caught:
        load(tmp_path, **extra)
    return str(caught.value).removeprefix(f"{tmp_path / 'outcomes.yaml'}: ")


def test_defaults(tmp_path: Path) -> None:
    assert load(tmp_path) == Policy()


def test_every_key(tmp_path: Path) -> None:
    policy = load(
        tmp_path,
        claims={
            "labels": {"pattern": "<id>@okr"},
            "field": {"name": "Key Result"},
            "links": {"type": "Supports"},
            "parent": True,
        },
        catalogue={
            "files": ["okrs.yaml"],
            "jira": {"jql": "project = OKR", "objective_type": "Goal", "key_result_type": "KR"},
        },
        exempt_labels=["ktlo"],
        approval={
            "required_for": ["epic_claims"],
            "jira_label": "approved",
            "jira_reject_label": None,
        },
        findings={
            "STALE_KR": {"days": 14},
            "OFF_PACE": {"include_at_risk": True, "severity": "error"},
            "OUTPUT_WITHOUT_OUTCOME": {"done_share": 0.8, "max_score": 0.1},
            "EXEMPT_OVER_BUDGET": {"max_share": 0.25, "teams": {"platform": 0.5}},
            "FORECAST_MISS": {"min_values": 5},
            "AWAITING_APPROVAL": {"enabled": False},
            "UNKNOWN_OKR": None,  # an empty entry keeps the defaults
        },
        status_bands={"on_track": 0.8, "at_risk": 0.5},
    )
    assert policy == Policy(
        label_prefix="",
        label_suffix="@okr",
        use_field=True,
        link_type="Supports",
        use_parent=True,
        okr_issue_types=("Goal", "KR"),
        exempt_labels=("ktlo",),
        approval_for=frozenset({"epic_claims"}),
        approval_label="approved",
        rejection_label=None,
        on_track=0.8,
        at_risk=0.5,
        findings={
            "STALE_KR": StaleSettings(days=14),
            "OFF_PACE": OffPaceSettings(include_at_risk=True, severity="error"),
            "OUTPUT_WITHOUT_OUTCOME": OutputSettings(done_share=0.8, max_score=0.1),
            "EXEMPT_OVER_BUDGET": ExemptSettings(max_share=0.25, teams={"platform": 0.5}),
            "FORECAST_MISS": ForecastSettings(min_values=5),
            "AWAITING_APPROVAL": FindingSettings(enabled=False),
            "UNKNOWN_OKR": FindingSettings(),
        },
    )
    # What the rules read of it.
    assert policy.disabled == {"AWAITING_APPROVAL"}
    assert policy.severity("OFF_PACE", Severity.WARNING) is Severity.ERROR
    assert policy.severity("STALE_KR", Severity.WARNING) is Severity.WARNING
    assert policy.finding("EXEMPT_OVER_BUDGET", ExemptSettings).allowed("platform") == 0.5
    assert policy.finding("EXEMPT_OVER_BUDGET", ExemptSettings).allowed("payments") == 0.25
    assert policy.finding("KR_WITHOUT_WORK", FindingSettings) == FindingSettings()
    assert Policy().finding("STALE_KR", StaleSettings).days == 21


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"findings": {"STALE_KR": {"days": 0}}},
            "findings.STALE_KR.days: must be at least 1, got 0",
        ),
        (
            {"findings": {"FORECAST_MISS": {"min_values": 2}}},
            "findings.FORECAST_MISS.min_values: must be at least 3, got 2",
        ),
        (
            {"findings": {"EXEMPT_OVER_BUDGET": {"teams": {"platform": 1.5}}}},
            "findings.EXEMPT_OVER_BUDGET.teams.platform: must be at most 1, got 1.5",
        ),
        (
            {"findings": {"OFF_PACE": {"severity": "fatal"}}},
            "findings.OFF_PACE.severity: expected one of info, warning, error, got 'fatal'",
        ),
        (
            {"findings": {"UNKNOWN_OKRS": {"enabled": False}}},
            "findings: unknown key 'UNKNOWN_OKRS' (did you mean 'UNKNOWN_OKR'?)",
        ),
        (
            {"claims": {"labels": {"pattern": "okr:"}}},
            "claims.labels.pattern: expected a label pattern with <id> once and some text, "
            "like okr:<id>, got 'okr:'",
        ),
        (
            {"approval": {"required_for": ["epics"]}},
            "approval.required_for[0]: expected one of team_objectives, epic_claims, got 'epics'",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    assert problem(tmp_path, **extra) == message


ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_every_finding_with_its_severity() -> None:
    from rules.findings import RULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        cells[0].strip("` "): cells[1].strip()
        for line in readme.splitlines()
        if line.startswith("| `") and len(cells := line.strip("|").split("|")) >= 3
    }
    assert {rule.code: rule.severity.value for rule in RULES} == {
        code: severity for code, severity in rows.items() if code.isupper()
    }


def test_the_example_catalogue_parses() -> None:
    from rules.catalogue import parse_catalogue

    data = yaml.safe_load((ROOT / "config" / "examples" / "okrs.yaml").read_text())
    catalogue = parse_catalogue(data, "okrs.yaml")
    assert [o.id for o in catalogue.objectives] == ["P1", "P2", "PAY-O1"]
    assert catalogue.key_results()[2].measure_jql is not None
