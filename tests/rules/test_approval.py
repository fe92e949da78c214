"""`rules.approval`: teams propose, leaders decide; the latest decision on a connection wins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from rules.approval import (
    DecisionBook,
    catalogue_decisions,
    connections_of,
    decide_claims,
    jira_decisions,
    jira_state,
    summary_approval,
)
from rules.catalogue import parse_catalogue
from rules.model import (
    Approval,
    ApprovalState,
    Claim,
    ClaimSource,
    Connection,
    Decision,
    DecisionOrigin,
    Level,
    Objective,
)
from rules.policy import EPIC_CLAIMS, Policy
from tests.rules.factories import epic

APPROVED, REJECTED, PROPOSED = (
    ApprovalState.APPROVED,
    ApprovalState.REJECTED,
    ApprovalState.PROPOSED,
)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def test_the_latest_decision_on_a_connection_wins() -> None:
    book = DecisionBook.of(
        [
            Decision("PAY-1", "P1.KR1", REJECTED, at(3), "Priya", "Not yet"),
            Decision("PAY-1", "P1.KR1", APPROVED, at(2), "Priya"),  # older, listed later
            Decision("pay-1", None, APPROVED, at(1), "Marcus"),  # covers every claim of PAY-1
        ]
    )
    assert book.latest("PAY-1", "p1.kr1") == Decision(
        "PAY-1", "P1.KR1", REJECTED, at(3), "Priya", "Not yet"
    )
    assert book.latest("PAY-1", "P2.KR1") == Decision("pay-1", None, APPROVED, at(1), "Marcus")
    assert book.latest("PAY-2", "P1.KR1") is None


def test_decisions_after_the_evaluation_date_do_not_count_yet() -> None:
    decisions = [
        Decision("PAY-1", "P1.KR1", APPROVED, at(2), "Priya"),
        Decision("PAY-1", "P1.KR1", REJECTED, at(20), "Priya"),
    ]
    assert DecisionBook.of(decisions, date(2026, 11, 15)).latest("PAY-1", "P1.KR1") == decisions[0]
    assert DecisionBook.of(decisions, date(2026, 11, 20)).latest("PAY-1", "P1.KR1") == decisions[1]


def test_same_time_decisions_keep_their_order_and_naive_times_are_utc() -> None:
    naive = datetime(2026, 11, 3, 9, 0)  # as SQLite hands it back
    first = Decision("PAY-1", None, APPROVED, naive, "A")
    second = Decision("PAY-1", None, REJECTED, at(3), "B")
    assert DecisionBook.of([first, second]).latest("PAY-1", "X") == second
    assert DecisionBook.of([second, first]).latest("PAY-1", "X") == first


def test_claim_states_follow_decisions_and_what_needs_approval() -> None:
    claims = (Claim("PAY-1", "P1.KR1", ClaimSource.LABEL), Claim("PAY-1", "P2", ClaimSource.LINK))
    book = DecisionBook.of([Decision("PAY-1", "P2", REJECTED, at(4), "Priya", "Wrong goal")])
    required = decide_claims(claims, book, Policy())
    assert [(c.okr_id, c.state) for c in required] == [("P1.KR1", PROPOSED), ("P2", REJECTED)]
    assert required[1].decision is not None and required[1].decision.why == "Wrong goal"
    relaxed = decide_claims(claims, book, Policy(approval_for=frozenset()))
    # Not required: approved unless a leader said no.
    assert [(c.okr_id, c.state) for c in relaxed] == [("P1.KR1", APPROVED), ("P2", REJECTED)]


def test_a_withdrawn_decision_goes_back_to_proposed() -> None:
    book = DecisionBook.of(
        [
            Decision("PAY-1", "P1.KR1", APPROVED, at(2), None, "label", DecisionOrigin.JIRA),
            Decision("PAY-1", "P1.KR1", PROPOSED, at(5), None, "removed", DecisionOrigin.JIRA),
        ]
    )
    (claim,) = decide_claims((Claim("PAY-1", "P1.KR1", ClaimSource.LABEL),), book, Policy())
    assert claim.state is PROPOSED


TEAM = Objective("PAY-O1", "t", Level.TEAM, "Q4", team="payments", supports=("P1.KR1", "P1.KR2"))


def test_team_objective_links_and_their_summary() -> None:
    book = DecisionBook.of([Decision("PAY-O1", "P1.KR2", REJECTED, at(6), "Priya", "Not this")])
    links = connections_of(TEAM, book, Policy())
    assert links == (
        Connection("PAY-O1", "P1.KR1", PROPOSED),
        Connection("PAY-O1", "P1.KR2", REJECTED, book.latest("PAY-O1", "P1.KR2")),
    )
    assert summary_approval(TEAM, links, book, Policy()) == Approval(PROPOSED)  # one still waits
    book = DecisionBook.of(
        [
            Decision("PAY-O1", "P1.KR2", REJECTED, at(6), "Priya", "Not this"),
            Decision("PAY-O1", "P1.KR1", APPROVED, at(7), "Priya", "Yes"),
        ]
    )
    links = connections_of(TEAM, book, Policy())
    assert summary_approval(TEAM, links, book, Policy()) == Approval(
        APPROVED, "Priya", date(2026, 11, 7), "Yes"
    )
    everything = DecisionBook.of([Decision("PAY-O1", None, REJECTED, at(8), "Marcus", "No")])
    links = connections_of(TEAM, everything, Policy())
    assert {c.state for c in links} == {REJECTED}
    assert summary_approval(TEAM, links, everything, Policy()) == Approval(
        REJECTED, "Marcus", date(2026, 11, 8), "No"
    )


def test_team_objectives_need_no_approval_when_the_settings_say_so() -> None:
    policy = Policy(approval_for=frozenset({EPIC_CLAIMS}))
    links = connections_of(TEAM, DecisionBook.of([]), policy)
    assert {c.state for c in links} == {APPROVED}


def test_catalogue_decisions() -> None:
    catalogue = parse_catalogue(
        {
            "version": 1,
            "cycles": [{"id": "Q4", "start": "2026-10-01", "end": "2026-12-31"}],
            "teams": [{"id": "pay", "name": "Payments"}],
            "objectives": [
                {"id": "P1", "cycle": "Q4", "title": "t", "key_results": []},
                {
                    "id": "PAY-O1",
                    "cycle": "Q4",
                    "team": "pay",
                    "title": "t",
                    "supports": ["P1"],
                    "approval": {"state": "approved", "by": "Priya"},  # undated
                },
                {
                    "id": "PAY-O2",
                    "cycle": "Q4",
                    "team": "pay",
                    "title": "t",
                    "supports": ["P1"],
                    "approval": {"state": "proposed"},  # nobody decided
                },
            ],
            "approvals": [
                {
                    "subject": "pay-7",
                    "okr": "p1",
                    "state": "rejected",
                    "by": "Priya",
                    "at": "2026-11-02",
                    "note": "Duplicate",
                }
            ],
        },
        "okrs.yaml",
    )
    assert catalogue_decisions(catalogue) == (
        # An undated decision counts from the start of its objective's cycle.
        Decision(
            "PAY-O1",
            None,
            APPROVED,
            datetime(2026, 10, 1, tzinfo=UTC),
            "Priya",
            None,
            DecisionOrigin.CATALOGUE,
        ),
        Decision(
            "PAY-7",
            "P1",
            REJECTED,
            datetime(2026, 11, 2, tzinfo=UTC),
            "Priya",
            "Duplicate",
            DecisionOrigin.CATALOGUE,
        ),
    )


def test_what_jira_says() -> None:
    policy = Policy()
    assert jira_state(epic("PAY-1", labels=("OKR-Approved",)), policy) == (
        APPROVED,
        "label okr-approved",
    )
    assert jira_state(epic("PAY-1", labels=("okr-approved", "okr-rejected")), policy) == (
        REJECTED,
        "label okr-rejected",
    )
    assert jira_state(epic("PAY-1"), policy) is None
    field = epic("PAY-1", labels=("okr-approved",))
    assert jira_state(replace(field, approval_value="Rejected"), policy) == (
        REJECTED,
        "approval field says 'Rejected'",
    )
    assert jira_state(replace(field, approval_value="Pending"), policy) == (
        APPROVED,
        "label okr-approved",
    )


def test_jira_decisions_are_recorded_only_when_jira_changes() -> None:
    policy = Policy()
    labelled = epic("PAY-1", labels=("okr:P1.KR1", "okr:P2", "okr-approved"))
    claims = (Claim("PAY-1", "P1.KR1", ClaimSource.LABEL), Claim("PAY-1", "P2", ClaimSource.LABEL))
    first = jira_decisions([(labelled, claims)], {}, policy, at(10))
    assert first == [
        Decision(
            "PAY-1", "P1.KR1", APPROVED, at(10), None, "label okr-approved", DecisionOrigin.JIRA
        ),
        Decision("PAY-1", "P2", APPROVED, at(10), None, "label okr-approved", DecisionOrigin.JIRA),
    ]
    seen = {("PAY-1", "P1.KR1"): APPROVED, ("PAY-1", "P2"): APPROVED}
    assert jira_decisions([(labelled, claims)], seen, policy, at(11)) == []
    removed = epic("PAY-1", labels=("okr:P1.KR1", "okr:P2"))
    withdrawn = jira_decisions([(removed, claims[:1])], seen, policy, at(12))
    assert withdrawn == [
        Decision(
            "PAY-1",
            "P1.KR1",
            PROPOSED,
            at(12),
            None,
            "the approval signal was removed in Jira",
            DecisionOrigin.JIRA,
        )
    ]


def test_a_jira_decision_is_dated_by_the_epic_s_last_update() -> None:
    updated = datetime(2026, 11, 4, 16, 30, tzinfo=UTC)
    labelled = replace(epic("PAY-1", labels=("okr:P1.KR1", "okr-approved")), updated=updated)
    claims = (Claim("PAY-1", "P1.KR1", ClaimSource.LABEL),)
    (decision,) = jira_decisions([(labelled, claims)], {}, Policy(), at(10))
    assert decision.at == updated
    # An update "after" the sync (clocks disagree) is not trusted: the sync's time is used.
    later = replace(labelled, updated=at(11))
    (decision,) = jira_decisions([(later, claims)], {}, Policy(), at(10))
    assert decision.at == at(10)
