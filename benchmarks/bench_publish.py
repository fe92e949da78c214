"""Benchmark: render and publish the Confluence page tree of a large portfolio.

    python benchmarks/bench_publish.py [--teams 40] [--epics 2000] [--api v1|v2|both]

Builds a synthetic portfolio (seeded: every run sees the same data): `--teams` teams with one team
objective each, 8 portfolio objectives with 3 key results each (weekly check-ins), and `--epics`
epics spread over the teams, of which about 70% claim a key result, 10% are exempt and the rest
claim nothing; a quarter are done. It evaluates the portfolio with the real rules at the report
date and at each weekly report day before it (the History), renders the whole page tree with
`reports.confluence.render_pages`, then publishes it into the sandbox's Confluence through the
real client (`V1Pages` and/or `V2Pages`):

1. first publish into an empty space: requests and pages;
2. the same tree again (nothing changed): requests, and how many of them write;
3. one epic moves from "not tied" to a key result: requests and writes.

Prints the figures as Markdown; they go into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connector.confluence_api import PageApi, V1Pages
from connector.confluence_v2 import V2Pages
from connector.publish_results import PageRecord, PublishResult
from connector.publisher import Publisher
from connector.sandbox import Sandbox
from reports.confluence import render_pages
from reports.pages import Page
from reports.trends import History, current_snapshot
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.model import Catalogue, ChildStats, Epic, StatusCategory
from rules.policy import Policy
from rules.results import Evaluation

AS_OF = date(2026, 11, 24)
CYCLE_START = date(2026, 10, 1)
USER, TOKEN = "bench@example.com", "bench-token"
WORDS = [
    "retry",
    "payments",
    "ledger",
    "card",
    "wallet",
    "fraud",
    "limits",
    "search",
    "login",
    "latency",
    "cache",
    "api",
]


def catalogue(teams: int) -> Catalogue:
    checkin_days = [CYCLE_START + timedelta(days=7 * w + 5) for w in range(8)]
    objectives: list[dict[str, object]] = []
    for p in range(1, 9):
        krs = []
        for k in range(1, 4):
            checkins = [
                {"on": day.isoformat(), "value": 5 * (i + 1) + p + k, "confidence": 0.6}
                for i, day in enumerate(checkin_days)
            ]
            krs.append(
                {
                    "id": f"P{p}.KR{k}",
                    "title": f"Key result {p}.{k}",
                    "start": 0,
                    "target": 100,
                    "current": 10,
                    "checkins": checkins,
                }
            )
        objectives.append(
            {
                "id": f"P{p}",
                "cycle": "2026-Q4",
                "title": f"Portfolio objective {p}",
                "owner": "Leader",
                "key_results": krs,
            }
        )
    for t in range(1, teams + 1):
        objectives.append(
            {
                "id": f"T{t:02d}-O1",
                "cycle": "2026-Q4",
                "team": f"t{t:02d}",
                "title": f"Team {t} objective",
                "supports": [f"P{t % 8 + 1}.KR{t % 3 + 1}"],
                "approval": {"state": "approved" if t % 4 else "proposed", "by": "Leader"},
                "key_results": [
                    {"id": f"T{t:02d}-O1.KR1", "title": "Team KR", "start": 0, "target": 10},
                ],
            }
        )
    data = {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "teams": [
            {"id": f"t{t:02d}", "name": f"Team {t:02d}", "projects": [f"T{t:02d}"]}
            for t in range(1, teams + 1)
        ],
        "objectives": objectives,
    }
    return parse_catalogue(data, "bench-okrs.yaml")


def epics(teams: int, count: int, rng: random.Random) -> list[Epic]:
    found = []
    for n in range(count):
        project = f"T{n % teams + 1:02d}"
        roll = rng.random()
        if roll < 0.7:
            labels: tuple[str, ...] = (f"okr:P{rng.randint(1, 8)}.KR{rng.randint(1, 3)}",)
        elif roll < 0.8:
            labels = ("okr-exempt",)
        else:
            labels = ()
        done = rng.random() < 0.25
        total = rng.randint(2, 12)
        finished = total if done else rng.randint(0, total)
        found.append(
            Epic(
                key=f"{project}-{n + 1}",
                summary=" ".join(rng.sample(WORDS, 3)).capitalize(),
                project=project,
                status="Done" if done else "In Progress",
                status_category=StatusCategory.DONE if done else StatusCategory.IN_PROGRESS,
                labels=labels,
                assignee="Someone",
                children=ChildStats(
                    total,
                    {StatusCategory.DONE: finished, StatusCategory.NEW: total - finished},
                    points_total=float(total * 3),
                    points_done=float(finished * 3),
                ),
            )
        )
    return found


def render(evaluation: Evaluation, cat: Catalogue, history: History) -> list[Page]:
    return render_pages(
        evaluation, cat, portfolio_name="Retail banking", jira_url="https://jira", history=history
    )


def publish_round(
    sandbox: Sandbox, api: PageApi, pages: list[Page], records: dict[str, PageRecord]
) -> tuple[int, int, float, list[PublishResult]]:
    sandbox.reset_requests()
    started = time.perf_counter()
    results = Publisher(api, space="PORT", root_title="Portfolio outcomes").publish(pages, records)
    seconds = time.perf_counter() - started
    for result in results:
        for key, _title, record in result.saves():
            records[key] = record
    requests = sandbox.requests
    writes = sum(1 for r in requests if r.method in ("POST", "PUT"))
    return len(requests), writes, seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--epics", type=int, default=2000)
    parser.add_argument("--api", choices=("v1", "v2", "both"), default="both")
    args = parser.parse_args()

    rng = random.Random(2026)
    cat = catalogue(args.teams)
    work = epics(args.teams, args.epics, rng)
    policy = Policy()

    started = time.perf_counter()
    evaluation = evaluate(cat, work, as_of=AS_OF, policy=policy)
    evaluate_s = time.perf_counter() - started
    days = [AS_OF - timedelta(days=7 * w) for w in range(7, 0, -1)]
    history = History.of(
        current_snapshot(evaluate(cat, work, as_of=day, policy=policy)) for day in days
    )

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        pages = render(evaluation, cat, history)
        timings.append(time.perf_counter() - started)
    size = sum(len(p.body.encode("utf-8")) for p in pages)
    print(f"Portfolio: {args.teams} teams, {args.epics} epics, {len(cat.objectives)} objectives")
    print(f"Evaluate (rules): {evaluate_s * 1000:.0f} ms")
    print(
        f"Render the page tree: {len(pages)} pages, {size / 1e6:.2f} MB of storage XHTML, "
        f"median {statistics.median(timings) * 1000:.0f} ms of 5 runs "
        f"(min {min(timings) * 1000:.0f} ms)"
    )

    # One epic that was not tied to an outcome now claims a key result: re-evaluate and render.
    loose = next(e for e in work if not e.labels and e.status_category is not StatusCategory.DONE)
    tied = [replace(e, labels=("okr:P1.KR1",)) if e is loose else e for e in work]
    changed = render(evaluate(cat, tied, as_of=AS_OF, policy=policy), cat, history)
    differ = sum(1 for a, b in zip(pages, changed, strict=True) if a.body != b.body)

    data = {
        "auth": [{"user": USER, "token": TOKEN, "name": "Bench"}],
        "jira": {"deployment": "Cloud", "projects": [], "issues": []},
        "confluence": {"spaces": [{"key": "PORT", "name": "Portfolio"}], "pages": []},
    }
    apis = ["v1", "v2"] if args.api == "both" else [args.api]
    print()
    print("| API | run | pages | requests | per page | writes | time |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in apis:
        with Sandbox(data) as sandbox:
            cls = V1Pages if kind == "v1" else V2Pages
            api = cls(sandbox.confluence_url, user=USER, token=TOKEN, timeout=30)
            records: dict[str, PageRecord] = {}
            for label, tree in (
                ("first publish", pages),
                ("unchanged re-run", pages),
                (f"one epic tied ({differ} pages differ)", changed),
            ):
                count, writes, seconds, results = publish_round(sandbox, api, tree, records)
                assert all(r.ok for r in results), [r.message for r in results if not r.ok]
                print(
                    f"| {kind} | {label} | {len(tree)} | {count} | {count / len(tree):.2f} "
                    f"| {writes} | {seconds:.2f} s |"
                )


if __name__ == "__main__":
    main()
