"""The whole pipeline against the sandbox, through the real `jira` and `atlassian` clients."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store.db import open_store
from connector.store.lock import run_lock
from connector.store.models import RunRow
from reports.excel import SHEETS
from service.cli import cli
from tests.e2e.conftest import AS_OF, TOKEN, write_settings

NS = 'xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier"'


def run(config: Path, *extra: str, token: str = TOKEN) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["run", "--config", str(config), "--as-of", AS_OF, *extra],
        env={"E2E_TOKEN": token},
    )
    return result.exit_code, result.output


def parse(body: str) -> ElementTree.Element:
    return ElementTree.fromstring(f"<root {NS}>{body}</root>")


def text_of(element: ElementTree.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def page(sandbox: Sandbox, suffix: str) -> dict[str, object]:
    matches = [p for p in sandbox.confluence.pages() if str(p["title"]).endswith(suffix)]
    assert len(matches) == 1, [p["title"] for p in sandbox.confluence.pages()]
    return matches[0]


@pytest.mark.e2e
def test_run_publishes_pages_and_writes_the_workbook(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    code, output = run(config)
    assert code == 0, output

    overview = page(sandbox, "Outcomes")
    root = parse(str(overview["body"]))
    text = text_of(root)
    assert "Make everyday payments effortless" in text
    assert "Open an account in minutes" in text
    lozenges = {
        text_of(
            m.find(
                "{http://atlassian.com/content}parameter[@{http://atlassian.com/content}name='title']"
            )
        )
        for m in root.iter("{http://atlassian.com/content}structured-macro")
        if m.get("{http://atlassian.com/content}name") == "status"
    }
    assert {"ON TRACK", "AT RISK", "OFF TRACK"} <= lozenges

    unaligned = parse(str(page(sandbox, "Work not tied to an outcome")["body"]))
    listed = text_of(unaligned)
    for key in ("PAY-4", "PAY-6", "MOB-2"):
        assert key in listed
    for key in ("PAY-1", "PAY-7", "PAY-8", "MOB-1"):
        assert key not in listed
    # The injected macro in PAY-1's summary never became markup anywhere.
    assert all(
        m.get("{http://atlassian.com/content}name") != "html"
        for m in root.iter("{http://atlassian.com/content}structured-macro")
    )

    engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
    with Session(engine) as session:
        [record] = session.scalars(select(RunRow)).all()
    engine.dispose()
    assert record.counts is not None  # what `outcomes status` and the JSON logs show
    assert (record.counts["pages_created"], record.counts["workbooks"]) == (8, 1)

    workbook = load_workbook(tmp_path / "out" / "outcomes-retail-2026-Q4-2026-11-15.xlsx")
    assert len(workbook.sheetnames) == len(SHEETS)  # the registry (test_excel names them)
    keys = [row[0].value for row in workbook["Unaligned"].iter_rows(min_row=2)]
    assert sorted(k for k in keys if k) == ["MOB-2", "PAY-4", "PAY-6"]
    formula_like = [
        c
        for row in workbook["Epics"].iter_rows()
        for c in row
        if c.value == '=HYPERLINK("http://evil")'
    ]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    kr_rows = {row[1].value: row for row in workbook["Key Results"].iter_rows(min_row=2)}
    assert set(kr_rows) >= {"P1.KR1", "P1.KR2", "P2.KR1"}


@pytest.mark.e2e
def test_an_unchanged_second_run_writes_no_page(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    assert run(config)[0] == 0
    versions = {p["id"]: p["version"] for p in sandbox.confluence.pages()}
    sandbox.reset_requests()
    code, output = run(config)
    assert code == 0, output
    assert {p["id"]: p["version"] for p in sandbox.confluence.pages()} == versions
    assert not [r for r in sandbox.requests if r.method in ("PUT", "POST") and "/wiki/" in r.path]


@pytest.mark.e2e
def test_a_page_edited_by_a_person_is_not_overwritten(sandbox: Sandbox, tmp_path: Path) -> None:
    config = write_settings(tmp_path, sandbox.url)
    assert run(config)[0] == 0
    overview = page(sandbox, "Outcomes")
    sandbox.confluence.human_edit(
        str(overview["id"]), "<p>Notes from the review</p>", author="Priya"
    )
    sandbox.jira.update_issue("MOB-2", labels=["okr:P2.KR1"])  # the report changes

    code, output = run(config)

    assert code == 1
    assert "edited by Priya" in output
    after = page(sandbox, "Outcomes")
    assert after["body"] == "<p>Notes from the review</p>"
    assert after["version"] == int(str(overview["version"])) + 1
    # The other page still got the change.
    assert "MOB-2" not in str(page(sandbox, "Work not tied to an outcome")["body"])


@pytest.mark.e2e
def test_wrong_credentials_exit_3_without_leaking_the_token(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    code, output = run(config, token="wrong-s3cret")
    assert code == 3
    assert "401" in output
    assert "wrong-s3cret" not in output


@pytest.mark.e2e
def test_a_run_while_another_holds_the_lock_exits_4_and_does_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url)
    engine = open_store(f"sqlite:///{tmp_path / 'outcomes.db'}")
    with run_lock(engine, now=datetime.now().astimezone()):
        sandbox.reset_requests()
        code, output = run(config)
    engine.dispose()
    assert code == 4
    assert "nothing was done" in output
    assert sandbox.requests == []
