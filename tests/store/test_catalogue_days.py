"""The catalogue of each evaluation day and the team's forecasts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import checkins as checkin_store
from connector.store.catalogue_days import catalogue_days, record_catalogue_day
from rules.model import CheckIn

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SCOPE = "retail"  # the deployment's portfolios


def test_one_catalogue_per_day_the_last_run_of_the_day_wins(engine: Engine) -> None:
    morning = {"objectives": {"P1": {"title": "Payments", "key_results": {}}}}
    evening = {"objectives": {"P1": {"title": "Payments, faster", "key_results": {}}}}
    earlier = {"objectives": {}}
    with Session(engine) as session, session.begin():
        record_catalogue_day(session, SCOPE, date(2026, 11, 20), morning, recorded_at=NOW)
        record_catalogue_day(session, SCOPE, date(2026, 11, 18), earlier, recorded_at=NOW)
    with Session(engine) as session, session.begin():
        record_catalogue_day(session, SCOPE, date(2026, 11, 20), evening, recorded_at=NOW)
    with Session(engine) as session:
        assert catalogue_days(session, SCOPE) == [
            (date(2026, 11, 18), earlier),
            (date(2026, 11, 20), evening),
        ]
        assert catalogue_days(session, SCOPE, until=date(2026, 11, 19)) == [
            (date(2026, 11, 18), earlier)
        ]


def test_deployments_that_share_a_store_keep_their_catalogues_apart(engine: Engine) -> None:
    retail = {"objectives": {"P1": {"title": "Payments", "key_results": {}}}}
    business = {"objectives": {"B1": {"title": "Lending", "key_results": {}}}}
    day = date(2026, 11, 20)
    with Session(engine) as session, session.begin():
        record_catalogue_day(session, "retail", day, retail, recorded_at=NOW)
        record_catalogue_day(session, "business,sme", day, business, recorded_at=NOW)
    with Session(engine) as session:
        assert catalogue_days(session, "retail") == [(day, retail)]
        assert catalogue_days(session, "business,sme") == [(day, business)]


def test_a_checkin_keeps_the_teams_forecast(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        checkin_store.add_checkin(
            session, "P1.KR1", CheckIn(date(2026, 11, 19), 30, 0.6, forecast=80), recorded_at=NOW
        )
        checkin_store.add_checkin(
            session, "P1.KR1", CheckIn(date(2026, 11, 20), 32), recorded_at=NOW
        )
    with Session(engine) as session:
        found = checkin_store.checkins(session, "P1.KR1")["P1.KR1"]
    assert [(c.value, c.forecast) for c in found] == [(30, 80), (32, None)]
