"""Render an evaluation as a tree of Confluence pages (storage format).

Pages come from an explicit, ordered registry of builders; a builder may return several pages (one
per objective or per team, later), and each page's parent must come earlier in the list. Bodies
carry no timestamps, so an unchanged evaluation renders to the same bytes and re-publishes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.approvals_page import approvals_page
from reports.context import MAX_TABLE_ROWS, PaceBands, ReportContext, Tagging
from reports.history_page import history_page
from reports.objective_page import objective_pages
from reports.overview import overview_page
from reports.pages import Page
from reports.review import PreviousReview, build_review
from reports.review_page import review_page
from reports.team_page import team_pages
from reports.trends import History
from reports.unaligned import unaligned_page
from rules.model import Catalogue
from rules.okr_changes import OkrChange
from rules.results import Evaluation

PageBuilder = Callable[[ReportContext], list[Page]]

# Parents before children; the order is also the order of the pages in Confluence's tree.
BUILDERS: tuple[PageBuilder, ...] = (
    lambda ctx: [overview_page(ctx)],
    objective_pages,
    team_pages,
    lambda ctx: [unaligned_page(ctx)],
    lambda ctx: [approvals_page(ctx)],
    lambda ctx: [history_page(ctx)],
)


def render_pages(
    evaluation: Evaluation,
    catalogue: Catalogue,
    *,
    portfolio_name: str,
    jira_url: str,
    tagging: Tagging | None = None,
    history: History | None = None,
    jira_server_id: str | None = None,
    max_rows: int = MAX_TABLE_ROWS,
    okr_changes: tuple[OkrChange, ...] = (),
    bands: PaceBands | None = None,
) -> list[Page]:
    """`history`: the stored snapshots (for trends and "what is new"); none: the first report.
    `bands`: the settings' status bands, for each page's legend (default: the rules' defaults)."""
    ctx = ReportContext(
        evaluation,
        catalogue,
        portfolio_name,
        jira_url,
        tagging or Tagging(),
        history or History(),
        jira_server_id,
        max_rows,
        okr_changes=okr_changes,
        bands=bands or PaceBands(),
    )
    pages = [page for build in BUILDERS for page in build(ctx)]
    _check_tree(pages)
    return pages


def _check_tree(pages: list[Page]) -> None:
    """Keys and titles are unique and every parent comes before its children (a bug otherwise)."""
    seen: set[str] = set()
    titles: set[str] = set()
    for page in pages:
        if page.key in seen or page.title in titles:
            raise ValueError(f"duplicate page key or title: {page.key!r} / {page.title!r}")
        if page.parent_key is not None and page.parent_key not in seen:
            raise ValueError(f"page {page.key!r} comes before its parent {page.parent_key!r}")
        seen.add(page.key)
        titles.add(page.title)


def render_review(
    evaluation: Evaluation,
    catalogue: Catalogue,
    *,
    portfolio_name: str,
    jira_url: str,
    tagging: Tagging | None = None,
    history: History | None = None,
    jira_server_id: str | None = None,
    max_rows: int = MAX_TABLE_ROWS,
    okr_changes: tuple[OkrChange, ...] = (),
    previous: PreviousReview | None = None,
    bands: PaceBands | None = None,
) -> Page:
    """The dated review page (reports.review_page); `previous`: the last review, if any."""
    ctx = ReportContext(
        evaluation,
        catalogue,
        portfolio_name,
        jira_url,
        tagging or Tagging(),
        history or History(),
        jira_server_id,
        max_rows,
        okr_changes=okr_changes,
        bands=bands or PaceBands(),
    )
    return review_page(ctx, build_review(ctx, previous))
