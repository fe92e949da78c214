"""`outcomes check`: evaluate the store (what the last sync wrote) and list the findings.

No Jira access and no run lock: it only reads (its run is recorded, for `outcomes status`, without
taking the lock). A table for people (with each finding's hint, and `+` for one that is new since
the last run's snapshot), or JSON for CI; it exits 1 when a finding at or above `--fail-on` exists.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from rules.model import Severity
from rules.results import Evaluation
from service.check_json import SEVERITIES, portfolio_json
from service.cli_options import as_of_option, config_option, now, settings_for, today
from service.deployment import Deployment
from service.stages import StageOptions
from service.terminal import echo


@click.command()
@config_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse exists.",
)
def check(config_path: Path, as_of: datetime | None, as_json: bool, fail_on: str) -> None:
    """Evaluate the store (what the last sync wrote) and list the findings; no Jira access."""
    # Recorded for `outcomes status`, without the run lock: a check only reads, and one while a
    # sync runs is common (it sees the store as the last commit left it).
    with Deployment(settings_for(config_path)) as deployment:
        record = deployment.run(
            ["check"],
            now=now(),
            as_of=today(as_of),
            asked=as_of is not None,
            options=StageOptions(read_only=True),
        )
    checked = record.stages["check"]
    reports = [
        (r.portfolio.id, r.portfolio.name, r.evaluation, checked.seen[r.portfolio.id])
        for r in checked.results
    ]
    if as_json:
        echo(json.dumps({"portfolios": [portfolio_json(*r) for r in reports]}, indent=2))
    else:
        for _, name, evaluation, seen in reports:
            _print_findings(name, evaluation, seen)
    threshold = Severity(fail_on).rank
    failing = any(f.severity.rank >= threshold for *_, e, _ in reports for f in e.findings)
    sys.exit(1 if failing else 0)


def _print_findings(name: str, evaluation: Evaluation, seen: set[tuple[str, str]] | None) -> None:
    findings = evaluation.findings
    counts = ", ".join(
        f"{n} {s}{'s' if n > 1 and s != 'info' else ''}"
        for s in reversed(SEVERITIES)
        if (n := sum(f.severity.value == s for f in findings))
    )
    new = [f for f in findings if seen is not None and (f.code, f.subject) not in seen]
    since = f"; {len(new)} new since the last run" if seen is not None else ""
    echo(
        f"{name} — {evaluation.cycle.id}, as of {evaluation.as_of}: "
        f"{len(findings)} findings ({counts or 'none'}){since}"
    )
    if not findings:
        return
    width = max(len(f.code) for f in findings)
    subject_width = max(len(f.subject) for f in findings)
    owners = {
        k.key_result.id: k.key_result.owner
        for o in evaluation.objectives
        for k in o.key_results
        if k.key_result.owner
    }
    for f in findings:
        mark = "+" if f in new else " "
        owner = f" (owner: {owners[f.subject]})" if f.subject in owners else ""
        echo(
            f"{mark} {f.severity.value:<7}  {f.code:<{width}}  {f.subject:<{subject_width}}  "
            f"{f.message}{owner}"
        )
        if f.hint:
            echo(f"  {'':<7}  {'':<{width}}  {'':<{subject_width}}  → {f.hint}")
