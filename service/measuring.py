"""Key results measured from Jira at sync time: a JQL count or a numeric field of an issue, kept as
one check-in per day and source."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from connector import jira_okrs
from connector.jira_source import JiraSource
from connector.store import checkins as checkin_store
from rules.errors import BadQuery
from rules.model import Catalogue, CheckIn


def measure(session: Session, source: JiraSource, catalogue: Catalogue, *, now: datetime) -> int:
    """Measure the current cycles' key results that say how; how many were measured."""
    today = now.date()
    current = [
        kr
        for o in catalogue.objectives
        if not o.retired and catalogue.cycle(o.cycle_id).end >= today
        for kr in o.key_results
    ]
    measured = 0
    for kr in current:
        if kr.measure_jql:
            try:
                value = float(jira_okrs.count(source, kr.measure_jql))
            except BadQuery as exc:  # name the key result whose measure it is
                raise BadQuery(f"key result {kr.id}: measure.jql: {exc}", exc.jql) from None
            checkin = CheckIn(today, value, note=f"JQL count: {kr.measure_jql}", source="jql")
            checkin_store.record_measurement(session, kr.id, checkin, recorded_at=now)
            measured += 1
    wanted = [(kr.measure_issue, kr.measure_field) for kr in current if kr.measure_field]
    if wanted:
        site = source.field_map
        pairs = [(key, name) for key, name in wanted if key and name]
        values = jira_okrs.numbers(source, pairs, site)
        for kr in current:
            key = (kr.measure_issue or "", kr.measure_field or "")
            if key in values:
                note = f"{kr.measure_field} of {kr.measure_issue}"
                checkin = CheckIn(today, values[key], note=note, source="jira-field")
                checkin_store.record_measurement(session, kr.id, checkin, recorded_at=now)
                measured += 1
    return measured
