"""`outcomes demo`: the whole pipeline on a generated portfolio, with no network and no set-up.

It starts the sandbox on loopback, seeded with a realistic portfolio whose cycle is the current
quarter, runs sync → evaluate → publish → export, and leaves the workbook, an HTML preview of the
published pages, and the settings and catalogue it used in the output folder.
"""

from __future__ import annotations

import shutil
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import click
import yaml

from connector.sandbox import Sandbox
from reports.pages import Page
from reports.preview import render_preview
from rules.evaluate import reporting_cycle
from rules.model import Catalogue
from service import exporting, pipeline, publishing
from service.cli_options import now as current_time
from service.cli_options import say
from service.cli_report import print_summary, report_publish
from service.demo_portfolio import DemoPortfolio, build_demo
from service.deployment import Deployment
from service.files import write_atomically
from service.progress import ProgressLine
from service.review import publish_reviews, review_pages
from service.settings import LoadedSettings, load_settings

TOKEN_VARIABLE = "OUTCOMES_DEMO_TOKEN"


def demo_settings(portfolio: DemoPortfolio, url: str) -> dict[str, object]:
    """Settings as a user would write them: secrets by ${VAR}, never in the file."""
    auth = {"email": portfolio.user, "token": "${" + TOKEN_VARIABLE + "}"}
    return {
        "version": 1,
        "jira": {"url": url, "auth": auth},
        "portfolios": [
            {"id": "retail", "name": portfolio.portfolio_name, "epics_jql": portfolio.epics_jql}
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        "exempt_labels": ["okr-exempt"],
        "store": {"url": "sqlite:///outcomes-demo.db"},
        "confluence": {
            "url": f"{url}/wiki",
            "auth": auth,
            "space": "PORT",
            "parent_title": "Portfolio outcomes",
        },
        "excel": {"path": "outcomes-{portfolio}-{cycle}-{date}.xlsx"},
    }


def settings_header(portfolio: DemoPortfolio, url: str) -> str:
    """How to use the demo's settings again once the demo has ended: they name its sandbox."""
    port = url.rsplit(":", 1)[-1]
    return (
        "# Written by `outcomes demo`. These settings point at the demo's sandbox, which runs\n"
        "# only while `outcomes demo --serve` does; or serve the same data yourself:\n"
        f"#   outcomes sandbox --data sandbox-data.yaml --port {port}\n"
        f"# and then, with the sandbox's token (test data, not a secret):\n"
        f"#   {TOKEN_VARIABLE}={portfolio.token} outcomes run --config outcomes.yaml\n"
    )


def prepare(out: Path, portfolio: DemoPortfolio, url: str) -> LoadedSettings:
    """Write the demo's settings and catalogue into `out` and load them like any user's."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "outcomes-demo.db").unlink(missing_ok=True)  # a fresh sandbox needs a fresh store
    shutil.rmtree(out / "preview", ignore_errors=True)
    (out / "okrs.yaml").write_text(
        yaml.safe_dump(portfolio.catalogue, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    (out / "outcomes.yaml").write_text(
        settings_header(portfolio, url)
        + yaml.safe_dump(demo_settings(portfolio, url), sort_keys=False),
        encoding="utf-8",
    )
    (out / "sandbox-data.yaml").write_text(
        yaml.safe_dump(portfolio.dataset, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return load_settings(out / "outcomes.yaml", environ={TOKEN_VARIABLE: portfolio.token})


def _earlier_report_days(catalogue: Catalogue, today: date) -> list[date]:
    """Every 7 days back from `today`, within the cycle being reported, oldest first."""
    cycle = reporting_cycle(catalogue, today)
    days = []
    day = today - timedelta(days=7)
    while day >= cycle.start:
        days.append(day)
        day -= timedelta(days=7)
    return days[::-1]


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outcomes-demo"),
    show_default=True,
    help="Folder for the workbook, the HTML preview and the demo's settings.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (YYYY-MM-DD).",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Keep the sandbox up after the demo (Ctrl-C stops it), to run commands against it.",
)
@click.option("--port", default=0, show_default=True, help="The sandbox's port; 0 picks one.")
def demo(out: Path, as_of: datetime | None, serve: bool, port: int) -> None:
    """Run the whole pipeline on a built-in demo portfolio (no network needed)."""

    now = current_time()
    today = as_of.date() if as_of else now.date()
    portfolio = build_demo(today)
    data = portfolio.dataset
    with Sandbox(data, port=port) as sandbox:
        say(f"Sandbox: Jira and Confluence at {sandbox.url}")
        loaded = prepare(out, portfolio, sandbox.url)
        with Deployment(loaded) as deployment:
            catalogue = deployment.catalogue()
            engine = deployment.engine
            progress = ProgressLine()
            synced = pipeline.sync(loaded, engine, now=now, progress=progress)
            progress.done()
            for summary in synced:
                say(f"Synced {summary.epics} epics and {summary.children} child issues")
            # Weekly reports from earlier in the cycle, so trends and "what is new" have a past.
            for day in _earlier_report_days(catalogue, today):
                earlier = pipeline.evaluate_all(loaded, engine, catalogue, as_of=day)
                pipeline.save_snapshots(engine, earlier, run_id=None, now=now)
            results = pipeline.evaluate_all(loaded, engine, catalogue, as_of=today)
            pipeline.save_snapshots(engine, results, run_id=None, now=now)
            failed = report_publish(publishing.publish(loaded, engine, results, now=now))
            # Today's review page, as `outcomes review` would publish it for the meeting.
            reviewed = publish_reviews(loaded, engine, results, now=now)
            failed = report_publish(reviewed) or failed
            reviews = {r.portfolio.id: page for r, page in review_pages(loaded, engine, results)}
            workbooks = exporting.export(loaded, catalogue, results, engine=engine, now=now)
        _show_results(out, loaded, results, workbooks, now, reviews)
        if serve:
            _serve_until_stopped(out, portfolio, sandbox.url)
    sys.exit(1 if failed else 0)


def _show_results(
    out: Path,
    loaded: LoadedSettings,
    results: list[pipeline.PortfolioResult],
    workbooks: list[Path],
    now: datetime,
    reviews: dict[str, Page],
) -> None:

    preview = out / "preview"
    for result in results:
        review = reviews.get(result.portfolio.id)
        files = render_preview(
            [*result.pages, *([review] if review else [])],
            generated_at=now.strftime("%Y-%m-%d %H:%M"),
            jira_url=loaded.settings.jira.url,
        )
        for name, html in files.items():
            write_atomically(preview / name, html)
        print_summary(result)
    click.echo("\nFiles:")
    for path in workbooks:
        click.echo(f"  workbook      {path}")
    click.echo(f"  HTML preview  {preview / 'index.html'}")
    click.echo(f"  settings      {out / 'outcomes.yaml'} (catalogue: {out / 'okrs.yaml'})")


def _serve_until_stopped(out: Path, portfolio: DemoPortfolio, url: str) -> None:
    click.echo(
        f"\nThe sandbox stays up at {url} (Jira) and {url}/wiki (Confluence); Ctrl-C stops it."
    )
    click.echo("Try, in another shell:")
    click.echo(
        f"  {TOKEN_VARIABLE}={portfolio.token} outcomes run --config {out / 'outcomes.yaml'}"
    )
    stop = threading.Event()
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.")
