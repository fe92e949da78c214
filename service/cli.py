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
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from rules.errors import OutcomesError
from service.cli_options import as_of_option, config_option, settings_for, today
from service.cli_options import now as current_time
from service.cli_report import print_summary, stage_printer
from service.deployment import Deployment, safe_message
from service.progress import ProgressLine
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
            echo(f"outcomes: error: {safe_message(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            quiet()  # the reader of our output left (`| head`): nothing more to say
            ctx.exit(0)
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            echo(f"outcomes: {safe_message(exc)}", err=True)  # the type only: no request details
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
    # psycopg warns, beside the error it raises, when a lost connection breaks its pipeline:
    # the store's one-line error already says so (`run` and `serve` set this in their logs too).
    logging.getLogger("psycopg").setLevel(logging.ERROR)
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
    loaded = settings_for(config_path, info_by_default=True)  # what cron jobs run: a log
    progress = ProgressLine()
    with Deployment(loaded) as deployment:
        try:
            record = deployment.run(
                deployment.pipeline_stages(publish=not no_publish, export=not no_export),
                now=current_time(),
                as_of=today(as_of),
                asked=as_of is not None,
                progress=progress,
                on_result=stage_printer(progress),
            )
        finally:
            progress.done()
    for result in record.stages["check"].results:
        print_summary(result)
    sys.exit(record.exit_code)


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
