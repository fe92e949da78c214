"""The snapshot codec: what a run keeps of an evaluation goes to plain JSON values and back
unchanged, and a snapshot an older version wrote (fewer keys, a broken entry) still reads."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.results import AlignmentShare
from rules.snapshots import (
    StoredFinding,
    StoredKeyResult,
    StoredObjective,
    StoredSnapshot,
    decode,
    encode,
    snapshot_of,
)
from tests.reports.sample import EVALUATION

numbers = st.floats(allow_nan=False, allow_infinity=False)
maybe_numbers = st.none() | numbers
ids = st.text(min_size=1, max_size=8)
texts = st.text(max_size=12)

key_results = st.builds(
    StoredKeyResult,
    score=maybe_numbers,
    status=texts,
    current=maybe_numbers,
    confidence=maybe_numbers,
    last_checkin=st.none() | st.dates(),
    owner=st.none() | texts,
    forecast=maybe_numbers,
    forecast_score=maybe_numbers,
    team_forecast=maybe_numbers,
)
objectives = st.builds(
    StoredObjective,
    score=maybe_numbers,
    expected=maybe_numbers,
    status=texts,
    forecast_score=maybe_numbers,
    key_results=st.dictionaries(ids, key_results, max_size=3),
)
snapshots = st.builds(
    StoredSnapshot,
    objectives=st.dictionaries(ids, objectives, max_size=4),
    findings=st.lists(
        st.builds(StoredFinding, texts, texts, texts, st.none() | texts), max_size=4
    ).map(tuple),
    awaiting_approval=st.integers(min_value=0, max_value=10**6),
    alignment=st.lists(
        st.builds(
            AlignmentShare,
            st.none() | texts,
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            numbers,
            numbers,
            numbers,
        ),
        max_size=3,
    ).map(tuple),
)


@settings(database=None, max_examples=150)
@given(snapshots)
def test_a_snapshot_survives_the_store_unchanged(snapshot: StoredSnapshot) -> None:
    stored = json.loads(json.dumps(encode(snapshot)))  # as a JSON column gives it back
    assert decode(stored) == snapshot


def test_an_evaluation_reads_back_as_it_was_kept() -> None:
    kept = snapshot_of(EVALUATION)
    assert decode(json.loads(json.dumps(encode(kept)))) == kept
    # P1 of the sample (tests/reports/sample.py): 0.56 of 0.6 expected, on track; P1.KR1 0.74 with
    # its catalogue current 98.9
    p1 = kept.objectives["P1"]
    assert (p1.score, p1.expected, p1.status) == (0.56, 0.6, "on track")
    assert (p1.key_results["P1.KR1"].score, p1.key_results["P1.KR1"].current) == (0.74, 98.9)


def test_a_snapshot_written_by_an_older_version_reads_with_defaults() -> None:
    # Written by hand in the shape early versions kept: no expected or forecast, key results with
    # a score and status only, findings without a team, no alignment or approval count; plus a
    # broken key result, a broken objective and a broken finding, and a key from a newer version.
    old = {
        "objectives": {
            "P1": {
                "score": 0.5,
                "status": "on track",
                "key_results": {"P1.KR1": {"score": 0.25, "status": "at risk"}, "bad": "x"},
            },
            "P2": "junk",
        },
        "findings": [{"code": "OFF_PACE", "severity": "warning", "subject": "P1.KR1"}, 7],
        "something_newer": {"ignored": True},
    }
    assert decode(old) == StoredSnapshot(
        objectives={
            "P1": StoredObjective(
                score=0.5,
                status="on track",
                key_results={"P1.KR1": StoredKeyResult(score=0.25, status="at risk")},
            )
        },
        findings=(StoredFinding("OFF_PACE", "warning", "P1.KR1"),),
    )
    assert decode({}) == StoredSnapshot()
    assert decode({"objectives": None, "findings": None, "alignment": "none"}) == StoredSnapshot()


def test_the_store_keeps_dates_as_iso_text_and_rounds_nothing_itself() -> None:
    snapshot = StoredSnapshot(
        objectives={
            "P1": StoredObjective(
                score=0.12345,
                key_results={"P1.KR1": StoredKeyResult(last_checkin=date(2026, 11, 16))},
            )
        }
    )
    encoded = encode(snapshot)["objectives"]["P1"]
    assert encoded["score"] == 0.12345
    assert encoded["key_results"]["P1.KR1"]["last_checkin"] == "2026-11-16"


def test_a_value_no_version_wrote_is_a_plain_value_error() -> None:
    with pytest.raises(ValueError, match="no version of Outcomes wrote") as caught:
        decode({"objectives": {"P1": {"score": "high", "status": "on track"}}})
    assert type(caught.value) is ValueError  # callers need not know the codec's library
