"""The demo portfolio behind `outcomes demo`: a retail bank's Jira, Confluence and OKR catalogue.

`build_demo(today)` returns the sandbox seed (the dataset the sandbox serves), the OKR catalogue and
the few settings the demo needs. The hand-written parts (teams, people, objectives, key results and
the odd epics a real portfolio has) live in `config/demo/portfolio.yaml`, shipped as package data;
everything else (epic timelines, child issues, keys, statuses, story points) is generated with
`random.Random(seed)`, so the same `(today, seed)` always gives the same portfolio.

The demo is always mid-cycle: its cycle is the quarter that contains `today`, and the quarter before
is a past cycle with one retired objective (claims to it are out of cycle). Nothing here reads the
clock: `today` is passed in. Every timestamp in the dataset is before `today` (the latest is the
evening of the day before), so the sandbox never serves an issue "from the future".

Both mappings are plain YAML/JSON data: dates are ISO strings (`2026-10-01`), timestamps are ISO
strings in UTC (`2026-10-02T09:00:00Z`).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from rules.model import Cycle
from service.demo_issues import (
    PORTFOLIO_RESOURCE,
    STATUSES,
    DemoPortfolioError,
    _build_dataset,
    resolve_date,
)


@dataclass(frozen=True)
class DemoPortfolio:
    dataset: dict[str, Any]  # the sandbox seed (connector/sandbox/dataset.py format)
    catalogue: dict[str, Any]  # the OKR catalogue mapping (rules/catalogue.py format)
    portfolio_name: str
    epics_jql: str
    user: str
    token: str


def quarter_of(day: date) -> Cycle:
    """The calendar quarter that contains `day`, as a cycle with an id like `2026-Q4`."""
    index = (day.month - 1) // 3
    start = date(day.year, 3 * index + 1, 1)
    following = date(day.year + 1, 1, 1) if index == 3 else date(day.year, 3 * index + 4, 1)
    return Cycle(f"{day.year}-Q{index + 1}", start, following - timedelta(days=1))


def previous_quarter(cycle: Cycle) -> Cycle:
    return quarter_of(cycle.start - timedelta(days=1))


def build_demo(today: date, seed: int = 2026) -> DemoPortfolio:
    """The demo portfolio for the quarter that contains `today`; same inputs, same result."""
    spec = _load_spec()
    cycle = quarter_of(today)
    previous = previous_quarter(cycle)
    anchors = {
        "cycle_start": cycle.start,
        "cycle_end": cycle.end,
        "previous_start": previous.start,
        "previous_end": previous.end,
    }
    portfolio = spec["portfolio"]
    projects = [team["project"] for team in spec["teams"]]
    return DemoPortfolio(
        dataset=_build_dataset(spec, cycle, anchors, today, random.Random(seed)),
        catalogue=_build_catalogue(spec, cycle, previous, anchors, today),
        portfolio_name=str(portfolio["name"]),
        epics_jql=f"project in ({', '.join(projects)}) AND issuetype = Epic",
        user=str(portfolio["user"]),
        token=str(portfolio["token"]),
    )


# --- the hand-written part ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _load_spec() -> dict[str, Any]:
    """Read and check `config/demo/portfolio.yaml` (once; callers copy what they hand out)."""
    text = (
        resources.files("service.config").joinpath(PORTFOLIO_RESOURCE).read_text(encoding="utf-8")
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(text, Loader=loader)  # a safe loader, in C when available
    if not isinstance(spec, dict) or spec.get("version") != 1:
        raise DemoPortfolioError(f"{PORTFOLIO_RESOURCE}: version: expected 1")
    _check_spec(spec)
    return spec


def _check_spec(spec: Mapping[str, Any]) -> None:
    def fail(where: str, message: str) -> DemoPortfolioError:
        return DemoPortfolioError(f"{PORTFOLIO_RESOURCE}: {where}: {message}")

    teams = {team["id"]: team for team in spec["teams"]}
    okr_ids = {
        o["id"].upper()
        for group in ("portfolio_objectives", "team_objectives")
        for o in spec[group]
    }
    okr_ids |= {
        kr["id"].upper()
        for group in ("portfolio_objectives", "team_objectives")
        for o in spec[group]
        for kr in o["key_results"]
    }
    for i, team in enumerate(spec["teams"]):
        for claim in team["claims"]:
            if claim.upper() not in okr_ids:
                raise fail(f"teams[{i}].claims", f"unknown OKR id {claim!r}")
        if not team["people"]:
            raise fail(f"teams[{i}].people", "a team needs at least one person")
    gen = spec["generation"]
    for key in ("mostly_done", "stale", "checkin_notes", "team_forecasts"):
        for claim in gen.get(key) or ():
            if claim.upper() not in okr_ids:
                raise fail(f"generation.{key}", f"unknown OKR id {claim!r}")
    for i, edge in enumerate(spec["edge_epics"]):
        if edge["team"] not in teams:
            raise fail(f"edge_epics[{i}].team", f"unknown team {edge['team']!r}")
        if edge["status"] not in dict(STATUSES):
            raise fail(f"edge_epics[{i}].status", f"unknown status {edge['status']!r}")
    for i, objective in enumerate(spec["team_objectives"]):
        if objective["team"] not in teams:
            raise fail(f"team_objectives[{i}].team", f"unknown team {objective['team']!r}")


# --- the catalogue --------------------------------------------------------------------------------


def _build_catalogue(
    spec: Mapping[str, Any], cycle: Cycle, previous: Cycle, anchors: Mapping[str, date], today: date
) -> dict[str, Any]:
    def objective(raw: Mapping[str, Any], cycle_id: str, where: str) -> dict[str, Any]:
        result: dict[str, Any] = {"id": raw["id"], "cycle": cycle_id}
        for key, value in raw.items():
            if key != "id":
                result[key] = copy.deepcopy(value)
        approval = result.get("approval")
        if isinstance(approval, dict) and "at" in approval:
            at = resolve_date(approval["at"], anchors, f"{where}.approval.at")
            approval["at"] = min(at, today).isoformat()  # a decision is never in the future
        for i, kr in enumerate(result.get("key_results") or ()):
            if "current_on" in kr:
                on = resolve_date(kr["current_on"], anchors, f"{where}.key_results[{i}].current_on")
                kr["current_on"] = min(on, today).isoformat()
        return result

    objectives = [
        objective(o, cycle.id, f"portfolio_objectives[{i}]")
        for i, o in enumerate(spec["portfolio_objectives"])
    ]
    objectives += [
        objective(o, cycle.id, f"team_objectives[{i}]")
        for i, o in enumerate(spec["team_objectives"])
    ]
    for current in objectives:
        for kr in current["key_results"]:
            checkins = _checkins(spec["generation"], kr, cycle, today)
            if checkins:
                kr["checkins"] = checkins
            if "current" in kr and "current_on" not in kr:
                # Dated, so that earlier report days show the check-ins of their time rather than
                # today's value: measured with the last check-in (which reaches it), else lately.
                last = checkins[-1]["on"] if checkins else (today - timedelta(days=1)).isoformat()
                kr["current_on"] = last
    objectives += [
        objective(o, previous.id, f"previous_objectives[{i}]")
        for i, o in enumerate(spec["previous_objectives"])
    ]
    return {
        "version": 1,
        "cycles": [
            {"id": c.id, "start": c.start.isoformat(), "end": c.end.isoformat()}
            for c in (previous, cycle)
        ],
        "teams": [
            {"id": t["id"], "name": t["name"], "projects": [t["project"]]} for t in spec["teams"]
        ],
        "objectives": objectives,
    }


def _checkins(
    gen: Mapping[str, Any], kr: Mapping[str, Any], cycle: Cycle, today: date
) -> list[dict[str, Any]]:
    """Check-ins of a metric key result: from its start value to its current one, up to yesterday.

    Confidence follows the key result's pace today, so it is the same for every seed.
    """
    if kr.get("kind", "metric") != "metric" or not {"start", "target", "current"} <= set(kr):
        return []
    every = timedelta(days=int(gen["checkin_every_days"]))
    days: list[date] = []
    day = cycle.start + timedelta(days=6)
    while day < today:
        days.append(day)
        day += every
    stale = {okr_id.upper() for okr_id in gen["stale"]}
    if kr["id"].upper() in stale:
        days = days[:1]
    if not days:
        return []
    start, current, target = kr["start"], kr["current"], kr["target"]
    places = max(_decimals(start), _decimals(current), _decimals(target))
    pace = ((current - start) / (target - start)) / cycle.elapsed_share(today)
    final_confidence = min(0.9, max(0.2, 0.2 + 0.6 * pace))
    notes = {okr_id.upper(): note for okr_id, note in gen["checkin_notes"].items()}
    checkins: list[dict[str, Any]] = []
    for n, day in enumerate(days, start=1):
        value = start + (current - start) * n / len(days)
        checkin: dict[str, Any] = {
            "on": day.isoformat(),
            "value": round(value, places) if places else round(value),
            "confidence": round(0.7 + (final_confidence - 0.7) * n / len(days), 1),
        }
        checkins.append(checkin)
    if kr["id"].upper() in notes:
        checkins[-1]["note"] = notes[kr["id"].upper()]
    forecasts = {okr_id.upper(): v for okr_id, v in (gen.get("team_forecasts") or {}).items()}
    if kr["id"].upper() in forecasts:
        checkins[-1]["forecast"] = forecasts[kr["id"].upper()]
    return checkins


def _decimals(number: float) -> int:
    text = repr(number)
    return len(text.split(".", 1)[1]) if "." in text else 0
