"""Publishing each portfolio's page tree to Confluence, page by page, with a record of each write.

Pages that left the report since an earlier run are marked as such (see `Publisher.retire`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.confluence_api import PageApi, RemotePage
from connector.publish_results import PageRecord, PublishResult, record_keys
from connector.publisher import Publisher
from connector.store import history
from reports.pages import REVIEW_PREFIX
from rules.errors import UserError
from service import page_decisions
from service.connections import connect_confluence, retry_policy
from service.pipeline import PortfolioResult, evaluate_all
from service.settings import LoadedSettings


def publish(
    loaded: LoadedSettings, engine: Engine, results: list[PortfolioResult], *, now: datetime
) -> list[PublishResult]:
    settings = loaded.settings.confluence
    if settings is None:
        raise UserError(f"{loaded.path}: confluence: not configured; add a confluence section")
    api = connect_confluence(settings, retry_policy(loaded))
    catalogue = next((r.catalogue for r in results if r.catalogue is not None), None)

    def record_ticks(page: RemotePage) -> None:
        if catalogue is not None:
            with Session(engine) as session, session.begin():
                page_decisions.record_page_ticks(loaded, session, api, catalogue, page, now=now)

    publisher = Publisher(
        api,
        space=settings.space,
        root_title=settings.parent_title,
        on_foreign_edit=settings.on_foreign_edit,
        on_ticks=record_ticks,
    )
    results = _ticked(loaded, engine, api, results, now=now)
    outcomes: list[PublishResult] = []
    for result in results:
        portfolio_id = result.portfolio.id
        records, stale = _records(engine, result)

        def remember(
            item: PublishResult,
            portfolio_id: str = portfolio_id,
            records: dict[str, PageRecord] = records,
        ) -> None:
            # Saved page by page: a run stopped half-way still knows the pages it wrote.
            with Session(engine) as session, session.begin():
                if item.forget:
                    history.forget_publish(session, portfolio_id, item.key)
                for key, title, record in item.saves():
                    if records.get(key) == record:
                        continue  # nothing new to remember
                    history.record_publish(
                        session,
                        portfolio_id=portfolio_id,
                        page_key=key,
                        page_id=record.page_id,
                        title=title,
                        version=record.version,
                        body_hash=record.body_hash,
                        published_at=now,
                    )

        outcomes.extend(publisher.publish(result.pages, records, on_result=remember))
        outcomes.extend(publisher.retire(stale, on_result=remember))
    return outcomes


def stale_pages(engine: Engine, result: PortfolioResult) -> list[tuple[str, str, PageRecord]]:
    """Pages this portfolio's earlier runs wrote that its report no longer has (a retired or
    removed objective, a team gone from the catalogue)."""
    return _records(engine, result)[1]


def _records(
    engine: Engine, result: PortfolioResult
) -> tuple[dict[str, PageRecord], list[tuple[str, str, PageRecord]]]:
    """The portfolio's publish records, read at once: those of pages its report has (by key),
    and (key, title, record) of the others."""
    current = set(record_keys(result.pages))
    with Session(engine) as session:
        rows = history.publish_records(session, result.portfolio.id)
    records = {r.page_key: PageRecord(r.page_id, r.version, r.body_hash) for r in rows}
    kept = {key: record for key, record in records.items() if key in current}
    # A review page is the meeting's minutes (service.review): never "no longer reported".
    stale = [
        (r.page_key, r.title, records[r.page_key])
        for r in rows
        if r.page_key not in current and not r.page_key.startswith(REVIEW_PREFIX)
    ]
    return kept, stale


def _ticked(
    loaded: LoadedSettings,
    engine: Engine,
    api: PageApi,
    results: list[PortfolioResult],
    *,
    now: datetime,
) -> list[PortfolioResult]:
    """The last look before the pages are written: decisions ticked on the approvals pages since
    the evaluation are recorded and the portfolios evaluated again, so the page written shows
    them decided instead of dropping the ticks."""
    catalogue = next((r.catalogue for r in results if r.catalogue is not None), None)
    if catalogue is None:
        return results
    with Session(engine) as session, session.begin():
        added = page_decisions.read_ticks(loaded, session, api, catalogue, now=now)
    if not added:
        return results
    return evaluate_all(loaded, engine, catalogue, as_of=results[0].evaluation.as_of)
