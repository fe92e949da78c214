"""Benchmark: the review workbook of a large portfolio (default 20,000 epics).

    python benchmarks/bench_export.py [--epics 20000] [--mode auto|normal|write-only] [--out F]
                                      [--store] [--repeat 3]

Builds a synthetic portfolio (seeded, so every run sees the same data): 12 teams, 6 portfolio
objectives and 12 team objectives with 42 key results, epics of which about 70% claim a key result,
8% are exempt, 5% claim an unknown OKR and the rest claim nothing; then evaluates it with the real
rules and renders the workbook with `reports.excel.render_workbook`, as `outcomes export` does.
Prints the time of each step of each run, the median total (the machine's speed varies from run
to run), the workbook's size and the process's peak memory (max RSS, which includes the
interpreter, the libraries and the input data). Results go into BENCHMARKS.md.

With --store the epics and their child issues (about 300,000 for 20,000 epics) are first written
to a SQLite store in a temporary folder (not timed), and the timed run starts as `outcomes export`
does: reading the epics with their child statistics back from the store, then evaluating,
rendering and writing the file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session

from connector.store.db import open_store
from connector.store.issues import IssueRecord, load_epics, replace_scope, upsert_issues
from reports.excel import render_workbook
from reports.excel_sheets import HistoryRun
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import Catalogue, ChildStats, Epic, StatusCategory
from rules.policy import Policy
from service.files import write_atomically

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


def fill_store(url: str, count: int, kr_ids: list[str]) -> None:
    """The epics and one child issue per counted child, as a sync would store them.

    Runs in a child process, so that the benchmark's peak memory is that of the export alone.
    """
    engine = open_store(url)
    work = epics(count, kr_ids)
    synced = datetime(2026, 11, 24, 5, tzinfo=UTC)
    records: list[IssueRecord] = []
    next_id = 1
    for epic in work:
        project = epic.project
        records.append(_record(str(next_id), epic.key, project, epic=epic))
        next_id += 1
        for n in range(epic.children.total):
            done = n < epic.children.done
            key = f"{project}-C{next_id}"
            records.append(_record(str(next_id), key, project, parent=epic.key, done=done))
            next_id += 1
    with Session(engine) as session, session.begin():
        upsert_issues(session, records, synced)
        epic_ids = [r.id for r in records if r.is_epic]
        replace_scope(
            session,
            "bench",
            epic_ids,
            synced_at=synced,
            last_updated_ms=None,
            children=len(records) - len(epic_ids),
        )
    print(f"store: {len(records):,} issues written (not timed)")


def _record(
    issue_id: str,
    key: str,
    project: str,
    *,
    epic: Epic | None = None,
    parent: str | None = None,
    done: bool = False,
) -> IssueRecord:
    category = epic.status_category.value if epic else ("done" if done else "new")
    return IssueRecord(
        id=issue_id,
        key=key,
        project=project,
        issuetype="Epic" if epic else "Story",
        is_epic=epic is not None,
        summary=epic.summary if epic else "Child issue",
        status=epic.status if epic else ("Done" if done else "To Do"),
        status_category=category,
        assignee=epic.assignee if epic else None,
        labels=list(epic.labels) if epic else [],
        parent_key=parent,
        story_points=None if epic else 3.0,
        created=None,
        updated=epic.updated if epic else None,
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epics", type=int, default=20_000)
    parser.add_argument("--mode", choices=("auto", "normal", "write-only"), default="auto")
    parser.add_argument("--out", type=Path, default=None, help="write the workbook here")
    parser.add_argument("--store", action="store_true", help="start from a SQLite store")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the median counts)")
    args = parser.parse_args()

    cat = catalogue()
    kr_ids = [kr.id for kr in cat.key_results()]
    runs = history(kr_ids)
    print(f"epics: {args.epics:,}, key results: {len(kr_ids)}, earlier runs: {len(runs)}")
    folder = tempfile.TemporaryDirectory()
    if args.store:
        url = f"sqlite:///{folder.name}/store.db"
        filler = multiprocessing.get_context("fork").Process(
            target=fill_store, args=(url, args.epics, kr_ids)
        )
        filler.start()
        filler.join()
        if filler.exitcode:
            sys.exit(f"filling the store failed (exit code {filler.exitcode})")
        engine = open_store(url)
    else:
        work = epics(args.epics, kr_ids)
    print(f"peak memory after building the input: {peak_mb():.0f} MB")

    write_only = {"auto": None, "normal": False, "write-only": True}[args.mode]
    out = args.out or Path(folder.name) / "review.xlsx"
    totals = []
    for run in range(1, args.repeat + 1):
        print(f"run {run} of {args.repeat}:")
        steps: dict[str, float] = {}
        clock = Clock()
        if args.store:
            with Session(engine) as session:
                work = load_epics(session, "bench")
            steps["load"] = clock.lap(f"load {len(work):,} epics with child statistics")
        evaluation = evaluate(cat, work, as_of=AS_OF, policy=Policy())
        steps["evaluate"] = clock.lap(f"evaluate ({len(evaluation.findings):,} findings)")
        data = render_workbook(
            evaluation,
            cat,
            portfolio_name="Benchmark portfolio",
            jira_url="https://jira.example.com",
            history=runs,
            created=datetime(2026, 11, 24, 6, tzinfo=UTC),
            write_only=write_only,
        )
        steps["render"] = clock.lap(f"render workbook ({args.mode}, {len(data) / 1e6:.1f} MB)")
        write_atomically(out, data)
        steps["write"] = clock.lap("write the file")
        totals.append(sum(steps.values()))
        print(f"  {' + '.join(steps)}: {totals[-1]:.2f} s wall")
        del evaluation, data
    print(f"median of {len(totals)} runs, {' + '.join(steps)}: {statistics.median(totals):.2f} s")
    print(f"peak memory (max RSS of the process): {peak_mb():.0f} MB")
    folder.cleanup()


class Clock:
    """Wall and CPU time since the last lap, printed."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, what: str) -> float:
        wall, cpu = time.perf_counter(), time.process_time()
        print(f"  {what}: {wall - self.wall:.2f} s wall, {cpu - self.cpu:.2f} s CPU")
        elapsed, self.wall, self.cpu = wall - self.wall, wall, cpu
        return elapsed


if __name__ == "__main__":
    main()
