"""Alignment around a sync and an evaluation: claims read from Jira, OKRs kept in Jira, key results
measured from Jira, leaders' decisions recorded, and the store's inputs to `rules.evaluate`.

The pipeline calls `prepare_source` before a sync (which fields to read), `after_sync` after it
(OKR issues, measurements, decisions seen in Jira and in the catalogue) and `evaluate_portfolio`
to evaluate one portfolio from the store alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector import jira_okrs
from connector.jira_claims import claim_reader
from connector.jira_source import JiraSource
from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from connector.store import history
from connector.store.issues import issue_ids, load_epics
from rules.alignment import natural_key
from rules.approval import catalogue_decisions, jira_decisions
from rules.claims import OkrIndex, extract_claims
from rules.errors import BadQuery, UserError
from rules.evaluate import evaluate
from rules.model import Catalogue, CheckIn
from rules.overrides import Override, parse_overrides
from rules.results import Evaluation, KeyResultProgress
from rules.validation import ValidationProblem
from service import approvers, page_decisions
from service.jira_decisions import attribute
from service.settings import LoadedSettings, read_yaml

log = logging.getLogger(__name__)
JIRA_OKRS = "jira"  # the okr_sources row that holds the catalogue part read from Jira


@dataclass(frozen=True)
class AlignmentSync:
    okr_issues: int = 0  # objectives and key results read from Jira
    measured: int = 0  # key results measured (JQL counts, numeric fields)
    decisions: int = 0  # new decisions recorded (from Jira and the catalogue)


def prepare_source(loaded: LoadedSettings, source: JiraSource) -> None:
    """Ask the Jira source for the claim field, issue links and approval field, if configured."""
    settings = loaded.settings
    claims, approval = settings.claims, settings.approval
    if claims.field is None and claims.links is None and approval.jira_field is None:
        return
    site = source.field_list
    source.claims = claim_reader(
        site,
        claim_field=claims.field.name if claims.field else None,
        link_type=claims.links.type if claims.links else None,
        approval_field=approval.jira_field,
        settings_file=str(loaded.path),
    )


def after_sync(
    loaded: LoadedSettings,
    engine: Engine,
    source: JiraSource,
    *,
    now: datetime,
    progress: Callable[[str], None] = log.info,
) -> AlignmentSync:
    """Everything alignment needs from Jira besides the epics; commits as one transaction."""
    from service.pipeline import load_catalogue  # the pipeline imports this module

    okr_issues = _sync_okr_issues(loaded, engine, source, now=now)
    if okr_issues:
        progress(f"Read {okr_issues} OKR issues from Jira")
    try:
        catalogue = load_catalogue(loaded)
    except UserError as problem:
        # The epics are synced; what needs the catalogue waits for it to be fixed (check and run
        # report the problem itself).
        log.warning("not measuring key results or recording decisions: %s", problem)
        progress("Catalogue not readable: key-result measurements and decisions wait for it")
        return AlignmentSync(okr_issues)
    with Session(engine) as session, session.begin():
        measured = _measure(loaded, session, source, catalogue, now=now)
        recorded = _record_decisions(loaded, session, source, catalogue, now=now)
    if measured:
        progress(f"Measured {measured} key results from Jira")
    return AlignmentSync(okr_issues, measured, recorded)


def _sync_okr_issues(
    loaded: LoadedSettings, engine: Engine, source: JiraSource, *, now: datetime
) -> int:
    settings = loaded.settings
    jira = settings.catalogue.jira
    if jira is None:
        return 0
    site = source.field_list
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


def with_jira_okrs(loaded: LoadedSettings, merged: dict[str, object]) -> str | None:
    """Add the OKRs the last sync read from Jira to the catalogue data; their source's name."""
    if loaded.settings.catalogue.jira is None:
        return None
    from connector.store.db import open_store

    engine = open_store(loaded.store_url())
    try:
        with Session(engine) as session:
            data = decision_store.okr_source(session, JIRA_OKRS)
    finally:
        engine.dispose()
    if data:
        existing = merged.setdefault("objectives", [])
        assert isinstance(existing, list)
        existing.extend(data.get("objectives") or [])
    return "Jira OKR issues (catalogue.jira)"


def _measure(
    loaded: LoadedSettings,
    session: Session,
    source: JiraSource,
    catalogue: Catalogue,
    *,
    now: datetime,
) -> int:
    """Key results measured by JQL count or numeric field: one check-in per day and source."""
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
        site = source.field_list
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


def _record_decisions(
    loaded: LoadedSettings,
    session: Session,
    source: JiraSource,
    catalogue: Catalogue,
    *,
    now: datetime,
) -> int:
    """The catalogue's decisions (once each) and what Jira's labels or field say now, each with
    who changed them, from the epic's changelog."""
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


def read_overrides(loaded: LoadedSettings) -> tuple[Override, ...]:
    name = loaded.settings.claims.overrides
    if name is None:
        return ()
    path = loaded.resolve(name)
    try:
        return parse_overrides(read_yaml(path), str(path))
    except ValidationProblem as problem:
        raise UserError(str(problem)) from None


def evaluate_portfolio(
    loaded: LoadedSettings,
    session: Session,
    catalogue: Catalogue,
    portfolio_id: str,
    *,
    as_of: date,
    overrides: tuple[Override, ...] | None = None,
) -> Evaluation:
    """One portfolio, from what the store holds: epics, decisions, check-ins, and when the
    catalogue's undated current values were first seen (the snapshots)."""
    return evaluate(
        catalogue,
        load_epics(session, portfolio_id),
        as_of=as_of,
        policy=loaded.settings.policy(),
        decisions=decision_store.decisions(session),
        checkins=checkin_store.checkins(session),
        overrides=read_overrides(loaded) if overrides is None else overrides,
        first_seen=history.first_seen(session, portfolio_id, undated_values(catalogue)),
        proposed=decision_store.connections_seen(session),
        approvers=approvers.rules_stored(loaded.settings, session, portfolio_id),
    )


def undated_values(catalogue: Catalogue) -> dict[str, float]:
    """Upper-cased key result id -> its catalogue `current`, where no `current_on` dates it."""
    return {
        kr.id.upper(): kr.current
        for kr in catalogue.key_results()
        if kr.current is not None and kr.current_on is None
    }


def finding_rows(evaluation: Evaluation, seen: set[tuple[str, str]] | None) -> list[dict[str, Any]]:
    """Findings as plain rows (for `check --json`); with `seen` (the last run's (code, subject)
    pairs), each says whether it is new since."""
    return [
        {
            "code": f.code,
            "severity": f.severity.value,
            "subject": f.subject,
            "team": f.team,
            "message": f.message,
            "hint": f.hint,
            **({"new": (f.code, f.subject) not in seen} if seen is not None else {}),
        }
        for f in evaluation.findings
    ]


def kr_snapshot(progress: KeyResultProgress) -> dict[str, Any]:
    """A key result's measurement, for the run's snapshot (trends of values and confidence)."""
    kr, last = progress.key_result, progress.last_checkin
    found, team = progress.forecast, progress.team_forecast
    return {
        "current": kr.current,
        "confidence": kr.confidence,
        "last_checkin": last.on.isoformat() if last else None,
        "owner": kr.owner,
        "forecast": _rounded(found.value if found else None),
        "forecast_score": _rounded(found.score if found else None),
        "team_forecast": team.value if team else None,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
