"""Options and helpers that every command shares (kept apart so command modules can import them
without importing the CLI group itself)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from service.logs import configure_from
from service.settings import LoadedSettings, load_settings
from service.terminal import echo

DEFAULT_CONFIG = Path("outcomes.yaml")


def _settings_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """--config, else $OUTCOMES_CONFIG (click reads it), else ./outcomes.yaml when there is one."""
    if value is not None:
        return value
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise click.UsageError(
        "no settings file: pass --config FILE, set OUTCOMES_CONFIG, or run in the folder of an"
        " outcomes.yaml (outcomes init writes one)",
        ctx,
    )


def config_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--config",
        "config_path",
        envvar="OUTCOMES_CONFIG",
        default=None,
        callback=_settings_file,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Settings file (default: $OUTCOMES_CONFIG, else ./outcomes.yaml).",
    )(func)


def settings_for(config_path: Path, *, info_by_default: bool = False) -> LoadedSettings:
    """The settings file, loaded, and the logs set up as its `logging` section says: every
    command that reads settings logs in the same format, secrets redacted.

    The level: what the section names; where it names none, a one-shot command logs warnings
    and worse only. Its answer is what it prints, and a fault's answer is one line: the INFO
    events beside it (each retry, say) are for a scheduled run's log (`run`, `serve`), or for
    whoever asks for them with `logging.level: info` or `--debug`."""
    loaded = load_settings(config_path)
    named = "level" in loaded.settings.logging.model_fields_set
    level = None if named or info_by_default else "warning"
    configure_from(loaded, level=level, debug=debug_asked())
    return loaded


def debug_asked() -> bool:
    """Whether `outcomes --debug` was given (False outside a command)."""
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("debug"))


def as_of_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Evaluate as of this date (YYYY-MM-DD); default: today.",
    )(func)


def now() -> datetime:
    return datetime.now().astimezone()


def today(as_of: datetime | None) -> date:
    return as_of.date() if as_of else date.today()


def say(message: str) -> None:
    """Progress and status go to stderr; results go to stdout."""
    echo(message, err=True)
