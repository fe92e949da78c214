"""One evaluation: catalogue + epics + a date -> progress, alignment and findings.

Order of work: pick the reporting cycle, measure every key result as of the date (check-ins),
index the decisions on connections, align every epic (claims, their approval, team, state), score
the objectives of that cycle with the epics behind them, count alignment shares, then run the
findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from rules.alignment import align_epic, alignment_shares, natural_key, team_lookup
from rules.approval import (
    DecisionBook,
    Proposed,
    catalogue_decisions,
    connections_of,
    summary_approval,
)
from rules.approvers import EVERYONE, ApproverRules
from rules.claims import OkrIndex
from rules.findings import FindingContext, run_rules
from rules.findings_forecast import ForecastSettings
from rules.forecast import dated_values, forecast, rolled_up, team_forecast
from rules.measurement import last_checkin, measured
from rules.model import (
    ApprovalState,
    Catalogue,
    CheckIn,
    Connection,
    Cycle,
    Decision,
    Epic,
    KeyResult,
    Level,
    Objective,
    PaceStatus,
)
from rules.overrides import Override
from rules.policy import Policy
from rules.progress import kr_score, objective_score, output_of, pace_status
from rules.results import EpicAlignment, Evaluation, KeyResultProgress, ObjectiveProgress


class UnknownCycleError(ValueError):
    """The cycle asked for is not in the catalogue."""


def evaluate(
    catalogue: Catalogue,
    epics: Sequence[Epic],
    *,
    as_of: date,
    policy: Policy,
    cycle_id: str | None = None,
    decisions: Iterable[Decision] = (),
    checkins: Mapping[str, Sequence[CheckIn]] | None = None,
    overrides: Sequence[Override] = (),
    first_seen: Mapping[str, date] | None = None,
    proposed: Proposed | None = None,
    approvers: ApproverRules = EVERYONE,
) -> Evaluation:
    """`decisions`, `checkins` (key result id -> check-ins), `first_seen` (key result id ->
    the first report day that saw its undated `current`) and `proposed` ((subject, OKR id) ->
    the first sync that saw the connection) come from the store; `approvers` (who may decide)
    from the settings."""
    cycle = reporting_cycle(catalogue, as_of, cycle_id)
    written = {kr.id: kr for kr in catalogue.key_results()}  # before check-ins replace `current`
    catalogue = measured(catalogue, checkins or {}, as_of, first_seen)
    index = OkrIndex.of(catalogue)
    book = DecisionBook.of([*catalogue_decisions(catalogue), *decisions], as_of, proposed)
    ordered = sorted(epics, key=lambda e: natural_key(e.key))
    teams = team_lookup(tuple(catalogue.teams))
    alignments = tuple(align_epic(e, teams, index, as_of, policy, book, overrides) for e in ordered)
    decided = [_decided(o, book, policy) for o in catalogue.objectives if o.cycle_id == cycle.id]
    claims = _Claims.of(alignments)
    supporters = _supporters(decided)
    objectives = tuple(
        _objective_progress(o, links, supporters, catalogue, claims, as_of, policy, written)
        for o, links in decided
    )
    shares = alignment_shares(alignments, catalogue.teams)
    subjects = {a.epic.key.upper() for a in alignments} | {o.id.upper() for o, _ in decided}
    ignored = tuple(
        d for d in book.not_counted if d.subject.upper() in subjects and book.still_open(d)
    )
    context = FindingContext(
        catalogue, index, cycle, as_of, policy, alignments, objectives, shares, ignored, approvers
    )
    return Evaluation(
        as_of=as_of,
        cycle=cycle,
        objectives=objectives,
        epics=alignments,
        findings=run_rules(context),
        alignment=shares,
        not_counted=ignored,
    )


def reporting_cycle(catalogue: Catalogue, as_of: date, cycle_id: str | None = None) -> Cycle:
    """The cycle asked for; else the one containing as_of; else the latest begun; else the first."""
    if cycle_id is not None:
        chosen = next((c for c in catalogue.cycles if c.id == cycle_id), None)
        if chosen is None:
            known = ", ".join(c.id for c in catalogue.cycles)
            raise UnknownCycleError(f"no cycle {cycle_id!r} in the catalogue (cycles: {known})")
        return chosen
    current = next((c for c in catalogue.cycles if c.contains(as_of)), None)
    if current is not None:
        return current
    begun = [c for c in catalogue.cycles if c.start < as_of]
    if begun:
        return max(begun, key=lambda c: c.start)
    return min(catalogue.cycles, key=lambda c: c.start)  # all in the future: the next one


Decided = tuple[Objective, tuple[Connection, ...]]  # an objective with its approval resolved


def _decided(objective: Objective, book: DecisionBook, policy: Policy) -> Decided:
    links = connections_of(objective, book, policy)
    approval = summary_approval(objective, links, book, policy)
    return replace(objective, approval=approval), links


def _supporters(decided: Sequence[Decided]) -> dict[str, list[tuple[int, str]]]:
    """Upper-cased OKR id -> (place, id) of the team objectives whose links to it leadership
    did not reject, indexed once (scanning every objective for each one was quadratic)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for place, (other, links) in enumerate(decided):
        if other.level is not Level.TEAM:
            continue
        for okr_id in {c.okr_id.upper() for c in links if c.state is not ApprovalState.REJECTED}:
            found.setdefault(okr_id, []).append((place, other.id))
    return found


def _objective_progress(
    objective: Objective,
    links: tuple[Connection, ...],
    supporters: Mapping[str, Sequence[tuple[int, str]]],
    catalogue: Catalogue,
    claims: _Claims,
    as_of: date,
    policy: Policy,
    written: Mapping[str, KeyResult],
) -> ObjectiveProgress:
    cycle = catalogue.cycle(objective.cycle_id)
    expected = cycle.elapsed_share(as_of)
    key_results = tuple(
        _kr_progress(kr, claims, expected, policy, cycle, as_of, written.get(kr.id, kr))
        for kr in objective.key_results
    )
    own_ids = {objective.id.upper(), *(kr.id.upper() for kr in objective.key_results)}
    score = objective_score(objective.key_results)
    return ObjectiveProgress(
        objective=objective,
        score=score,
        expected=expected,
        status=PaceStatus.NO_KEY_RESULTS if score is None else pace_status(score, expected, policy),
        key_results=key_results,
        # Team objectives that support this one, unless leadership rejected the connection.
        supported_by=tuple(
            other_id for _, other_id in sorted({s for i in own_ids for s in supporters.get(i, ())})
        ),
        epic_keys=tuple(a.epic.key for a in claims.claiming(own_ids)),
        connections=links,
        forecast_score=rolled_up(
            [(k.key_result.weight, k.forecast.score if k.forecast else None) for k in key_results]
        ),
    )


def forecast_min_values(policy: Policy) -> int:
    """Forecasts need this many dated values (set under FORECAST_MISS, used by every forecast)."""
    return policy.finding("FORECAST_MISS", ForecastSettings).min_values


def _kr_progress(
    kr: KeyResult,
    claims: _Claims,
    expected: float,
    policy: Policy,
    cycle: Cycle,
    as_of: date,
    written: KeyResult,
) -> KeyResultProgress:
    score = kr_score(kr)
    values = dated_values(written, kr.checkins, cycle, as_of)
    behind = claims.claiming({kr.id.upper()})
    return KeyResultProgress(
        key_result=kr,
        score=score,
        expected=expected,
        status=pace_status(score, expected, policy),
        epic_keys=tuple(a.epic.key for a in behind),
        output=output_of([a.epic for a in behind]),
        last_checkin=last_checkin(kr),
        forecast=forecast(kr, values, cycle, min_values=forecast_min_values(policy)),
        team_forecast=team_forecast(kr, kr.checkins),
    )


@dataclass(frozen=True)
class _Claims:
    """Which epics (done ones too) hold a valid claim on each upper-cased OKR id, indexed once."""

    alignments: Sequence[EpicAlignment]
    positions: Mapping[str, list[int]]  # upper-cased id -> places in `alignments`, ascending

    @classmethod
    def of(cls, alignments: Sequence[EpicAlignment]) -> _Claims:
        positions: dict[str, list[int]] = {}
        for n, alignment in enumerate(alignments):
            for okr_id in {valid.upper() for valid in alignment.valid_okr_ids}:
                positions.setdefault(okr_id, []).append(n)
        return cls(alignments, positions)

    def claiming(self, okr_ids: set[str]) -> list[EpicAlignment]:
        """The epics claiming any of these ids, in the evaluation's order."""
        places = sorted({n for okr_id in okr_ids for n in self.positions.get(okr_id, ())})
        return [self.alignments[n] for n in places]
