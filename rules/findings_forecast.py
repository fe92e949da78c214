"""FORECAST_MISS: a key result heading for less than the on-track band at the cycle's end."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from rules.finding_base import FindingContext, Flag, okr_name, percent
from rules.finding_settings import FindingSettings
from rules.progress import TOO_EARLY_SHARE


class ForecastSettings(FindingSettings):
    """Forecasts themselves (not only this finding) need `min_values` dated values."""

    min_values: int = Field(default=3, ge=3, description="dated values a forecast needs")


def forecast_miss(context: FindingContext) -> Iterator[Flag]:
    """At the cycle's end the whole cycle has passed, so on track means a score of at least
    `status_bands.on_track`. The computed forecast decides; without one (too few dated values),
    the team's own forecast does. Quiet in the first tenth of a cycle, as pace is."""
    if context.cycle.elapsed_share(context.as_of) < TOO_EARLY_SHARE:
        return
    band = context.policy.on_track
    for progress in context.current_objectives():
        for kr in progress.key_results:
            computed, team = kr.forecast, kr.team_forecast
            if computed is not None and computed.score is not None:
                score, whose = computed.score, "is forecast"
                extra = f"; the team forecasts {percent(team.score)}" if team is not None else ""
            elif team is not None:
                score, whose, extra = team.score, "is forecast by its team", ""
            else:
                continue
            if score >= band - 1e-9:
                continue
            key_result = kr.key_result
            yield Flag(
                key_result.id,
                f"Key result {okr_name(key_result)} {whose} to reach {percent(score)} of the way "
                f"to its target by the cycle's end ({context.cycle.end.isoformat()}); on track "
                f"needs {percent(band)}{extra}",
                "Inspect and adapt: what would change its course? Change the work, ask for "
                "support, or agree a new target with leadership.",
                progress.objective.team,
            )
