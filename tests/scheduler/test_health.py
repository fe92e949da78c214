"""/healthz, /livez and /metrics over real HTTP, from run records written by hand."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store.db import open_store
from connector.store.models import RunRow, SnapshotRow
from service.health import HealthServer, collect
from service.settings import LoadedSettings, load_settings
from tests.e2e.conftest import TOKEN
from tests.scheduler.conftest import serve_settings

T0 = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Berlin


def run_row(
    command: str, outcome: str, minute: int, seconds: float, message: str | None = None
) -> RunRow:
    started = T0 + timedelta(minutes=minute)
    return RunRow(
        command=command,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds),
        outcome=outcome,
        message=message,
        trigger="schedule",
        duration_seconds=seconds,
    )


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedSettings:
    config = serve_settings(
        tmp_path,
        "http://127.0.0.1:9",
        f"sqlite:///{tmp_path / 'store.db'}",
        schedule={"sync": "*/15 * * * *", "publish": "0 8 * * *"},
        health={"max_age_minutes": 60, "alert_after_failures": 3},
    )
    return load_settings(config, environ={"E2E_TOKEN": TOKEN})


@pytest.fixture
def engine(loaded: LoadedSettings) -> Iterator[Engine]:
    engine = open_store(loaded.store_url())
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                run_row("sync", "done", 0, 1.5),
                run_row("sync", "failed", 15, 0.5, "Jira did not answer"),
                run_row("sync", "done", 30, 2.0),  # the last success: 06:30 UTC + 2 s
                run_row("publish", "partial", 31, 4.0, "Team page: failed"),
                run_row("publish", "skipped", 32, 0.0, "lock held"),
            ]
        )
        session.flush()
        session.add(
            SnapshotRow(
                run_id=1,
                portfolio_id="retail",
                cycle_id="2026-Q4",
                as_of="2026-11-24",
                created_at=T0,
                data={
                    "findings": [
                        {"code": "UNALIGNED_EPIC", "severity": "warning", "subject": "PAY-4"},
                        {"code": "UNALIGNED_EPIC", "severity": "warning", "subject": "MOB-2"},
                        {"code": "UNKNOWN_OKR", "severity": "error", "subject": "PAY-6"},
                    ]
                },
            )
        )
    yield engine
    engine.dispose()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def served(loaded: LoadedSettings, engine: Engine) -> Iterator[tuple[HealthServer, Clock]]:
    clock = Clock(T0 + timedelta(minutes=40))
    server = HealthServer(
        "127.0.0.1", 0, lambda: collect(loaded, engine, clock.now), lambda: "leader"
    )
    server.start()
    yield server, clock
    server.stop()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_metrics_parse_as_prometheus_text_with_the_recorded_figures(
    served: tuple[HealthServer, Clock],
) -> None:
    server, _ = served
    code, kind, text = get(f"{server.url}/metrics")
    assert code == 200
    assert kind.startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("outcomes_runs_total", job="sync", outcome="done") == 2
    assert value("outcomes_runs_total", job="sync", outcome="failed") == 1
    assert value("outcomes_runs_total", job="publish", outcome="partial") == 1
    assert value("outcomes_runs_total", job="publish", outcome="skipped") == 1
    assert value("outcomes_run_duration_seconds_sum", job="sync") == 4.0  # 1.5 + 0.5 + 2.0
    assert value("outcomes_run_duration_seconds_count", job="sync") == 3
    assert value("outcomes_run_duration_seconds_count", job="publish") == 1  # skipped: no run
    assert value("outcomes_consecutive_failures", job="sync") == 0
    assert value("outcomes_consecutive_failures", job="publish") == 1
    last_sync = datetime(2026, 11, 24, 6, 30, 2, tzinfo=UTC).timestamp()
    assert value("outcomes_last_success_timestamp_seconds", job="sync") == last_sync
    assert ("outcomes_last_success_timestamp_seconds", (("job", "publish"),)) not in samples
    # 06:40 UTC now: sync fires next at 07:45 Berlin, publish at 08:00 Berlin.
    next_sync = datetime(2026, 11, 24, 6, 45, tzinfo=UTC).timestamp()
    assert value("outcomes_next_run_timestamp_seconds", job="sync") == next_sync
    next_publish = datetime(2026, 11, 24, 7, 0, tzinfo=UTC).timestamp()
    assert value("outcomes_next_run_timestamp_seconds", job="publish") == next_publish
    assert value("outcomes_findings", portfolio="retail", code="UNALIGNED_EPIC") == 2
    assert value("outcomes_findings", portfolio="retail", code="UNKNOWN_OKR") == 1
    assert value("outcomes_healthy") == 1
    assert value("outcomes_leader") == 1


def test_healthz_turns_503_when_the_last_success_is_too_old(
    served: tuple[HealthServer, Clock],
) -> None:
    server, clock = served
    code, kind, body = get(f"{server.url}/healthz")
    assert (code, kind) == (200, "application/json")
    assert json.loads(body) == {
        "status": "ok",
        "role": "leader",
        "last_success": "2026-11-24T06:30:02+00:00",
        "max_age_minutes": 60.0,
        "failing_jobs": {},
    }
    clock.now = datetime(2026, 11, 24, 7, 30, 3, tzinfo=UTC)  # 60 min and 1 s after it
    code, _, body = get(f"{server.url}/healthz")
    assert code == 503
    assert json.loads(body)["status"] == "stale"
    assert get(f"{server.url}/livez")[0] == 200  # alive all the same: no reason to restart
    assert get(f"{server.url}/nothing-here")[0] == 404


def test_healthz_turns_503_when_a_job_fails_too_often_in_a_row(
    served: tuple[HealthServer, Clock], engine: Engine
) -> None:
    server, _ = served
    with Session(engine) as session, session.begin():
        session.add_all([run_row("publish", "failed", 33 + i, 1.0, "401") for i in range(2)])
    code, _, body = get(f"{server.url}/healthz")
    assert code == 503
    assert json.loads(body)["status"] == "failing"
    assert json.loads(body)["failing_jobs"] == {"publish": 3}
