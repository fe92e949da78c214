"""`outcomes export` end to end: a store filled by a sync from the sandbox, then the workbook."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from connector.sandbox import Sandbox
from reports.excel import SHEETS
from service.cli import cli
from tests.e2e.conftest import AS_OF, TOKEN, write_settings

WORKBOOK = "out/outcomes-retail-2026-Q4-2026-11-15.xlsx"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"E2E_TOKEN": TOKEN})
    return result.exit_code, result.output


def synced(sandbox: Sandbox, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    config = write_settings(folder, sandbox.url)
    code, output = invoke("sync", "--config", str(config))
    assert code == 0, output
    sandbox.reset_requests()
    return config


def rows(ws: Worksheet) -> dict[str, list[object]]:
    return {str(r[0].value): [c.value for c in r] for r in ws.iter_rows(min_row=2)}


@pytest.mark.e2e
def test_export_writes_the_workbook_from_the_store_without_touching_jira(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = synced(sandbox, tmp_path)

    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF)

    assert code == 0, output
    assert f"Workbook: {tmp_path / WORKBOOK}" in output
    assert sandbox.requests == []  # neither Jira nor Confluence was asked anything
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [Path(WORKBOOK).name]

    book = load_workbook(tmp_path / WORKBOOK)
    assert len(book.sheetnames) == len(SHEETS)  # the registry (test_excel names them)
    epics = book["Epics"]
    listed = rows(epics)
    assert list(listed) == ["MOB-1", "MOB-2", "PAY-1", "PAY-4", "PAY-6", "PAY-7", "PAY-8"]
    # PAY-1: children PAY-2 (done, 3 points) and PAY-3 (to do, 5 points), counted by the sync.
    assert listed["PAY-1"][1] == 'Retries <ac:structured-macro ac:name="html"/> & "quotes"'
    assert listed["PAY-1"][2:7] == ["Payments", "In Progress", "In Progress", "Ana Ruiz", "aligned"]
    assert listed["PAY-1"][10:15] == [2, 1, 0.5, 8, 3]
    assert listed["PAY-7"][6] == "exempt"
    assert epics["A4"].hyperlink.target == f"{sandbox.url}/browse/PAY-1"
    formula = epics["B5"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == (
        '=HYPERLINK("http://evil")',
        "s",
        True,
    )

    # As of 2026-11-15 half the cycle has passed (see tests/e2e/conftest.py).
    krs = [[c.value for c in r] for r in book["Key Results"].iter_rows(min_row=2)]
    assert [(r[1], r[9], r[10], r[11]) for r in krs] == [
        ("P1.KR1", 0.4, 0.5, "on track"),
        ("P1.KR2", 0.2, 0.5, "at risk"),
        ("P2.KR1", 0.1, 0.5, "off track"),
    ]
    # Team by team, in the catalogue's order: payments, then mobile.
    assert list(rows(book["Unaligned"])) == ["PAY-4", "PAY-6", "MOB-2"]
    claims = [(r[1].value, r[4].value) for r in book["Approvals"].iter_rows(min_row=2)]
    # PAY-6's claim on P9.KR1 (not in the catalogue) waits for no leader: Epics shows it.
    assert claims == [("MOB-1", "P2.KR1"), ("PAY-1", "P1.KR1")]
    history = book["Score History"]
    assert [c.value for c in history[2]] == [
        datetime(2026, 11, 15),
        None,
        "this report",
        0.4,
        0.2,
        0.1,
    ]


@pytest.mark.e2e
def test_the_workbook_shows_the_scores_of_earlier_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    code, output = invoke(
        "run", "--config", str(config), "--as-of", "2026-11-10", "--no-publish", "--no-export"
    )
    assert code == 0, output

    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF)

    assert code == 0, output
    history = load_workbook(tmp_path / WORKBOOK)["Score History"]
    assert [c.value for c in history[1]] == [
        "As of",
        "Recorded at",
        "Run",
        "P1.KR1",
        "P1.KR2",
        "P2.KR1",
    ]
    earlier, now = history[2], history[3]
    assert earlier[0].value == datetime(2026, 11, 10)
    assert isinstance(earlier[1].value, datetime)  # when that run recorded its snapshot
    assert [c.value for c in earlier][2:] == ["earlier run", 0.4, 0.2, 0.1]
    assert [c.value for c in now] == [datetime(2026, 11, 15), None, "this report", 0.4, 0.2, 0.1]
    assert len(history._charts) == 1


@pytest.mark.e2e
def test_xlsx_names_the_file_and_may_use_the_placeholders(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = synced(sandbox, tmp_path / "settings")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")

    target = "review/{portfolio}-{cycle}.xlsx"  # relative: to the current folder
    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF, "--xlsx", target)

    assert code == 0, output
    written = tmp_path / "work" / "review" / "retail-2026-Q4.xlsx"
    assert f"Workbook: {written}" in output
    assert load_workbook(written)["Epics"].max_row == 8  # a header and 7 epics
    assert not (tmp_path / "settings" / "out").exists()


@pytest.mark.e2e
def test_a_placeholder_it_does_not_know_is_a_user_error(sandbox: Sandbox, tmp_path: Path) -> None:
    config = synced(sandbox, tmp_path)

    code, output = invoke("export", "--config", str(config), "--xlsx", "x-{quarter}.xlsx")

    assert code == 2
    assert output.strip() == (
        "outcomes: error: --xlsx: 'x-{quarter}.xlsx': use only {portfolio}, {cycle} and {date}"
        " in braces"
    )


@pytest.mark.e2e
def test_export_before_any_sync_says_to_sync_first(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)

    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF)

    assert code == 2
    assert output == (
        f"outcomes: error: {config}: portfolios[0].id: 'retail' has not been synced yet;"
        " run `outcomes sync` first (export reads the store, not Jira)\n"
    )
    assert sandbox.requests == []
    assert not (tmp_path / "out").exists()


@pytest.mark.e2e
def test_one_file_name_for_several_portfolios_is_a_user_error(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["portfolios"] = [
        {"id": "payments", "name": "Payments", "epics_jql": "project = PAY AND issuetype = Epic"},
        {"id": "mobile", "name": "Mobile", "epics_jql": "project = MOB AND issuetype = Epic"},
    ]
    settings["excel"] = {"path": "out/review-{date}.xlsx"}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert invoke("sync", "--config", str(config))[0] == 0

    code, output = invoke("export", "--config", str(config), "--as-of", AS_OF)

    assert code == 2
    assert output == (
        f"outcomes: error: {config}: excel.path: 'out/review-{{date}}.xlsx' names one file for"
        " several portfolios; add {portfolio}\n"
    )
    assert not (tmp_path / "out").exists()


def attaching_settings(folder: Path, url: str) -> Path:
    """The e2e settings with `excel.attach: true`."""
    config = write_settings(folder, url)
    settings = yaml.safe_load(config.read_text())
    settings["excel"]["attach"] = True
    config.write_text(yaml.safe_dump(settings))
    return config


def test_the_workbook_is_attached_to_the_overview_page_when_asked(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = attaching_settings(tmp_path, sandbox.url)
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--as-of", AS_OF], env={"E2E_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    overview = next(p for p in sandbox.confluence.pages() if str(p["title"]).endswith("Outcomes"))
    attached = sandbox.confluence.attachments_of(str(overview["id"]))
    assert [a["title"] for a in attached] == ["outcomes-retail.xlsx"]


def test_a_workbook_unchanged_but_for_its_creation_time_is_not_uploaded_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = attaching_settings(tmp_path, sandbox.url)
    run = ["run", "--config", str(config), "--as-of", AS_OF]
    for hour in ("07:00", "09:30"):  # two runs of one day: the workbooks differ in their times
        with time_machine.travel(datetime.fromisoformat(f"{AS_OF}T{hour}:00+00:00"), tick=False):
            result = CliRunner().invoke(cli, run, env={"E2E_TOKEN": TOKEN})
        assert result.exit_code == 0, result.output
    overview = next(p for p in sandbox.confluence.pages() if str(p["title"]).endswith("Outcomes"))
    [attached] = sandbox.confluence.attachments_of(str(overview["id"]))
    assert attached["version"] == 1
    workbook = load_workbook(BytesIO(attached["data"]))
    assert workbook.properties.created == datetime(2026, 11, 15, 7, 0)  # the first run's

    # A change in the evaluation (another day) does upload a new version.
    later = ["run", "--config", str(config), "--as-of", "2026-11-16"]
    result = CliRunner().invoke(cli, later, env={"E2E_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    [attached] = sandbox.confluence.attachments_of(str(overview["id"]))
    assert attached["version"] == 2
