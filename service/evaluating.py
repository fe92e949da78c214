"""One portfolio evaluated from what the store holds: epics, decisions, check-ins, overrides, and
when the catalogue's undated current values were first seen (the snapshots)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from connector.store import checkins as checkin_store
from connector.store import decisions as decision_store
from connector.store import history
from connector.store.issues import load_epics
from rules.evaluate import evaluate
from rules.model import Catalogue
from rules.overrides import Override
from rules.results import Evaluation
from service import approvers
from service.overrides import read_overrides
from service.settings import LoadedSettings


def evaluate_portfolio(
    loaded: LoadedSettings,
    session: Session,
    catalogue: Catalogue,
    portfolio_id: str,
    *,
    as_of: date,
    overrides: tuple[Override, ...] | None = None,
) -> Evaluation:
    """`overrides`: read once by a caller that evaluates several portfolios (default: read)."""
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
