"""`outcomes publish`: render the Confluence pages from the store and publish them, or preview them.

It reads what the last sync wrote (no Jira access), evaluates as of `--as-of`, and publishes the
page tree. With `--dry-run DIR` it writes each page's storage XHTML and an HTML preview into DIR,
says which pages a publish would write (by the store's publish records), and touches no Confluence.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.publisher import recorded
from connector.store import history
from service import pipeline, publishing
from service.cli_options import as_of_option, config_option, now, say, settings_for, today
from service.cli_report import report_publish
from service.deployment import Deployment
from service.files import write_pages


@click.command()
@config_option
@as_of_option
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write each page's storage XHTML and an HTML preview into DIR; touch no Confluence.",
)
def publish(config_path: Path, as_of: datetime | None, dry_run: Path | None) -> None:
    """Publish the Confluence pages from the store (what the last sync wrote); no Jira access."""
    with Deployment(settings_for(config_path)) as deployment:
        if dry_run is not None:
            results = deployment.evaluate("publish", as_of=today(as_of), asked=as_of is not None)
            _write_dry_run(deployment, results, dry_run)
            sys.exit(0)
        record = deployment.run(["publish"], now=now(), as_of=today(as_of), asked=as_of is not None)
    report_publish(record.stages["publish"].published)
    sys.exit(record.exit_code)


def _write_dry_run(
    deployment: Deployment, results: list[pipeline.PortfolioResult], out: Path
) -> None:
    loaded, engine = deployment.loaded, deployment.engine
    stamp = now().strftime("%Y-%m-%d %H:%M")
    for result in results:
        folder = out / result.portfolio.id
        write_pages(folder, result.pages, jira_url=loaded.settings.jira.url, stamp=stamp)
        plan = _plan(engine, result)
        say(
            f"Dry run for {result.portfolio.name}: {len(result.pages)} pages in"
            f" {folder / 'storage'}, preview at {folder / 'preview' / 'index.html'}"
        )
        say("  a publish would write: " + ", ".join(f"{n} {what}" for what, n in plan.items()))
    say("Confluence was not touched.")


def _plan(engine: Engine, result: pipeline.PortfolioResult) -> dict[str, int]:
    """What a publish would do, as far as the store knows (a person's edit shows only then)."""
    plan = {"new": 0, "changed": 0, "unchanged": 0}
    with Session(engine) as session:
        for page in result.pages:
            record = history.publish_record(session, result.portfolio.id, page.key)
            if record is None:
                plan["new"] += 1
            elif recorded(record.body_hash, page.body) and record.title == page.title:
                plan["unchanged"] += 1
            else:
                plan["changed"] += 1
    stale = len(publishing.stale_pages(engine, result))
    if stale:
        plan["marked no longer reported"] = stale
    return plan
