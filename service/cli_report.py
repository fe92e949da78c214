"""What the commands print about a run: its stages as they end, the publish, and each
portfolio's outcomes."""

from __future__ import annotations

from collections.abc import Callable

from connector.publish_results import Action, PublishResult
from service.cli_options import say
from service.pipeline import PortfolioResult
from service.progress import ProgressLine
from service.stages import StageResult
from service.terminal import echo


def stage_printer(progress: ProgressLine) -> Callable[[str, StageResult], None]:
    """What `outcomes run` says as each stage ends (the portfolios' summaries come last)."""

    def show(name: str, result: StageResult) -> None:
        if name == "sync":
            progress.done()
            for summary in result.synced:
                if summary.note:  # a field configured since the last sync: the scope was read again
                    say(summary.note)
                say(
                    f"Synced {summary.portfolio_id}: {summary.epics} epics,"
                    f" {summary.children} children"
                )
        elif name == "publish":
            report_publish(result.published)
        elif name == "export":
            for path in result.written:
                say(f"Workbook: {path}")
            for problem in result.problems:
                say(f"  {problem}")

    return show


def report_publish(published: list[PublishResult]) -> bool:
    """Say on stderr what publishing did, page by page where there is something to say; True
    when a page failed or was left alone."""
    counts = {action: sum(1 for p in published if p.action is action) for action in Action}
    say("Confluence: " + ", ".join(f"{n} {action.value}" for action, n in counts.items() if n))
    for item in published:
        if item.message:  # failures, and edits that were overwritten or kept as configured
            say(f"  {item.action.value}: {item.title}: {item.message}")
    return any(not item.ok for item in published)


def print_summary(result: PortfolioResult) -> None:
    """Each portfolio objective's score, status and forecast, and the work tied to no outcome."""
    evaluation = result.evaluation
    cycle = evaluation.cycle
    echo(
        f"\n{result.portfolio.name} — {cycle.id}, as of {evaluation.as_of}"
        f" ({cycle.elapsed_share(evaluation.as_of):.0%} of the cycle elapsed)"
    )
    for progress in evaluation.portfolio_objectives():
        objective = progress.objective
        score = "—" if progress.score is None else f"{progress.score:.0%}"  # no key results
        ahead = progress.forecast_score
        forecast = f"forecast {ahead:>4.0%}" if ahead is not None else "forecast    —"
        echo(
            f"  {objective.id:<8} {score:>4}  {progress.status.value:<9}  "
            f"{forecast}  {objective.title}"
        )
    unaligned = [a for a in evaluation.alignment if a.team is not None and a.unaligned]
    total = next((a for a in evaluation.alignment if a.team is None), None)
    if total is not None:
        echo(f"  Work not tied to an outcome: {total.unaligned} of {total.total} active epics")
    for share in unaligned:
        echo(f"    {share.team:<12} {share.unaligned} unaligned of {share.total}")
