"""The Review sheet: the same agenda as the dated review page (reports.review), one table per part,
and an empty "Decisions and actions" table for the meeting."""

from __future__ import annotations

from reports.excel_sheets import (
    STATUS_FILLS,
    Column,
    Kind,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from reports.review import KeyResultRow, build_review


def review_sheet(source: WorkbookInput) -> SheetData:
    ctx = source.ctx
    review = build_review(ctx, source.previous_review)
    since = review.previous.isoformat() if review.previous else None
    decisions = TableData(
        "tblReviewDecisions",
        (Column("Subject"), Column("Kind"), Column("OKR"), Column("Team")),
        [[d.subject, d.kind, d.okr_id, ctx.team_name(d.team)] for d in review.decisions],
        heading="What needs a leader's decision",
    )
    key_results = TableData(
        "tblReviewKeyResults",
        (
            Column("Objective"),
            Column("Key result"),
            Column("Title"),
            Column("Owner"),
            Column("Score", Kind.PERCENT),
            Column("Expected", Kind.PERCENT),
            Column("Status", fills=STATUS_FILLS),
            Column("Confidence", Kind.PERCENT),
            Column("Forecast", Kind.NUMBER),
            Column("Forecast score", Kind.PERCENT),
            Column("Team forecast", Kind.NUMBER),
            Column("Why here"),
        ),
        [_kr_row(row) for row in review.key_results],
        heading="Key results off pace or forecast to miss",
    )
    teams = TableData(
        "tblReviewUnaligned",
        (
            Column("Team"),
            Column("Unaligned", Kind.INT),
            Column("Active epics", Kind.INT),
            Column("Change since the last review", Kind.INT),
        ),
        [[ctx.team_name(t.team), t.unaligned, t.active, t.delta] for t in review.teams],
        heading="Work not tied to an outcome, by team",
    )
    changes = TableData(
        "tblReviewChanges",
        (Column("What"), Column("About"), Column("Change")),
        [[c.kind, c.subject, c.text] for c in review.changes],
        heading=f"What changed since {since}" if since else "What changed this cycle",
    )
    actions = TableData(
        "tblReviewActions",
        (Column("Decision or action"), Column("Who"), Column("By when", Kind.DATE)),
        [[None, None, None]],
        heading="Decisions and actions",
    )
    return SheetData(
        "Review",
        (decisions, key_results, teams, changes, actions),
        heading=f"{ctx.portfolio_name} — Review {review.day.isoformat()}",
    )


def _kr_row(row: KeyResultRow) -> list[Value]:
    krp = row.progress
    kr, found, team = krp.key_result, krp.forecast, krp.team_forecast
    return [
        row.objective_id,
        kr.id,
        kr.title,
        row.owner,
        krp.score,
        krp.expected,
        krp.status.value,
        row.confidence,
        found.value if found else None,
        found.score if found else None,
        team.value if team else None,
        ", ".join(row.reasons),
    ]
