"""In-memory Jira state: issues, statuses, projects, fields; safe to use from many threads."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .checker import Checker, DatasetError
from .dataset import (
    Dataset,
    IssueContext,
    IssueRecord,
    Project,
    StatusDef,
    jira_now,
    parse_issue,
)
from .jira_fields import FieldRegistry
from .jira_history import History, diff
from .jira_index import IssueIndex
from .jql_eval import CompiledQuery, compile_query
from .jql_parse import JqlError

CATEGORIES = {  # key -> (id, name, colorName), as Jira Cloud names them
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
STANDARD_TYPES = ("Epic", "Story", "Task", "Bug", "Subtask", "Sub-task")
STANDARD_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")


class _Catalogue:
    """Names with stable ids that grows as new names appear (issue types, priorities)."""

    def __init__(self, names: tuple[str, ...], first_id: int) -> None:
        self.ids: dict[str, str] = {}
        self._next = first_id
        for name in names:
            self.add(name)

    def add(self, name: str) -> str:
        for known, ident in self.ids.items():
            if known.lower() == name.lower():
                return ident
        self.ids[name] = str(self._next)
        self._next += 1
        return self.ids[name]

    def find(self, name_or_id: str) -> str | None:
        """The canonical name for a name (any case) or id, or None."""
        for known, ident in self.ids.items():
            if name_or_id.lower() == known.lower() or name_or_id == ident:
                return known
        return None

    def rank(self, name: str) -> int:
        return list(self.ids).index(name)


class JiraState:
    """Issues and their metadata. Public methods lock; HTTP handlers call them concurrently."""

    def __init__(
        self, ds: Dataset, source: str = "<dataset>", lock: threading.RLock | None = None
    ) -> None:
        self.lock = lock or threading.RLock()
        self.deployment = ds.deployment
        self.jql_parse = ds.jql_parse
        self.zone = ZoneInfo(ds.timezone)  # timestamps are rendered in the site's zone
        self.statuses: list[StatusDef] = list(ds.statuses)
        self.projects: list[Project] = list(ds.projects)
        self.registry = FieldRegistry(ds.custom_fields)
        # Data Center links a story to its epic through the Epic Link field, not `parent`.
        self.epic_link = next((f.id for f in ds.custom_fields if f.type == "epiclink"), None)
        self.link_types = list(ds.link_types)
        self._ctx = IssueContext(
            self.statuses, list(ds.custom_fields), self.projects, self.link_types
        )
        self._check = Checker(source)
        self.types = _Catalogue(STANDARD_TYPES, 10000)
        self.priorities = _Catalogue(STANDARD_PRIORITIES, 1)
        self._issues: dict[str, IssueRecord] = {}
        self._by_id: dict[int, IssueRecord] = {}  # `parent in (ids)` looks up many ids at once
        self.index = IssueIndex()  # parent, project and type look-ups for JQL (jira_index.py)
        self._revision = 0  # bumped by every change; search results are cached per revision
        self._results: dict[str, tuple[int, bool, list[IssueRecord]]] = {}
        # Encoded JSON pieces many answers share (jira_json.py), valid for one data version.
        self._fragments: dict[tuple[str, str], dict[str | None, str]] = {}
        self._fragments_version = -1
        # Each project's last issue number, as Jira keeps it: never lowered by a delete or a move
        # out, so a key is never handed out twice.
        self._counters: dict[str, int] = {}
        # Changelogs (jira_history.py): issue id -> its histories, oldest first.
        self.histories: dict[int, list[History]] = {}
        self.groups: dict[str, list[str]] = {}  # group name -> members' display names
        self.actor = ds.credentials[0].name if ds.credentials else "Sandbox"  # default author
        self.changelog_status: int | None = None  # e.g. 403: the history cannot be read
        self.changelog_reads: list[str] = []  # keys whose changelog was served, for tests
        self.changelog_bulk = True  # False: a site without `changelog/bulkfetch` (404)
        for rec in ds.issues:
            self._store(rec, indexed=False)
        self.index.load(self._issues.values())

    # -- lookups (callers hold the lock or accept a snapshot) --------------------------------
    def status(self, name: str) -> StatusDef:
        return next(s for s in self.statuses if s.name == name)

    def find_status(self, name_or_id: str) -> StatusDef | None:
        return next(
            (
                s
                for s in self.statuses
                if s.name.lower() == name_or_id.lower() or s.id == name_or_id
            ),
            None,
        )

    def project(self, key: str) -> Project:
        return next(p for p in self.projects if p.key == key)

    def find_project(self, text: str) -> Project | None:
        low = text.lower()
        return next(
            (p for p in self.projects if low in (p.key.lower(), p.name.lower()) or p.id == text),
            None,
        )

    def get(self, key_or_id: str) -> IssueRecord | None:
        with self.lock:
            return self.find(key_or_id)

    def find(self, key_or_id: str) -> IssueRecord | None:
        """``get`` for callers that hold the lock (the JQL compiler: 500 ids a query)."""
        if key_or_id.isdigit():  # an id: a key always holds a dash, so none is looked up
            return self._by_id.get(int(key_or_id))
        return self._issues.get(key_or_id.upper())

    def epic_of(self, rec: IssueRecord) -> str | None:
        """The Epic Link value (Data Center): the parent's key when the parent is an epic."""
        if self.epic_link is None or rec.parent is None:
            return None
        parent = self._issues.get(rec.parent)
        return rec.parent if parent is not None and parent.type.lower() == "epic" else None

    def parent_of(self, rec: IssueRecord) -> str | None:
        """The `parent` field: on Data Center only sub-tasks have one; epics link by Epic Link."""
        return None if self.epic_of(rec) is not None else rec.parent

    def fragments(self) -> dict[tuple[str, str], dict[str | None, str]]:
        """The encoded pieces of this data version, by (API root, field id), then by the
        value they render (callers hold the lock)."""
        if self._fragments_version != self._revision:
            self._fragments = {}
            self._fragments_version = self._revision
        return self._fragments

    @property
    def count(self) -> int:
        """How many issues there are."""
        return len(self._issues)

    def all_issues(self) -> list[IssueRecord]:
        with self.lock:
            return list(self._issues.values())

    def search(self, jql: str, *, require_bounded: bool = False) -> list[IssueRecord]:
        """Issues matching ``jql`` in its order (key ascending, numeric-aware, by default).

        ``require_bounded`` refuses a query with no search restriction, as Cloud's
        enhanced search does."""
        return list(self.search_answer(jql, require_bounded=require_bounded)[0])

    def search_answer(
        self, jql: str, *, require_bounded: bool = False
    ) -> tuple[list[IssueRecord], bool]:
        """``search``, and whether the answer holds until the data changes (False when the
        query depends on the clock, such as ``updated >= -1d``)."""
        with self.lock:
            cached = self._results.get(jql)
            steady = True
            if cached is not None and cached[0] == self._revision:
                _, bounded, hits = cached
            else:
                query = compile_query(jql, self)
                bounded, steady = query.bounded, not query.relative
                hits = query.order_by(self._matching(query))
                # Paging re-runs the same query once per page: keep the last few answers
                # until the next change (not those that depend on the clock).
                self._results.pop(jql, None)
                if steady:
                    self._results[jql] = (self._revision, bounded, hits)
                while len(self._results) > 16:
                    self._results.pop(next(iter(self._results)))
            if require_bounded and not bounded:
                raise JqlError(UNBOUNDED)
            return hits, steady

    def _matching(self, query: CompiledQuery) -> list[IssueRecord]:
        """The issues ``query`` matches, in key order: from its candidates where the indexes
        named them, else from every issue."""
        order = self.index.order
        if query.candidates is None:
            found = [r for r in self._issues.values() if query.matches(r)]
            found.sort(key=lambda r: order[r.key])
            return found
        named = query.candidates
        if named.in_order:
            found = list(named.values())
        else:
            found = list(map(named.__getitem__, sorted(named, key=order.__getitem__)))
        check = query.check
        return found if check is None else [r for r in found if check(r)]

    @property
    def version(self) -> int:
        """The data version: bumped by every write, so cached answers know when they are stale."""
        return self._revision

    # -- mutation ------------------------------------------------------------------------------
    def _store(self, rec: IssueRecord, *, indexed: bool = True) -> None:
        """Keep ``rec`` (new or replacing its key's issue); ``indexed=False`` leaves the
        indexes to a later ``index.load`` (a whole dataset at once)."""
        self._revision += 1
        self.types.add(rec.type)
        if rec.priority:
            self.priorities.add(rec.priority)
        old = self._issues.get(rec.key)
        if indexed and old is not None:
            self.index.replace(old, rec)  # in its place: the index's tables stay in key order
        elif indexed:
            self.index.add(rec)
        self._issues[rec.key] = rec
        self._by_id[rec.id] = rec
        self._counters[rec.project] = max(self._counters.get(rec.project, 0), rec.number)

    def _next_key(self, project: str) -> str:
        return f"{project}-{self._counters.get(project, 0) + 1}"

    def add_issue(self, issue: Mapping[str, Any]) -> str:
        """Add an issue given in the dataset's shape; return its key. Without a `key` but with a
        `project`, the issue is created as Jira creates one: the project's next number."""
        with self.lock:
            if "key" not in issue and "project" in issue:
                target = self.find_project(str(issue["project"]))
                if target is None:
                    raise self._check.fail("issue.project", f"no project {issue['project']!r}")
                issue = {k: v for k, v in issue.items() if k != "project"}
                issue["key"] = self._next_key(target.key)
            rec = parse_issue(self._check, issue, "issue", self._ctx, set(self._issues))
            if rec.key in self._issues:
                raise self._check.fail("issue.key", f"duplicate key '{rec.key}'")
            if rec.id and rec.id in self._by_id:
                raise self._check.fail("issue.id", f"duplicate id {rec.id}")
            if not rec.id:
                rec.id = max(self._by_id, default=9999) + 1
            self._store(rec)
            return rec.key

    def update_issue(self, key: str, *, by: str | None = None, **changes: Any) -> None:
        """Change fields of an issue (dataset names); ``updated`` moves to now unless given.
        The change goes into the issue's changelog, made by ``by`` (default: the first user)."""
        with self.lock:
            current = self._require(key)
            merged = current.as_dict()
            if "fields" in changes:
                merged["fields"] = {**merged["fields"], **(changes.pop("fields") or {})}
            merged.update(changes)
            if "updated" not in changes:
                merged["updated"] = jira_now()
            if merged.get("key") != current.key or merged.get("id") != current.id:
                raise DatasetError(f"issue {key}: key and id cannot change")
            known = set(self._issues)
            rec = parse_issue(self._check, merged, f"issue {key}", self._ctx, known)
            items = diff(current, rec, self)
            if items:
                histories = self.histories.setdefault(rec.id, [])
                number = 10000 + sum(len(h) for h in self.histories.values())
                histories.append(History(number, by or self.actor, rec.updated, items))
            self._store(rec)

    def delete_issue(self, key: str) -> None:
        """Delete an issue; its children lose their parent, as in Jira Cloud."""
        with self.lock:
            rec = self._require(key)
            del self._issues[rec.key]
            self._by_id.pop(rec.id, None)
            self._revision += 1
            self.index.remove(rec)
            for child_key in self.index.children([rec.key]):
                self._issues[child_key].parent = None
            self.index.reparent(rec.key, None)

    def move_issue(self, key: str, project: str) -> str:
        """Move an issue to another project, as Jira does: a new key, the same id."""
        with self.lock:
            rec = self._require(key)
            target = self.find_project(project)
            if target is None:
                raise KeyError(f"no project {project!r} in the sandbox")
            new_key = self._next_key(target.key)  # from the target's counter, as Jira does
            del self._issues[rec.key]
            self.index.remove(rec)
            for child_key in self.index.children([rec.key]):
                self._issues[child_key].parent = new_key
            self.index.reparent(rec.key, new_key)
            rec.key = new_key
            rec.updated = jira_now()
            self._store(rec)
            return new_key

    def _require(self, key: str) -> IssueRecord:
        rec = self._issues.get(key)
        if rec is None:
            raise KeyError(f"no issue {key!r} in the sandbox")
        return rec
