"""`outcomes check --json`: one portfolio's findings and objectives as plain values for CI.

The objectives are as a snapshot keeps them (`rules.snapshots`); each finding says whether it is
new since the last run's snapshot, when there was one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rules.model import Severity
from rules.results import Evaluation
from rules.snapshots import decode_findings, encode, snapshot_of

SEVERITIES = [s.value for s in Severity]


def finding_keys(data: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The (code, subject) pairs of a stored snapshot's findings: what "new since" compares with
    (the rest of the snapshot is not read)."""
    return {(f.code, f.subject) for f in decode_findings(data.get("findings"))}


def portfolio_json(
    portfolio_id: str, name: str, evaluation: Evaluation, seen: set[tuple[str, str]] | None
) -> dict[str, Any]:
    counts = {s: sum(1 for f in evaluation.findings if f.severity.value == s) for s in SEVERITIES}
    return {
        "id": portfolio_id,
        "name": name,
        "cycle": evaluation.cycle.id,
        "as_of": evaluation.as_of.isoformat(),
        "counts": counts,
        "objectives": encode(snapshot_of(evaluation))["objectives"],
        "findings": finding_rows(evaluation, seen),
    }


def finding_rows(evaluation: Evaluation, seen: set[tuple[str, str]] | None) -> list[dict[str, Any]]:
    """Findings as plain rows; with `seen` (the last run's (code, subject) pairs), each says
    whether it is new since."""
    return [
        {
            "code": f.code,
            "severity": f.severity.value,
            "subject": f.subject,
            "team": f.team,
            "message": f.message,
            "hint": f.hint,
            **({"new": (f.code, f.subject) not in seen} if seen is not None else {}),
        }
        for f in evaluation.findings
    ]
