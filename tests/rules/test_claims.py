"""`rules.claims`: which OKRs an epic claims, and which claims count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from rules.claims import OkrIndex, Verdict, claimed_id, extract_claims, source_label
from rules.model import (
    Catalogue,
    Claim,
    ClaimSource,
    Cycle,
    IssueLink,
    KeyResult,
    Level,
    Objective,
)
from rules.overrides import Override
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
        # The field names P1.KR1 too: one claim that keeps both sources.
        Claim("PAY-1", "P1.KR1", ClaimSource.LABEL, also_from=(ClaimSource.FIELD,)),
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


# --- every way teams tag epics --------------------------------------------------------------------

JIRA_CATALOGUE = Catalogue(
    cycles=(Cycle("Q4", date(2026, 10, 1), date(2026, 12, 31)),),
    teams=(),
    objectives=(
        Objective(
            "P1",
            "Payments",
            Level.PORTFOLIO,
            "Q4",
            jira_key="OKR-1",
            key_results=(KeyResult("P1.KR2", "P1", "Transfer time", jira_key="OKR-3"),),
        ),
    ),
)


def test_a_label_pattern_with_a_suffix() -> None:
    policy = Policy(label_prefix="", label_suffix="@okr")
    item = epic("PAY-1", labels=("p1.kr2@OKR", "okr:P2", "@okr"))
    assert extract_claims(item, policy) == (Claim("PAY-1", "P1.KR2", ClaimSource.LABEL),)
    assert claimed_id("P3@okr", "", "@okr") == "P3"
    assert claimed_id("okr", "", "@okr") is None


def test_links_of_the_configured_type_claim_the_okr_their_issue_holds() -> None:
    item = replace(
        epic("PAY-1"),
        links=(
            IssueLink("Supports", "OKR-3", "outward"),
            IssueLink("supports", "OKR-1", "inward"),  # either direction, any case
            IssueLink("Blocks", "OKR-1"),  # another type: no claim
            IssueLink("Supports", "PAY-9"),  # not an OKR issue: a claim on an unknown id
        ),
    )
    index = OkrIndex.of(JIRA_CATALOGUE)
    assert extract_claims(item, Policy(link_type="Supports"), index) == (
        Claim("PAY-1", "P1.KR2", ClaimSource.LINK),
        Claim("PAY-1", "P1", ClaimSource.LINK),
        Claim("PAY-1", "PAY-9", ClaimSource.LINK),
    )
    assert extract_claims(item, Policy(), index) == ()  # links not configured


def test_the_parent_claims_when_it_is_an_okr_issue() -> None:
    index = OkrIndex.of(JIRA_CATALOGUE)
    policy = Policy(use_parent=True)
    known = replace(epic("PAY-1"), parent_key="OKR-3", parent_type="Key Result")
    assert extract_claims(known, policy, index) == (Claim("PAY-1", "P1.KR2", ClaimSource.PARENT),)
    # An Objective issue the catalogue does not know: a claim on its key (UNKNOWN_OKR shows it).
    stray = replace(epic("PAY-2"), parent_key="OKR-77", parent_type="objective")
    assert extract_claims(stray, policy, index) == (Claim("PAY-2", "OKR-77", ClaimSource.PARENT),)
    initiative = replace(epic("PAY-3"), parent_key="INIT-4", parent_type="Initiative")
    assert extract_claims(initiative, policy, index) == ()
    assert extract_claims(known, Policy(), index) == ()  # parents not configured


def test_overrides_add_claims_and_sources_that_disagree_all_count() -> None:
    item = replace(epic("PAY-1", labels=("okr:P1.KR2",)), claim_field=("P1",))
    overrides = (Override("PAY-1", ("P1.KR2", "P3"), "Priya", "Planning call"),)
    claims = extract_claims(item, Policy(use_field=True), None, overrides)
    assert claims == (
        Claim("PAY-1", "P1.KR2", ClaimSource.LABEL, also_from=(ClaimSource.OVERRIDE,)),
        Claim("PAY-1", "P1", ClaimSource.FIELD),
        Claim("PAY-1", "P3", ClaimSource.OVERRIDE),
    )
    assert claims[2].detail == "override by Priya: Planning call"
    assert claims[0].sources == (ClaimSource.LABEL, ClaimSource.OVERRIDE)
    assert extract_claims(epic("PAY-2"), Policy(), None, overrides) == ()


def test_jira_keys_are_indexed() -> None:
    assert OkrIndex.of(JIRA_CATALOGUE).by_jira_key == {"OKR-1": "P1", "OKR-3": "P1.KR2"}
