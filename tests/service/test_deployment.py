"""The application object (service/deployment.py): one deployment's settings, store, lock and run
record; a stage runs the same whether a person or the scheduler starts it, and every failure is
recorded in one place. Real sandbox over HTTP, real store (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.lock import run_lock
from connector.store.models import RunRow
from rules.errors import LockHeld, UserError
from service.cli import cli
from service.deployment import Deployment
from service.jobs import run_scheduled
from service.settings import LoadedSettings, load_settings
from service.stages import STAGES, StageContext, StageResult
from tests.e2e.conftest import AS_OF, DATASET, TOKEN, write_settings

pytestmark = pytest.mark.e2e

MORNING = datetime(2026, 11, 15, 7, 0, tzinfo=UTC)  # the scheduler's clock on AS_OF
INTERNAL = "internal error (RuntimeError); run with --debug for details"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(DATASET) as running:
        yield running


def outcomes(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output


def synced(sandbox: Sandbox, folder: Path) -> Path:
    config = write_settings(folder, sandbox.url)
    code, output = outcomes("sync", "--config", str(config))
    assert code == 0, output
    return config


def loaded_from(config: Path) -> LoadedSettings:
    return load_settings(config, environ={"E2E_TOKEN": TOKEN})


def rows(engine: Engine) -> list[tuple[str, str, str, dict[str, int] | None, str | None]]:
    """(command, trigger, outcome, counts, message) of every run, oldest first."""
    with Session(engine) as session:
        found = session.scalars(select(RunRow).order_by(RunRow.id)).all()
        return [(r.command, r.trigger, r.outcome, r.counts, r.message) for r in found]


def boom(ctx: StageContext) -> StageResult:
    raise RuntimeError("GET /wiki/api/v2/pages Authorization: Bearer s3cret-token")


def test_an_export_from_the_command_line_and_from_the_scheduler_records_the_same_run(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    code, output = outcomes("export", "--config", str(config), "--as-of", AS_OF)
    assert code == 0, output
    with Deployment(loaded_from(config)) as deployment:
        report = run_scheduled(deployment, "export", now=MORNING)
        recorded = rows(deployment.engine)
    assert report is not None and report.outcome == "done"
    assert recorded[1:] == [
        ("export", "cli", "done", {"workbooks": 1}, None),
        ("export", "schedule", "done", {"workbooks": 1}, None),
    ]


def test_a_check_records_the_same_counts_however_it_is_started(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    code, output = outcomes("check", "--config", str(config), "--as-of", AS_OF, "--fail-on", "info")
    assert code == 1, output  # the e2e portfolio has findings
    with Deployment(loaded_from(config)) as deployment:
        run_scheduled(deployment, "check", now=MORNING)
        (_, _, by_hand, counted, _), (_, _, scheduled, again, _) = rows(deployment.engine)[1:]
    assert (by_hand, scheduled) == ("done", "done")
    assert counted == again
    assert counted is not None and counted["findings"] > 0
    assert counted["findings"] == sum(n for k, n in counted.items() if k.startswith("findings_"))


def test_an_unexpected_error_in_a_publish_is_recorded_failed_with_a_safe_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    with Deployment(loaded_from(config), stages={**STAGES, "publish": boom}) as deployment:
        with pytest.raises(RuntimeError):
            deployment.run(["publish"], now=MORNING, as_of=date(2026, 11, 15))
        report = run_scheduled(deployment, "publish", now=MORNING)  # recorded, not raised
        recorded = rows(deployment.engine)
    assert report is not None and (report.outcome, report.message) == ("failed", INTERNAL)
    assert recorded[1:] == [
        ("publish", "cli", "failed", {}, INTERNAL),
        ("publish", "schedule", "failed", {}, INTERNAL),
    ]
    assert "s3cret" not in repr(recorded)


def test_an_interrupt_is_recorded_and_the_counts_so_far_are_kept(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)

    def interrupted(ctx: StageContext) -> StageResult:
        raise KeyboardInterrupt

    stages = {**STAGES, "sync": lambda ctx: StageResult("done", {"epics": 3}), "check": interrupted}
    with Deployment(loaded_from(config), stages=stages) as deployment:
        with pytest.raises(KeyboardInterrupt):
            deployment.run(["sync", "check"], now=MORNING, as_of=date(2026, 11, 15))
        recorded = rows(deployment.engine)
    assert recorded[-1] == ("run", "cli", "failed", {"epics": 3}, "interrupted (KeyboardInterrupt)")


def test_a_run_of_several_stages_is_one_record_with_their_counts_and_problems(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    stages = {
        "sync": lambda ctx: StageResult("done", {"epics": 5}),
        "check": lambda ctx: StageResult("done", {"findings": 2}),
        "publish": lambda ctx: StageResult("partial", {"pages_failed": 1}, "1 page failed: P1"),
        "export": lambda ctx: StageResult("partial", {"workbooks": 1}, "cannot attach"),
    }
    with Deployment(loaded_from(config), stages=stages) as deployment:
        names = deployment.pipeline_stages(publish=True, export=True)
        record = deployment.run(names, now=MORNING, as_of=date(2026, 11, 15))
        recorded = rows(deployment.engine)
    assert names == ["sync", "check", "publish", "export"]
    assert record.exit_code == 1
    counts = {"epics": 5, "findings": 2, "pages_failed": 1, "workbooks": 1}
    assert recorded[-1] == ("run", "cli", "partial", counts, "1 page failed: P1; cannot attach")


def test_a_run_while_another_holds_the_lock_does_nothing_and_records_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)
    with Deployment(loaded_from(config)) as deployment:
        before = rows(deployment.engine)
        with run_lock(deployment.engine, now=MORNING), pytest.raises(LockHeld) as held:
            deployment.run(["export"], now=MORNING, as_of=date(2026, 11, 15))
        assert held.value.exit_code == 4
        assert rows(deployment.engine) == before


@pytest.mark.parametrize("stage", ["check", "publish", "export", "review"])
def test_every_stage_that_reads_the_store_says_never_synced_the_same_way(
    sandbox: Sandbox, tmp_path: Path, stage: str
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    code, output = outcomes(stage, "--config", str(config), "--as-of", AS_OF)
    assert code == 2
    assert output == (
        f"outcomes: error: {config}: portfolios[0].id: 'retail' has not been synced yet;"
        f" run `outcomes sync` first ({stage} reads the store, not Jira)\n"
    )
    assert sandbox.requests == []
    with Deployment(loaded_from(config)) as deployment:
        assert rows(deployment.engine) == []  # said to the person, not recorded
        with pytest.raises(UserError):
            deployment.require_synced(stage)


def test_the_store_is_opened_once_and_disposed_once(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(sandbox, tmp_path)
    disposed: list[Engine] = []
    deployment = Deployment(loaded_from(config), stages={**STAGES, "publish": boom})
    with pytest.raises(RuntimeError), deployment:
        engine = deployment.engine
        event.listen(engine, "engine_disposed", disposed.append)
        deployment.run(["export"], now=MORNING, as_of=date(2026, 11, 15))
        deployment.run(["check"], now=MORNING, as_of=date(2026, 11, 15))
        assert deployment.engine is engine  # both runs on the one store
        assert disposed == []
        deployment.run(["publish"], now=MORNING, as_of=date(2026, 11, 15))
    assert disposed == [engine]  # once, on the way out of a failed run too
    with pytest.raises(RuntimeError, match="closed"):
        deployment.engine  # noqa: B018
