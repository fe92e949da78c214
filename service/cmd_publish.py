"""`outcomes publish`: render the Confluence pages from the store and publish them, or preview them.

It reads what the last sync wrote (no Jira access), evaluates as of `--as-of`, and publishes the
page tree. With `--dry-run DIR` it writes each page's storage XHTML and an HTML preview into DIR,
says which pages a publish would write (by the store's publish records), and touches no Confluence.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.publisher import recorded
from connector.store import history, runs
from connector.store.issues import sync_cursor
from rules.errors import UserError
from rules.model import Catalogue
from service import jobs, pipeline, publishing
from service.cli_options import as_of_option, config_option, now, say, today
from service.cli_report import report_publish
from service.files import write_pages
from service.settings import LoadedSettings, load_settings


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
    loaded = load_settings(config_path)
    if dry_run is None and loaded.settings.confluence is None:
        raise UserError(f"{loaded.path}: confluence: not configured; add a confluence section")
    engine, catalogue = pipeline.open_with_catalogue(loaded, as_of=as_of.date() if as_of else None)
    try:
        require_synced(loaded, engine)
        if dry_run is not None:
            results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=today(as_of))
            _write_dry_run(loaded, engine, results, dry_run)
            sys.exit(0)
        code = _publish(loaded, engine, catalogue, today(as_of))
    finally:
        engine.dispose()
    sys.exit(code)


def _publish(loaded: LoadedSettings, engine: Engine, catalogue: Catalogue, as_of: date) -> int:

    started = now()
    with jobs.recorded_run(engine, "publish", started) as run:
        results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=as_of)
        published = publishing.publish(loaded, engine, results, now=started)
        run.counts.update(jobs.publish_counts(published))
        failed = report_publish(published)
        run.outcome = runs.PARTIAL if failed else runs.DONE
        run.message = jobs.publish_problems(published)
    return 1 if failed else 0


def require_synced(loaded: LoadedSettings, engine: Engine) -> None:
    with Session(engine) as session:
        for i, portfolio in enumerate(loaded.settings.portfolios):
            if sync_cursor(session, portfolio.id) is None:
                raise UserError(
                    f"{loaded.path}: portfolios[{i}].id: {portfolio.id!r} has not been synced"
                    " yet; run `outcomes sync` first (publish reads the store, not Jira)"
                )


def _write_dry_run(
    loaded: LoadedSettings, engine: Engine, results: list[pipeline.PortfolioResult], out: Path
) -> None:
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
