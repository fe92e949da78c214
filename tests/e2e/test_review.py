"""The review page end to end on the sandbox: published on its cron and by `outcomes review`,
written once, its "Decisions and actions" kept across runs, what changed since the last review.

The portfolio is tests/e2e/conftest.py's: as of 2026-11-15, P1.KR1 40 % (on track), P1.KR2 20 %
(at risk), P2.KR1 10 % (off track: OFF_PACE); unaligned PAY-4 and PAY-6 (Payments), MOB-2 (Mobile).
"""

from __future__ import annotations

import copy
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from connector.store.db import open_store
from service.cli import cli
from service.deployment import Deployment
from service.scheduler import Service
from service.settings import load_settings
from tests.e2e.conftest import CATALOGUE, TOKEN, write_settings
from tests.e2e.test_pipeline import page, parse, text_of
from tests.reports.xhtml import visible_text
from tests.scheduler.conftest import runs_of, serve_settings, wait_until

BERLIN = ZoneInfo("Europe/Berlin")
NOTES = (
    "<h2>Decisions and actions</h2><table><tbody><tr><th>Decision or action</th><th>Who</th>"
    "<th>By when</th></tr><tr><td>Fund the onboarding squad</td><td>Marco</td>"
    "<td>2026-11-30</td></tr></tbody></table>"
)


def outcomes(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output


def table(body: str, *first: str) -> list[list[str]]:
    for found in parse(body).iter("table"):
        cells = [[" ".join(visible_text(td).split()) for td in tr] for tr in found.iter("tr")]
        if cells and cells[0][: len(first)] == list(first):
            return cells[1:]
    raise AssertionError(f"no table headed {first!r}")


def headings(body: str) -> list[str]:
    return [text_of(h) for h in parse(body).iter("h2")]


@pytest.mark.e2e
def test_a_review_page_is_written_once_and_the_next_says_what_changed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    data = copy.deepcopy(CATALOGUE)
    config = write_settings(tmp_path, sandbox.url, catalogue=data)
    code, output = outcomes("run", "--config", str(config), "--as-of", "2026-11-15", "--no-export")
    assert code == 0, output
    code, output = outcomes("review", "--config", str(config), "--as-of", "2026-11-15")
    assert code == 0, output

    first = page(sandbox, "Review 2026-11-15")
    assert first["title"] == "Retail banking — Review 2026-11-15"
    assert first["parent_id"] == page(sandbox, "Outcomes")["id"]  # under the tree
    body = str(first["body"])
    assert headings(body) == [
        "What needs a leader's decision (2)",
        "Key results off pace or forecast to miss (1)",
        "Work not tied to an outcome, by team",
        "What changed this cycle (the first review)",
        "Decisions and actions",
    ]
    # P2.KR1 and P1.KR1 claimed by epics that nobody approved yet (in epic key order).
    assert [r[:3] for r in table(body, "Subject", "Kind")] == [
        ["MOB-1", "epic claim", "P2.KR1 Accounts opened"],
        ["PAY-1", "epic claim", "P1.KR1 Instant payments"],
    ]
    assert [r[:6] for r in table(body, "Key result", "Owner")] == [
        ["P2.KR1 Accounts opened", "Marco", "10%", "50%", "OFF TRACK", "—"],
    ]
    assert table(body, "Key result", "Owner")[0][-1] == "off pace"
    assert table(body, "Team", "Unaligned") == [
        ["Payments", "2", "4", "—"],
        ["Mobile", "1", "2", "—"],
    ]
    assert table(body, "Decision or action") == [["", "", ""]]

    # The meeting fills in its section; the next runs leave the page alone.
    edited = sandbox.confluence.human_edit(str(first["id"]), body + NOTES, author="Priya")
    as_saved = page(sandbox, "Review 2026-11-15")["body"]  # Confluence rewrote it on save
    assert headings(str(as_saved))[-1] == "Decisions and actions"
    sandbox.jira.update_issue("MOB-2", labels=["okr:P2.KR1"])  # the report changes
    code, output = outcomes("run", "--config", str(config), "--as-of", "2026-11-22", "--no-export")
    assert code == 0, output  # the report's publish neither rewrites nor retires the review
    code, output = outcomes("review", "--config", str(config), "--as-of", "2026-11-15")
    assert code == 0, output
    kept = page(sandbox, "Review 2026-11-15")
    assert (kept["version"], kept["body"]) == (edited, as_saved)

    # A target moves; the next review says what changed since the last one.
    data["objectives"][0]["key_results"][1]["target"] = 2
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    code, output = outcomes("review", "--config", str(config), "--as-of", "2026-11-22")
    assert code == 0, output
    second = str(page(sandbox, "Review 2026-11-22")["body"])
    assert "What changed since the last review (2026-11-15)" in headings(second)
    changes = table(second, "What", "About", "Change")
    # P1.KR2: (10 − 8) / (10 − 2) = 25 % instead of 20 %; MOB-2 now claims P2.KR1.
    assert ["OKR", "P1.KR2", "target moved 0 → 2 (on 2026-11-22)"] in changes
    assert ["score", "P1.KR2", "20% → 25% (+5 pts)"] in changes
    assert ["resolved finding", "MOB-2", "UNALIGNED_EPIC"] in changes
    assert table(second, "Team", "Unaligned")[1] == ["Mobile", "0", "2", "▼ -1"]
    assert page(sandbox, "Review 2026-11-15")["body"] == as_saved  # the minutes stay


@pytest.mark.e2e
def test_the_review_is_published_on_its_cron(sandbox: Sandbox, tmp_path: Path) -> None:
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN)
    config = serve_settings(
        tmp_path,
        sandbox.url,
        f"sqlite:///{tmp_path / 'store.db'}",
        schedule={"sync": "0 7 * * *", "publish": "0 7 * * MON-FRI", "review": "0 7 * * MON"},
    )
    loaded = load_settings(config, environ={"E2E_TOKEN": TOKEN})
    engine = open_store(loaded.store_url())
    service = Service(Deployment(loaded, engine=engine))
    with time_machine.travel(monday - timedelta(seconds=1.5), tick=True):
        thread = threading.Thread(target=service.run, daemon=True)
        thread.start()
        try:
            rows = wait_until(
                lambda: [r for r in runs_of(engine) if r.command == "review" and r.finished_at],
                30,
                "the review job",
            )
        finally:
            service.request_stop()
            thread.join(timeout=20)
    assert [(r.command, r.outcome) for r in runs_of(engine)] == [
        ("sync", "done"),
        ("publish", "done"),
        ("review", "done"),
    ]
    assert rows[0].counts == {"pages_created": 1}
    review = page(sandbox, "Review 2026-11-23")
    assert review["parent_id"] == page(sandbox, "Outcomes")["id"]
    engine.dispose()
