"""`rules.overrides`: the portfolio office's claims for epics, with who and why."""

from __future__ import annotations

from typing import Any

import pytest

from rules.overrides import Override, parse_overrides
from rules.validation import ValidationProblem


def test_overrides_are_read_with_ids_and_keys_upper_cased() -> None:
    data = {
        "version": 1,
        "overrides": [
            {"epic": "pay-12", "okrs": ["p1.kr2", "P2"], "by": "Priya", "why": "Planning call"}
        ],
    }
    assert parse_overrides(data, "overrides.yaml") == (
        Override("PAY-12", ("P1.KR2", "P2"), "Priya", "Planning call"),
    )
    assert parse_overrides({"version": 1}, "overrides.yaml") == ()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"epic": "PAY 12", "okrs": ["P1"], "by": "P", "why": "w"},
            "overrides.yaml: overrides[0].epic: expected a Jira issue key like PAY-12, "
            "got 'PAY 12'",
        ),
        (
            {"epic": "PAY-12", "okrs": [], "by": "P", "why": "w"},
            "overrides.yaml: overrides[0].okrs: needs at least 1 item, got []",
        ),
        (
            {"epic": "PAY-12", "okrs": ["P1"], "why": "w"},
            "overrides.yaml: overrides[0].by: missing required key",
        ),
        (
            {"epic": "PAY-12", "okrs": ["P1"], "by": "P", "why": "w", "note": "x"},
            "overrides.yaml: overrides[0]: unknown key 'note'",
        ),
    ],
)
def test_bad_entries_are_named(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationProblem) as problem:
        parse_overrides({"version": 1, "overrides": [entry]}, "overrides.yaml")
    assert str(problem.value) == message


def test_an_epic_listed_twice_and_a_newer_version_are_refused() -> None:
    twice = {
        "version": 1,
        "overrides": [
            {"epic": "PAY-1", "okrs": ["P1"], "by": "A", "why": "a"},
            {"epic": "pay-1", "okrs": ["P2"], "by": "B", "why": "b"},
        ],
    }
    with pytest.raises(ValidationProblem) as problem:
        parse_overrides(twice, "o.yaml")
    assert str(problem.value) == (
        "o.yaml: overrides[1].epic: PAY-1 is also in overrides[0]; list its OKRs once"
    )
    with pytest.raises(ValidationProblem) as problem:
        parse_overrides({"version": 2}, "o.yaml")
    assert str(problem.value) == (
        "o.yaml: version: unsupported overrides version 2 (this Outcomes reads version 1)"
    )
