"""Jira's JSON shapes (Cloud, and Server where they differ) for issues, fields and serverInfo."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any

from .dataset import IssueRecord
from .jira_model import CATEGORIES, JiraState

ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
# Fields that never appear inside "fields" of a search result.
_NOT_IN_FIELDS = frozenset({"issuekey", "statusCategory"})


def jira_time(when: datetime, zone: tzinfo = UTC) -> str:
    """Jira's timestamp format, in the site's zone with its offset at that instant (which moves
    at daylight saving): 2026-11-20T10:00:00.000+1100."""
    when = when.astimezone(zone)
    text = when.isoformat(timespec="milliseconds")  # ...T10:00:00.000+11:00, fast
    if len(text) == 29:
        return text[:26] + text[27:]
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}{when:%z}"


def account_id(display_name: str) -> str:
    """A stable Cloud-style account id for a display name."""
    return "712020:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox-user:" + display_name))


def server_info(state: JiraState, base_url: str) -> dict[str, Any]:
    cloud = state.deployment == "Cloud"
    version = [1001, 0, 0] if cloud else [9, 12, 0]
    return {
        "baseUrl": base_url,
        "displayUrl": base_url,
        "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.0",
        "versionNumbers": version,
        "deploymentType": state.deployment,
        "buildNumber": 100296 if cloud else 9120000,
        "buildDate": "2026-01-01T00:00:00.000+0000",
        "serverTime": jira_time(datetime.now(UTC), state.zone),
        "scmInfo": "0000000000000000000000000000000000000000",
        "serverTitle": "Outcomes sandbox",
    }


def select_fields(raw: Iterable[str] | None, state: JiraState) -> list[str] | None:
    """Field ids to render, or None for Cloud's default (the issue id only).

    Accepts repeated values and comma-separated ones, ``*all``, ``*navigable`` and ``-field``
    exclusions; names Jira does not know are ignored, as Jira ignores them.
    """
    parts = [p.strip() for item in (raw or ()) for p in str(item).split(",") if p.strip()]
    if not parts or set(parts) <= {"id"}:
        return None
    known = [f.id for f in state.registry.fields if f.id not in _NOT_IN_FIELDS]
    chosen: list[str] = []
    for part in parts:
        if part in ("*all", "*navigable"):
            chosen.extend(known)
        elif part in known:
            chosen.append(part)
    excluded = {p[1:] for p in parts if p.startswith("-")}
    return [f for f in dict.fromkeys(chosen) if f not in excluded]


class Renderer:
    """Renders issues for one request (base URL and REST version go into ``self`` links)."""

    def __init__(self, state: JiraState, base_url: str, api: str) -> None:
        self.state = state
        self.root = f"{base_url}/rest/api/{api}"
        self.base = base_url
        self._inward: dict[str, list[tuple[str, str]]] | None = None  # built on first use
        self.expand = ISSUE_EXPAND

    def issue(self, rec: IssueRecord, fields: list[str] | None) -> dict[str, Any]:
        if fields is None:
            return {"id": str(rec.id)}
        out: dict[str, Any] = {}
        for fid in fields:
            if fid == "parent" and self.state.parent_of(rec) is None:
                continue  # Jira leaves "parent" out rather than answering null
            out[fid] = self.field_value(rec, fid)
        return {
            "expand": self.expand,
            "id": str(rec.id),
            "self": f"{self.root}/issue/{rec.id}",
            "key": rec.key,
            "fields": out,
        }

    def field_value(self, rec: IssueRecord, fid: str) -> Any:
        if fid == "summary":
            return rec.summary
        if fid == "labels":
            return list(rec.labels)
        if fid == "components":
            return [self.component(rec.project, name) for name in rec.components]
        if fid in ("created", "updated"):
            return jira_time(rec.created if fid == "created" else rec.updated, self.state.zone)
        if fid == "status":
            return self.status(rec.status)
        if fid == "issuetype":
            return self.issuetype(rec.type)
        if fid == "project":
            return self.project(rec.project)
        if fid == "priority":
            return self.priority(rec.priority) if rec.priority else None
        if fid == "assignee":
            return self.user(rec.assignee) if rec.assignee else None
        if fid == "parent":
            parent = self.state.parent_of(rec)
            return self.parent(parent) if parent else None
        if fid == self.state.epic_link:
            return self.state.epic_of(rec)
        if fid == "issuelinks":
            return self.issue_links(rec)
        return self.custom(fid, rec.fields.get(fid))

    def issue_links(self, rec: IssueRecord) -> list[dict[str, Any]]:
        """Links declared on this issue (outward) and on others that point at it (inward)."""
        if self._inward is None:
            self._inward = {}
            for other in self.state.all_issues():
                for link in other.links:
                    self._inward.setdefault(link["to"], []).append((link["type"], other.key))
        pairs = [("outward", link["type"], rec.key, link["to"]) for link in rec.links]
        pairs += [("inward", kind, src, rec.key) for kind, src in self._inward.get(rec.key, [])]
        out = []
        for direction, kind, source, target in pairs:
            link_type = next((t for t in self.state.link_types if t.name == kind), None)
            shown = self.parent(target if direction == "outward" else source)
            if shown is None or link_type is None:
                continue
            ident = str(10000 + zlib.crc32(f"{source}:{kind}:{target}".encode()) % 90000)
            out.append(
                {
                    "id": ident,
                    "self": f"{self.root}/issueLink/{ident}",
                    "type": {
                        "id": link_type.id,
                        "name": link_type.name,
                        "inward": link_type.inward,
                        "outward": link_type.outward,
                        "self": f"{self.root}/issueLinkType/{link_type.id}",
                    },
                    f"{direction}Issue": shown,
                }
            )
        return out

    def component(self, project: str, name: str) -> dict[str, str]:
        ident = str(10000 + zlib.crc32(f"{project}:{name}".encode()) % 90000)
        return {"self": f"{self.root}/component/{ident}", "id": ident, "name": name}

    def status(self, name: str) -> dict[str, Any]:
        st = self.state.status(name)
        cid, cname, color = CATEGORIES[st.category]
        return {
            "self": f"{self.root}/status/{st.id}",
            "description": "",
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": st.name,
            "id": st.id,
            "statusCategory": {
                "self": f"{self.root}/statuscategory/{cid}",
                "id": cid,
                "key": st.category,
                "colorName": color,
                "name": cname,
            },
        }

    def issuetype(self, name: str) -> dict[str, Any]:
        canonical = self.state.types.find(name) or name
        ident = self.state.types.ids[canonical]
        subtask = canonical.lower() in ("subtask", "sub-task")
        level = -1 if subtask else 1 if canonical.lower() == "epic" else 0
        return {
            "self": f"{self.root}/issuetype/{ident}",
            "id": ident,
            "description": "",
            "iconUrl": f"{self.base}/images/icons/issuetypes/generic.png",
            "name": canonical,
            "subtask": subtask,
            "hierarchyLevel": level,
        }

    def project(self, key: str) -> dict[str, Any]:
        pr = self.state.project(key)
        return {
            "self": f"{self.root}/project/{pr.id}",
            "id": pr.id,
            "key": pr.key,
            "name": pr.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def priority(self, name: str) -> dict[str, Any]:
        canonical = self.state.priorities.find(name) or name
        ident = self.state.priorities.ids[canonical]
        return {
            "self": f"{self.root}/priority/{ident}",
            "name": canonical,
            "id": ident,
            "iconUrl": f"{self.base}/images/icons/priorities/{canonical.lower()}.svg",
        }

    def user(self, name: str) -> dict[str, Any]:
        if self.state.deployment == "Cloud":
            aid = account_id(name)
            return {
                "self": f"{self.root}/user?accountId={aid}",
                "accountId": aid,
                "displayName": name,
                "active": True,
                "timeZone": "UTC",
                "accountType": "atlassian",
            }
        login = name.lower().replace(" ", ".")
        return {
            "self": f"{self.root}/user?username={login}",
            "name": login,
            "key": login,
            "displayName": name,
            "active": True,
            "timeZone": "UTC",
        }

    def parent(self, key: str) -> dict[str, Any] | None:
        rec = self.state.get(key)
        if rec is None:
            return None
        fields: dict[str, Any] = {
            "summary": rec.summary,
            "status": self.status(rec.status),
            "issuetype": self.issuetype(rec.type),
        }
        if rec.priority:
            fields["priority"] = self.priority(rec.priority)
        return {
            "id": str(rec.id),
            "key": rec.key,
            "self": f"{self.root}/issue/{rec.id}",
            "fields": fields,
        }

    def custom(self, fid: str, value: Any) -> Any:
        spec = self.state.registry.by_id.get(fid)
        if value is None or spec is None:
            return None
        if spec.kind == "option":
            return self.option(fid, value)
        if spec.kind == "array":
            return [self.option(fid, v) for v in value]
        return value

    def option(self, fid: str, value: str) -> dict[str, str]:
        ident = str(10000 + zlib.crc32(f"{fid}:{value}".encode()) % 90000)
        return {"self": f"{self.root}/customFieldOption/{ident}", "value": value, "id": ident}
