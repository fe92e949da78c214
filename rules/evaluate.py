"""One evaluation: catalogue + epics + a date -> progress, alignment and findings.

Order of work: pick the reporting cycle, align every epic (claims, team, state), score the
objectives of that cycle with the epics behind them, count alignment shares, then run the findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rules.alignment import align_epic, alignment_shares, natural_key
from rules.claims import OkrIndex
from rules.findings import FindingContext, run_rules
from rules.model import (
    Catalogue,
    Cycle,
    Epic,
    EpicAlignment,
    Evaluation,
    KeyResult,
    KeyResultProgress,
    Level,
    Objective,
    ObjectiveProgress,
)
from rules.policy import Policy
from rules.progress import kr_score, objective_score, output_of, pace_status


class UnknownCycleError(ValueError):
    """The cycle asked for is not in the catalogue."""


def evaluate(
    catalogue: Catalogue,
    epics: Sequence[Epic],
    *,
    as_of: date,
    policy: Policy,
    cycle_id: str | None = None,
) -> Evaluation:
    cycle = reporting_cycle(catalogue, as_of, cycle_id)
    index = OkrIndex.of(catalogue)
    ordered = sorted(epics, key=lambda e: natural_key(e.key))
    alignments = tuple(align_epic(e, catalogue.teams, index, as_of, policy) for e in ordered)
    objectives = tuple(
        _objective_progress(o, catalogue, alignments, as_of, policy)
        for o in catalogue.objectives
        if o.cycle_id == cycle.id
    )
    context = FindingContext(catalogue, index, cycle, as_of, policy, alignments, objectives)
    return Evaluation(
        as_of=as_of,
        cycle=cycle,
        objectives=objectives,
        epics=alignments,
        findings=run_rules(context),
        alignment=alignment_shares(alignments, catalogue.teams),
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


def _objective_progress(
    objective: Objective,
    catalogue: Catalogue,
    alignments: Sequence[EpicAlignment],
    as_of: date,
    policy: Policy,
) -> ObjectiveProgress:
    expected = catalogue.cycle(objective.cycle_id).elapsed_share(as_of)
    key_results = tuple(
        _kr_progress(kr, alignments, expected, policy) for kr in objective.key_results
    )
    own_ids = {objective.id.upper(), *(kr.id.upper() for kr in objective.key_results)}
    score = objective_score(objective.key_results)
    return ObjectiveProgress(
        objective=objective,
        score=score,
        expected=expected,
        status=pace_status(score, expected, policy),
        key_results=key_results,
        supported_by=tuple(
            o.id
            for o in catalogue.objectives
            if o.level is Level.TEAM
            and o.cycle_id == objective.cycle_id
            and own_ids & {ref.upper() for ref in o.supports}
        ),
        epic_keys=_claiming(alignments, own_ids),
    )


def _kr_progress(
    kr: KeyResult, alignments: Sequence[EpicAlignment], expected: float, policy: Policy
) -> KeyResultProgress:
    score = kr_score(kr)
    epic_keys = _claiming(alignments, {kr.id.upper()})
    behind = [a.epic for a in alignments if a.epic.key in epic_keys]
    return KeyResultProgress(
        key_result=kr,
        score=score,
        expected=expected,
        status=pace_status(score, expected, policy),
        epic_keys=epic_keys,
        output=output_of(behind),
    )


def _claiming(alignments: Sequence[EpicAlignment], okr_ids: set[str]) -> tuple[str, ...]:
    """Keys of epics (done ones too) with a valid claim on one of these upper-cased ids."""
    return tuple(
        a.epic.key for a in alignments if okr_ids & {valid.upper() for valid in a.valid_okr_ids}
    )
