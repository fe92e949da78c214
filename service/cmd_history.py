"""`outcomes history okrs [ID]`: how the OKRs changed, from the catalogue each run recorded.

Reads the store only (no Jira, no catalogue file): every day Outcomes evaluated keeps the catalogue
it read, and the changes are those between consecutive recorded days (rules.okr_changes).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.orm import Session

from connector.store.catalogue_days import catalogue_days
from rules.errors import UserError
from rules.okr_changes import about, okr_changes
from service.cli_options import config_option, settings_for
from service.deployment import Deployment
from service.okr_history import scope_of


@click.group()
def history() -> None:
    """What changed over time, from the store."""


@history.command()
@config_option
@click.argument("okr_id", metavar="[ID]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def okrs(config_path: Path, okr_id: str | None, as_json: bool) -> None:
    """How the OKRs changed: key results added or retired, a start or target moved, an
    objective's supports changed; for one objective (with its key results) or key result."""
    loaded = settings_for(config_path)
    with Deployment(loaded) as deployment, Session(deployment.engine) as session:
        days = catalogue_days(session, scope_of(p.id for p in loaded.settings.portfolios))
    changes = okr_changes(days)
    if okr_id is not None:
        wanted = okr_id.strip()
        if not any(_names(data, wanted) for _, data in days):
            raise UserError(f"ID: no objective or key result {wanted!r} in the recorded catalogues")
        changes = about(changes, wanted)
    if as_json:
        rows = [
            {
                "day": c.day.isoformat(),
                "objective": c.objective_id,
                "subject": c.subject,
                "kind": c.kind.value,
                "field": c.field,
                "before": c.before,
                "after": c.after,
                "change": c.describe(),
            }
            for c in changes
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not days:
        click.echo("No catalogue recorded yet: outcomes run and the scheduled check record one.")
        return
    if not changes:
        since = days[0][0].isoformat()
        click.echo(f"No changes to the OKRs since {since}, the first day recorded.")
        return
    width = max(len(c.subject) for c in changes)
    for c in changes:
        click.echo(f"{c.day.isoformat()}  {c.subject:<{width}}  {c.describe()}")


def _names(data: dict[str, object], okr_id: str) -> bool:
    objectives = data.get("objectives")
    if not isinstance(objectives, dict):
        return False
    wanted = okr_id.upper()
    for oid, objective in objectives.items():
        krs = objective.get("key_results") if isinstance(objective, dict) else None
        if oid.upper() == wanted or any(k.upper() == wanted for k in krs or {}):
            return True
    return False


COMMANDS = (history,)  # registered by service.cli
