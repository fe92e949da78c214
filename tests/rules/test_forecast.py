"""Forecasts of a key result's value at the cycle's end, on dated series worked out by hand.

The cycle is 2026-Q4: day 0 is 2026-10-01, its last day (2026-12-31) is day 91.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.forecast import (
    DatedValue,
    Forecast,
    dated_values,
    forecast,
    rolled_up,
    t90,
    team_forecast,
)
from rules.model import CheckIn, Cycle, KeyResult, KrKind
from rules.policy import Policy

Q4 = Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
UP = KeyResult("K1", "O1", "Instant payments", start=0, target=100)
DOWN = KeyResult("K2", "O1", "Transfer time", start=42, target=10)  # a decrease


def day(n: int) -> date:
    return Q4.start + timedelta(days=n)


def series(*points: tuple[int, float]) -> list[DatedValue]:
    return [DatedValue(day(n), value) for n, value in points]


def test_a_rising_series_follows_its_line_to_the_cycle_end() -> None:
    found = forecast(UP, series((10, 10), (20, 20), (30, 30)), Q4)
    assert found is not None
    assert found.value == pytest.approx(91)  # y = x, read on day 91
    assert found.score == pytest.approx(0.91)
    assert (found.low, found.high) == (pytest.approx(91), pytest.approx(91))  # a straight line
    assert (found.values, found.at, found.reason) == (3, date(2026, 12, 31), None)


def test_a_flat_series_stays_where_it_is() -> None:
    found = forecast(UP, series((10, 50), (40, 50), (70, 50)), Q4)
    assert found is not None
    assert (found.value, found.score, found.low, found.high) == (50, 0.5, 50, 50)


def test_a_falling_series_of_an_increase_key_result_scores_zero() -> None:
    found = forecast(UP, series((10, 30), (20, 20), (30, 10)), Q4)
    assert found is not None
    assert found.value == pytest.approx(-51)  # y = 40 − x
    assert found.score == 0.0  # clamped, as every score is


def test_a_decrease_key_result_scores_by_how_far_it_comes_down() -> None:
    found = forecast(DOWN, series((0, 42), (30, 33), (60, 24)), Q4)
    assert found is not None
    assert found.value == pytest.approx(14.7)  # y = 42 − 0.3 x
    assert found.score == pytest.approx((42 - 14.7) / 32)  # 27.3 of the 32 to come down


def test_a_noisy_series_gets_a_band_around_its_line() -> None:
    found = forecast(UP, series((0, 0), (10, 12), (20, 18), (30, 30)), Q4)
    assert found is not None
    # x̄ = 15, ȳ = 15, Sxx = 500, Sxy = 480: slope 0.96, intercept 0.6 -> 0.6 + 0.96·91 = 87.96.
    assert found.value == pytest.approx(87.96)
    assert found.score == pytest.approx(0.8796)
    # Residuals −0.6, 1.8, −1.8, 0.6: s = √(7.2 / 2); t(0.90, 2) = 1.886;
    # half width = 1.886 · √3.6 · √(1 + 1/4 + 76² / 500) = 12.8036.
    assert found.low == pytest.approx(87.96 - 12.8036, abs=1e-3)
    assert found.high == pytest.approx(87.96 + 12.8036, abs=1e-3)


def test_too_few_values_forecast_nothing_and_say_why() -> None:
    found = forecast(UP, series((10, 10), (20, 20)), Q4)
    assert found == Forecast(
        found.method if found else "",
        2,
        date(2026, 12, 31),
        3,
        reason="not enough data: 2 dated values this cycle, a forecast needs 3 on different days",
    )
    none = forecast(UP, [], Q4)
    assert none is not None and none.reason is not None
    assert none.reason.startswith("not enough data: 0 dated values")


def test_more_values_can_be_required() -> None:
    found = forecast(UP, series((10, 10), (20, 20), (30, 30)), Q4, min_values=4)
    assert found is not None and found.value is None
    assert found.reason == (
        "not enough data: 3 dated values this cycle, a forecast needs 4 on different days"
    )


def test_milestone_and_boolean_key_results_have_no_forecast() -> None:
    values = series((10, 1), (20, 1), (30, 1))
    assert forecast(KeyResult("M", "O", "m", kind=KrKind.MILESTONE), values, Q4) is None
    assert forecast(KeyResult("B", "O", "b", kind=KrKind.BOOLEAN), values, Q4) is None


def test_dated_values_one_per_day_within_the_cycle_up_to_the_evaluation_date() -> None:
    checkins = [
        CheckIn(date(2026, 9, 30), 1),  # last cycle
        CheckIn(day(10), 10),
        CheckIn(day(10), 11),  # recorded later the same day: the latest of the day counts
        CheckIn(day(20), 20),
        CheckIn(day(50), 50),  # after the evaluation date
    ]
    written = KeyResult("K1", "O1", "t", start=0, target=100, current=15, current_on=day(15))
    assert dated_values(written, checkins, Q4, day(40)) == series((10, 11), (15, 15), (20, 20))
    # An undated `current` has no day to plot.
    undated = KeyResult("K1", "O1", "t", start=0, target=100, current=15)
    assert dated_values(undated, checkins, Q4, day(40)) == series((10, 11), (20, 20))
    # On a day with both, the catalogue's dated current wins (as in rules.measurement).
    same_day = KeyResult("K1", "O1", "t", start=0, target=100, current=99, current_on=day(20))
    assert dated_values(same_day, checkins, Q4, day(40))[-1] == DatedValue(day(20), 99)


def test_the_teams_own_forecast_is_the_latest_given() -> None:
    checkins = [
        CheckIn(day(10), 10, forecast=80, by="Ana"),
        CheckIn(day(20), 20, forecast=60, by="Ben"),
        CheckIn(day(30), 25),  # no forecast with this one
    ]
    found = team_forecast(UP, checkins)
    assert found is not None
    assert (found.on, found.value, found.score, found.by) == (day(20), 60, 0.6, "Ben")
    assert team_forecast(UP, checkins[2:]) is None


def test_an_objective_rolls_up_its_key_results_forecasts_by_weight() -> None:
    assert rolled_up([(2, 0.9), (1, 0.3), (5, None)]) == pytest.approx(0.7)  # (1.8 + 0.3) / 3
    assert rolled_up([(1, None)]) is None


def test_the_evaluation_carries_forecasts_and_rolls_them_up() -> None:
    catalogue = parse_catalogue(
        {
            "version": 1,
            "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
            "objectives": [
                {
                    "id": "P1",
                    "cycle": "2026-Q4",
                    "title": "Payments",
                    "key_results": [
                        {"id": "P1.KR1", "title": "Up", "start": 0, "target": 100, "weight": 3},
                        {"id": "P1.KR2", "title": "Few", "start": 0, "target": 10},
                    ],
                }
            ],
        },
        "okrs.yaml",
    )
    checkins = {
        "P1.KR1": [CheckIn(day(10), 10), CheckIn(day(20), 20), CheckIn(day(30), 30)],
        "P1.KR2": [CheckIn(day(10), 3, forecast=7)],
    }
    evaluation = evaluate(catalogue, [], as_of=day(40), policy=Policy(), checkins=checkins)
    (p1,) = evaluation.objectives
    up, few = p1.key_results
    assert up.forecast is not None and up.forecast.score == pytest.approx(0.91)
    assert few.forecast is not None and few.forecast.value is None  # one value only
    assert few.team_forecast is not None and few.team_forecast.score == pytest.approx(0.7)
    assert p1.forecast_score == pytest.approx(0.91)  # only P1.KR1 has a computed forecast


def test_t_quantiles_shrink_towards_the_normal() -> None:
    assert t90(1) == 3.078
    assert t90(30) == 1.310
    assert t90(1000) == 1.289


# --- properties ----------------------------------------------------------------------------------

days = st.lists(st.integers(min_value=0, max_value=91), min_size=3, max_size=12, unique=True)
reals = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)


@settings(database=None)
@given(xs=days, intercept=reals, slope=st.floats(min_value=-100, max_value=100))
def test_a_perfectly_linear_series_forecasts_its_own_line(
    xs: list[int], intercept: float, slope: float
) -> None:
    found = forecast(UP, series(*((x, intercept + slope * x) for x in sorted(xs))), Q4)
    assert found is not None and found.value is not None
    expected = intercept + slope * 91
    assert found.value == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(database=None)
@given(xs=days, ys=st.lists(reals, min_size=12, max_size=12))
def test_the_band_contains_the_forecast(xs: list[int], ys: list[float]) -> None:
    found = forecast(UP, series(*zip(sorted(xs), ys, strict=False)), Q4)
    assert found is not None and found.value is not None
    assert found.low is not None and found.high is not None
    assert found.low <= found.value <= found.high
    assert found.score is not None and 0.0 <= found.score <= 1.0
