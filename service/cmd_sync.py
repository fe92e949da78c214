"""`outcomes sync` brings the store up to date with Jira; `outcomes doctor` checks the set-up."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from connector.store.db import open_store
from service import jobs, pipeline
from service.cli_options import config_option, now
from service.progress import ProgressLine
from service.settings import load_settings
from service.terminal import echo


@click.command()
@config_option
@click.option("--full", is_flag=True, help="Resync everything from scratch, not just changes.")
def sync(config_path: Path, full: bool) -> None:
    """Sync the portfolios' epics and their child issues from Jira into the store."""
    loaded = load_settings(config_path)
    loaded.settings.jira.auth.require()  # a missing secret, before the store is touched
    engine = open_store(loaded.store_url())
    started = now()
    progress = ProgressLine()
    try:
        with jobs.recorded_run(engine, "sync", started) as run:
            try:
                results = pipeline.sync(loaded, engine, now=started, full=full, progress=progress)
            finally:
                progress.done()
            run.counts.update(jobs.sync_counts(results))
    finally:
        engine.dispose()
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

    loaded = load_settings(config_path)

    def show(check: Check) -> None:
        mark = "ok  " if check.ok else "FAIL"
        echo(f"{mark} {check.subject}: {check.detail}")

    sys.exit(run_checks(loaded, show))
