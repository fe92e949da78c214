"""Jira's instants enter Outcomes in UTC, whatever offset the site writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.jira_fields import parse_time


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2026-11-12T08:00:26.859+1100", datetime(2026, 11, 11, 21, 0, 26, 859000, tzinfo=UTC)),
        ("2026-10-04T01:00:00.000+1000", datetime(2026, 10, 3, 15, 0, tzinfo=UTC)),
        ("2026-11-20T10:00:00.000+0000", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ("2026-11-20T05:00:00.000-0500", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ("2026-11-12T08:00:26+11:00", datetime(2026, 11, 11, 21, 0, 26, tzinfo=UTC)),
    ],
)
def test_every_offset_form_gives_the_instant_in_utc(written: str, instant: datetime) -> None:
    parsed = parse_time(written)
    assert parsed == instant
    assert parsed is not None and parsed.tzinfo is UTC
    assert parsed.date() == instant.date()  # a date taken from it is the UTC day


def test_no_time_is_none() -> None:
    assert parse_time(None) is None
    assert parse_time("") is None


def test_a_form_fromisoformat_refuses_is_read_as_jiras_documented_one() -> None:
    # A one-digit hour: `fromisoformat` refuses it, Jira's own pattern reads it.
    assert parse_time("2026-11-12T8:00:26.859+1100") == datetime(
        2026, 11, 11, 21, 0, 26, 859000, tzinfo=UTC
    )
