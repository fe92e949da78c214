"""What a rendered Confluence page is, and the stable keys and titles of the page tree.

Titles are made here only, so a page that links to another by title always names it the same way.
Keys never change for the same objective or team (they are what the publish record remembers);
titles may, and the publisher then renames the page.

    <portfolio> — Outcomes                          overview (under the configured parent page)
    ├── <portfolio> — P1: <objective title>         one per portfolio objective
    ├── <portfolio> — Team <team name>              one per team
    ├── <portfolio> — Work not tied to an outcome
    ├── <portfolio> — Awaiting approval
    ├── <portfolio> — History
    └── <portfolio> — Review 2026-12-03            one per review day (`outcomes review`)
"""

from __future__ import annotations

from dataclasses import dataclass

OVERVIEW = "overview"
UNALIGNED = "unaligned"
APPROVALS = "approvals"
HISTORY = "history"
MAX_TITLE = 255  # Confluence refuses longer titles


@dataclass(frozen=True)
class Page:
    key: str  # stable id for the publish record, e.g. "overview", "objective:P1"
    title: str  # unique in the Confluence space
    parent_key: str | None  # None: under the configured parent page
    body: str  # Confluence storage-format XHTML


def _fit(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def overview_title(portfolio_name: str) -> str:
    return _fit(f"{portfolio_name} — Outcomes")


def unaligned_title(portfolio_name: str) -> str:
    return _fit(f"{portfolio_name} — Work not tied to an outcome")


def approvals_title(portfolio_name: str) -> str:
    return _fit(f"{portfolio_name} — Awaiting approval")


def history_title(portfolio_name: str) -> str:
    return _fit(f"{portfolio_name} — History")


def objective_key(objective_id: str) -> str:
    return f"objective:{objective_id}"


def objective_title(portfolio_name: str, objective_id: str, title: str) -> str:
    return _fit(f"{portfolio_name} — {objective_id}: {title}")


def team_key(team_id: str) -> str:
    return f"team:{team_id}"


def team_title(portfolio_name: str, team_name: str) -> str:
    return _fit(f"{portfolio_name} — Team {team_name}")


REVIEW_PREFIX = "review:"


def review_key(day: str) -> str:
    return f"{REVIEW_PREFIX}{day}"


def review_title(portfolio_name: str, day: str) -> str:
    return _fit(f"{portfolio_name} — Review {day}")
