"""The Objectives and Key Results sheets: every OKR of the cycle, portfolio ones first."""

from __future__ import annotations

from reports.excel_sheets import (
    APPROVAL_FILLS,
    OBJECTIVE_STATUS_FILLS,
    STATUS_FILLS,
    Column,
    Kind,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from reports.owners import owner_text
from reports.text import kr_unit, kr_values
from rules.model import ApprovalState, KeyResult, KrKind, Level
from rules.results import KeyResultProgress, ObjectiveProgress


def ordered_objectives(source: WorkbookInput) -> tuple[ObjectiveProgress, ...]:
    ev = source.ctx.evaluation
    return ev.portfolio_objectives() + ev.team_objectives()


def approval_state(op: ObjectiveProgress) -> str | None:
    """A team objective without a recorded decision is still proposed; portfolio ones need none."""
    objective = op.objective
    if objective.level is not Level.TEAM:
        return None
    return (objective.approval.state if objective.approval else ApprovalState.PROPOSED).value


def objectives_sheet(source: WorkbookInput) -> SheetData:
    columns = (
        Column("Level"),
        Column("Team"),
        Column("Objective"),
        Column("Title"),
        Column("Owner"),
        Column("Score", Kind.PERCENT),
        Column("Expected", Kind.PERCENT),
        Column("Status", fills=OBJECTIVE_STATUS_FILLS),
        Column("Key results", Kind.INT),
        Column("Supports"),
        Column("Supported by"),
        Column("Approval", fills=APPROVAL_FILLS),
        Column("Decided by"),
        Column("Decided on", Kind.DATE),
        Column("Epics", Kind.INT),
        Column("Epics done", Kind.INT),
        Column("Points done", Kind.POINTS),
        Column("Points total", Kind.POINTS),
        Column("Forecast score", Kind.PERCENT),
    )
    rows = [_objective_row(source, op) for op in ordered_objectives(source)]
    return SheetData("Objectives", (TableData("tblObjectives", columns, rows),))


def _objective_row(source: WorkbookInput, op: ObjectiveProgress) -> list[Value]:
    ctx = source.ctx
    o = op.objective
    out = ctx.objective_output(op)
    return [
        o.level.value,
        ctx.team_name(o.team) if o.team else None,
        o.id,
        o.title,
        o.owner,
        op.score,
        op.expected,
        op.status.value,
        len(op.key_results),
        ", ".join(o.supports) or None,
        ", ".join(op.supported_by) or None,
        approval_state(op),
        o.approval.by if o.approval else None,
        o.approval.at if o.approval else None,
        out.epics_total,
        out.epics_done,
        out.points_done,
        out.points_total,
        op.forecast_score,
    ]


def key_results_sheet(source: WorkbookInput) -> SheetData:
    columns = (
        Column("Objective"),
        Column("Key result"),
        Column("Title"),
        Column("Kind"),
        Column("Unit"),
        Column("Direction"),
        Column("Start", Kind.NUMBER),
        Column("Current", Kind.NUMBER),
        Column("Target", Kind.NUMBER),
        Column("Score", Kind.PERCENT),
        Column("Expected", Kind.PERCENT),
        Column("Status", fills=STATUS_FILLS),
        Column("Confidence", Kind.PERCENT),
        Column("Last check-in", Kind.DATE),
        Column("Check-in note"),
        Column("Measured by"),
        Column("Weight", Kind.NUMBER),
        Column("Epics", Kind.INT),
        Column("Epics done", Kind.INT),
        Column("Child issues done", Kind.INT),
        Column("Child issues total", Kind.INT),
        Column("Points done", Kind.POINTS),
        Column("Points total", Kind.POINTS),
        Column("Owner"),
        Column("Forecast", Kind.NUMBER),
        Column("Forecast low", Kind.NUMBER),
        Column("Forecast high", Kind.NUMBER),
        Column("Forecast score", Kind.PERCENT),
        Column("Forecast note"),
        Column("Team forecast", Kind.NUMBER),
        Column("Team forecast score", Kind.PERCENT),
    )
    rows = [_kr_row(source, op, krp) for op in ordered_objectives(source) for krp in op.key_results]
    return SheetData("Key Results", (TableData("tblKeyResults", columns, rows),))


def _measured_by(kr: KeyResult) -> str:
    if kr.measure_jql:
        return f"JQL count: {kr.measure_jql}"
    if kr.measure_issue and kr.measure_field:
        return f"Jira field {kr.measure_field} of {kr.measure_issue}"
    return "manual check-ins"


def _kr_row(source: WorkbookInput, op: ObjectiveProgress, krp: KeyResultProgress) -> list[Value]:
    kr, out = krp.key_result, krp.output
    start, current, target = kr_values(kr)
    last = source.ctx.last_checkin(kr)  # the same check-in and confidence the pages show
    return [
        op.objective.id,
        kr.id,
        kr.title,
        kr.kind.value,
        kr_unit(kr) or None,
        kr.direction if kr.kind is KrKind.METRIC else None,
        start,
        current,
        target,
        krp.score,
        krp.expected,
        krp.status.value,
        source.ctx.kr_confidence(kr),
        last.on if last else None,
        last.note if last else None,
        _measured_by(kr),
        kr.weight,
        out.epics_total,
        out.epics_done,
        out.children_done,
        out.children_total,
        out.points_done,
        out.points_total,
        *_forecast_cells(krp),
    ]


def _forecast_cells(krp: KeyResultProgress) -> list[Value]:
    """Owner, the computed forecast (value, band, score, or why none) and the team's own."""
    found, team = krp.forecast, krp.team_forecast
    note = None
    if krp.key_result.kind is not KrKind.METRIC:
        note = f"not forecast ({krp.key_result.kind.value})"
    elif found is not None and found.value is None:
        note = found.reason
    return [
        owner_text(krp.key_result.owner) if krp.key_result.owner else None,
        found.value if found else None,
        found.low if found else None,
        found.high if found else None,
        found.score if found else None,
        note,
        team.value if team else None,
        team.score if team else None,
    ]
