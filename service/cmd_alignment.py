"""`outcomes approve`, `reject`, `checkin` and `decisions` (and `check`, in `cmd_check`).

None of them talks to Jira: `approve`, `reject` and `checkin` add to the store's audit trail and
check-in history, which the next evaluation reads; `decisions` shows the trail. They take no run
lock: each writes one small transaction.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from connector.store.issues import load_epics
from rules.approval import day_start
from rules.claims import OkrIndex, extract_claims
from rules.errors import UserError
from rules.measurement import measure
from rules.model import (
    ApprovalState,
    Catalogue,
    CheckIn,
    Decision,
    DecisionOrigin,
    Epic,
    KeyResult,
    KrKind,
    Level,
    Objective,
)
from rules.progress import kr_score
from rules.validation import closest, show_number
from service import approvers
from service.cli_options import config_option, now, settings_for, today
from service.cmd_check import check
from service.deployment import Deployment
from service.overrides import read_overrides
from service.settings import LoadedSettings
from service.terminal import echo

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
    loaded = settings_for(config_path)
    with Deployment(loaded) as deployment:
        catalogue = deployment.catalogue()  # a bad catalogue stops before the store is opened
        with Session(deployment.engine) as session, session.begin():
            name, connected = _connections(loaded, session, catalogue, subject)
            okr_id = _pick(name, connected, okr)
            decision = Decision(name, okr_id, state, at, by, why, DecisionOrigin.CLI, by_id=by)
            if not approvers.judge(loaded, session, catalogue, [decision])[0].counted:
                may = approvers.who_may(loaded, session, catalogue, decision)
                raise UserError(f"--by: {by!r} is not an approver of {name}; only {may} may decide")
            decision_store.record_decision(session, decision, recorded_at=recorded)
    what = okr_id or ", ".join(connected)
    verb = "Approved" if state is ApprovalState.APPROVED else "Rejected"
    echo(f"{verb} {name} → {what} (by {by}); the next evaluation counts it.")


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
    claims = extract_claims(epic, policy, index, read_overrides(loaded))
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
@click.option(
    "--forecast",
    type=float,
    default=None,
    help="The team's own forecast of its value at the cycle's end.",
)
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
    forecast: float | None,
    by: str | None,
    on: datetime | None,
) -> None:
    """Record a key result's value, confidence and note; its history stays in the store."""
    loaded = settings_for(config_path)
    day = on.date() if on else today(None)
    if day > today(None):
        raise UserError(f"--on: {day.isoformat()} is in the future")
    if not math.isfinite(value):
        raise UserError(f"--value: expected a finite number, got {value}")
    if forecast is not None and not math.isfinite(forecast):
        raise UserError(f"--forecast: expected a finite number, got {forecast}")
    with Deployment(loaded) as deployment:
        catalogue = deployment.catalogue()
        _checkin(deployment.engine, catalogue, kr_id, day, value, confidence, note, forecast, by)


def _checkin(
    engine: Engine,
    catalogue: Catalogue,
    kr_id: str,
    day: date,
    value: float,
    confidence: float | None,
    note: str | None,
    forecast: float | None,
    by: str | None,
) -> None:
    kr, cycle_start = _key_result(catalogue, kr_id)
    if forecast is not None and kr.kind is not KrKind.METRIC:
        raise UserError(f"--forecast: {kr.id} is a {kr.kind.value} key result; only metrics")
    if kr.kind is KrKind.BOOLEAN and value not in (0, 1):
        raise UserError(f"--value: {kr.id} is done or not: expected 0 or 1, got {value:g}")
    entry = CheckIn(
        day, value, confidence, note, source=checkin_store.MANUAL, by=by, forecast=forecast
    )
    with Session(engine) as session, session.begin():
        checkin_store.add_checkin(session, kr.id, entry, recorded_at=now())
        stored = checkin_store.checkins(session, kr.id).get(kr.id, [])
    measured = measure(kr, stored, day, cycle_start)
    unit = f" {kr.unit}" if kr.unit else ""
    sure = f", confidence {confidence:g}" if confidence is not None else ""
    ahead = f", forecast {show_number(forecast)}{unit}" if forecast is not None else ""
    echo(
        f"Checked in {kr.id} “{kr.title}”: {show_number(value)}{unit}{sure}{ahead} on {day}; "
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
    loaded = settings_for(config_path)
    with Deployment(loaded) as deployment, Session(deployment.engine) as session:
        trail = decision_store.decisions(session)
    if subject is not None:
        trail = [d for d in trail if d.subject.upper() == subject.strip().upper()]
    zone = ZoneInfo(loaded.settings.schedule.timezone)  # the zone every report shows times in
    rows: list[dict[str, Any]] = [
        {
            "at": d.at.astimezone(zone).isoformat(timespec="seconds"),
            "subject": d.subject,
            "okr": d.okr_id or "*",
            "state": d.state.value,
            "by": d.by or ("Jira" if d.origin is DecisionOrigin.JIRA else ""),
            "origin": d.origin.value,
            "origin_detail": d.origin_detail or "",
            "why": d.why or "",
            "by_id": d.by_id or "",
            "counted": d.counted,
        }
        for d in trail
    ]
    if as_json:
        echo(json.dumps(rows, indent=2))
        return
    if not rows:
        echo("No decisions recorded.")
    else:
        echo(f"Times in {zone}.")
    for r in rows:
        why = f" — {r['why']}" if r["why"] else ""
        origin = f"{r['origin']}: {r['origin_detail']}" if r["origin_detail"] else r["origin"]
        who = str(r["by"] or "unknown")
        if r["by_id"] and r["by_id"] != r["by"]:
            who += f" [{r['by_id']}]"
        ignored = "" if r["counted"] else "  NOT COUNTED (not an approver)"
        echo(
            f"{r['at'][:16].replace('T', ' ')}  {r['subject']} → {r['okr']}  {r['state']}  "
            f"by {who} ({origin}){why}{ignored}"
        )


COMMANDS = (check, approve, reject, checkin, decisions)  # registered by service.cli
