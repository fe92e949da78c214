"""The schedule as the settings give it: crons, time zone, job options, and clear refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from connector.store.db import open_store
from rules.errors import UserError
from service.cli import cli
from service.deployment import Deployment
from service.scheduler import Service, fire_time, next_fire_times
from service.settings import ScheduleSettings, load_settings
from tests.e2e.conftest import TOKEN, write_settings

BERLIN = ZoneInfo("Europe/Berlin")


def settings_file(tmp_path: Path, **top: object) -> Path:
    path = write_settings(tmp_path, "http://127.0.0.1:9")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["store"] = {"url": f"sqlite:///{tmp_path / 'store.db'}"}
    data.update(top)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_each_job_fires_at_its_own_cron_in_the_configured_time_zone() -> None:
    schedule = ScheduleSettings(
        timezone="Europe/Berlin",
        sync="*/15 * * * *",
        publish="0 7 * * MON-FRI",
        export="0 6 * * MON",
    )
    # Saturday noon, the day before Berlin leaves summer time (25 October 2026).
    now = datetime(2026, 10, 24, 12, 0, 30, tzinfo=BERLIN)
    upcoming = next_fire_times(schedule, now)
    assert set(upcoming) == {"sync", "publish", "export"}  # check has no cron: it does not run
    assert upcoming["sync"] == datetime(2026, 10, 24, 12, 15, tzinfo=BERLIN)
    # Monday, in winter time: 07:00 and 06:00 Berlin are 06:00 and 05:00 UTC.
    assert upcoming["publish"].isoformat() == "2026-10-26T07:00:00+01:00"
    assert upcoming["export"].isoformat() == "2026-10-26T06:00:00+01:00"


def test_a_job_knows_the_fire_time_it_serves() -> None:
    trigger = CronTrigger.from_crontab("*/15 * * * *", timezone=BERLIN)
    grace = timedelta(minutes=5)
    late = datetime(2026, 11, 24, 7, 3, 10, tzinfo=BERLIN)
    assert fire_time(trigger, late, grace) == datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)
    on_time = datetime(2026, 11, 24, 7, 15, 0, tzinfo=BERLIN)
    assert fire_time(trigger, on_time, grace) == on_time
    too_late = datetime(2026, 11, 24, 7, 9, 0, tzinfo=BERLIN)
    assert fire_time(trigger, too_late, grace) is None


def test_apscheduler_jobs_carry_explicit_ids_and_the_safety_options(tmp_path: Path) -> None:
    path = settings_file(
        tmp_path,
        schedule={
            "timezone": "Europe/Berlin",
            "sync": "*/15 * * * *",
            "check": "5 * * * *",
            "publish": "0 7 * * MON-FRI",
            "misfire_grace_seconds": 120,
        },
    )
    loaded = load_settings(path, environ={"E2E_TOKEN": TOKEN})
    engine = open_store(loaded.store_url())
    try:
        service = Service(Deployment(loaded, engine=engine))
        jobs = {job.id: job for job in service.scheduled_jobs()}
    finally:
        engine.dispose()
    assert sorted(jobs) == ["check", "publish", "sync"]
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == 120
        assert str(job.trigger.timezone) == "Europe/Berlin"
    assert str(jobs["publish"].trigger) == (
        "cron[month='*', day='*', day_of_week='mon-fri', hour='7', minute='0']"
    )


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (
            {"publish": "0 7 * *"},
            "schedule.publish: expected a cron expression of 5 fields: minute hour day month"
            " weekday, got '0 7 * *'",
        ),
        ({"sync": "*/75 * * * *"}, "schedule.sync: not a valid cron expression"),
        (
            {"timezone": "Mars/Olympus"},
            "schedule.timezone: unknown time zone; use an IANA name such as Europe/Berlin,"
            " got 'Mars/Olympus'",
        ),
        ({"misfire_grace_seconds": 0}, "schedule.misfire_grace_seconds: must be at least 1"),
    ],
)
def test_a_bad_schedule_is_a_user_error_naming_file_key_and_value(
    tmp_path: Path, schedule: dict[str, object], expected: str
) -> None:
    path = settings_file(tmp_path, schedule=schedule)
    with pytest.raises(UserError) as error:
        load_settings(path, environ={"E2E_TOKEN": TOKEN})
    assert str(error.value).startswith(f"{path}: {expected}")


def test_serve_without_any_cron_exits_2_with_one_line(tmp_path: Path) -> None:
    path = settings_file(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)], env={"E2E_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"outcomes: error: {path}: schedule: no job has a cron; set schedule.sync,"
        " schedule.check, schedule.publish or schedule.export"
    ]


def test_serve_refuses_to_schedule_publish_without_confluence(tmp_path: Path) -> None:
    path = settings_file(tmp_path, schedule={"publish": "0 7 * * *"}, confluence=None)
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)], env={"E2E_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert "schedule.publish: set, but there is no confluence section" in result.output
