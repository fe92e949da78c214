"""Benchmark: the review workbook of a large portfolio (default 20,000 epics).

    python benchmarks/bench_export.py [--epics 20000] [--mode auto|normal|write-only] [--out F]

Builds a synthetic portfolio (seeded, so every run sees the same data): 12 teams, 6 portfolio
objectives and 12 team objectives with 42 key results, epics of which about 70% claim a key result,
8% are exempt, 5% claim an unknown OKR and the rest claim nothing; then evaluates it with the real
rules and renders the workbook with `reports.excel.render_workbook`, as `outcomes export` does.
Prints the time of each step, the workbook's size and the process's peak memory (max RSS, which
includes the interpreter, the libraries and the input data). Results go into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.excel import render_workbook
from reports.excel_sheets import HistoryRun
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import Catalogue, ChildStats, Epic, StatusCategory
from rules.policy import Policy

AS_OF = date(2026, 11, 24)
TEAMS = [f"T{n:02d}" for n in range(1, 13)]
WORDS = [
    "retry",
    "payments",
    "onboarding",
    "ledger",
    "card",
    "wallet",
    "fraud",
    "limits",
    "search",
    "statements",
    "export",
    "notifications",
    "login",
    "biometrics",
    "latency",
    "cache",
    "migration",
    "api",
    "partner",
    "consent",
    "audit",
]


def catalogue() -> Catalogue:
    objectives: list[dict[str, object]] = []
    for p in range(1, 7):
        objectives.append(
            {
                "id": f"P{p}",
                "cycle": "2026-Q4",
                "title": f"Portfolio objective {p}",
                "owner": "Leader",
                "key_results": [
                    {
                        "id": f"P{p}.KR{k}",
                        "title": f"Key result {p}.{k}",
                        "start": 0,
                        "target": 100,
                        "current": 10 * k + p,
                    }
                    for k in range(1, 4)
                ],
            }
        )
    for n, team in enumerate(TEAMS):
        objectives.append(
            {
                "id": f"{team}-O1",
                "cycle": "2026-Q4",
                "team": team.lower(),
                "title": f"Team objective of {team}",
                "supports": [f"P{n % 6 + 1}.KR1"],
                "key_results": [
                    {"id": f"{team}-O1.KR{k}", "title": "Team KR", "start": 50, "target": 10}
                    | {"current": 40}
                    for k in (1, 2)
                ],
            }
        )
    data = {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": [{"id": t.lower(), "name": f"Team {t}", "projects": [t]} for t in TEAMS],
        "objectives": objectives,
    }
    return parse_catalogue(data, "bench-okrs.yaml")


def epics(count: int, kr_ids: list[str]) -> list[Epic]:
    rng = random.Random(20261124)
    categories = [StatusCategory.NEW, StatusCategory.IN_PROGRESS, StatusCategory.DONE]
    status = {StatusCategory.NEW: "To Do", StatusCategory.IN_PROGRESS: "In Progress"}
    status[StatusCategory.DONE] = "Done"
    made = []
    for n in range(count):
        team = TEAMS[n % len(TEAMS)]
        roll = rng.random()
        if roll < 0.70:
            labels: tuple[str, ...] = (f"okr:{rng.choice(kr_ids)}",)
        elif roll < 0.78:
            labels = ("okr-exempt",)
        elif roll < 0.83:
            labels = ("okr:P9.KR9",)
        else:
            labels = ()
        category = rng.choices(categories, weights=(3, 5, 2))[0]
        children = rng.randint(0, 30)
        done = rng.randint(0, children)
        summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 10))).capitalize()
        if n % 500 == 0:
            summary = "=" + summary  # formula-looking text takes the careful path
        made.append(
            Epic(
                key=f"{team}-{n + 1}",
                summary=summary,
                project=team,
                status=status[category],
                status_category=category,
                labels=labels,
                assignee=f"Person {n % 300}",
                updated=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n),
                children=ChildStats(
                    children,
                    {StatusCategory.DONE: done, StatusCategory.NEW: children - done},
                    points_total=float(children * 3),
                    points_done=float(done * 3),
                ),
            )
        )
    return made


def history(kr_ids: list[str]) -> list[HistoryRun]:
    start = date(2026, 10, 1)
    return [
        HistoryRun(
            start + timedelta(days=d),
            "2026-Q4",
            {kr: min(1.0, d / 100) for kr in kr_ids},
            datetime(2026, 10, 1, 6, tzinfo=UTC) + timedelta(days=d),
        )
        for d in range(0, 54)
    ]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epics", type=int, default=20_000)
    parser.add_argument("--mode", choices=("auto", "normal", "write-only"), default="auto")
    parser.add_argument("--out", type=Path, default=None, help="also write the workbook here")
    args = parser.parse_args()

    cat = catalogue()
    kr_ids = [kr.id for kr in cat.key_results()]
    work = epics(args.epics, kr_ids)
    runs = history(kr_ids)
    print(f"epics: {len(work):,}, key results: {len(kr_ids)}, earlier runs: {len(runs)}")
    print(f"peak memory after building the input: {peak_mb():.0f} MB")

    started, cpu_started = time.perf_counter(), time.process_time()
    evaluation = evaluate(cat, work, as_of=AS_OF, policy=Policy())
    evaluated, cpu_evaluated = time.perf_counter(), time.process_time()
    print(
        f"evaluate: {evaluated - started:.2f} s wall, {cpu_evaluated - cpu_started:.2f} s CPU"
        f" ({len(evaluation.findings):,} findings)"
    )
    print(f"peak memory after evaluating: {peak_mb():.0f} MB")

    write_only = {"auto": None, "normal": False, "write-only": True}[args.mode]
    data = render_workbook(
        evaluation,
        cat,
        portfolio_name="Benchmark portfolio",
        jira_url="https://jira.example.com",
        history=runs,
        created=datetime(2026, 11, 24, 6, tzinfo=UTC),
        write_only=write_only,
    )
    rendered, cpu_rendered = time.perf_counter(), time.process_time()
    print(
        f"render workbook ({args.mode}): {rendered - evaluated:.2f} s wall,"
        f" {cpu_rendered - cpu_evaluated:.2f} s CPU, {len(data) / 1e6:.1f} MB"
    )
    print(f"evaluate + render: {rendered - started:.2f} s wall")
    print(f"peak memory (max RSS of the process): {peak_mb():.0f} MB")
    if args.out:
        args.out.write_bytes(data)


if __name__ == "__main__":
    main()
