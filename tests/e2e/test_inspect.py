"""Inspect and adapt, end to end on the sandbox: forecasts and owners on the published pages, a
mention that notifies a key result's owner once per finding, and how the OKRs changed.

P1.KR1 (0 → 100) is checked in at 10, 15 and 20 on 2026-10-21, 10-31 and 11-10 (days 20, 30, 40 of
2026-Q4): the line y = x / 2 reaches 45.5 on 2026-12-31 (day 91), 46 % of the way, below the
on-track 70 %: FORECAST_MISS. Its owner is an Atlassian account.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from connector.sandbox import Sandbox
from connector.sandbox.confluence_model import Notification
from service.cli import cli
from tests.e2e.conftest import CATALOGUE, TOKEN, write_settings
from tests.e2e.test_pipeline import page, parse, text_of
from tests.reports.xhtml import RI

ACCOUNT = "557058:0a1b2c3d-0000-4000-8000-00000000000a"
P1_PAGE = "P1: Make everyday payments effortless"


def catalogue() -> dict[str, Any]:
    data = copy.deepcopy(CATALOGUE)
    kr1 = data["objectives"][0]["key_results"][0]
    kr1["owner"] = f"@accountid:{ACCOUNT}"
    kr1["checkins"] = [
        {"on": "2026-10-21", "value": 10},
        {"on": "2026-10-31", "value": 15},
        {"on": "2026-11-10", "value": 20},
    ]
    return data


def outcomes(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output


def run(config: Path, as_of: str) -> None:
    code, output = outcomes("run", "--config", str(config), "--as-of", as_of, "--no-export")
    assert code == 0, output


def table(body: str, *first: str) -> list[list[str]]:
    """The rows of the page's table whose header starts with `first`."""
    for found in parse(body).iter("table"):
        cells = [[text_of(td) for td in tr] for tr in found.iter("tr")]
        if cells and cells[0][: len(first)] == list(first):
            return cells[1:]
    raise AssertionError(f"no table headed {first!r}")


@pytest.mark.e2e
def test_forecasts_owners_and_one_notification_per_finding(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url, catalogue=catalogue())
    run(config, "2026-11-15")

    body = str(page(sandbox, P1_PAGE)["body"])
    forecasts = table(body, "Key result", "Owner", "Forecast")
    assert forecasts == [
        [
            "P1.KR1 Instant payments",
            f"@accountid:{ACCOUNT}",
            "45.5%",
            "45.5% – 45.5%",
            "46%",
            "—",
        ],
        [
            "P1.KR2 Transfer time",
            "Priya",  # the objective's owner
            "not enough data: 0 dated values this cycle, a forecast needs 3 on different days",
            "—",
            "—",
            "—",
        ],
    ]
    assert "Forecast at the cycle's end: 46%." in text_of(parse(body))
    # The mention sits in the FORECAST_MISS row only; Confluence notified the owner once.
    users = [u.get(f"{RI}account-id") for u in parse(body).iter(f"{RI}user")]
    assert users == [ACCOUNT]
    miss = [r for r in table(body, "Severity") if r[1] == "FORECAST_MISS"]
    assert len(miss) == 1 and miss[0][4].endswith("Owner:")  # the mention has no text of its own
    overview = str(page(sandbox, "Outcomes")["body"])
    assert "FORECAST_MISS" in overview and "ri:user" not in overview
    page_id = str(page(sandbox, P1_PAGE)["id"])
    version = int(str(page(sandbox, P1_PAGE)["version"]))
    assert sandbox.confluence.notifications == [Notification(ACCOUNT, page_id, version)]

    run(config, "2026-11-15")  # nothing changed: no write, nobody hears again
    assert page(sandbox, P1_PAGE)["version"] == version

    # A new check-in and the team's forecast change the page; the finding stays, and the owner
    # is not notified again.
    code, output = outcomes(
        "checkin", "P1.KR1", "--value", "24", "--on", "2026-11-16", "--forecast", "65",
        "--config", str(config),
    )  # fmt: skip
    assert code == 0, output
    run(config, "2026-11-16")
    after = page(sandbox, P1_PAGE)
    assert int(str(after["version"])) == version + 1
    kr1 = table(str(after["body"]), "Key result", "Owner", "Forecast")[0]
    # Days 20, 30, 40, 46 at 10, 15, 20, 24: slope 208 / 392 through (34, 17.25): 47.49 on day 91.
    assert [kr1[2], kr1[4], kr1[5]] == ["47.49%", "47%", "65% (65%), 2026-11-16"]
    assert " – " in kr1[3]  # no longer a straight line: a band of some width
    assert len(sandbox.confluence.notifications) == 1


@pytest.mark.e2e
def test_a_moved_target_shows_on_the_objective_page_and_in_history(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    data = catalogue()
    config = write_settings(tmp_path, sandbox.url, catalogue=data)
    run(config, "2026-11-15")
    body = str(page(sandbox, P1_PAGE)["body"])
    assert "No change to this objective or its key results recorded this cycle" in body

    data["objectives"][0]["key_results"][1]["target"] = 2  # P1.KR2: 10 → 2 instead of 10 → 0
    data["objectives"][0]["key_results"].append(
        {"id": "P1.KR3", "title": "Disputes", "start": 50, "target": 20, "current": 45}
    )
    (tmp_path / "okrs.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    run(config, "2026-11-17")

    changes = table(str(page(sandbox, P1_PAGE)["body"]), "Day", "OKR", "Change")
    assert changes == [
        ["2026-11-17", "P1.KR2", "target moved 0 → 2"],
        ["2026-11-17", "P1.KR3", "key result added"],
    ]
    code, output = outcomes("history", "okrs", "P1.KR2", "--config", str(config))
    assert code == 0, output
    assert output.splitlines() == ["2026-11-17  P1.KR2  target moved 0 → 2"]
    code, output = outcomes("history", "okrs", "--config", str(config))
    assert output.splitlines() == [
        "2026-11-17  P1.KR2  target moved 0 → 2",
        "2026-11-17  P1.KR3  key result added",
    ]
    code, output = outcomes("history", "okrs", "P9", "--config", str(config))
    assert code == 2
    assert "ID: no objective or key result 'P9' in the recorded catalogues" in output
