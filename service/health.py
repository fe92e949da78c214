"""What an operator asks: did the jobs run, did they work, when is the next one — from the store.

`collect()` builds that picture from the run records (so every `serve` process, and `outcomes
status` in a shell, tell the same story, and it survives restarts). `HealthServer` serves it on an
optional port with the stdlib's ThreadingHTTPServer:

- `/healthz`: 200 while the last successful run is younger than `health.max_age_minutes` and no
  job has failed `health.alert_after_failures` times in a row; 503 otherwise. JSON body says why.
  Before the first success, the time `serve` started stands in for it.
- `/livez`: 200 while the process answers (for a liveness probe that must not restart a pod just
  because Jira is down).
- `/metrics`: Prometheus text format.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history, runs
from connector.store.lock import current_holder
from connector.store.models import RunLock
from rules.snapshots import decode_findings
from service.deployment import safe_message
from service.scheduler import JOB_NAMES, next_fire_times
from service.settings import LoadedSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobView:
    name: str
    cron: str | None  # None: not scheduled (a one-shot command's records)
    next_run: datetime | None
    stats: runs.JobStats


@dataclass(frozen=True)
class Report:
    now: datetime
    jobs: list[JobView]
    last_success: datetime | None
    max_age: timedelta
    alert_after: int
    started_at: datetime | None = None  # when this `serve` started; None for `status`
    findings: dict[tuple[str, str], int] = field(default_factory=dict)  # (portfolio, code) → n
    leader: RunLock | None = None

    @property
    def reference(self) -> datetime | None:
        return self.last_success or self.started_at

    @property
    def stale(self) -> bool:
        return self.reference is None or self.now - self.reference > self.max_age

    @property
    def failing(self) -> list[JobView]:
        return [j for j in self.jobs if j.stats.failures_in_a_row >= self.alert_after]

    @property
    def healthy(self) -> bool:
        return not self.stale and not self.failing


def collect(
    loaded: LoadedSettings, engine: Engine, now: datetime, *, started_at: datetime | None = None
) -> Report:
    settings = loaded.settings
    schedule = settings.schedule
    upcoming = next_fire_times(schedule, now)
    with Session(engine) as session:
        found = runs.stats(session, [n for n in JOB_NAMES if n in upcoming])
        findings: dict[tuple[str, str], int] = {}
        for portfolio in settings.portfolios:
            row = history.latest_snapshot(session, portfolio.id)
            for item in decode_findings(row.data.get("findings")) if row else ():
                key = (portfolio.id, item.code)
                findings[key] = findings.get(key, 0) + 1
    order = {name: i for i, name in enumerate(JOB_NAMES)}
    jobs = [
        JobView(name, getattr(schedule, name, None), upcoming.get(name), stats)
        for name, stats in sorted(found.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    ]
    # A check only reads the store: one from the command line (not scheduled) says nothing of
    # whether the pipeline still runs, so it does not keep the deployment fresh.
    successes = [
        j.stats.last_success_at
        for j in jobs
        if j.stats.last_success_at and (j.cron or j.name != "check")
    ]
    return Report(
        now=now,
        jobs=jobs,
        last_success=max(successes) if successes else None,
        max_age=timedelta(minutes=settings.health.max_age_minutes),
        alert_after=settings.health.alert_after_failures,
        started_at=started_at,
        findings=findings,
        leader=current_holder(engine, "leader"),
    )


def health_body(report: Report, role: str) -> tuple[int, dict[str, object]]:
    if report.stale:
        status = "stale"
    elif report.failing:
        status = "failing"
    else:
        status = "ok"
    body: dict[str, object] = {
        "status": status,
        "role": role,
        "last_success": report.last_success.isoformat() if report.last_success else None,
        "max_age_minutes": report.max_age.total_seconds() / 60,
        "failing_jobs": {j.name: j.stats.failures_in_a_row for j in report.failing},
    }
    return (200 if status == "ok" else 503), body


# --- Prometheus text format (version 0.0.4) ------------------------------------------------------


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(name: str, value: float, **labels: str) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {value!r}" if inner else f"{name} {value!r}"


def metrics_text(report: Report, role: str) -> str:
    jobs = report.jobs
    families: list[tuple[str, str, str, list[str]]] = [
        (
            "outcomes_runs_total",
            "counter",
            "Runs recorded in the store, by job and outcome.",
            [
                _sample("outcomes_runs_total", float(n), job=j.name, outcome=outcome)
                for j in jobs
                for outcome, n in sorted(j.stats.totals.items())
            ],
        ),
        (
            "outcomes_run_duration_seconds",
            "summary",
            "How long finished runs took.",
            [
                line
                for j in jobs
                for line in (
                    _sample("outcomes_run_duration_seconds_sum", j.stats.duration_sum, job=j.name),
                    _sample(
                        "outcomes_run_duration_seconds_count",
                        float(j.stats.duration_count),
                        job=j.name,
                    ),
                )
            ],
        ),
        (
            "outcomes_consecutive_failures",
            "gauge",
            "Failed runs in a row (0 after a success).",
            [
                _sample(
                    "outcomes_consecutive_failures", float(j.stats.failures_in_a_row), job=j.name
                )
                for j in jobs
            ],
        ),
        (
            "outcomes_last_success_timestamp_seconds",
            "gauge",
            "When each job last succeeded (Unix time).",
            [
                _sample("outcomes_last_success_timestamp_seconds", success.timestamp(), job=j.name)
                for j in jobs
                if (success := j.stats.last_success_at) is not None
            ],
        ),
        (
            "outcomes_next_run_timestamp_seconds",
            "gauge",
            "When each scheduled job fires next (Unix time).",
            [
                _sample("outcomes_next_run_timestamp_seconds", upcoming.timestamp(), job=j.name)
                for j in jobs
                if (upcoming := j.next_run) is not None
            ],
        ),
        (
            "outcomes_findings",
            "gauge",
            "Findings in each portfolio's latest snapshot, by code.",
            [
                _sample("outcomes_findings", float(n), portfolio=portfolio, code=code)
                for (portfolio, code), n in sorted(report.findings.items())
            ],
        ),
        (
            "outcomes_healthy",
            "gauge",
            "1 while /healthz answers 200.",
            [_sample("outcomes_healthy", 1.0 if report.healthy else 0.0)],
        ),
        (
            "outcomes_leader",
            "gauge",
            "1 if this process schedules the jobs.",
            [_sample("outcomes_leader", 1.0 if role == "leader" else 0.0)],
        ),
    ]
    lines: list[str] = []
    for name, kind, help_text, samples in families:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]
    return "\n".join(lines) + "\n"


# --- the server ----------------------------------------------------------------------------------


class HealthServer:
    """/healthz, /livez and /metrics on a background thread; `report` is called per request."""

    def __init__(
        self, host: str, port: int, report: Callable[[], Report], role: Callable[[], str]
    ) -> None:
        handler = _handler(report, role)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="outcomes-health",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(report: Callable[[], Report], role: Callable[[], str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "outcomes"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/livez":
                self._send(200, "application/json", json.dumps({"status": "alive"}))
                return
            if path not in ("/healthz", "/metrics"):
                self._send(404, "text/plain; charset=utf-8", "try /healthz, /livez or /metrics\n")
                return
            try:
                current = report()
            except Exception as exc:  # the store is down: say so, never a traceback
                body = {"status": "store unreachable", "error": safe_message(exc)}
                self._send(503, "application/json", json.dumps(body))
                return
            if path == "/healthz":
                code, data = health_body(current, role())
                self._send(code, "application/json", json.dumps(data))
            else:
                text = metrics_text(current, role())
                self._send(200, "text/plain; version=0.0.4; charset=utf-8", text)

        def _send(self, code: int, kind: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("health: " + format, *args)

    return Handler
