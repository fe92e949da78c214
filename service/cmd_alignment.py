"""`outcomes check`, `approve`, `reject`, `checkin` and `decisions`: alignment from the store.

None of them talks to Jira: `check` evaluates what the last sync wrote; `approve`, `reject` and
`checkin` add to the store's audit trail and check-in history, which the next evaluation reads;
`decisions` shows the trail. They take no run lock: each writes one small transaction.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from connector.errors import UserError
from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from connector.store import history
from connector.store.db import open_store
from connector.store.issues import load_epics, sync_cursor
from rules.approval import day_start
from rules.claims import OkrIndex, extract_claims
from rules.measurement import measure
from rules.model import (
    ApprovalState,
    Catalogue,
    CheckIn,
    Decision,
    DecisionOrigin,
    Epic,
    Evaluation,
    KeyResult,
    KrKind,
    Level,
    Objective,
    Severity,
)
from rules.progress import kr_score
from rules.validation import closest, show_number
from service import alignment, pipeline
from service.cli_options import as_of_option, config_option, now, today
from service.settings import LoadedSettings, load_settings

SEVERITIES = [s.value for s in Severity]


# --- check ---------------------------------------------------------------------------------------


@click.command()
@config_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse exists.",
)
def check(config_path: Path, as_of: datetime | None, as_json: bool, fail_on: str) -> None:
    """Evaluate the store (what the last sync wrote) and list the findings; no Jira access."""
    loaded = load_settings(config_path)
    catalogue = pipeline.load_catalogue(loaded)
    day = today(as_of)
    engine = open_store(loaded.store_url())
    reports = []
    try:
        with Session(engine) as session:
            _require_synced(loaded, session)
            overrides = alignment.read_overrides(loaded)
            for portfolio in loaded.settings.portfolios:
                evaluation = alignment.evaluate_portfolio(
                    loaded, session, catalogue, portfolio.id, as_of=day, overrides=overrides
                )
                before = history.latest_snapshot(session, portfolio.id)
                seen = _finding_keys(before.data) if before is not None else None
                reports.append((portfolio.id, portfolio.name, evaluation, seen))
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"portfolios": [_json(*r) for r in reports]}, indent=2))
    else:
        for _, name, evaluation, seen in reports:
            _print_findings(name, evaluation, seen)
    threshold = Severity(fail_on).rank
    failing = any(f.severity.rank >= threshold for *_, e, _ in reports for f in e.findings)
    sys.exit(1 if failing else 0)


def _require_synced(loaded: LoadedSettings, session: Session) -> None:
    never = [p.id for p in loaded.settings.portfolios if sync_cursor(session, p.id) is None]
    if never:
        raise UserError(
            f"{loaded.path}: portfolios: {', '.join(never)} never synced into the store; "
            "run `outcomes sync` first"
        )


def _finding_keys(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(str(f.get("code")), str(f.get("subject"))) for f in data.get("findings") or []}


def _json(
    portfolio_id: str, name: str, evaluation: Evaluation, seen: set[tuple[str, str]] | None
) -> dict[str, Any]:
    counts = {s: sum(1 for f in evaluation.findings if f.severity.value == s) for s in SEVERITIES}
    return {
        "id": portfolio_id,
        "name": name,
        "cycle": evaluation.cycle.id,
        "as_of": evaluation.as_of.isoformat(),
        "counts": counts,
        "objectives": pipeline.snapshot_data(evaluation)["objectives"],
        "findings": alignment.finding_rows(evaluation, seen),
    }


def _print_findings(name: str, evaluation: Evaluation, seen: set[tuple[str, str]] | None) -> None:
    findings = evaluation.findings
    counts = ", ".join(
        f"{n} {s}{'s' if n > 1 and s != 'info' else ''}"
        for s in reversed(SEVERITIES)
        if (n := sum(f.severity.value == s for f in findings))
    )
    new = [f for f in findings if seen is not None and (f.code, f.subject) not in seen]
    since = f"; {len(new)} new since the last run" if seen is not None else ""
    click.echo(
        f"{name} — {evaluation.cycle.id}, as of {evaluation.as_of}: "
        f"{len(findings)} findings ({counts or 'none'}){since}"
    )
    if not findings:
        return
    width = max(len(f.code) for f in findings)
    subject_width = max(len(f.subject) for f in findings)
    for f in findings:
        mark = "+" if f in new else " "
        click.echo(
            f"{mark} {f.severity.value:<7}  {f.code:<{width}}  {f.subject:<{subject_width}}  "
            f"{f.message}"
        )
        if f.hint:
            click.echo(f"  {'':<7}  {'':<{width}}  {'':<{subject_width}}  → {f.hint}")


# --- approve / reject ----------------------------------------------------------------------------

_subject = click.argument("subject", metavar="EPIC-OR-OBJECTIVE")
_okr = click.option("--okr", default=None, help="The claimed or supported OKR id (default: all).")
_by = click.option("--by", "by", required=True, help="Who decides (a portfolio leader).")
_on = click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day it was decided (YYYY-MM-DD), e.g. in last week's review; default: now.",
)


@click.command()
@config_option
@_subject
@_okr
@_by
@click.option("--why", default=None, help="Why (shown to the team).")
@_on
def approve(
    config_path: Path,
    subject: str,
    okr: str | None,
    by: str,
    why: str | None,
    on: datetime | None,
) -> None:
    """Approve an epic's claim or a team objective's link to an OKR (kept as an audit trail)."""
    _decide(config_path, subject, okr, by, why, on, ApprovalState.APPROVED)


@click.command()
@config_option
@_subject
@_okr
@_by
@click.option("--why", required=True, help="Why not (shown to the team).")
@_on
def reject(
    config_path: Path, subject: str, okr: str | None, by: str, why: str, on: datetime | None
) -> None:
    """Reject an epic's claim or a team objective's link to an OKR (kept as an audit trail)."""
    _decide(config_path, subject, okr, by, why, on, ApprovalState.REJECTED)


def _decide(
    config_path: Path,
    subject: str,
    okr: str | None,
    by: str,
    why: str | None,
    on: datetime | None,
    state: ApprovalState,
) -> None:
    by, why = _text(by, "--by"), _text(why, "--why") if why is not None else None
    recorded = now()
    if on is not None and on.date() > recorded.date():
        raise UserError(f"--on: {on.date().isoformat()} is in the future")
    # A decision dated a past day counts from the start of that day (UTC, as the catalogue's).
    at = recorded if on is None else day_start(on.date())
    loaded = load_settings(config_path)
    catalogue = pipeline.load_catalogue(loaded)
    engine = open_store(loaded.store_url())
    try:
        with Session(engine) as session, session.begin():
            name, connected = _connections(loaded, session, catalogue, subject)
            okr_id = _pick(name, connected, okr)
            decision = Decision(name, okr_id, state, at, by, why, DecisionOrigin.CLI)
            decision_store.record_decision(session, decision, recorded_at=recorded)
    finally:
        engine.dispose()
    what = okr_id or ", ".join(connected)
    verb = "Approved" if state is ApprovalState.APPROVED else "Rejected"
    click.echo(f"{verb} {name} → {what} (by {by}); the next evaluation counts it.")


def _text(value: str, option: str) -> str:
    if not value.strip():
        raise UserError(f"{option}: must not be empty")
    return value.strip()


def _connections(
    loaded: LoadedSettings, session: Session, catalogue: Catalogue, subject: str
) -> tuple[str, list[str]]:
    """The subject as the store or catalogue spells it, and the OKR ids it is connected to."""
    objective = next((o for o in catalogue.objectives if o.id.upper() == subject.upper()), None)
    if objective is not None:
        return objective.id, _supports(objective)
    epics = {
        e.key.upper(): e for p in loaded.settings.portfolios for e in load_epics(session, p.id)
    }
    epic = epics.get(subject.upper())
    if epic is None:
        names = [o.id for o in catalogue.objectives if o.level is Level.TEAM] + [
            e.key for e in epics.values()
        ]
        close = closest(subject.upper(), [n.upper() for n in names])
        hint = f" (did you mean {names[[n.upper() for n in names].index(close)]}?)" if close else ""
        raise UserError(
            f"EPIC-OR-OBJECTIVE: no team objective in the catalogue and no synced epic "
            f"{subject!r}{hint}"
        )
    return epic.key, _claims(loaded, catalogue, epic)


def _supports(objective: Objective) -> list[str]:
    if objective.level is not Level.TEAM:
        raise UserError(
            f"EPIC-OR-OBJECTIVE: {objective.id} is a portfolio objective; leaders approve "
            "team objectives' links and epics' claims"
        )
    if not objective.supports:
        raise UserError(f"EPIC-OR-OBJECTIVE: {objective.id} supports nothing; nothing to decide")
    return list(objective.supports)


def _claims(loaded: LoadedSettings, catalogue: Catalogue, epic: Epic) -> list[str]:
    policy = loaded.settings.policy()
    index = OkrIndex.of(catalogue)
    claims = extract_claims(epic, policy, index, alignment.read_overrides(loaded))
    if not claims:
        raise UserError(f"EPIC-OR-OBJECTIVE: {epic.key} claims no OKR; nothing to decide")
    return [index.spelling.get(c.okr_id, c.okr_id) for c in claims]


def _pick(subject: str, connected: list[str], okr: str | None) -> str | None:
    if okr is None:
        return None
    match = next((c for c in connected if c.upper() == okr.strip().upper()), None)
    if match is None:
        raise UserError(
            f"--okr: {subject} is not connected to {okr!r} (it names: {', '.join(connected)})"
        )
    return match


# --- checkin -------------------------------------------------------------------------------------


@click.command()
@config_option
@click.argument("kr_id", metavar="KR-ID")
@click.option("--value", required=True, type=float, help="The key result's value now.")
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1),
    default=None,
    help="How sure the team is to reach the target, 0..1.",
)
@click.option("--note", default=None, help="What moved it, or what blocks it.")
@click.option("--by", "by", default=None, help="Who checks in.")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the value was measured (YYYY-MM-DD); default: today.",
)
def checkin(
    config_path: Path,
    kr_id: str,
    value: float,
    confidence: float | None,
    note: str | None,
    by: str | None,
    on: datetime | None,
) -> None:
    """Record a key result's value, confidence and note; its history stays in the store."""
    loaded = load_settings(config_path)
    catalogue = pipeline.load_catalogue(loaded)
    kr, cycle_start = _key_result(catalogue, kr_id)
    day = on.date() if on else today(None)
    if day > today(None):
        raise UserError(f"--on: {day.isoformat()} is in the future")
    if not math.isfinite(value):
        raise UserError(f"--value: expected a finite number, got {value}")
    if kr.kind is KrKind.BOOLEAN and value not in (0, 1):
        raise UserError(f"--value: {kr.id} is done or not: expected 0 or 1, got {value:g}")
    entry = CheckIn(day, value, confidence, note, source=checkin_store.MANUAL, by=by)
    engine = open_store(loaded.store_url())
    try:
        with Session(engine) as session, session.begin():
            checkin_store.add_checkin(session, kr.id, entry, recorded_at=now())
            stored = checkin_store.checkins(session, kr.id).get(kr.id, [])
    finally:
        engine.dispose()
    measured = measure(kr, stored, day, cycle_start)
    unit = f" {kr.unit}" if kr.unit else ""
    sure = f", confidence {confidence:g}" if confidence is not None else ""
    click.echo(
        f"Checked in {kr.id} “{kr.title}”: {show_number(value)}{unit}{sure} on {day}; "
        f"score {kr_score(measured):.0%}"
    )


def _key_result(catalogue: Catalogue, kr_id: str) -> tuple[KeyResult, Any]:
    for objective in catalogue.objectives:
        for kr in objective.key_results:
            if kr.id.upper() == kr_id.strip().upper():
                if kr.kind is KrKind.MILESTONE:
                    raise UserError(
                        f"KR-ID: {kr.id} is a milestone key result; mark its milestones done "
                        "in the catalogue"
                    )
                return kr, catalogue.cycle(objective.cycle_id).start
    ids = [kr.id for kr in catalogue.key_results()]
    close = closest(kr_id.strip().upper(), [i.upper() for i in ids])
    hint = f" (did you mean {ids[[i.upper() for i in ids].index(close)]}?)" if close else ""
    raise UserError(f"KR-ID: no key result {kr_id!r} in the catalogue{hint}")


# --- decisions -----------------------------------------------------------------------------------


@click.command()
@config_option
@click.argument("subject", metavar="[EPIC-OR-OBJECTIVE]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the trail as JSON.")
def decisions(config_path: Path, subject: str | None, as_json: bool) -> None:
    """Show the audit trail of approvals and rejections: who, when, why, from where."""
    loaded = load_settings(config_path)
    engine = open_store(loaded.store_url())
    try:
        with Session(engine) as session:
            trail = decision_store.decisions(session)
    finally:
        engine.dispose()
    if subject is not None:
        trail = [d for d in trail if d.subject.upper() == subject.strip().upper()]
    rows = [
        {
            "at": d.at.astimezone().isoformat(timespec="seconds"),
            "subject": d.subject,
            "okr": d.okr_id or "*",
            "state": d.state.value,
            "by": d.by or ("Jira" if d.origin is DecisionOrigin.JIRA else ""),
            "origin": d.origin.value,
            "why": d.why or "",
        }
        for d in trail
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No decisions recorded.")
    for r in rows:
        why = f" — {r['why']}" if r["why"] else ""
        click.echo(
            f"{r['at'][:16].replace('T', ' ')}  {r['subject']} → {r['okr']}  {r['state']}  "
            f"by {r['by'] or 'unknown'} ({r['origin']}){why}"
        )


COMMANDS = (check, approve, reject, checkin, decisions)
