"""The dated review page, "<portfolio> — Review 2026-12-03": the meeting's agenda, then its minutes.

Outcomes writes it once, on the review day, and never again: people fill in "Decisions and
actions" during the meeting, and the earlier reviews stay as they were (the service publishes it
apart from the report's pages; see service/review.py).
"""

from __future__ import annotations

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.pages import OVERVIEW, Page, overview_title, review_key, review_title
from reports.review import KeyResultRow, Review, TeamRow
from reports.storage import Markup
from reports.text import kr_unit, pct, plural, with_unit

DECISION_HEADERS = ["Subject", "Kind", "OKR", "Team"]
KR_HEADERS = [
    "Key result",
    "Owner",
    "Score",
    "Expected",
    "Status",
    "Confidence",
    "Forecast",
    "Team's forecast",
    "Why here",
]
TEAM_HEADERS = ["Team", "Unaligned", "Active epics", "Since the last review"]
CHANGE_HEADERS = ["What", "About", "Change"]
ACTION_HEADERS = ["Decision or action", "Who", "By when"]
ACTIONS = "Decisions and actions"


def review_page(ctx: ReportContext, review: Review) -> Page:
    day = review.day.isoformat()
    since = f"since the last review ({review.previous.isoformat()})" if review.previous else ""
    body = s.join(
        [
            _intro(ctx, review),
            parts.status_legend(ctx),
            s.toc(),
            s.heading(2, f"What needs a leader's decision ({len(review.decisions)})"),
            _decisions(ctx, review),
            s.heading(2, f"Key results off pace or forecast to miss ({len(review.key_results)})"),
            _key_results(ctx, review.key_results),
            s.heading(2, "Work not tied to an outcome, by team"),
            _teams(ctx, review.teams),
            s.heading(2, f"What changed {since or 'this cycle (the first review)'}"),
            _changes(review),
            s.heading(2, ACTIONS),
            s.p(
                s.em(
                    "For the meeting: write what was decided and who does what by when. Outcomes "
                    "never changes this page again."
                )
            ),
            s.table(ACTION_HEADERS, [["", "", ""]]),
            s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), "."),
        ]
    )
    return Page(review_key(day), review_title(ctx.portfolio_name, day), OVERVIEW, body)


def _intro(ctx: ReportContext, review: Review) -> Markup:
    cycle = ctx.evaluation.cycle
    gone = pct(cycle.elapsed_share(review.day))
    return s.p(
        f"The portfolio review of {review.day.isoformat()}: cycle {cycle.id}, {gone} gone. "
        "Inspect how the outcomes track, then adapt: a roadmap, an OKR, the work."
    )


def _decisions(ctx: ReportContext, review: Review) -> Markup:
    if not review.decisions:
        return s.p("Nothing waits for a decision.")
    rows = [
        [
            parts.issue(ctx, d.subject) if d.subject in ctx.epics else d.subject,
            d.kind,
            ctx.okr_label(d.okr_id),
            parts.team_link(ctx, d.team),
        ]
        for d in review.decisions
    ]
    shown, note = parts.capped(ctx, rows)
    return s.join([s.table(DECISION_HEADERS, shown), note])


def _key_results(ctx: ReportContext, rows: tuple[KeyResultRow, ...]) -> Markup:
    if not rows:
        return s.p("Every key result keeps pace and is forecast to reach the on-track band.")
    return s.table(KR_HEADERS, [_kr_row(row) for row in rows])


def _kr_row(row: KeyResultRow) -> list[s.Node]:
    krp = row.progress
    kr = krp.key_result
    unit = kr_unit(kr)
    found, team = krp.forecast, krp.team_forecast
    forecast = "—"
    if found is not None and found.value is not None and found.score is not None:
        forecast = f"{with_unit(found.value, unit)} ({pct(found.score)})"
    elif found is not None:
        forecast = "not enough data"
    theirs = f"{with_unit(team.value, unit)} ({pct(team.score)})" if team else "—"
    return [
        s.join([s.strong(kr.id), " ", kr.title]),
        row.owner,
        pct(krp.score),
        pct(krp.expected),
        s.lozenge(krp.status),
        parts.confidence(row.confidence),
        forecast,
        theirs,
        ", ".join(row.reasons),
    ]


def _teams(ctx: ReportContext, rows: tuple[TeamRow, ...]) -> Markup:
    if not rows:
        return s.p("No active epics.")
    table = [
        [
            parts.team_link(ctx, row.team),
            str(row.unaligned),
            str(row.active),
            _delta(row),
        ]
        for row in rows
    ]
    return s.table(TEAM_HEADERS, table)


def _delta(row: TeamRow) -> str:
    if row.delta is None:
        return "—"
    if row.delta == 0:
        return "► no change"
    arrow = "▲" if row.delta > 0 else "▼"
    return f"{arrow} {row.delta:+d}"


def _changes(review: Review) -> Markup:
    if not review.changes:
        return s.p("No change in scores, findings or OKRs.")
    summary = s.p(plural(len(review.changes), "change"))
    table = s.table(CHANGE_HEADERS, [[c.kind, c.subject, c.text] for c in review.changes])
    return s.join([summary, table])
