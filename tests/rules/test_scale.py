"""Evaluation grows linearly with the catalogue (issue 12.7): the indexes are built once per
evaluation, not once per key result or epic. Counted by calls, never by the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rules.alignment import team_lookup
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.finding_base import FindingContext
from rules.findings_outcomes import kr_without_work
from rules.policy import Policy
from rules.results import ObjectiveProgress
from tests.rules.factories import epic

AS_OF = date(2026, 11, 15)
TEAMS = 40


def _catalogue(teams: int = TEAMS) -> dict[str, Any]:
    """P1 with two key results; one team objective per team, each supporting P1.KR1."""
    return {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": [{"id": f"t{n}", "name": f"T{n}", "projects": [f"T{n}"]} for n in range(teams)],
        "objectives": [
            {
                "id": "P1",
                "cycle": "2026-Q4",
                "title": "Portfolio",
                "key_results": [
                    {"id": f"P1.KR{k}", "title": "M", "start": 0, "target": 10} for k in (1, 2)
                ],
            },
            *(
                {
                    "id": f"T{n}-O1",
                    "cycle": "2026-Q4",
                    "team": f"t{n}",
                    "title": "Team",
                    "supports": ["P1.KR1"],
                    "key_results": [{"id": f"T{n}-O1.KR1", "title": "M", "start": 0, "target": 5}],
                }
                for n in range(teams)
            ),
        ],
    }


@dataclass(frozen=True)
class _CountingContext(FindingContext):
    calls: list[int] | None = None

    def current_objectives(self) -> tuple[ObjectiveProgress, ...]:
        assert self.calls is not None
        self.calls.append(1)
        return super().current_objectives()


def test_kr_without_work_reads_the_objectives_once_however_many_key_results() -> None:
    catalogue = parse_catalogue(_catalogue(), "okrs.yaml")
    # Only T0's objective has work: P1.KR1 (through it) and T0-O1.KR1 are the ones covered.
    evaluation = evaluate(
        catalogue, [epic("T0-1", labels=("okr:T0-O1.KR1",))], as_of=AS_OF, policy=Policy()
    )
    calls: list[int] = []
    context = _CountingContext(
        catalogue,
        None,  # type: ignore[arg-type]  # not read by this rule
        evaluation.cycle,
        AS_OF,
        Policy(),
        evaluation.epics,
        evaluation.objectives,
        calls=calls,
    )
    flagged = {flag.subject for flag in kr_without_work(context)}
    # 2 + 40 key results; P1.KR1 has T0-O1's epic behind it through the supports link.
    assert flagged == {"P1.KR2", *(f"T{n}-O1.KR1" for n in range(1, TEAMS))}
    assert len(calls) == 2  # its own walk over the key results, and the index: not one per KR


def test_evaluation_builds_the_team_index_once_for_all_epics() -> None:
    catalogue = parse_catalogue(_catalogue(), "okrs.yaml")
    epics = [epic(f"T{n % TEAMS}-{n + 1}") for n in range(200)]
    team_lookup.cache_clear()
    evaluation = evaluate(catalogue, epics, as_of=AS_OF, policy=Policy())
    info = team_lookup.cache_info()
    assert info.hits + info.misses == 1
    assert {a.team for a in evaluation.epics} == {f"t{n}" for n in range(TEAMS)}
    # Shares per team, in catalogue order, then the portfolio: 5 active epics each.
    shares = evaluation.alignment
    assert [s.team for s in shares] == [*(f"t{n}" for n in range(TEAMS)), None]
    assert {s.unaligned for s in shares[:-1]} == {5} and shares[-1].unaligned == 200


def test_a_team_objective_supporting_a_key_result_is_listed_by_its_objective() -> None:
    catalogue = parse_catalogue(_catalogue(teams=3), "okrs.yaml")
    evaluation = evaluate(catalogue, [], as_of=AS_OF, policy=Policy())
    p1 = next(o for o in evaluation.objectives if o.objective.id == "P1")
    assert p1.supported_by == ("T0-O1", "T1-O1", "T2-O1")
