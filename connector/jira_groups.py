"""The members of the Jira groups named as approvers: `GET /rest/api/2/group/member`, paged.

Each member is kept by every name a decision may carry: the Cloud account id, the Data Center
user name and key, and the email address where Jira shows it. A group Jira does not know (404)
is an error that names the settings key; so is one we may not read (403).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from connector.retry import CallContext, call

if TYPE_CHECKING:
    from connector.jira_source import JiraSource

PAGE = 50
IDENTITIES = ("accountId", "name", "key", "emailAddress")


def group_members(source: JiraSource, group: str) -> list[str]:
    """Every name of every active member of the group, in Jira's order."""
    context = CallContext(source.service, f"read the members of group {group!r}")
    found: list[str] = []
    start = 0
    while True:
        params: dict[str, Any] = {"groupname": group, "startAt": start, "maxResults": PAGE}
        read = partial(source.client._get_json, "group/member", params=params)
        page: dict[str, Any] = call(read, context, source.policy)
        values = page.get("values") or []
        for user in values:
            found.extend(str(user[k]) for k in IDENTITIES if user.get(k))
        start += len(values)
        if page.get("isLast", True) or not values:
            return found
