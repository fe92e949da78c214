"""Load and validate a sandbox dataset (YAML or JSON) into typed records.

Every error is one line that names the file and the key path, e.g.
``demo.yaml: jira.issues[3].status: unknown status 'Doing'``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .checker import Checker, DatasetError
from .records import (
    CUSTOM_ID_RE,
    CUSTOM_TYPES,
    DEFAULT_LINK_TYPES,
    DEFAULT_STATUSES,
    ISSUE_KEYS,
    KEY_RE,
    STATUS_CATEGORIES,
    Credential,
    CustomField,
    Dataset,
    IssueRecord,
    LinkType,
    PageSeed,
    Project,
    StatusDef,
    jira_now,
)

# Jira Data Center answers serverInfo with deploymentType "Server"; the product calls it Data
# Center, and a dataset may use either name.
DEPLOYMENTS = {"cloud": "Cloud", "datacenter": "Server", "server": "Server"}


def load_dataset(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON dataset file, validate it, and return it as a dict."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(
            f"{source}: not valid {'JSON' if source.endswith('.json') else 'YAML'}: {first}"
        ) from exc
    parse_dataset(data, source)
    return dict(data)


def parse_dataset(data: Any, source: str = "<dataset>") -> Dataset:
    """Validate a dataset mapping and return typed records."""
    ck = Checker(source)
    top = ck.mapping(data, "(top level)", ("auth", "jira", "confluence"))
    creds = []
    for i, entry in enumerate(ck.items(top.get("auth"), "auth")):
        where = f"auth[{i}]"
        entry = ck.mapping(entry, where, ("user", "token", "name"))
        user = ck.req(entry.get("user"), f"{where}.user")
        creds.append(
            Credential(
                user,
                ck.req(entry.get("token"), f"{where}.token"),
                ck.text(entry.get("name"), f"{where}.name", optional=True) or user,
            )
        )
    if not creds:
        raise ck.fail("auth", "at least one {user, token} entry is required")
    ds = Dataset(credentials=creds)
    _parse_jira(ck, top.get("jira") or {}, ds)
    _parse_confluence(ck, top.get("confluence") or {}, ds)
    return ds


def _parse_jira(ck: Checker, jira: Any, ds: Dataset) -> None:
    jira = ck.mapping(
        jira,
        "jira",
        (
            "deployment",
            "timezone",
            "jql_parse",
            "statuses",
            "fields",
            "projects",
            "issues",
            "link_types",
        ),
    )
    deployment = DEPLOYMENTS.get(str(jira.get("deployment", "Cloud")).lower().replace(" ", ""))
    if deployment is None:
        got = jira.get("deployment")
        raise ck.fail("jira.deployment", f"expected Cloud or Data Center, got {got!r}")
    ds.deployment = deployment
    jql_parse = jira.get("jql_parse", True)
    if not isinstance(jql_parse, bool):
        raise ck.fail("jira.jql_parse", f"expected true or false, got {jql_parse!r}")
    ds.jql_parse = jql_parse
    zone = jira.get("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        raise ck.fail("jira.timezone", f"expected an IANA time zone, got {zone!r}") from None
    ds.timezone = zone
    raw_statuses = jira.get("statuses")
    for i, st in enumerate(
        DEFAULT_STATUSES if raw_statuses is None else ck.items(raw_statuses, "jira.statuses")
    ):
        where = f"jira.statuses[{i}]"
        st = ck.mapping(st, where, ("name", "category", "id"))
        name = ck.req(st.get("name"), f"{where}.name")
        if st.get("category") not in STATUS_CATEGORIES:
            raise ck.fail(
                f"{where}.category",
                f"expected one of {', '.join(STATUS_CATEGORIES)}, got {st.get('category')!r}",
            )
        if any(s.name.lower() == name.lower() for s in ds.statuses):
            raise ck.fail(f"{where}.name", f"duplicate status '{name}'")
        ds.statuses.append(StatusDef(str(st.get("id", 10000 + i)), name, st["category"]))
    for i, fd in enumerate(ck.items(jira.get("fields"), "jira.fields")):
        where = f"jira.fields[{i}]"
        fd = ck.mapping(fd, where, ("id", "name", "type"))
        fid = ck.req(fd.get("id"), f"{where}.id")
        if not CUSTOM_ID_RE.match(fid):
            raise ck.fail(f"{where}.id", f"expected customfield_<number>, got {fid!r}")
        if fd.get("type") not in CUSTOM_TYPES:
            raise ck.fail(
                f"{where}.type",
                f"expected one of {', '.join(CUSTOM_TYPES)}, got {fd.get('type')!r}",
            )
        if any(c.id == fid for c in ds.custom_fields):
            raise ck.fail(f"{where}.id", f"duplicate field '{fid}'")
        ds.custom_fields.append(
            CustomField(fid, ck.req(fd.get("name"), f"{where}.name"), CUSTOM_TYPES[fd["type"]])
        )
    for i, pr in enumerate(ck.items(jira.get("projects"), "jira.projects")):
        where = f"jira.projects[{i}]"
        pr = ck.mapping(pr, where, ("key", "name", "id"))
        key = ck.req(pr.get("key"), f"{where}.key")
        if not re.match(r"^[A-Z][A-Z0-9_]*$", key) or any(p.key == key for p in ds.projects):
            raise ck.fail(f"{where}.key", f"invalid or duplicate project key {key!r}")
        ds.projects.append(
            Project(str(pr.get("id", 10000 + i)), key, ck.req(pr.get("name", key), f"{where}.name"))
        )
    raw_types = jira.get("link_types")
    for i, lt in enumerate(
        DEFAULT_LINK_TYPES if raw_types is None else ck.items(raw_types, "jira.link_types")
    ):
        where = f"jira.link_types[{i}]"
        lt = ck.mapping(lt, where, ("name", "inward", "outward", "id"))
        name = ck.req(lt.get("name"), f"{where}.name")
        if any(t.name.lower() == name.lower() for t in ds.link_types):
            raise ck.fail(f"{where}.name", f"duplicate link type '{name}'")
        ds.link_types.append(
            LinkType(
                str(lt.get("id", 10000 + i)),
                name,
                ck.req(lt.get("inward"), f"{where}.inward"),
                ck.req(lt.get("outward"), f"{where}.outward"),
            )
        )
    raw = ck.items(jira.get("issues"), "jira.issues")
    all_keys = {i.get("key") for i in raw if isinstance(i, Mapping)}
    ctx = IssueContext(ds.statuses, ds.custom_fields, ds.projects, ds.link_types)
    seen: set[str] = set()
    for i, item in enumerate(raw):
        rec = parse_issue(ck, item, f"jira.issues[{i}]", ctx, all_keys)
        if rec.key in seen:
            raise ck.fail(f"jira.issues[{i}].key", f"duplicate key '{rec.key}'")
        seen.add(rec.key)
        ds.issues.append(rec)
    assign_ids(ck, ds.issues)


@dataclass
class IssueContext:
    statuses: list[StatusDef]
    custom_fields: list[CustomField]
    projects: list[Project]
    link_types: list[LinkType] = field(default_factory=list)


def parse_issue(
    ck: Checker,
    item: Any,
    where: str,
    ctx: IssueContext,
    known_keys: set[Any],
    *,
    now: datetime | None = None,
) -> IssueRecord:
    """Validate one issue mapping; ``id`` stays 0 when absent (assigned later)."""
    item = ck.mapping(item, where, ISSUE_KEYS)
    key = ck.req(item.get("key"), f"{where}.key")
    match = KEY_RE.match(key)
    if not match:
        raise ck.fail(f"{where}.key", f"expected PROJECT-NUMBER, got {key!r}")
    if not any(p.key == match.group(1) for p in ctx.projects):
        raise ck.fail(f"{where}.key", f"project '{match.group(1)}' is not listed in jira.projects")
    status = ck.req(item.get("status"), f"{where}.status")
    if not any(s.name == status for s in ctx.statuses):
        raise ck.fail(f"{where}.status", f"unknown status '{status}'")
    parent = ck.text(item.get("parent"), f"{where}.parent", optional=True)
    if parent is not None and (parent not in known_keys or parent == key):
        raise ck.fail(f"{where}.parent", f"parent '{parent}' is not an issue of the dataset")
    components = ck.items(item.get("components"), f"{where}.components")
    for j, name in enumerate(components):
        if not isinstance(name, str) or not name.strip():
            raise ck.fail(f"{where}.components[{j}]", f"expected a component name, got {name!r}")
    labels = ck.items(item.get("labels"), f"{where}.labels")
    for j, label in enumerate(labels):
        if not isinstance(label, str) or not label or any(c.isspace() for c in label):
            raise ck.fail(f"{where}.labels[{j}]", f"labels are non-empty words, got {label!r}")
    raw_id = item.get("id")
    if raw_id is not None and not str(raw_id).isdigit():
        raise ck.fail(f"{where}.id", f"expected a number, got {raw_id!r}")
    stamp = now or jira_now()
    created = ck.when(item["created"], f"{where}.created") if item.get("created") else None
    updated = ck.when(item["updated"], f"{where}.updated") if item.get("updated") else None
    return IssueRecord(
        key=key,
        id=int(raw_id) if raw_id is not None else 0,
        type=ck.req(item.get("type"), f"{where}.type"),
        summary=ck.req(item.get("summary", key), f"{where}.summary"),
        status=status,
        labels=list(labels),
        parent=parent,
        assignee=ck.text(item.get("assignee"), f"{where}.assignee", optional=True),
        priority=ck.text(item.get("priority"), f"{where}.priority", optional=True),
        created=created or updated or stamp,
        updated=updated or created or stamp,
        fields=_custom_values(ck, item.get("fields"), f"{where}.fields", ctx.custom_fields),
        components=list(components),
        links=_links(ck, item.get("links"), f"{where}.links", ctx.link_types, known_keys, key),
    )


def _links(
    ck: Checker,
    raw: Any,
    where: str,
    types: list[LinkType],
    known_keys: set[Any],
    key: str,
) -> list[dict[str, str]]:
    """Outward links `{type, to}`; the other issue shows each as an inward link."""
    links = []
    for j, link in enumerate(ck.items(raw, where)):
        link = ck.mapping(link, f"{where}[{j}]", ("type", "to"))
        name = ck.req(link.get("type"), f"{where}[{j}].type")
        kind = next((t for t in types if t.name.lower() == name.lower()), None)
        if kind is None:
            known = ", ".join(t.name for t in types)
            raise ck.fail(f"{where}[{j}].type", f"unknown link type '{name}' (known: {known})")
        to = ck.req(link.get("to"), f"{where}[{j}].to")
        if to not in known_keys or to == key:
            raise ck.fail(f"{where}[{j}].to", f"'{to}' is not another issue of the dataset")
        links.append({"type": kind.name, "to": to})
    return links


def _custom_values(ck: Checker, raw: Any, where: str, defs: list[CustomField]) -> dict[str, Any]:
    by_id = {d.id: d for d in defs}
    values = dict(ck.mapping(raw or {}, where, by_id))
    for fid, value in values.items():
        kind, at = by_id[fid].type, f"{where}.{fid}"
        if value is None:
            continue
        if kind == "epiclink":
            raise ck.fail(at, "the Epic Link comes from the issue's parent; set `parent` instead")
        ok = {
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "string": isinstance(value, str),
            "option": isinstance(value, str),
            "array": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "datepicker": isinstance(value, str) and _is_date(value),
        }[kind]
        if not ok:
            shown = "date (YYYY-MM-DD)" if kind == "datepicker" else kind
            raise ck.fail(at, f"expected a {shown} value, got {value!r}")
    return {k: v for k, v in values.items() if v is not None}


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10  # YYYY-MM-DD, as a date picker holds it


def assign_ids(ck: Checker, issues: list[IssueRecord], start: int = 10000) -> None:
    """Give issues without an id the next free one (10000, 10001, ...), in order."""
    used: set[int] = set()
    for i, rec in enumerate(issues):
        if rec.id:
            if rec.id in used:
                raise ck.fail(f"jira.issues[{i}].id", f"duplicate id {rec.id}")
            used.add(rec.id)
    nxt = start
    for rec in issues:
        if not rec.id:
            while nxt in used:
                nxt += 1
            rec.id = nxt
            used.add(nxt)


def _parse_confluence(ck: Checker, conf: Any, ds: Dataset) -> None:
    from .xhtml import StorageError, normalise_storage  # local: keeps the import graph flat

    conf = ck.mapping(conf, "confluence", ("spaces", "pages"))
    for i, sp in enumerate(ck.items(conf.get("spaces"), "confluence.spaces")):
        sp = ck.mapping(sp, f"confluence.spaces[{i}]", ("key", "name"))
        key = ck.req(sp.get("key"), f"confluence.spaces[{i}].key")
        if key in ds.spaces:
            raise ck.fail(f"confluence.spaces[{i}].key", f"duplicate space '{key}'")
        ds.spaces[key] = ck.req(sp.get("name", key), f"confluence.spaces[{i}].name")
    raw = ck.items(conf.get("pages"), "confluence.pages")
    titles = {(p.get("space"), str(p.get("title")).lower()) for p in raw if isinstance(p, Mapping)}
    for i, pg in enumerate(raw):
        where = f"confluence.pages[{i}]"
        pg = ck.mapping(pg, where, ("space", "title", "parent", "body"))
        space, title = (
            ck.req(pg.get("space"), f"{where}.space"),
            ck.req(pg.get("title"), f"{where}.title"),
        )
        if space not in ds.spaces:
            raise ck.fail(f"{where}.space", f"space '{space}' is not listed in confluence.spaces")
        if any(p.space == space and p.title.lower() == title.lower() for p in ds.pages):
            raise ck.fail(f"{where}.title", f"duplicate title '{title}' in space '{space}'")
        parent = ck.text(pg.get("parent"), f"{where}.parent", optional=True)
        if parent is not None and (space, parent.lower()) not in titles:
            raise ck.fail(f"{where}.parent", f"no page titled '{parent}' in space '{space}'")
        body = pg.get("body", "")
        if not isinstance(body, str):
            raise ck.fail(f"{where}.body", "expected storage-format XHTML text")
        try:
            body = normalise_storage(body)
        except StorageError as exc:
            raise ck.fail(f"{where}.body", str(exc)) from exc
        ds.pages.append(PageSeed(space, title, parent, body))
