"""OKRs kept as Jira issues (settings `catalogue.jira`): a sync reads them into the store, and the
catalogue adds what the last sync read to its files' objectives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector import jira_okrs
from connector.jira_source import JiraSource
from connector.store import decisions as decision_store
from service.settings import LoadedSettings

JIRA_OKRS = "jira"  # the okr_sources row that holds the catalogue part read from Jira
SOURCE_NAME = "Jira OKR issues (catalogue.jira)"  # how catalogue errors name this part


def sync_okr_issues(
    loaded: LoadedSettings, engine: Engine, source: JiraSource, *, now: datetime
) -> int:
    """Read the OKR issues into the store (committed at once); how many objectives and key
    results were read (0 without `catalogue.jira`)."""
    settings = loaded.settings
    jira = settings.catalogue.jira
    if jira is None:
        return 0
    site = source.field_map
    roles = {
        "cycle": jira.cycle_field,
        "team": jira.team_field,
        "start": jira.start_field,
        "target": jira.target_field,
        "current": jira.current_field,
    }
    links = settings.claims.links
    data = jira_okrs.read_okr_issues(
        source,
        jira.jql,
        objective_type=jira.objective_type,
        key_result_type=jira.key_result_type,
        fields=jira_okrs.OkrFields(site, roles),
        supports_link=jira.supports_link or (links.type if links else None),
        approval_label=settings.approval.jira_label,
        rejection_label=settings.approval.jira_reject_label,
        retired_statuses=jira.retired_statuses,
    )
    with Session(engine) as session, session.begin():
        decision_store.save_okr_source(session, JIRA_OKRS, data, synced_at=now)
    objectives = data["objectives"]
    return len(objectives) + sum(len(o["key_results"]) for o in objectives)


def stored_objectives(engine: Engine) -> list[object]:
    """The objectives (with their key results) that the last sync read from Jira, as catalogue
    data; none before the first sync."""
    with Session(engine) as session:
        data = decision_store.okr_source(session, JIRA_OKRS)
    return list((data or {}).get("objectives") or [])
