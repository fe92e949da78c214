"""Decisions, check-ins and OKRs from Jira in the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from rules.model import ApprovalState, CheckIn, Decision, DecisionOrigin

BERLIN = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_the_decision_trail_keeps_every_entry_in_order(engine: Engine) -> None:
    first = Decision("PAY-1", "P1.KR1", ApprovalState.APPROVED, NOW, "Priya", None)
    # Written with a local offset: read back as the same moment.
    second = Decision(
        "PAY-1",
        "P1.KR1",
        ApprovalState.REJECTED,
        datetime(2026, 11, 21, 10, 30, tzinfo=BERLIN),
        "Marcus",
        "Duplicate",
        DecisionOrigin.CLI,
    )
    other = Decision(
        "PAY-O1", None, ApprovalState.APPROVED, NOW, "Priya", "Fits", DecisionOrigin.CATALOGUE
    )
    with Session(engine) as session, session.begin():
        for decision in (first, second, other):
            decision_store.record_decision(session, decision, recorded_at=NOW)
    with Session(engine) as session:
        trail = decision_store.decisions(session, "PAY-1")
        everything = decision_store.decisions(session)
    assert trail == [first, second]
    assert trail[1].at == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    assert [d.subject for d in everything] == ["PAY-1", "PAY-1", "PAY-O1"]


def test_catalogue_decisions_are_recorded_once(engine: Engine) -> None:
    decision = Decision(
        "PAY-O1", None, ApprovalState.APPROVED, NOW, "Priya", None, DecisionOrigin.CATALOGUE
    )
    with Session(engine) as session, session.begin():
        assert decision_store.record_new(session, [decision, decision], recorded_at=NOW) == 1
    with Session(engine) as session, session.begin():
        assert decision_store.record_new(session, [decision], recorded_at=NOW) == 0
    with Session(engine) as session:
        assert decision_store.decisions(session) == [decision]


def test_the_last_state_seen_in_jira_per_claim(engine: Engine) -> None:
    jira = DecisionOrigin.JIRA
    with Session(engine) as session, session.begin():
        for state, okr in (
            (ApprovalState.APPROVED, "P1.KR1"),
            (ApprovalState.PROPOSED, "P1.KR1"),
            (ApprovalState.APPROVED, "P2"),
        ):
            decision = Decision("pay-1", okr, state, NOW, None, "label", jira)
            decision_store.record_decision(session, decision, recorded_at=NOW)
        cli = Decision("PAY-1", "P2", ApprovalState.REJECTED, NOW, "Priya", "no")
        decision_store.record_decision(session, cli, recorded_at=NOW)  # not from Jira
    with Session(engine) as session:
        assert decision_store.last_from_jira(session) == {
            ("PAY-1", "P1.KR1"): ApprovalState.PROPOSED,
            ("PAY-1", "P2"): ApprovalState.APPROVED,
        }


def test_check_ins_keep_their_history_and_measurements_one_per_day(engine: Engine) -> None:
    day = date(2026, 11, 20)
    with Session(engine) as session, session.begin():
        checkin_store.add_checkin(
            session, "P1.KR2", CheckIn(day, 30, 0.6, "cache", "manual", "Ana"), recorded_at=NOW
        )
        checkin_store.add_checkin(
            session, "P1.KR2", CheckIn(date(2026, 11, 2), 36), recorded_at=NOW
        )
        checkin_store.add_checkin(
            session, "P1.KR2", CheckIn(day, 28, source="manual"), recorded_at=NOW
        )
        for count in (7, 5):  # two syncs on one day: the newer count replaces the older
            checkin_store.record_measurement(
                session, "P1.KR3", CheckIn(day, count, source="jql"), recorded_at=NOW
            )
    with Session(engine) as session:
        found = checkin_store.checkins(session)
    assert found == {
        "P1.KR2": [
            CheckIn(date(2026, 11, 2), 36, source="catalogue"),
            CheckIn(day, 30, 0.6, "cache", "manual", "Ana"),
            CheckIn(day, 28, source="manual"),
        ],
        "P1.KR3": [CheckIn(day, 5, source="jql")],
    }


def test_okrs_read_from_jira_are_kept_whole(engine: Engine) -> None:
    data = {"objectives": [{"id": "OKR-1", "jira": "OKR-1", "cycle": "Q4", "title": "t"}]}
    with Session(engine) as session, session.begin():
        assert decision_store.okr_source(session, "jira") is None
        decision_store.save_okr_source(session, "jira", data, synced_at=NOW)
    with Session(engine) as session, session.begin():
        decision_store.save_okr_source(session, "jira", {"objectives": []}, synced_at=NOW)
    with Session(engine) as session:
        assert decision_store.okr_source(session, "jira") == {"objectives": []}


def test_check_ins_of_one_day_go_by_the_instant_recorded(engine: Engine) -> None:
    day = date(2026, 11, 20)
    with Session(engine) as session, session.begin():
        # A check-in at 10:00, written while a sync that started at 09:55 ran; the sync's
        # measurement commits after it but was taken earlier.
        manual = CheckIn(day, 30, source="manual")
        checkin_store.add_checkin(session, "P1.KR3", manual, recorded_at=NOW.replace(hour=10))
        measured = CheckIn(day, 5, source="jql")
        at = NOW.replace(hour=9, minute=55)
        checkin_store.record_measurement(session, "P1.KR3", measured, recorded_at=at)
    with Session(engine) as session:
        assert checkin_store.checkins(session)["P1.KR3"] == [measured, manual]  # latest last


def test_a_decision_keeps_who_by_id_and_whether_it_counted(engine: Engine) -> None:
    ticked = Decision(
        "PAY-12",
        "P1.KR2",
        ApprovalState.REJECTED,
        NOW,
        "Sam Lee",
        None,
        DecisionOrigin.PAGE,
        "no reason given on the page",
        by_id="712020:sam",
        counted=False,
    )
    with Session(engine) as session, session.begin():
        decision_store.record_decision(session, ticked, recorded_at=NOW)
    with Session(engine) as session:
        (back,) = decision_store.decisions(session)
    assert back == ticked
    assert (back.origin, back.by_id, back.counted) == (DecisionOrigin.PAGE, "712020:sam", False)


def test_a_connection_is_first_seen_once(engine: Engine) -> None:
    later = NOW + timedelta(days=1)
    with Session(engine) as session, session.begin():
        added = decision_store.see_connections(
            session, [("PAY-12", "p1.kr2"), ("PAY-O1", "P1")], now=NOW
        )
        assert added == 2
    with Session(engine) as session, session.begin():
        added = decision_store.see_connections(
            session, [("pay-12", "P1.KR2"), ("PAY-13", "P1.KR2")], now=later
        )
        assert added == 1
    with Session(engine) as session:
        assert decision_store.connections_seen(session) == {
            ("PAY-12", "P1.KR2"): NOW,
            ("PAY-O1", "P1"): NOW,
            ("PAY-13", "P1.KR2"): later,
        }
