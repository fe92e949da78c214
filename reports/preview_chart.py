"""Draw a Confluence chart macro's table as an inline SVG line chart for the offline preview.

The table is what the macro itself reads: first column the x-axis labels, one series per further
column, values 0-100 (blank: no point that day). Only numbers and escaped labels reach the SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 28, 40
COLOURS = ("#0052cc", "#ff5630", "#36b37e", "#6554c0", "#ffab00", "#00b8d9", "#172b4d")
EXPECTED = "#97a0af"


def _value(text: str) -> float | None:
    try:
        return max(0.0, min(100.0, float(text)))
    except ValueError:
        return None


def line_chart(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(1, len(rows) - 1)

    def x(i: int) -> float:
        return LEFT + plot_w * (i / count if len(rows) > 1 else 0.5)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / 100)

    out = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><title>{escape(title)}</title>',
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for tick in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#dfe1e6" /><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" class="chart-axis">{tick}%</text>'
        )
    step = max(1, -(-len(rows) // 6))  # at most six date labels (and the last)
    for i, row in enumerate(rows):
        if i % step == 0 or i == len(rows) - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="chart-axis">{escape(row[0] if row else "")}</text>'
            )
    for series, name in enumerate(headers[1:], start=1):
        colour = EXPECTED if name == "Expected" else COLOURS[(series - 1) % len(COLOURS)]
        dash = ' stroke-dasharray="5 4"' if name == "Expected" else ""
        points = [
            (x(i), y(v))
            for i, row in enumerate(rows)
            if series < len(row) and (v := _value(row[series])) is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{path}" />'
            )
        out.extend(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}" />' for px, py in points
        )
        ly = TOP + 16 * (series - 1)
        out.append(
            f'<rect x="{WIDTH - RIGHT + 12}" y="{ly}" width="10" height="10" fill="{colour}" />'
            f'<text x="{WIDTH - RIGHT + 28}" y="{ly + 9}" class="chart-legend">'
            f"{escape(name)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
