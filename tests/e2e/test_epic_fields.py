"""An extra epic field (settings: jira.epic_fields) end to end: a date field of the sandbox read
by a sync into the store's `extra` column, back out as a date on the epic, and shown in the
workbook's Epics sheet; on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.issues import load_epics
from service.cli import cli
from tests.e2e.conftest import AS_OF, DATASET, TOKEN, write_settings
from tests.store import conftest as store_suite

TARGET_START = "customfield_10300"
store_url = store_suite.store_url  # the store suite's SQLite and PostgreSQL stores


def dataset() -> dict[str, Any]:
    data = copy.deepcopy(DATASET)
    data["jira"]["fields"].append({"id": TARGET_START, "name": "Target start", "type": "date"})
    dates = {"PAY-1": "2026-10-05", "MOB-1": "2026-11-20"}
    for issue in data["jira"]["issues"]:
        if issue["key"] in dates:
            issue["fields"][TARGET_START] = dates[issue["key"]]
    return data


def configure(folder: Path, url: str, store_url: str, epic_fields: dict[str, str]) -> Path:
    config = write_settings(folder, url)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["store"] = {"url": store_url}
    if epic_fields:
        settings["jira"]["epic_fields"] = epic_fields
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return config


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output


def stored_extra(store_url: str) -> dict[str, dict[str, object]]:
    engine = open_store(store_url)
    try:
        with Session(engine) as session:
            return {e.key: dict(e.extra) for e in load_epics(session, "retail")}
    finally:
        engine.dispose()


@pytest.mark.e2e
def test_a_date_field_named_in_the_settings_reaches_the_epic_and_the_workbook(
    tmp_path: Path, store_url: str
) -> None:
    with Sandbox(dataset()) as sandbox:
        config = configure(tmp_path, sandbox.url, store_url, {"target_start": "Target start"})
        code, output = invoke("sync", "--config", str(config))
        assert code == 0, output
    assert stored_extra(store_url) == {
        "PAY-1": {"target_start": date(2026, 10, 5)},
        "PAY-4": {},
        "PAY-6": {},
        "PAY-7": {},
        "PAY-8": {},
        "MOB-1": {"target_start": date(2026, 11, 20)},
        "MOB-2": {},
    }
    target = tmp_path / "book.xlsx"
    code, output = invoke(
        "export", "--config", str(config), "--as-of", AS_OF, "--xlsx", str(target)
    )
    assert code == 0, output
    sheet = load_workbook(target)["Epics"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Target start"
    shown = {str(r[0].value): r[-1].value for r in sheet.iter_rows(min_row=2)}
    assert shown["PAY-1"] == datetime(2026, 10, 5)  # a date cell (openpyxl reads it back so)
    assert shown["MOB-1"] == datetime(2026, 11, 20)
    assert shown["MOB-2"] is None


@pytest.mark.e2e
def test_a_field_configured_after_the_first_sync_is_read_for_unchanged_epics(
    tmp_path: Path, store_url: str
) -> None:
    with Sandbox(dataset()) as sandbox:
        config = configure(tmp_path, sandbox.url, store_url, {})
        code, output = invoke("sync", "--config", str(config))
        assert code == 0, output
        assert "Workbook" not in output and "Target start" not in output
        config = configure(tmp_path, sandbox.url, store_url, {"target_start": "Target start"})
        code, output = invoke("sync", "--config", str(config))
        assert code == 0, output
    assert (
        "Settings for fields changed since the last sync (jira.epic_fields.target_start):"
        " re-reading all 7 epics of retail"
    ) in output
    assert stored_extra(store_url)["PAY-1"] == {"target_start": date(2026, 10, 5)}


@pytest.mark.e2e
def test_a_name_the_site_lacks_is_one_line_with_the_closest_name(tmp_path: Path) -> None:
    with Sandbox(dataset()) as sandbox:
        store = f"sqlite:///{tmp_path / 'store.db'}"
        config = configure(tmp_path, sandbox.url, store, {"target_start": "Target strat"})
        code, output = invoke("sync", "--config", str(config))
    assert code == 2
    assert output.strip().splitlines()[-1] == (
        f"outcomes: error: {config}: jira.epic_fields.target_start: Jira has no field named"
        " 'Target strat' (did you mean 'Target start'?)"
    )
