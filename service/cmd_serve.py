"""`outcomes serve`: run the jobs on their crons until SIGTERM or SIGINT, then exit 0."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click

from rules.errors import UserError
from service.cli_options import config_option, debug_asked
from service.deployment import Deployment
from service.health import HealthServer, collect
from service.logs import configure_from
from service.scheduler import Service
from service.settings import LoadedSettings, load_settings

log = logging.getLogger(__name__)


@click.command()
@config_option
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Log as text lines or JSON lines (default: the settings' logging.format).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default=None,
    help="Least important level logged (default: the settings' logging.level).",
)
def serve(config_path: Path, log_format: str | None, log_level: str | None) -> None:
    """Run the scheduler: sync, check, publish and export on the crons in `schedule`.

    Several `serve` processes may share one store: one leads and runs the jobs, the others stand
    by and take over when it stops. SIGTERM or SIGINT stops it cleanly (exit 0).
    """
    loaded = load_settings(config_path)
    _require_secrets(loaded)
    configure_from(loaded, format=log_format, level=log_level, debug=debug_asked())
    with Deployment(loaded) as deployment:
        service = Service(deployment)
        health = _start_health(loaded, service)
        restore = _on_signals(service.request_stop)
        try:
            result = service.run()
        finally:
            restore()
            if health is not None:
                health.stop()
        if result.abandoned:
            # A job thread is still busy: leave without waiting for it. The database rolls back
            # whatever it had not committed when our connections close.
            logging.shutdown()
            os._exit(result.exit_code)
    sys.exit(result.exit_code)


def _require_secrets(loaded: LoadedSettings) -> None:
    """The secrets the scheduled jobs will need: missing ones stop `serve` at once (exit 2),
    not every fire time later."""
    settings = loaded.settings
    if settings.schedule.sync:
        settings.jira.auth.require()
    publishes = settings.schedule.publish or (settings.schedule.export and settings.excel.attach)
    if publishes and settings.confluence is not None:
        settings.confluence.auth.require()


def _start_health(loaded: LoadedSettings, service: Service) -> HealthServer | None:
    settings = loaded.settings.health
    if settings.port is None:
        return None
    try:
        server = HealthServer(
            settings.host,
            settings.port,
            lambda: collect(loaded, service.engine, service.now(), started_at=service.started_at),
            lambda: service.role,
        )
    except OSError as exc:
        raise UserError(
            f"{loaded.path}: health.port: cannot listen on {settings.host}:{settings.port}"
            f" ({exc.strerror})"
        ) from None
    server.start()
    log.info(
        "health: %s/healthz and %s/metrics",
        server.url,
        server.url,
        extra={"event": "health_listening", "port": server.port},
    )
    return server


def _on_signals(stop: Callable[[], None]) -> Callable[[], None]:
    """SIGTERM and SIGINT ask the service to stop (a second one: stop now). APScheduler installs
    no handlers of its own."""

    def handle(number: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(number).name, extra={"event": "signal"})
        stop()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
