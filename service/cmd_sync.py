"""`outcomes sync` brings the store up to date with Jira; `outcomes doctor` checks the set-up."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from service.cli_options import config_option, now, settings_for
from service.deployment import Deployment
from service.progress import ProgressLine
from service.stages import StageOptions
from service.terminal import echo


@click.command()
@config_option
@click.option("--full", is_flag=True, help="Resync everything from scratch, not just changes.")
def sync(config_path: Path, full: bool) -> None:
    """Sync the portfolios' epics and their child issues from Jira into the store."""
    progress = ProgressLine()
    with Deployment(settings_for(config_path)) as deployment:
        try:
            record = deployment.run(
                ["sync"], now=now(), as_of=date.today(), options=StageOptions(full=full),
                progress=progress,
            )  # fmt: skip
        finally:
            progress.done()
    results = record.stages["sync"].synced
    for result in results:
        if result.note:
            click.echo(result.note)
        kind = "full" if result.full else "incremental"
        echo(
            f"Synced {result.portfolio_id} ({kind}): {result.epics} epics and"
            f" {result.children} child issues in scope; {result.fetched} read"
            + (f"; {result.removed} removed" if result.removed else "")
        )
    sys.exit(0)


@click.command()
@config_option
def doctor(config_path: Path) -> None:
    """Check the settings against Jira and Confluence, and say what to fix."""
    from service.doctor import Check, run_checks

    loaded = settings_for(config_path)

    def show(check: Check) -> None:
        mark = "ok  " if check.ok else "FAIL"
        echo(f"{mark} {check.subject}: {check.detail}")

    sys.exit(run_checks(loaded, show))
