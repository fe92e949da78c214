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

from service.cli_options import as_of_option, config_option, now, say, settings_for, today
from service.cli_report import report_publish
from service.deployment import Deployment
from service.files import write_pages
from service.review import review_pages


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
    with Deployment(settings_for(config_path)) as deployment:
        if dry_run is not None:
            _dry_run(deployment, today(as_of), as_of is not None, dry_run)
            sys.exit(0)
        record = deployment.run(["review"], now=now(), as_of=today(as_of), asked=as_of is not None)
    report_publish(record.stages["review"].published)
    sys.exit(record.exit_code)


def _dry_run(deployment: Deployment, as_of: date, asked: bool, out: Path) -> None:
    results = deployment.evaluate("review", as_of=as_of, asked=asked, pages=False)
    loaded = deployment.loaded
    stamp = now().strftime("%Y-%m-%d %H:%M")
    for result, page in review_pages(loaded, deployment.engine, results):
        folder = out / result.portfolio.id
        write_pages(folder, [page], jira_url=loaded.settings.jira.url, stamp=stamp)
        say(f"Dry run: {page.title}: {folder / 'preview' / 'index.html'}")
    say("Confluence was not touched.")


COMMANDS = (review,)  # registered by service.cli
