"""`outcomes review`: publish the day's review page for each portfolio, from the store (no Jira).

The page is written once (service/review.py): a second run on the same day leaves it to the
meeting. With the page it keeps the day's snapshot, so the next review can say what changed.
`--dry-run DIR` writes the page's storage XHTML and an HTML preview and touches no Confluence.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy import Engine

from connector.store import runs
from rules.errors import UserError
from rules.model import Catalogue
from service import jobs, pipeline
from service.cli_options import as_of_option, config_option, now, say, today
from service.cli_report import report_publish
from service.cmd_publish import require_synced
from service.files import write_pages
from service.review import publish_reviews, review_pages
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
    help="Write the review page's storage XHTML and an HTML preview into DIR; touch no Confluence.",
)
def review(config_path: Path, as_of: datetime | None, dry_run: Path | None) -> None:
    """Publish the dated review page ("<portfolio> — Review DATE") under each overview page;
    once written, Outcomes never changes it (the meeting writes its decisions into it)."""
    loaded = load_settings(config_path)
    if dry_run is None and loaded.settings.confluence is None:
        raise UserError(f"{loaded.path}: confluence: not configured; add a confluence section")
    engine, catalogue = pipeline.open_with_catalogue(loaded, as_of=as_of.date() if as_of else None)
    try:
        require_synced(loaded, engine)
        if dry_run is not None:
            _dry_run(loaded, engine, catalogue, today(as_of), dry_run)
            sys.exit(0)
        code = _review(loaded, engine, catalogue, today(as_of))
    finally:
        engine.dispose()
    sys.exit(code)


def _review(loaded: LoadedSettings, engine: Engine, catalogue: Catalogue, as_of: date) -> int:

    started = now()
    with jobs.recorded_run(engine, "review", started) as run:
        results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=as_of, pages=False)
        published = publish_reviews(loaded, engine, results, now=started, run_id=run.run_id)
        run.counts.update(jobs.publish_counts(published))
        failed = report_publish(published)
        run.outcome = runs.PARTIAL if failed else runs.DONE
        run.message = jobs.publish_problems(published)
    return 1 if failed else 0


def _dry_run(
    loaded: LoadedSettings, engine: Engine, catalogue: Catalogue, as_of: date, out: Path
) -> None:
    results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=as_of, pages=False)
    stamp = now().strftime("%Y-%m-%d %H:%M")
    for result, page in review_pages(loaded, engine, results):
        folder = out / result.portfolio.id
        write_pages(folder, [page], jira_url=loaded.settings.jira.url, stamp=stamp)
        say(f"Dry run: {page.title}: {folder / 'preview' / 'index.html'}")
    say("Confluence was not touched.")


COMMANDS = (review,)  # registered by service.cli
