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

from service.cli_options import as_of_option, config_option, now, say, settings_for, today
from service.deployment import Deployment
from service.stages import StageOptions
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
    with Deployment(settings_for(config_path)) as deployment:
        record = deployment.run(
            ["export"],
            now=now(),
            as_of=today(as_of),
            asked=as_of is not None,
            # relative to the current folder
            options=StageOptions(workbook=str(xlsx) if xlsx is not None else None),
        )
    exported = record.stages["export"]
    written, results, problems = exported.written, exported.results, exported.problems
    for path, result in zip(written, results, strict=True):
        evaluation = result.evaluation
        say(
            f"Evaluated {result.portfolio.id} as of {evaluation.as_of.isoformat()}:"
            f" {len(evaluation.epics)} epics, {len(evaluation.unaligned())} not tied to an outcome"
        )
        echo(f"Workbook: {path}")
    for problem in problems:
        say(problem)
    sys.exit(record.exit_code)
