"""The History page: how each objective's score moved over this cycle's report days.

One row per report day (the last run of that day), today last: objective scores beside the
expected score, the share of active work that served an outcome, and the number of findings. A
chart shows the objective lines against the expected line; key results sit in expand sections.
"""

from __future__ import annotations

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.pages import HISTORY, OVERVIEW, Page, history_title, overview_title
from reports.storage import Markup
from reports.text import pct, plural
from reports.trends import Point, Snapshot


def history_page(ctx: ReportContext) -> Page:
    days = ctx.history.series(ctx.evaluation)
    objectives = ctx.evaluation.portfolio_objectives()
    ids = [(op.objective.id, op.objective.id) for op in objectives]
    body = s.join(
        [
            s.p(
                f"Scores of cycle {ctx.evaluation.cycle.id} on each of its "
                f"{plural(len(days), 'report day')} (the last run of each day counts), "
                "beside the score expected by that day."
            ),
            parts.status_legend(ctx),
            parts.score_chart(ctx, "Portfolio objectives: score by day", ids, objectives=True),
            s.heading(2, "Portfolio objectives by day"),
            _objective_table(ctx, days),
            s.heading(2, "Key results by day"),
            *(
                _kr_table(days, op.objective.id, [k.key_result.id for k in op.key_results])
                for op in objectives
            ),
            s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), "."),
        ]
    )
    return Page(HISTORY, history_title(ctx.portfolio_name), OVERVIEW, body)


def _cell(point: Point | None) -> str:
    return "—" if point is None else f"{pct(point.score)} ({point.status})"


def _objective_table(ctx: ReportContext, days: tuple[Snapshot, ...]) -> Markup:
    objectives = ctx.evaluation.portfolio_objectives()
    headers = [
        "Day",
        *(op.objective.id for op in objectives),
        "Expected",
        "Aligned share",
        "Findings",
    ]
    rows = [
        [
            day.as_of.isoformat(),
            *(_cell(day.objectives.get(op.objective.id)) for op in objectives),
            pct(ctx.evaluation.cycle.elapsed_share(day.as_of)),
            "—" if day.aligned_share is None else pct(day.aligned_share),
            str(len(day.findings)),
        ]
        for day in reversed(days)  # newest first: what a reader looks for
    ]
    return s.table(headers, rows)


def _kr_table(days: tuple[Snapshot, ...], objective_id: str, kr_ids: list[str]) -> Markup:
    if not kr_ids:
        return Markup("")
    rows = [
        [day.as_of.isoformat(), *(_cell(day.key_results.get(k)) for k in kr_ids)]
        for day in reversed(days)
    ]
    return s.expand(f"{objective_id}: key results by day", s.table(["Day", *kr_ids], rows))
