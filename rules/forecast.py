"""Where a metric key result is heading: its value at the cycle's end, from its dated values.

The method (stated on the pages as `METHOD`): an ordinary least-squares line through the key
result's dated values of the cycle, value against day, read at the cycle's last day. The dated
values are

- its check-ins on or before the evaluation date (`outcomes checkin`, the catalogue's `checkins:`
  and what the sync measured: a JQL count or a numeric field, one per day), and
- the catalogue's `current` when `current_on` dates it (an undated `current` has no day to plot);

only those within the cycle count, one per day (the latest recorded of that day; on a day with both,
the catalogue's dated `current` wins, as in `rules.measurement`). A line needs values on at least
`min_values` (default 3) different days; with fewer there is no forecast, and `reason` says why.

The band is the 80 % prediction interval of the line at the cycle's end:
value ± t(0.90, n−2) · s · √(1 + 1/n + (T − t̄)² / Sxx), where s is the residuals' standard error,
T the cycle's last day and t̄, Sxx the mean and spread of the values' days. A perfectly straight
series has a band of zero width; a noisy or short one a wide band.

A forecast's score is the key result's score had it reached the forecast value (so it is
direction-aware and clamped to [0, 1] like any score). Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.model import CheckIn, Cycle, KeyResult, KrKind

MIN_VALUES = 3
METHOD = "least-squares line through the cycle's dated values, read at the cycle's last day"
BAND = "80 % prediction interval"

# Student's t at 0.90 (two-sided 80 %), by degrees of freedom; past 30 the next larger df in the
# table is used, which makes the band slightly wider, never narrower.
_T90 = {
    1: 3.078,
    2: 1.886,
    3: 1.638,
    4: 1.533,
    5: 1.476,
    6: 1.440,
    7: 1.415,
    8: 1.397,
    9: 1.383,
    10: 1.372,
    11: 1.363,
    12: 1.356,
    13: 1.350,
    14: 1.345,
    15: 1.341,
    16: 1.337,
    17: 1.333,
    18: 1.330,
    19: 1.328,
    20: 1.325,
    21: 1.323,
    22: 1.321,
    23: 1.319,
    24: 1.318,
    25: 1.316,
    26: 1.315,
    27: 1.314,
    28: 1.313,
    29: 1.311,
    30: 1.310,
}


def t90(df: int) -> float:
    """Student's t quantile at 0.90 for `df` degrees of freedom (df >= 1)."""
    if df <= 30:
        return _T90[df]
    if df <= 40:
        return 1.310
    if df <= 60:
        return 1.303
    if df <= 120:
        return 1.296
    return 1.289


@dataclass(frozen=True)
class DatedValue:
    on: date
    value: float


@dataclass(frozen=True)
class Forecast:
    """A key result's computed forecast, or why there is none (`value` is None then)."""

    method: str
    values: int  # dated values on different days that the forecast read
    at: date  # the day forecast: the cycle's last
    needed: int = MIN_VALUES  # dated values a forecast needs
    value: float | None = None
    score: float | None = None
    low: float | None = None  # the band, in the key result's own terms
    high: float | None = None
    reason: str | None = None  # set when there is no forecast

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class TeamForecast:
    """The team's own forecast: given with its latest check-in that gave one."""

    on: date
    value: float
    score: float
    by: str | None = None


def dated_values(
    catalogue_kr: KeyResult, checkins: Sequence[CheckIn], cycle: Cycle, as_of: date
) -> list[DatedValue]:
    """One value per day of the cycle up to `as_of`, oldest first (see the module's rule).

    `catalogue_kr` is the key result as the catalogue wrote it (its own `current` and
    `current_on`); `checkins` every check-in known for it, in the order recorded.
    """
    until = min(as_of, cycle.end)
    by_day: dict[date, float] = {}
    for checkin in sorted(checkins, key=lambda c: c.on):  # stable: same-day order kept
        if cycle.start <= checkin.on <= until:
            by_day[checkin.on] = checkin.value
    on = catalogue_kr.current_on
    if catalogue_kr.current is not None and on is not None and cycle.start <= on <= until:
        by_day[on] = catalogue_kr.current
    return [DatedValue(day, by_day[day]) for day in sorted(by_day)]


def forecast(
    kr: KeyResult, values: Sequence[DatedValue], cycle: Cycle, *, min_values: int = MIN_VALUES
) -> Forecast | None:
    """The forecast of a metric key result (None for milestone and boolean ones)."""
    if kr.kind is not KrKind.METRIC:
        return None
    needed = max(min_values, 3)  # a line and its spread need three points
    days = sorted({v.on for v in values})
    if len(days) < needed:
        return Forecast(
            METHOD,
            len(days),
            cycle.end,
            needed,
            reason=(
                f"not enough data: {_count(len(days))} this cycle, a forecast needs {needed} "
                "on different days"
            ),
        )
    xs = [float((v.on - cycle.start).days) for v in values]
    ys = [v.value for v in values]
    n = len(xs)
    x_mean = sum(xs) / n
    y_mean = sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = y_mean - slope * x_mean
    end = float((cycle.end - cycle.start).days)
    value = intercept + slope * end
    residuals = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    spread = math.sqrt(residuals / (n - 2))
    half = t90(n - 2) * spread * math.sqrt(1 + 1 / n + (end - x_mean) ** 2 / sxx)
    return Forecast(
        METHOD,
        n,
        cycle.end,
        needed,
        value=value,
        score=score_at(kr, value),
        low=value - half,
        high=value + half,
    )


def team_forecast(kr: KeyResult, checkins: Sequence[CheckIn]) -> TeamForecast | None:
    """The latest check-in (of those given, in order) that carries the team's own forecast."""
    given = [c for c in checkins if c.forecast is not None]
    if kr.kind is not KrKind.METRIC or not given:
        return None
    latest = max(given, key=lambda c: c.on)  # max() keeps the first of equal days...
    latest = [c for c in given if c.on == latest.on][-1]  # ...so take the last recorded
    assert latest.forecast is not None
    return TeamForecast(latest.on, latest.forecast, score_at(kr, latest.forecast), latest.by)


def score_at(kr: KeyResult, value: float) -> float:
    """A metric key result's score had it reached `value` (`rules.progress.kr_score`'s formula;
    not imported from there, since `rules.results` holds these types and progress imports it)."""
    if kr.start is None or kr.target is None or kr.start == kr.target:
        return 0.0
    return min(1.0, max(0.0, (value - kr.start) / (kr.target - kr.start)))


def rolled_up(scores: Sequence[tuple[float, float | None]]) -> float | None:
    """An objective's forecast score: the weighted mean over (weight, score) of the key results
    that have a forecast; None when none has one."""
    known = [(w, s) for w, s in scores if s is not None]
    weight = sum(w for w, _ in known)
    return sum(w * s for w, s in known) / weight if weight else None


def _count(n: int) -> str:
    return f"{n} dated value" + ("" if n == 1 else "s")
