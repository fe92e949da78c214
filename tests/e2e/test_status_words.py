"""`outcomes status` says why a run fell short, lists `check` runs and what each job's last run did;
the pages' pace legend shows the bands of the settings. Through the real CLI against the sandbox."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import update

from connector.publish_results import Action, PublishResult, SkipReason
from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.lock import run_lock
from connector.store.models import RunRow
from service.cli import cli
from service.stages import publish_problems
from tests.e2e.conftest import AS_OF, TOKEN, write_settings
from tests.e2e.test_pipeline import page


def outcomes(config: Path, *args: str, token: str | None = TOKEN) -> tuple[int, str]:
    env = {"E2E_TOKEN": token} if token else {"E2E_TOKEN": ""}
    result = CliRunner().invoke(cli, [*args, "--config", str(config)], env=env)
    return result.exit_code, result.output


def lines_after(output: str, heading: str) -> list[str]:
    """The lines of one section of `status` (up to the next blank line)."""
    block = output.split(heading, 1)[1].split("\n\n", 1)[0]
    return [" ".join(line.split()) for line in block.strip("\n").splitlines()]


@pytest.mark.e2e
def test_status_says_why_a_publish_was_partial(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    assert outcomes(config, "run", "--as-of", AS_OF)[0] == 0
    overview = page(sandbox, "Outcomes")
    sandbox.confluence.human_edit(str(overview["id"]), "<p>Notes</p>", author="Priya")

    assert outcomes(config, "publish", "--as-of", AS_OF)[0] == 1
    assert outcomes(config, "run", "--as-of", AS_OF)[0] == 1
    code, output = outcomes(config, "status")

    assert code == 0, output  # one partial run in a row is not yet an alert
    why = "1 skipped (edited by a person): Retail banking — Outcomes"
    failures = lines_after(output, "Failures:\n")
    assert [line.split(" partial: ")[1] for line in failures] == [why, why]
    assert [line.split()[1] for line in failures] == ["run", "publish"]
    recent = lines_after(output, "Recent runs (newest first, 3):\n")
    assert recent[1].split("partial ")[1].startswith(why + " · pages_skipped=1")


def test_a_partial_publish_is_summed_up_in_short() -> None:
    published = [
        PublishResult("overview", "Outcomes", Action.UPDATED),
        PublishResult("team:a", "Team A", Action.FAILED, message="Confluence answered 500"),
        PublishResult("team:b", "Team B", Action.FAILED, message="Confluence answered 500"),
        PublishResult("history", "History", Action.SKIPPED, skipped=SkipReason.EDITED),
    ]
    assert publish_problems(published) == (
        "2 pages failed, 1 skipped (edited by a person): Team A; Team B; History"
    )
    theirs = PublishResult("team:c", "Team C", Action.SKIPPED, skipped=SkipReason.NOT_OURS)
    assert publish_problems([*published, theirs]) == (
        "2 pages failed, 2 skipped (a page of that title is not Outcomes', edited by a person):"
        " Team A; Team B; History; Team C"
    )
    assert publish_problems(published[:1]) is None


@pytest.mark.e2e
def test_status_lists_a_cli_check_and_what_the_last_sync_brought(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    assert outcomes(config, "sync")[0] == 0
    # No Jira secret needed, and a check does not wait for the lock another run holds.
    engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
    with run_lock(engine, now=datetime.now().astimezone()):
        code, output = outcomes(config, "check", "--as-of", AS_OF, token=None)
    engine.dispose()
    assert code == 1, output  # an error-level finding (P2.KR1 off pace), not the lock's 4

    code, output = outcomes(config, "status", "--limit", "1")
    assert code == 0, output

    jobs = lines_after(output, "Jobs:\n")
    assert jobs[1].startswith("sync (one-shot) - #1 done")
    assert jobs[2] == "epics=7 children=4 fetched=11 removed=0"
    assert jobs[3].startswith("check (one-shot) - #2 done")
    assert jobs[4] == "findings=12 findings_error=1 findings_info=3 findings_warning=8"
    recent = lines_after(output, "Recent runs (newest first, 1):\n")
    assert recent == [recent[0]] and recent[0].split()[1:3] == ["check", "cli"]


@pytest.mark.e2e
def test_the_published_pages_explain_the_bands_of_the_settings(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["status_bands"] = {"on_track": 0.85, "at_risk": 0.5}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")

    assert outcomes(config, "run", "--as-of", AS_OF, "--no-export")[0] == 0

    legend = "on track at 85% of that pace or better, at risk from 50%, off track below"
    for suffix in ("Outcomes", "Team Payments", "History"):
        assert legend in str(page(sandbox, suffix)["body"]), suffix
    assert "70%" not in str(page(sandbox, "Outcomes")["body"]).split("Status compares")[1][:200]


@pytest.mark.e2e
def test_a_cli_check_does_not_make_a_stale_deployment_look_fresh(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    assert outcomes(config, "sync")[0] == 0
    engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
    with engine.begin() as connection:  # the last sync finished long ago
        connection.execute(
            update(RunRow).values(
                finished_at=datetime(2026, 1, 1, 6, 0), started_at=datetime(2026, 1, 1, 5, 59)
            )
        )
    engine.dispose()
    assert outcomes(config, "check", "--as-of", AS_OF, token=None)[0] == 1

    code, output = outcomes(config, "status")

    assert code == 1, output
    assert "Health:  STALE: last success 2026-01-01 06:00:00" in output
    assert lines_after(output, "Jobs:\n")[3].startswith("check (one-shot) - #2 done")
