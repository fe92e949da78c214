"""`outcomes status`: the last runs, the next fire times and the failures, read from the store."""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, tzinfo
from pathlib import Path

import click
from sqlalchemy.orm import Session

from connector.store import runs
from connector.store.models import RunRow
from service.cli_options import config_option, settings_for
from service.deployment import Deployment
from service.health import Report, collect
from service.scheduler import timezone_of
from service.terminal import echo

MESSAGE_WIDTH = 90
# Counts in the order a reader asks about them (a sync's first); the rest alphabetically.
COUNT_ORDER = ("epics", "children", "fetched", "removed", "findings")


@click.command()
@config_option
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many recent runs to list.",
)
def status(config_path: Path, limit: int) -> None:
    """Show the last runs, when each job fires next, and what failed.

    Exits 1 when there is something to act on: a job that failed health.alert_after_failures times
    in a row, or no successful run for longer than health.max_age_minutes.
    """
    loaded = settings_for(config_path)
    zone = timezone_of(loaded.settings.schedule)
    with Deployment(loaded) as deployment:
        report = collect(loaded, deployment.engine, datetime.now(zone))
        with Session(deployment.engine) as session:
            latest = runs.recent(session, limit)
            failures = runs.recent(session, 5, outcomes=runs.FAILURES)
            session.expunge_all()  # plain objects from here on
    for line in render(report, latest, failures, zone):
        echo(line)
    sys.exit(0 if report.healthy else 1)


def _at(moment: datetime | None, zone: tzinfo) -> str:
    return runs.utc(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _short(text: str | None) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= MESSAGE_WIDTH else line[: MESSAGE_WIDTH - 1] + "…"


def _counts(run: RunRow) -> str:
    rank = {name: i for i, name in enumerate(COUNT_ORDER)}
    items = sorted((run.counts or {}).items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
    return " ".join(f"{k}={v}" for k, v in items)


def _why(run: RunRow) -> str:
    return _short(run.message or "(no reason recorded)")


def _detail(run: RunRow, *, cut: bool = True) -> str:
    """What a run did (its counts) and, unless it went well, why (its message) first; `cut`
    shortens it to one table cell."""
    if run.outcome in (runs.DONE, runs.RUNNING):
        said = _counts(run)
    else:
        said = " · ".join(filter(None, [run.message or "(no reason recorded)", _counts(run)]))
    return _short(said) if cut else " ".join(said.split())


def render(report: Report, latest: list[RunRow], failures: list[RunRow], zone: tzinfo) -> list[str]:
    lines = [f"Outcomes status at {_at(report.now, zone)} ({zone})", ""]
    leader = report.leader
    if leader is None:
        lines.append("Leader:  none (no `outcomes serve` holds the leader lock)")
    elif runs.utc(leader.expires_at) < report.now:
        ran_out = _at(leader.expires_at, zone)
        lines.append(f"Leader:  none live (last: {leader.holder}, lease ran out {ran_out})")
    else:
        lines.append(f"Leader:  {leader.holder} since {_at(leader.acquired_at, zone)}")
    minutes = report.max_age.total_seconds() / 60
    if report.last_success is None:
        lines.append("Health:  STALE: no successful run recorded yet")
    elif report.stale:
        lines.append(
            f"Health:  STALE: last success {_at(report.last_success, zone)}, more than"
            f" {minutes:g} minutes ago"
        )
    elif report.failing:
        lines.append(f"Health:  FAILING: {', '.join(j.name for j in report.failing)}")
    else:
        lines.append(f"Health:  ok: last success {_at(report.last_success, zone)}")
    lines += ["", "Jobs:", f"  {'job':<8} {'cron':<18} {'next run':<20} {'last run':<40} in a row"]
    for job in report.jobs:
        last = job.stats.last_run
        shown = (
            f"#{last.id} {last.outcome} {_at(last.started_at, zone)}"
            + (f" ({last.duration_seconds:.1f} s)" if last.duration_seconds is not None else "")
            if last
            else "never"
        )
        streak = job.stats.failures_in_a_row
        alarm = "  FAILING" if streak >= report.alert_after else ""
        lines.append(
            f"  {job.name:<8} {job.cron or '(one-shot)':<18} {_at(job.next_run, zone):<20}"
            f" {shown:<40} {streak}{alarm}"
        )
        if last:  # what the last run did, or why it fell short: all of it, wrapped
            lines += [f"  {'':<8} {part}" for part in textwrap.wrap(_detail(last, cut=False), 90)]
    lines += ["", "Failures:"]
    for job in report.failing:
        lines.append(f"  ALERT: {job.name} has failed {job.stats.failures_in_a_row} times in a row")
    lines += [
        f"  #{run.id} {run.command} {_at(run.started_at, zone)} {run.outcome}: {_why(run)}"
        for run in failures
    ] or ["  none recorded"]
    lines += ["", f"Recent runs (newest first, {len(latest)}):"]
    for run in latest:
        lines.append(
            f"  #{run.id:<5} {run.command:<8} {run.trigger or '-':<8} {_at(run.started_at, zone)}"
            f"  {run.outcome:<8} {_detail(run)}"
        )
    return lines
