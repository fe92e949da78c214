"""The forecast and the OKR changes of an objective, as its page shows them."""

from __future__ import annotations

from reports import storage as s
from reports.context import ReportContext
from reports.owners import owner_text
from reports.storage import Markup
from reports.text import kr_unit, pct, with_unit
from rules.forecast import BAND, MIN_VALUES
from rules.model import KrKind
from rules.okr_changes import OkrChange
from rules.results import KeyResultProgress, ObjectiveProgress

FORECAST_HEADERS = [
    "Key result",
    "Owner",
    "Forecast",
    "Likely range",
    "Forecast score",
    "Team's forecast",
]
CHANGE_HEADERS = ["Day", "OKR", "Change"]


def forecast_line(op: ObjectiveProgress) -> str:
    """The objective's forecast for its summary line: its key results' forecasts by weight."""
    if op.forecast_score is None:
        return ""
    return f" Forecast at the cycle's end: {pct(op.forecast_score)}."


def forecast_table(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    if not op.key_results:
        return s.p("This objective has no key results yet.")
    rows = [_forecast_row(krp) for krp in op.key_results]
    needed = max(
        (k.forecast.needed for k in op.key_results if k.forecast is not None), default=MIN_VALUES
    )
    end = ctx.evaluation.cycle.end.isoformat()
    how = s.p(
        s.em(
            "How: a least-squares line through each key result's dated values this cycle (its "
            "check-ins, measured values and a dated current value, one per day), read at the "
            f"cycle's last day ({end}); the likely range is the line's {BAND}. A forecast needs "
            f"values on at least {needed} different days. The team's forecast is the one given "
            "with its latest check-in (outcomes checkin … --forecast V)."
        )
    )
    return s.join([s.table(FORECAST_HEADERS, rows), how])


def _forecast_row(krp: KeyResultProgress) -> list[s.Node]:
    kr = krp.key_result
    unit = kr_unit(kr)
    found, team = krp.forecast, krp.team_forecast
    name = s.join([s.strong(kr.id), " ", kr.title])
    owner = owner_text(kr.owner)
    if kr.kind is not KrKind.METRIC or found is None:
        return [name, owner, f"Not forecast ({kr.kind.value})", "—", "—", "—"]
    theirs: s.Node = "—"
    if team is not None:
        who = f" by {team.by}" if team.by else ""
        theirs = f"{with_unit(team.value, unit)} ({pct(team.score)}), {team.on.isoformat()}{who}"
    if found.value is None or found.score is None:
        return [name, owner, s.em(found.reason or "not enough data"), "—", "—", theirs]
    spread = (
        f"{with_unit(found.low, unit)} – {with_unit(found.high, unit)}"
        if found.low is not None and found.high is not None
        else "—"
    )
    return [name, owner, with_unit(found.value, unit), spread, pct(found.score), theirs]


def changes_section(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    """The changes to this objective and its key results recorded this cycle, oldest first."""
    cycle, as_of = ctx.evaluation.cycle, ctx.evaluation.as_of
    oid = op.objective.id.upper()
    changes = [
        c
        for c in ctx.okr_changes
        if c.objective_id.upper() == oid and cycle.start <= c.day <= as_of
    ]
    if not changes:
        return s.p(
            "No change to this objective or its key results recorded this cycle (Outcomes "
            "compares the catalogue of each report day with the one before)."
        )
    return s.table(CHANGE_HEADERS, [_change_row(c) for c in changes])


def _change_row(change: OkrChange) -> list[s.Node]:
    return [change.day.isoformat(), change.subject, change.describe()]
