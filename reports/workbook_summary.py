"""The Summary sheet: headline figures, portfolio objectives' scores and alignment, with charts."""

from __future__ import annotations

from reports.excel_sheets import (
    OBJECTIVE_STATUS_FILLS,
    Chart,
    Column,
    Kind,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from rules.model import PaceStatus, Severity
from rules.results import AlignmentShare

# Chart colours from Excel's own palette.
BLUE, GREEN, RED, GREY = "4472C4", "70AD47", "C0504D", "A5A5A5"

# Statuses in the order a reader ranks them, for the headline line.
_STATUS_ORDER = (
    PaceStatus.ON_TRACK,
    PaceStatus.AT_RISK,
    PaceStatus.OFF_TRACK,
    PaceStatus.TOO_EARLY,
    PaceStatus.NO_KEY_RESULTS,
)


def summary_sheet(source: WorkbookInput) -> SheetData:
    ctx = source.ctx
    ev = ctx.evaluation
    heading = f"{ctx.portfolio_name} — outcomes review {ev.cycle.id}, as of {ev.as_of.isoformat()}"
    return SheetData(
        "Summary",
        (_objective_scores(source), _alignment(source)),
        preamble=_headlines(source),
        heading=heading,
        charts=(
            Chart(
                "Objective score against expected",
                "tblObjectiveScores",
                categories="Objective",
                series=("Score", "Expected"),
                percent=True,
                colours=(BLUE, GREY),
            ),
            Chart(
                "Active epics by team",
                "tblAlignment",
                categories="Team",
                series=("Aligned epics", "Unaligned epics", "Exempt epics"),
                style="stacked",
                y_title="Epics",
                skip_last_row=True,  # the portfolio total would dwarf the teams
                colours=(GREEN, RED, GREY),  # as the Epics sheet colours alignment
            ),
        ),
    )


def _headlines(source: WorkbookInput) -> tuple[tuple[str, Value, Kind], ...]:
    ev = source.ctx.evaluation
    total = next((a for a in ev.alignment if a.team is None), AlignmentShare(None))
    statuses = [o.status for o in ev.portfolio_objectives()]
    by_status = ", ".join(
        f"{statuses.count(s)} {s.value}" for s in _STATUS_ORDER if statuses.count(s)
    )
    severities = [f.severity for f in ev.findings]
    return (
        ("Cycle", ev.cycle.id, Kind.TEXT),
        ("Cycle start", ev.cycle.start, Kind.DATE),
        ("Cycle end", ev.cycle.end, Kind.DATE),
        ("As of", ev.as_of, Kind.DATE),
        ("Cycle elapsed", ev.cycle.elapsed_share(ev.as_of), Kind.PERCENT),
        ("Portfolio objectives", len(statuses), Kind.INT),
        ("Objectives by status", by_status or None, Kind.TEXT),
        ("Active epics", total.total, Kind.INT),
        ("Tied to an outcome", total.aligned_share if total.total else None, Kind.PERCENT),
        ("Tied to an outcome, by points", _points_share(total), Kind.PERCENT),
        ("Work not tied to an outcome", total.unaligned, Kind.INT),
        ("Exempt (keep the lights on)", total.exempt, Kind.INT),
        ("Findings: need fixing", severities.count(Severity.ERROR), Kind.INT),
        ("Findings: worth a look", severities.count(Severity.WARNING), Kind.INT),
        ("Awaiting approval", len(ev.awaiting_approval()), Kind.INT),
    )


def _points_share(share: AlignmentShare) -> float | None:
    points = share.aligned_points + share.unaligned_points + share.exempt_points
    return share.aligned_points / points if points else None


def _objective_scores(source: WorkbookInput) -> TableData:
    columns = (
        Column("Objective"),
        Column("Title"),
        Column("Owner"),
        Column("Score", Kind.PERCENT),
        Column("Expected", Kind.PERCENT),
        Column("Status", fills=OBJECTIVE_STATUS_FILLS),
        Column("Key results", Kind.INT),
        Column("Team objectives"),
    )
    rows = [
        [
            op.objective.id,
            op.objective.title,
            op.objective.owner,
            op.score,
            op.expected,
            op.status.value,
            len(op.key_results),
            ", ".join(op.supported_by) or None,
        ]
        for op in source.ctx.evaluation.portfolio_objectives()
    ]
    return TableData("tblObjectiveScores", columns, rows, heading="Portfolio objective scores")


def _alignment(source: WorkbookInput) -> TableData:
    ctx = source.ctx
    columns = (
        Column("Team"),
        Column("Aligned epics", Kind.INT),
        Column("Unaligned epics", Kind.INT),
        Column("Exempt epics", Kind.INT),
        Column("Aligned share", Kind.PERCENT),
        Column("Aligned points", Kind.POINTS),
        Column("Unaligned points", Kind.POINTS),
        Column("Exempt points", Kind.POINTS),
    )
    rows = [
        [
            "Portfolio total" if a.team is None else ctx.team_name(a.team),
            a.aligned,
            a.unaligned,
            a.exempt,
            a.aligned_share if a.total else None,
            a.aligned_points,
            a.unaligned_points,
            a.exempt_points,
        ]
        for a in ctx.evaluation.alignment
    ]
    return TableData("tblAlignment", columns, rows, heading="Alignment of active epics")
