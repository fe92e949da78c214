"""Findings about outcomes: team objectives, key results and their pace, and exempt work."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from rules.alignment import NO_TEAM
from rules.finding_base import FindingContext, Flag, okr_name, percent
from rules.finding_settings import FindingSettings, Share
from rules.model import ApprovalState, KrKind, Level, PaceStatus
from rules.results import KeyResultProgress, ObjectiveProgress


def orphan_team_objective(context: FindingContext) -> Iterator[Flag]:
    for progress in context.current_objectives():
        objective = progress.objective
        if objective.level is not Level.TEAM:
            continue
        if not objective.supports:
            why = "supports no portfolio objective or key result"
        elif all(c.state is ApprovalState.REJECTED for c in progress.connections):
            rejected = ", ".join(objective.supports)
            why = f"supports nothing leadership agrees with ({rejected} rejected)"
        else:
            continue
        yield Flag(
            objective.id,
            f"Team objective {okr_name(objective)} {why}",
            "Name the portfolio objective or key result it serves (supports: [...]), or agree "
            "with leadership that it stays a team-only goal.",
            objective.team,
        )


def kr_without_work(context: FindingContext) -> Iterator[Flag]:
    active = {a.epic.key for a in context.epics if a.epic.active}
    via_team = _team_objective_epics(context)
    for progress, kr in _key_results(context):
        if not kr.key_result.needs_work:
            continue
        behind = [k for k in kr.epic_keys if k in active]
        behind += [k for k in via_team.get(kr.key_result.id.upper(), ()) if k in active]
        if behind:
            continue
        key_result = kr.key_result
        label = context.policy.label_for(key_result.id)
        yield Flag(
            key_result.id,
            f"Key result {okr_name(key_result)} has no active epic behind it",
            f"Tag the epics that move it ({label}), or mark it needs_work: false in the "
            "catalogue when no epic moves it directly.",
            progress.objective.team,
        )


def _team_objective_epics(context: FindingContext) -> dict[str, list[str]]:
    """Upper-cased OKR id -> epics behind the team objectives whose (not rejected) support names
    it; indexed once, since asking every objective for each key result was quadratic."""
    keys: dict[str, list[str]] = {}
    for progress in context.current_objectives():
        named = {
            c.okr_id.upper() for c in progress.connections if c.state is not ApprovalState.REJECTED
        }
        for okr_id in named:
            keys.setdefault(okr_id, []).extend(progress.epic_keys)
    return keys


class StaleSettings(FindingSettings):
    days: int = Field(default=21, ge=1, description="allowed days without a check-in")


def stale_kr(context: FindingContext) -> Iterator[Flag]:
    days = context.policy.finding("STALE_KR", StaleSettings).days
    until = min(context.as_of, context.cycle.end)
    for progress, kr in _key_results(context):
        key_result = kr.key_result
        if key_result.kind is not KrKind.METRIC or until < context.cycle.start:
            continue
        dates = [c.on for c in key_result.checkins]
        if key_result.current_on is not None:
            dates.append(key_result.current_on)
        last = max(dates, default=None)
        since = (until - (last or context.cycle.start)).days
        if since <= days:
            continue
        if last is None:
            message = f"Key result {okr_name(key_result)} has had no check-in this cycle"
        else:
            message = (
                f"Key result {okr_name(key_result)} was last measured on {last.isoformat()}, "
                f"{since} days ago"
            )
        if key_result.measure_jql or key_result.measure_field:
            hint = "Its value comes from Jira at sync time: check that the sync runs and succeeds."
        else:
            hint = (
                f"Record a check-in: outcomes checkin {key_result.id} --value V "
                "--confidence 0.7 --note TEXT"
            )
        message += f" (allowed: {days} days)"
        yield Flag(key_result.id, message, hint, progress.objective.team)


class OffPaceSettings(FindingSettings):
    include_at_risk: bool = Field(default=False, description="flag at-risk key results too")


def off_pace(context: FindingContext) -> Iterator[Flag]:
    flagged = {PaceStatus.OFF_TRACK}
    if context.policy.finding("OFF_PACE", OffPaceSettings).include_at_risk:
        flagged.add(PaceStatus.AT_RISK)
    for progress, kr in _key_results(context):
        if kr.status not in flagged:
            continue
        yield Flag(
            kr.key_result.id,
            f"Key result {okr_name(kr.key_result)} is {percent(kr.score)} of the way to its "
            f"target with {percent(kr.expected)} of the cycle gone ({kr.status.value})",
            "Ask the team what holds it back and what support would help; adapt the plan or "
            "the key result.",
            progress.objective.team,
        )


class OutputSettings(FindingSettings):
    done_share: Share = Field(default=0.7, description="at least this share of the work done")
    max_score: Share = Field(default=0.2, description="and the key result's score at most this")


def output_without_outcome(context: FindingContext) -> Iterator[Flag]:
    knobs = context.policy.finding("OUTPUT_WITHOUT_OUTCOME", OutputSettings)
    for progress, kr in _key_results(context):
        output = kr.output
        if output.children_total:
            done, total, what = output.children_done, output.children_total, "child issues"
        else:
            done, total, what = output.epics_done, output.epics_total, "epics"
        if not total or done / total < knobs.done_share - 1e-9:
            continue
        if kr.score > knobs.max_score + 1e-9:
            continue
        yield Flag(
            kr.key_result.id,
            f"Most of the work behind key result {okr_name(kr.key_result)} is done "
            f"({done} of {total} {what}), yet it has moved only {percent(kr.score)} of the way "
            "to its target",
            "Inspect and adapt: does this work really move the key result? Try another approach, "
            "or check that the measurement is current.",
            progress.objective.team,
        )


class ExemptSettings(FindingSettings):
    max_share: Share = Field(default=0.3, description="allowed share of exempt active epics")
    teams: dict[str, Share] = Field(default={}, description="a team's own share, by team id")

    def allowed(self, team: str) -> float:
        return self.teams.get(team, self.max_share)


def exempt_over_budget(context: FindingContext) -> Iterator[Flag]:
    knobs = context.policy.finding("EXEMPT_OVER_BUDGET", ExemptSettings)
    for share in context.alignment:
        if share.team is None or share.team == NO_TEAM or not share.total:
            continue
        allowed = knobs.allowed(share.team)
        actual = share.exempt / share.total
        if actual <= allowed + 1e-9:
            continue
        name = context.catalogue.team_name(share.team)
        points = share.aligned_points + share.unaligned_points + share.exempt_points
        of_points = f"; {share.exempt_points:g} of {points:g} story points" if points else ""
        yield Flag(
            share.team,
            f"{name}: {share.exempt} of {share.total} active epics ({percent(actual)}{of_points}) "
            f"are exempt keep-the-lights-on work; the allowed share is {percent(allowed)}",
            "Tie some of this work to an outcome, or agree a higher share for the team "
            f"(findings.EXEMPT_OVER_BUDGET.teams.{share.team}).",
            share.team,
        )


def _key_results(
    context: FindingContext,
) -> Iterator[tuple[ObjectiveProgress, KeyResultProgress]]:
    for progress in context.current_objectives():
        for kr in progress.key_results:
            yield progress, kr
