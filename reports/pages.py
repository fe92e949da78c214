"""What a rendered Confluence page is, and the stable keys and titles of the page tree.

Titles are made here only, so a page that links to another by title always names it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

OVERVIEW = "overview"
UNALIGNED = "unaligned"


@dataclass(frozen=True)
class Page:
    key: str  # stable id for the publish record, e.g. "overview", "unaligned"
    title: str  # unique in the Confluence space
    parent_key: str | None  # None: under the configured parent page
    body: str  # Confluence storage-format XHTML


def overview_title(portfolio_name: str) -> str:
    return f"{portfolio_name} — Outcomes"


def unaligned_title(portfolio_name: str) -> str:
    return f"{portfolio_name} — Work not tied to an outcome"
