"""The Score History sheet: each key result's score per run of this cycle, with a line chart.

Excel reserves the sheet name "History" (for its change tracking), so the sheet is "Score History".
"""

from __future__ import annotations

from datetime import date

from reports.excel_sheets import (
    Chart,
    Column,
    HistoryRun,
    Kind,
    SheetData,
    TableData,
    Value,
    WorkbookInput,
)
from rules.alignment import natural_key

TITLE = "Score History"
TABLE = "tblScoreHistory"
STORED, THIS_REPORT = "earlier run", "this report"


def history_sheet(source: WorkbookInput) -> SheetData:
    """Every stored run of this cycle before the evaluation day, then this report's own scores.

    Runs stored for the evaluation day itself are left out: this report stands for that day, so
    exporting again on the same day gives the same sheet.
    """
    ev = source.ctx.evaluation
    earlier = sorted(
        (r for r in source.history if r.cycle_id == ev.cycle.id and r.as_of < ev.as_of),
        key=_run_order,
    )
    kr_ids = _kr_columns(source, earlier)
    columns = (
        Column("As of", Kind.DATE),
        Column("Recorded at", Kind.DATETIME),
        Column("Run"),
        *(Column(kr_id, Kind.PERCENT) for kr_id in kr_ids),
    )
    now = {k.key_result.id: round(k.score, 4) for o in ev.objectives for k in o.key_results}
    rows: list[list[Value]] = [
        [run.as_of, run.recorded_at, STORED, *(run.scores.get(kr_id) for kr_id in kr_ids)]
        for run in earlier
    ]
    rows.append([ev.as_of, None, THIS_REPORT, *(now.get(kr_id) for kr_id in kr_ids)])
    chart = Chart(
        "Key-result score per run",
        TABLE,
        categories="As of",
        series=tuple(kr_ids),
        style="line",
        percent=True,
    )
    return SheetData(TITLE, (TableData(TABLE, columns, rows),), charts=(chart,) if kr_ids else ())


def _run_order(run: HistoryRun) -> tuple[date, float]:
    # By day, then by the moment recorded (a run without one first); sorted() keeps ties in order.
    return run.as_of, run.recorded_at.timestamp() if run.recorded_at else float("-inf")


def _kr_columns(source: WorkbookInput, runs: list[HistoryRun]) -> list[str]:
    """This cycle's key results in report order, then ids only earlier runs knew, by id."""
    ev = source.ctx.evaluation
    current = [
        krp.key_result.id
        for op in ev.portfolio_objectives() + ev.team_objectives()
        for krp in op.key_results
    ]
    seen = {kr_id.upper() for kr_id in current}
    former = sorted(
        {kr_id for run in runs for kr_id in run.scores if kr_id.upper() not in seen},
        key=natural_key,
    )
    return [*current, *former]
