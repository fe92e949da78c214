"""Owners of key results on the pages: a name as text, an Atlassian account id as a mention.

An owner is an Atlassian account when written `@accountid:<id>`, or as a bare account id
(`557058:f58131cb-…`, or 24 hexadecimal digits, the older form). Confluence notifies a user when a
page version that newly mentions them is saved, so a mention is rendered only in the row of a
finding that asks the owner to act (STALE_KR, FORECAST_MISS), on the one page that owns the key
result: the owner hears once per finding, and an unchanged republish writes nothing.
"""

from __future__ import annotations

import re

from reports import storage as s
from reports.storage import Markup

PREFIX = "@accountid:"
_BARE = re.compile(r"(?:\d+:[0-9a-fA-F-]{36}|[0-9a-fA-F]{24})")
_ID = re.compile(r"[A-Za-z0-9:_-]{1,128}")
MENTION_CODES = frozenset({"STALE_KR", "FORECAST_MISS"})


def account_id(owner: str | None) -> str | None:
    """The Atlassian account id an owner names, or None for a plain name."""
    if owner is None:
        return None
    value = owner.strip()
    if value.lower().startswith(PREFIX):
        value = value[len(PREFIX) :].strip()
        return value if _ID.fullmatch(value) else None
    return value if _BARE.fullmatch(value) else None


def owner_text(owner: str | None) -> str:
    """How an owner reads where no mention may go: the name, or the account as written."""
    if owner is None:
        return "—"
    known = account_id(owner)
    return f"{PREFIX}{known}" if known else owner


def mention(owner: str | None) -> Markup:
    """A real user mention for an account id; the owner as text otherwise."""
    known = account_id(owner)
    if known is None:
        return s.text(owner_text(owner))
    return s.el("ac:link", s.el("ri:user", attrs={"ri:account-id": known}))
