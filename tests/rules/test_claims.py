"""`rules.claims`: which OKRs an epic claims, and which claims count."""

from __future__ import annotations

from datetime import date

from rules.claims import OkrIndex, Verdict, claimed_id, extract_claims, source_label
from rules.model import Catalogue, Claim, ClaimSource, Cycle, KeyResult, Level, Objective
from rules.policy import Policy
from tests.rules.factories import epic


def test_labels_are_claims_case_insensitively_and_upper_cased() -> None:
    claims = extract_claims(epic("PAY-1", labels=("OKR:p1.kr2", "Okr:P1")), Policy())
    assert claims == (
        Claim("PAY-1", "P1.KR2", ClaimSource.LABEL),
        Claim("PAY-1", "P1", ClaimSource.LABEL),
    )


def test_one_claim_per_id() -> None:
    labels = ("okr:P1.KR2", "OKR:p1.kr2", "okr:P1.KR2")
    assert extract_claims(epic("PAY-1", labels=labels), Policy()) == (
        Claim("PAY-1", "P1.KR2", ClaimSource.LABEL),
    )


def test_other_labels_and_a_bare_prefix_claim_nothing() -> None:
    labels = ("okr:", "okr-exempt", "team-payments", "okrs:P1", "xokr:P1")
    assert extract_claims(epic("PAY-1", labels=labels), Policy()) == ()


def test_the_prefix_comes_from_the_policy() -> None:
    claims = extract_claims(
        epic("PAY-1", labels=("outcome-p1.kr1", "okr:P2")), Policy(label_prefix="outcome-")
    )
    assert claims == (Claim("PAY-1", "P1.KR1", ClaimSource.LABEL),)


def test_field_values_count_only_when_enabled_and_labels_win() -> None:
    item = epic("PAY-1", labels=("okr:P1.KR1",), claim_field=("p1.kr1", " P2.KR1 ", "okr:P3", ""))
    assert extract_claims(item, Policy()) == (Claim("PAY-1", "P1.KR1", ClaimSource.LABEL),)
    assert extract_claims(item, Policy(use_field=True)) == (
        Claim("PAY-1", "P1.KR1", ClaimSource.LABEL),
        Claim("PAY-1", "P2.KR1", ClaimSource.FIELD),
        Claim("PAY-1", "P3", ClaimSource.FIELD),
    )


def test_claimed_id() -> None:
    assert claimed_id("OKR:p1.kr2", "okr:") == "P1.KR2"
    assert claimed_id("okr:", "okr:") is None
    assert claimed_id("team-payments", "okr:") is None


def test_source_label_finds_the_label_as_written() -> None:
    item = epic("PAY-1", labels=("team-x", "OKR:p9.kr1"))
    assert source_label(item, "P9.KR1", "okr:") == "OKR:p9.kr1"
    assert source_label(item, "P7", "okr:") == "okr:P7"


def test_verdicts() -> None:
    q3 = Cycle("Q3", date(2026, 7, 1), date(2026, 9, 30))
    q4 = Cycle("Q4", date(2026, 10, 1), date(2026, 12, 31))
    q1 = Cycle("Q1", date(2027, 1, 1), date(2027, 3, 31))
    catalogue = Catalogue(
        cycles=(q3, q4, q1),
        teams=(),
        objectives=(
            Objective("Old", "t", Level.PORTFOLIO, "Q3"),
            Objective(
                "Now",
                "t",
                Level.PORTFOLIO,
                "Q4",
                key_results=(KeyResult("Now.KR1", "Now", "t", start=0, target=1),),
            ),
            Objective("Gone", "t", Level.PORTFOLIO, "Q4", retired=True),
            Objective("Next", "t", Level.PORTFOLIO, "Q1"),
        ),
    )
    index = OkrIndex.of(catalogue)
    as_of = date(2026, 11, 15)
    assert index.verdict("now.kr1", as_of) is Verdict.VALID
    assert index.verdict("NOW", as_of) is Verdict.VALID
    assert index.verdict("OLD", as_of) is Verdict.ENDED
    assert index.verdict("NEXT", as_of) is Verdict.NOT_BEGUN
    assert index.verdict("GONE", as_of) is Verdict.RETIRED
    assert index.verdict("NOPE", as_of) is Verdict.UNKNOWN
    assert index.verdict("OLD", date(2026, 9, 30)) is Verdict.VALID  # the last day still counts
    assert index.closest_valid("NOW.KR2", as_of) == "Now.KR1"
    assert index.closest_valid("OLX", as_of) is None  # "Old" is close but no longer valid
