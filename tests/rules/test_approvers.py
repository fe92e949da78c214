"""Named approvers: whose decisions count, per portfolio objective, and what a group adds."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.approval import DecisionBook
from rules.approvers import ANYONE, ApproverRules, Approvers, counts, judged
from rules.catalogue import parse_catalogue
from rules.model import ApprovalState, Decision, DecisionOrigin

AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
CATALOGUE = parse_catalogue(
    {
        "version": 1,
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"}],
        "objectives": [
            {
                "id": "P1",
                "cycle": "2026-Q4",
                "title": "Payments",
                "key_results": [{"id": "P1.KR2", "title": "Time", "start": 42, "target": 10}],
            },
            {
                "id": "P2",
                "cycle": "2026-Q4",
                "title": "Onboarding",
                "key_results": [{"id": "P2.KR1", "title": "Minutes", "start": 30, "target": 5}],
            },
        ],
    },
    "okrs.yaml",
)
LEADS = Approvers(("priya@example.com", "712020:raj"), ("okr-leads",), frozenset({"ana.ruiz"}))
RULES = ApproverRules(LEADS, {"P2": Approvers(("omar",))})


def by(
    who: str | None, origin: DecisionOrigin = DecisionOrigin.PAGE, okr: str = "P1.KR2"
) -> Decision:
    return Decision("PAY-12", okr, ApprovalState.APPROVED, AT, "Name", None, origin, by_id=who)


def test_nobody_named_everyone_counts() -> None:
    assert counts(by("anyone"), ANYONE)
    assert counts(by(None), ANYONE)


def test_people_and_group_members_count_case_insensitively() -> None:
    assert counts(by("Priya@Example.com"), LEADS)
    assert counts(by("712020:raj"), LEADS)
    assert counts(by("ANA.RUIZ"), LEADS)  # a member of okr-leads, as the sync read it
    assert not counts(by("sam.lee"), LEADS)
    assert not counts(by(None), LEADS)  # a Jira label without a changelog: nobody to check


def test_the_catalogue_always_counts() -> None:
    assert counts(by(None, DecisionOrigin.CATALOGUE), LEADS)


def test_an_objective_s_own_approvers_replace_the_default() -> None:
    assert RULES.for_okr("P2.KR1", CATALOGUE) == Approvers(("omar",))
    assert RULES.for_okr("p2", CATALOGUE) == Approvers(("omar",))
    assert RULES.for_okr("P1.KR2", CATALOGUE) == LEADS
    assert RULES.for_okr(None, CATALOGUE) == LEADS
    assert not judged(by("priya@example.com", okr="P2.KR1"), RULES, CATALOGUE).counted
    assert judged(by("omar", okr="P2.KR1"), RULES, CATALOGUE).counted


def test_who_may_in_words() -> None:
    assert LEADS.describe() == "priya@example.com, 712020:raj or a member of okr-leads"
    assert Approvers((), ("a", "b")).describe() == "members of a, b"
    assert ANYONE.describe() == "anyone"


def test_a_decision_that_does_not_count_is_set_aside() -> None:
    ignored = judged(by("sam.lee"), RULES, CATALOGUE)
    book = DecisionBook.of([ignored])
    assert book.latest("PAY-12", "P1.KR2") is None
    assert book.not_counted == (ignored,)
