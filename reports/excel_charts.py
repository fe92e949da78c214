"""Charts drawn from a sheet's own tables: bars for scores and alignment, lines for history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet  # also stands for a write-only one

from reports.excel_sheets import Chart, TableData

WIDTH_CM, HEIGHT_CM = 18.0, 8.0
ROWS_PER_CHART = 18  # a chart of HEIGHT_CM covers about 16 rows of the default height


@dataclass(frozen=True)
class TablePlace:
    """Where a table was written: its header row and its last row (an empty one when no data)."""

    table: TableData
    headers: list[str]  # as written in the header row
    header_row: int
    last_row: int

    def column(self, header: str) -> int:
        return self.headers.index(header) + 1


def add_charts(
    ws: Worksheet,
    charts: Sequence[Chart],
    places: Sequence[TablePlace],
    *,
    column: int,
    row: int,
) -> None:
    """The charts one below the other from (column, row), right of the tables they read."""
    by_name = {p.table.name: p for p in places}
    for spec in charts:
        place = by_name[spec.table]
        last = place.header_row + len(place.table.rows) - (1 if spec.skip_last_row else 0)
        if last <= place.header_row:
            continue  # nothing to draw
        ws.add_chart(_draw(ws, spec, place, last), f"{get_column_letter(column)}{row}")
        row += ROWS_PER_CHART


def _draw(ws: Worksheet, spec: Chart, place: TablePlace, last: int) -> BarChart | LineChart:
    chart = LineChart() if spec.style == "line" else BarChart()
    if isinstance(chart, BarChart):
        chart.type = "col"
        if spec.style == "stacked":
            chart.grouping = "stacked"
            chart.overlap = 100  # stacked bars must overlap fully
    for header in spec.series:
        col = place.column(header)
        data = Reference(ws, min_col=col, max_col=col, min_row=place.header_row, max_row=last)
        chart.add_data(data, titles_from_data=True)
    for series, colour in zip(chart.series, spec.colours, strict=False):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    category = place.column(spec.categories)
    chart.set_categories(
        Reference(
            ws, min_col=category, max_col=category, min_row=place.header_row + 1, max_row=last
        )
    )
    if isinstance(chart, LineChart):
        for series in chart.series:
            series.marker.symbol = "circle"  # a single run is a point, not yet a line
            series.smooth = False  # a smoothed line would invent scores between runs
    chart.title = spec.title
    chart.width, chart.height = WIDTH_CM, HEIGHT_CM
    chart.legend.position = "b"
    if spec.y_title:
        chart.y_axis.title = spec.y_title
    if spec.percent:
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0.0
        chart.y_axis.scaling.max = 1.0
    # openpyxl 3.1 writes axes as deleted unless told otherwise: Excel would show no axes.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart
