"""`outcomes export`: the review workbook from the store, without touching Jira.

It evaluates what the last sync put into the store (so it works while Jira is unreachable and
never competes with a running sync for Jira's rate limit) and writes each portfolio's workbook
atomically. Like the scheduled export it takes the run lock and records its run, so `outcomes
status` shows it, failures of any kind included.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.issues import sync_cursor
from rules.errors import UserError
from service import exporting, jobs, pipeline
from service.attach import attach_workbooks
from service.cli_options import as_of_option, config_option, now, say, today
from service.settings import load_settings
from service.terminal import echo


@click.command()
@config_option
@as_of_option
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the workbook here instead of excel.path; may use {portfolio}, {cycle}, {date}.",
)
def export(config_path: Path, as_of: datetime | None, xlsx: Path | None) -> None:
    """Write the Excel review workbook from the store (what the last sync fetched)."""
    loaded = load_settings(config_path)
    engine, catalogue = pipeline.open_with_catalogue(loaded, as_of=as_of.date() if as_of else None)
    started = now()
    try:
        with Session(engine) as session:
            never = [p.id for p in loaded.settings.portfolios if sync_cursor(session, p.id) is None]
        if never:
            raise UserError(  # worded as `outcomes check` says it
                f"{loaded.path}: portfolios: {', '.join(never)} never synced into the store; "
                "run `outcomes sync` first"
            )
        with jobs.recorded_run(engine, "export", started) as run:
            day = today(as_of)
            results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=day, pages=False)
            written = exporting.export(
                loaded,
                catalogue,
                results,
                target=str(xlsx) if xlsx is not None else None,  # relative to the current folder
                engine=engine,
                now=started,
            )
            run.counts["workbooks"] = len(written)
            pairs = [(r.portfolio.id, p) for r, p in zip(results, written, strict=True)]
            problems = attach_workbooks(loaded, engine, pairs)
            run.outcome = runs.PARTIAL if problems else runs.DONE
            run.message = "; ".join(problems) or None
    finally:
        engine.dispose()
    for path, result in zip(written, results, strict=True):
        evaluation = result.evaluation
        say(
            f"Evaluated {result.portfolio.id} as of {evaluation.as_of.isoformat()}:"
            f" {len(evaluation.epics)} epics, {len(evaluation.unaligned())} not tied to an outcome"
        )
        echo(f"Workbook: {path}")
    for problem in problems:
        say(problem)
    sys.exit(1 if problems else 0)
