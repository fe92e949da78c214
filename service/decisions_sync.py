"""Leaders' decisions recorded at sync time: the catalogue's (once each) and what Jira's approval
labels or field say now, each with who changed them (service/jira_decisions.py reads that from the
epic's changelog).

`record_decisions` is the one place a sync records decisions; further sources of decisions are
added there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from connector.jira_source import JiraSource
from connector.store import decisions as decision_store
from connector.store.issues import issue_ids, load_epics
from rules.alignment import natural_key
from rules.approval import catalogue_decisions, jira_decisions
from rules.claims import OkrIndex, extract_claims
from rules.model import Catalogue
from service import page_decisions
from service.jira_decisions import attribute
from service.overrides import read_overrides
from service.settings import LoadedSettings


def record_decisions(
    loaded: LoadedSettings,
    session: Session,
    source: JiraSource,
    catalogue: Catalogue,
    *,
    now: datetime,
) -> int:
    """Record the decisions not yet in the store; how many were new."""
    policy = loaded.settings.policy()
    added = decision_store.record_new(session, catalogue_decisions(catalogue), recorded_at=now)
    index = OkrIndex.of(catalogue)
    overrides = read_overrides(loaded)
    epics = {
        epic.key: epic
        for portfolio in loaded.settings.portfolios
        for epic in load_epics(session, portfolio.id)
    }
    claims = [
        (epic, extract_claims(epic, policy, index, overrides))
        for epic in sorted(epics.values(), key=lambda e: natural_key(e.key))
    ]
    found = jira_decisions(claims, decision_store.last_from_jira(session), policy, now)
    ids = issue_ids(session, {d.subject for d in found})
    found = attribute(found, epics, ids, source, policy)
    found = page_decisions.settle(loaded, session, source, catalogue, claims, found, now=now)
    for decision in found:
        decision_store.record_decision(session, decision, recorded_at=now)
    return added + len(found)
