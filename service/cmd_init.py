"""`outcomes init`: start a deployment from the commented example settings and catalogue."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from rules.errors import UserError

FILES = ("outcomes.yaml", "okrs.yaml")


@click.command()
@click.argument(
    "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
def init(folder: Path) -> None:
    """Write a commented outcomes.yaml and okrs.yaml to FOLDER (default: here) to edit."""
    targets = [folder / name for name in FILES]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise UserError(f"{', '.join(existing)}: already there; nothing was written")
    folder.mkdir(parents=True, exist_ok=True)
    examples = resources.files("service.config.examples")
    for name, target in zip(FILES, targets, strict=True):
        target.write_text(examples.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
        click.echo(f"Wrote {target}")
    click.echo(
        f"Next: edit {targets[0]} (Jira, Confluence, portfolios) and {targets[1]} (your OKRs),"
        f" export the tokens it names, then run `outcomes doctor --config {targets[0]}`."
    )
    sys.exit(0)
