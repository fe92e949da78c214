"""The review stage (`outcomes review`, `schedule.review`): one dated page per portfolio,
"<portfolio> — Review 2026-12-03", under its overview page.

A review page is written once and never again: people write the meeting's decisions and actions
into it, and earlier reviews are the meetings' minutes. So a day whose review page exists (by its
publish record, or by its title in the space) is left alone, and the report's publish never marks
a review page "no longer reported" (service.publishing).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.confluence_api import PageApi
from connector.publish_results import Action, PublishResult
from connector.publisher import ROOT_BODY, body_hash
from connector.store import history
from reports.confluence import render_review
from reports.context import MAX_TABLE_ROWS
from reports.pages import OVERVIEW, Page
from rules.errors import AuthError, RateLimited, ServiceError, Unavailable, UserError
from service import okr_history, pipeline
from service.connections import connect_confluence
from service.review_data import previous_review
from service.settings import LoadedSettings


def review_pages(
    loaded: LoadedSettings, engine: Engine, results: list[pipeline.PortfolioResult]
) -> list[tuple[pipeline.PortfolioResult, Page]]:
    """Each portfolio's review page for its evaluation day (rendered, not published)."""
    confluence = loaded.settings.confluence
    scope = okr_history.scope_of(p.id for p in loaded.settings.portfolios)
    pages = []
    with Session(engine) as session:
        for result in results:
            evaluation = result.evaluation
            page = render_review(
                evaluation,
                result.catalogue or pipeline.load_catalogue(loaded, engine),
                portfolio_name=result.portfolio.name,
                jira_url=loaded.settings.jira.url,
                tagging=pipeline.tagging(loaded),
                history=pipeline.report_history(session, result.portfolio.id, evaluation.cycle.id),
                jira_server_id=confluence.jira_server_id if confluence else None,
                max_rows=confluence.max_table_rows if confluence else MAX_TABLE_ROWS,
                okr_changes=okr_history.changes_until(
                    session, scope, evaluation.as_of, result.catalogue
                ),
                previous=previous_review(
                    session, result.portfolio.id, evaluation.cycle.id, evaluation.as_of
                ),
                bands=pipeline.pace_bands(loaded),
            )
            pages.append((result, page))
    return pages


def publish_reviews(
    loaded: LoadedSettings,
    engine: Engine,
    results: list[pipeline.PortfolioResult],
    *,
    now: datetime,
    run_id: int | None = None,
) -> list[PublishResult]:
    """Publish each portfolio's review page once. The day's snapshot is kept with the page it
    was written from (the next review compares with it); a day already reviewed keeps the one
    the meeting saw."""
    settings = loaded.settings.confluence
    if settings is None:
        raise UserError(f"{loaded.path}: confluence: not configured; add a confluence section")
    api = connect_confluence(settings)
    outcomes = []
    for result, page in review_pages(loaded, engine, results):
        portfolio_id = result.portfolio.id
        try:
            outcome = _publish_once(api, engine, portfolio_id, page, settings.space,
                                    settings.parent_title, now)  # fmt: skip
        except (AuthError, Unavailable, RateLimited):
            raise  # every other page would fail the same way: exit 3
        except ServiceError as exc:
            outcome = PublishResult(page.key, page.title, Action.FAILED, message=str(exc))
        if outcome.action is Action.CREATED:
            pipeline.save_snapshots(engine, [result], run_id=run_id, now=now)
        outcomes.append(outcome)
    return outcomes


def _publish_once(
    api: PageApi,
    engine: Engine,
    portfolio_id: str,
    page: Page,
    space: str,
    root_title: str,
    now: datetime,
) -> PublishResult:
    with Session(engine) as session:
        record = history.publish_record(session, portfolio_id, page.key)
        overview = history.publish_record(session, portfolio_id, OVERVIEW)
    if record is not None:
        return PublishResult(page.key, page.title, Action.UNCHANGED)  # the meeting's page now
    existing = api.find(space, page.title)
    if existing is not None:  # written before the store knew (a lost answer): still theirs
        _remember(engine, portfolio_id, page, existing.id, existing.version, now)
        return PublishResult(page.key, page.title, Action.UNCHANGED)
    parent = api.get(overview.page_id) if overview is not None else None
    if parent is None:
        parent = api.find(space, root_title) or api.create(space, root_title, ROOT_BODY, None)
    created = api.create(space, page.title, page.body, parent.id)
    _remember(engine, portfolio_id, page, created.id, created.version, now)
    return PublishResult(page.key, page.title, Action.CREATED)


def _remember(
    engine: Engine, portfolio_id: str, page: Page, page_id: str, version: int, now: datetime
) -> None:
    with Session(engine) as session, session.begin():
        history.record_publish(
            session,
            portfolio_id=portfolio_id,
            page_key=page.key,
            page_id=page_id,
            title=page.title,
            version=version,
            body_hash=body_hash(page.body),
            published_at=now,
        )
