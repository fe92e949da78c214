"""Attaching each portfolio's workbook to its Confluence overview page (`excel.attach`).

The attachment keeps one name per portfolio, so Confluence keeps the earlier workbooks as its
versions instead of piling up a file a day; a workbook whose content is unchanged (its creation
time aside) is not uploaded again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from connector.store import history
from reports.excel import content_digest
from reports.pages import OVERVIEW
from rules.errors import AuthError, RateLimited, ServiceError, Unavailable
from service.connections import connect_confluence, retry_policy
from service.settings import LoadedSettings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attach_workbooks(
    loaded: LoadedSettings, engine: Engine, workbooks: Sequence[tuple[str, Path]]
) -> list[str]:
    """Attach (portfolio id, workbook) pairs; returns one line per workbook that was not."""
    settings = loaded.settings.confluence
    if not loaded.settings.excel.attach or settings is None or not workbooks:
        return []
    api = connect_confluence(settings, retry_policy(loaded))
    problems = []
    for portfolio_id, path in workbooks:
        with Session(engine) as session:
            record = history.publish_record(session, portfolio_id, OVERVIEW)
        if record is None:
            problems.append(
                f"{path.name}: not attached: {portfolio_id}'s overview page is not published"
                " yet; run `outcomes publish` first"
            )
            continue
        try:
            content = path.read_bytes()
            name = f"outcomes-{portfolio_id}.xlsx"
            api.attach(record.page_id, name, content, XLSX, content_digest(content))
        except (AuthError, Unavailable, RateLimited):
            raise  # Confluence itself failed: every other workbook would too (exit 3)
        except ServiceError as exc:
            problems.append(f"{path.name}: not attached: {exc}")
    return problems
