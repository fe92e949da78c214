"""Normal and write-only workbooks hold the same cells; the same input gives the same bytes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import pytest
from openpyxl import Workbook, load_workbook

import reports.excel
from reports.excel import render_workbook
from tests.reports.workbook_sample import CATALOGUE, CREATED, EVALUATION, HISTORY, JIRA, PORTFOLIO


def render(**options: Any) -> bytes:
    return render_workbook(
        EVALUATION,
        CATALOGUE,
        portfolio_name=PORTFOLIO,
        jira_url=JIRA,
        history=HISTORY,
        **({"created": CREATED} | options),
    )


def dump(data: bytes) -> dict[str, object]:
    """Everything a reader sees in a workbook, sheet by sheet."""
    book = load_workbook(BytesIO(data))
    sheets: dict[str, object] = {}
    for ws in book.worksheets:
        cells = [
            (
                c.coordinate,
                c.value,
                c.data_type,
                c.number_format,
                c.quotePrefix,
                c.hyperlink.target if c.hyperlink else None,
                c.font.b,
                c.font.u,
            )
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        sheets[ws.title] = {
            "cells": cells,
            "tables": [(t.name, t.ref, t.column_names) for t in ws.tables.values()],
            "formats": sorted(
                (str(r.sqref), rule.formula[0])
                for r in ws.conditional_formatting
                for rule in r.rules
            ),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            "charts": [(type(c).__name__, [s.val.numRef.f for s in c.series]) for c in ws._charts],
        }
    return sheets


def test_write_only_mode_writes_the_same_workbook() -> None:
    normal, streamed = dump(render(write_only=False)), dump(render(write_only=True))
    assert list(streamed) == list(normal)
    for title in normal:
        assert streamed[title] == normal[title], title
    # Not vacuous: both hold the cells that the other tests check in detail.
    epics = normal["Epics"]
    assert isinstance(epics, dict)
    by_place = {cell[0]: cell for cell in epics["cells"]}
    assert by_place["A5"][1:6] == (
        "PAY-101",
        "s",
        "General",
        False,
        "https://jira.example.com/browse/PAY-101",
    )
    assert by_place["B7"][1:5] == ('=HYPERLINK("http://evil")', "s", "General", True)
    assert by_place["P5"][1:4] == (datetime(2026, 11, 20, 9, 30), "d", "yyyy-mm-dd hh:mm")


def test_past_the_threshold_the_workbook_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    modes: list[bool] = []

    def spy(write_only: bool = False) -> Workbook:
        modes.append(write_only)
        return Workbook(write_only=write_only)

    monkeypatch.setattr(reports.excel, "Workbook", spy)
    monkeypatch.setattr(reports.excel, "WRITE_ONLY_ABOVE", len(EVALUATION.epics))
    render()  # 6 epics: not above 6
    fewer = dataclasses.replace(EVALUATION, epics=EVALUATION.epics[:5])
    render_workbook(fewer, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    monkeypatch.setattr(reports.excel, "WRITE_ONLY_ABOVE", len(EVALUATION.epics) - 1)
    render()  # 6 epics: above 5
    assert modes == [False, False, True]


def test_the_real_threshold_is_one_thousand_epics() -> None:
    assert reports.excel.WRITE_ONLY_ABOVE == 1000


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write-only"])
def test_the_same_input_gives_the_same_bytes(write_only: bool) -> None:
    first, second = render(write_only=write_only), render(write_only=write_only)
    assert first == second
    # Every part of the file carries the given creation time, not the clock's.
    with ZipFile(BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 24, 7, 30, 0)}


def test_the_creation_time_changes_the_stamp_not_the_cells() -> None:
    later = render(created=datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    assert later != render()
    assert dump(later) == dump(render())
    assert load_workbook(BytesIO(later)).properties.created == datetime(2026, 11, 25, 8, 0)


def test_without_a_creation_time_the_file_is_stamped_with_the_evaluation_day() -> None:
    data = render_workbook(EVALUATION, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA)
    assert load_workbook(BytesIO(data)).properties.created == datetime(2026, 11, 24)
