"""Benchmark: a catalogue of many objectives, parsed and checked, then evaluated (issue 12.7).

    python benchmarks/bench_rules.py [--objectives 16000 100000] [--epics 2000]

Builds a catalogue mapping (seeded): a tenth of the objectives are portfolio objectives with two
key results each, the rest team objectives (one team each, as a large organisation has) with one
key result that supports a portfolio key result; a few epics claim key results. Times
`parse_catalogue` (the schema and the catalogue checks) and `evaluate` (every finding, among them
KR_WITHOUT_WORK) separately, for each size. Results go into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import Epic, StatusCategory
from rules.policy import Policy

AS_OF = date(2026, 11, 24)


def catalogue_data(count: int, rng: random.Random) -> dict[str, Any]:
    portfolio = max(1, count // 10)
    objectives: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    for n in range(portfolio):
        objectives.append(
            {
                "id": f"P{n}",
                "cycle": "2026-Q4",
                "title": f"Portfolio objective {n}",
                "key_results": [
                    {"id": f"P{n}.KR{k}", "title": "A metric", "start": 0, "target": 10}
                    for k in (1, 2)
                ],
            }
        )
    for n in range(count - portfolio):
        team = f"team{n}"
        teams.append({"id": team, "name": f"Team {n}", "projects": [f"T{n}"]})
        supported = f"P{rng.randrange(portfolio)}.KR{rng.choice((1, 2))}"
        objectives.append(
            {
                "id": f"T{n}-O1",
                "cycle": "2026-Q4",
                "team": team,
                "title": f"Team objective {n}",
                "supports": [supported],
                "key_results": [
                    {"id": f"T{n}-O1.KR1", "title": "A metric", "start": 0, "target": 5}
                ],
            }
        )
    return {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": teams,
        "objectives": objectives,
    }


def epics(count: int, objectives: int, rng: random.Random) -> list[Epic]:
    portfolio = max(1, objectives // 10)
    return [
        Epic(
            key=f"PAY-{n + 1}",
            summary=f"Epic {n}",
            project="PAY",
            status="In Progress",
            status_category=StatusCategory.IN_PROGRESS,
            labels=(f"okr:P{rng.randrange(portfolio)}.KR1",),
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, nargs="+", default=[16000, 100000])
    parser.add_argument("--epics", type=int, default=2000)
    args = parser.parse_args()
    for count in args.objectives:
        rng = random.Random(12)
        data = catalogue_data(count, rng)
        started = time.perf_counter()
        catalogue = parse_catalogue(data, "bench.yaml")
        parsed = time.perf_counter()
        evaluation = evaluate(
            catalogue, epics(args.epics, count, rng), as_of=AS_OF, policy=Policy()
        )
        done = time.perf_counter()
        without_work = sum(f.code == "KR_WITHOUT_WORK" for f in evaluation.findings)
        print(
            f"{count:>7} objectives: parse and check {parsed - started:7.2f} s, "
            f"evaluate {done - parsed:7.2f} s ({len(evaluation.findings)} findings, "
            f"{without_work} KR_WITHOUT_WORK)",
            flush=True,
        )


if __name__ == "__main__":
    main()
