"""The `outcomes` command line: a thin layer over the pipeline.

Errors that users can fix print one line and exit with the code DESIGN.md's table gives
(2 user error, 3 outside service, 4 lock held); `--debug` shows the traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine

from connector.store.lock import run_lock
from rules.errors import OutcomesError
from rules.model import Catalogue
from service import exporting, jobs, pipeline, publishing
from service.attach import attach_workbooks
from service.cli_options import as_of_option, config_option, say, today
from service.cli_options import now as current_time
from service.cli_report import print_summary, report_publish
from service.logs import configure_from as configure_logs
from service.progress import ProgressLine
from service.settings import LoadedSettings, load_settings
from service.terminal import echo, one_line, quiet

# click 8.2+ raises it for `outcomes` with no command; older click prints the help itself.
NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


class OutcomesGroup(click.Group):
    """Turns Outcomes' errors into one line and the exit code DESIGN.md's table gives."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        run = functools.partial(super().main, args, prog_name, complete_var, False, **extra)
        if not standalone_mode:
            return run()
        try:
            result: Any = run()
        except click.UsageError as exc:  # one line, not click's usage block
            if isinstance(exc, NO_ARGS):
                exc.show()  # `outcomes` alone: the help is what was asked for
            else:
                echo(usage_line(exc), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OutcomesError as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            echo(f"outcomes: error: {one_line(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            quiet()  # the reader of our output left (`| head`): nothing more to say
            ctx.exit(0)
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            # No str(exc): an unexpected error's text may carry request details.
            echo(
                f"outcomes: internal error ({type(exc).__name__}); run with --debug for details",
                err=True,
            )
            ctx.exit(1)


def usage_line(exc: click.UsageError) -> str:
    """`outcomes sync: no such option --ful (did you mean --full?); see outcomes sync --help`."""
    where = exc.ctx.command_path if exc.ctx is not None else "outcomes"
    command = getattr(exc, "command_name", None)  # click.NoSuchCommand, new in click 8.4
    if isinstance(exc, click.NoSuchOption) or command is not None:
        what = f"option {exc.option_name}" if isinstance(exc, click.NoSuchOption) else None
        text = f"no such {what or f'command {command!r}'}"
        possibilities: list[str] = getattr(exc, "possibilities", None) or []
        if possibilities:
            text += f" (did you mean {' or '.join(possibilities)}?)"
    else:
        text = one_line(exc.format_message()).rstrip(".")
        text = text[:1].lower() + text[1:]
    return f"{where}: {text}; see {where} --help"


@click.group(cls=OutcomesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="outcomes")
def cli(debug: bool) -> None:
    """Outcomes: map Jira epics to the OKRs they serve, flag work tied to no outcome,
    and publish outcome-centric progress to Confluence and Excel."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if debug:
        # Our own loggers only: the HTTP clients' debug logs echo request details.
        for name in ("connector", "rules", "reports", "service"):
            logging.getLogger(name).setLevel(logging.DEBUG)


@cli.command()
@config_option
@as_of_option
@click.option("--no-publish", is_flag=True, help="Skip publishing to Confluence.")
@click.option("--no-export", is_flag=True, help="Skip writing the Excel workbook.")
def run(config_path: Path, as_of: datetime | None, no_publish: bool, no_export: bool) -> None:
    """Run the whole pipeline once: sync, evaluate, publish, export."""
    loaded = load_settings(config_path)
    configure_logs(loaded, debug=bool(click.get_current_context().find_root().params.get("debug")))
    code = run_pipeline(
        loaded, today(as_of), publish=not no_publish, export=not no_export, asked=as_of is not None
    )
    sys.exit(code)


def run_pipeline(
    loaded: LoadedSettings, as_of: date, *, publish: bool, export: bool, asked: bool = False
) -> int:
    """Sync, evaluate, publish and export once; returns the exit code. `asked`: the user gave
    `as_of`, so it must fall in a cycle."""
    # Fail fast on a bad catalogue or a missing secret, before any I/O.
    loaded.settings.jira.auth.require()
    if publish and loaded.settings.confluence is not None:
        loaded.settings.confluence.auth.require()
    engine, catalogue = pipeline.open_with_catalogue(loaded, as_of=as_of if asked else None)
    now = current_time()
    counts: dict[str, int] = {}  # recorded on the run, for `outcomes status`
    problems: list[str] = []  # why a run was partial, recorded on it too
    try:
        with run_lock(engine, now=now) as holder:
            run_id = pipeline.start_run(engine, "run", now, holder=holder)
            try:
                code = _run_stages(
                    loaded, engine, catalogue, as_of, now, run_id, publish, export, counts, problems
                )
            except BaseException as exc:  # Ctrl-C too: no run is left `running`
                failed = jobs.describe_error(exc)
                pipeline.finish_run(engine, run_id, "failed", current_time(), failed, counts=counts)
                raise
            outcome = "done" if code == 0 else "partial"
            message = "; ".join(problems) or None
            pipeline.finish_run(engine, run_id, outcome, current_time(), message, counts=counts)
            return code
    finally:
        engine.dispose()


def _run_stages(
    loaded: LoadedSettings,
    engine: Engine,
    catalogue: Catalogue,
    as_of: date,
    now: datetime,
    run_id: int,
    publish: bool,
    export: bool,
    counts: dict[str, int],
    problems: list[str],
) -> int:
    progress = ProgressLine()
    try:
        synced = pipeline.sync(loaded, engine, now=now, progress=progress)
    finally:
        progress.done()
    for summary in synced:
        if summary.note:  # a field configured since the last sync: the scope was read again
            say(summary.note)
        say(f"Synced {summary.portfolio_id}: {summary.epics} epics, {summary.children} children")
    counts.update(jobs.sync_counts(synced))
    results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=as_of)
    pipeline.save_snapshots(engine, results, run_id=run_id, now=now)
    counts.update(jobs.finding_counts(results))
    failed = False
    if publish and loaded.settings.confluence is not None:
        published = publishing.publish(loaded, engine, results, now=now)
        counts.update(jobs.publish_counts(published))
        failed = report_publish(published)
        problems.extend(filter(None, [jobs.publish_problems(published)]))
    if export:
        written = exporting.export(loaded, catalogue, results, engine=engine, now=now)
        counts["workbooks"] = len(written)
        for path in written:
            say(f"Workbook: {path}")
        pairs = [(r.portfolio.id, p) for r, p in zip(results, written, strict=True)]
        for problem in attach_workbooks(loaded, engine, pairs):
            say(f"  {problem}")
            problems.append(problem)
            failed = True
    for result in results:
        print_summary(result)
    return 1 if failed else 0


def _register_commands() -> None:
    """Commands that live in modules of their own."""
    from service.cmd_alignment import COMMANDS as ALIGNMENT
    from service.cmd_export import export
    from service.cmd_history import COMMANDS as HISTORY
    from service.cmd_init import init
    from service.cmd_publish import publish
    from service.cmd_review import COMMANDS as REVIEW
    from service.cmd_sandbox import sandbox
    from service.cmd_serve import serve
    from service.cmd_status import status
    from service.cmd_sync import doctor, sync
    from service.demo import demo

    commands = (
        demo,
        init,
        doctor,
        sync,
        serve,
        status,
        publish,
        export,
        sandbox,
        *ALIGNMENT,
        *HISTORY,
        *REVIEW,
    )
    for command in commands:
        cli.add_command(command)


_register_commands()


def main() -> None:
    cli()
