"""Look-up tables over the sandbox's issues, so common JQL need not scan every issue.

A clause the tables answer gets exactly the issues it matches (by parent, Epic Link, key,
project, issue type, and `updated` ranges); the rest of a query is checked on those issues alone,
so an index makes a search faster and never changes its answer (a hypothesis property holds
that). ``JiraState`` keeps the tables current on every write (create, edit, delete, move).

Tables list their issues in Jira's order (by project, then number) and know when they do: new
issues mostly come last, an edit keeps an issue's place, and a table that fell out of order is
sorted again when a search next reads it. So a search's answer is mostly in order already and
need not be sorted.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from .records import IssueRecord


def key_order(key: str) -> tuple[str, int]:
    """Jira's issue order: by project key, then numerically (PAY-2 before PAY-10)."""
    project, _, number = key.rpartition("-")
    return project, int(number) if number.isdigit() else 0


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class Issues(dict[str, IssueRecord]):
    """Issues by key, as an ordered set, and whether they are listed in Jira's order."""

    __slots__ = ("in_order",)

    def __init__(self, *args: Any, in_order: bool = True) -> None:
        super().__init__(*args)
        self.in_order = in_order


class UpdatedIndex:
    """Issues in order of their `updated` time, in epoch ms (how JQL compares dates)."""

    def __init__(self) -> None:
        self.entries: list[tuple[int, str, IssueRecord]] = []  # (ms, key) never repeat

    def add(self, rec: IssueRecord) -> None:
        insort(self.entries, (epoch_ms(rec.updated), rec.key, rec))

    def remove(self, rec: IssueRecord) -> None:
        ms, key = epoch_ms(rec.updated), rec.key
        at = bisect_left(self.entries, (ms, key))
        if at < len(self.entries) and self.entries[at][:2] == (ms, key):
            del self.entries[at]

    def position(self, ms: int | None, default: int) -> int:
        """Where the first entry at or after ``ms`` is (``(ms,)`` sorts before ``(ms, key)``)."""
        return default if ms is None else bisect_left(self.entries, (ms,))


@dataclass(frozen=True)
class Span:
    """The issues updated in ``[low, high)`` (epoch ms; None: unbounded), counted without
    being listed until a search needs them, so `updated >= X` costs nothing when another
    clause of an AND names fewer issues."""

    index: UpdatedIndex
    low: int | None = None
    high: int | None = None

    @staticmethod
    def of(index: UpdatedIndex, op: str, bound: int) -> Span:
        if op in (">", ">="):
            return Span(index, low=bound + (op == ">"))
        return Span(index, high=bound + (op == "<="))

    def __and__(self, other: Span) -> Span:
        lows = [v for v in (self.low, other.low) if v is not None]
        highs = [v for v in (self.high, other.high) if v is not None]
        return Span(self.index, max(lows, default=None), min(highs, default=None))

    def _bounds(self) -> tuple[int, int]:
        start = self.index.position(self.low, 0)
        end = self.index.position(self.high, len(self.index.entries))
        return start, max(start, end)

    def __len__(self) -> int:
        start, end = self._bounds()
        return end - start

    def issues(self, among: Issues | None = None) -> Issues:
        """The issues in the range (only those ``among`` these, when given: one pass)."""
        start, end = self._bounds()
        entries = self.index.entries[start:end]
        if among is not None:
            return Issues({key: rec for _, key, rec in entries if key in among}, in_order=False)
        return Issues({key: rec for _, key, rec in entries}, in_order=False)


class Grouped:
    """The issues under some names of one of the index's tables (the children of 500 epics),
    counted without being listed until a search needs them: `parent in (...) AND updated >= X`
    then reads the few issues updated since, not the 10,000 children."""

    __slots__ = ("_count", "_index", "_name_of", "_names", "_table")

    def __init__(
        self,
        index: IssueIndex,
        table: dict[str, Issues],
        names: Iterable[str],
        name_of: Callable[[IssueRecord], str | None],
    ) -> None:
        self._index, self._table, self._name_of = index, table, name_of
        self._names = [name for name in dict.fromkeys(names) if name in table]
        self._count = sum(len(table[name]) for name in self._names)

    def __len__(self) -> int:
        return self._count

    def issues(self) -> Issues:
        return self._index.union(self._table, self._names)

    def lone(self) -> Issues | None:
        """The one table these are, if they are one (an issue type, an epic's children)."""
        return self._table[self._names[0]] if len(self._names) == 1 else None

    def keep(self, issues: Issues) -> Issues:
        """Those of ``issues`` that are among these, in the same order."""
        names, table, name_of = set(self._names), self._table, self._name_of
        only = self.lone()
        if only is not None:  # its table says, without reading each issue
            kept = {k: r for k, r in issues.items() if k in only}
        else:
            kept = {k: r for k, r in issues.items() if (n := name_of(r)) in names and k in table[n]}
        return Issues(kept, in_order=issues.in_order)


# The name each table files an issue under (`IssueIndex._tables`, `Grouped.keep`).
_parent_name: Callable[[IssueRecord], str | None] = attrgetter("parent")


def _project_name(rec: IssueRecord) -> str:
    return rec.project.lower()


def _type_name(rec: IssueRecord) -> str:
    return rec.type.lower()


class IssueIndex:
    """Issues by raw parent key, by project key and by issue type (both lower case), by
    `updated`; and each key's place in Jira's order."""

    def __init__(self) -> None:
        self.by_parent: dict[str, Issues] = {}
        self.by_project: dict[str, Issues] = {}
        self.by_type: dict[str, Issues] = {}
        self.updated = UpdatedIndex()
        self.order: dict[str, tuple[str, int]] = {}  # key -> key_order(key), for sorting

    def _tables(self, rec: IssueRecord) -> list[tuple[dict[str, Issues], str | None]]:
        return [
            (self.by_parent, _parent_name(rec)),
            (self.by_project, _project_name(rec)),
            (self.by_type, _type_name(rec)),
        ]

    def add(self, rec: IssueRecord) -> None:
        self.order[rec.key] = key_order(rec.key)
        for table, name in self._tables(rec):
            self._put(table, name, rec)
        self.updated.add(rec)

    def load(self, records: Iterable[IssueRecord]) -> None:
        """Add many issues at once (a dataset): one sort rather than an insertion each."""
        for rec in records:
            self.order[rec.key] = key_order(rec.key)
            for table, name in self._tables(rec):
                self._put(table, name, rec)
            self.updated.entries.append((epoch_ms(rec.updated), rec.key, rec))
        self.updated.entries.sort(key=lambda entry: entry[:2])

    def replace(self, old: IssueRecord, new: IssueRecord) -> None:
        """``new`` takes the place of ``old`` (the same key) where their values agree."""
        for (table, was), (_, now) in zip(self._tables(old), self._tables(new), strict=True):
            if was == now and was is not None:
                table[was][new.key] = new  # keeps its place, so the table stays in order
            else:
                _discard(table, was, old.key)
                self._put(table, now, new)
        self.updated.remove(old)
        self.updated.add(new)

    def remove(self, rec: IssueRecord) -> None:
        for table, name in self._tables(rec):
            _discard(table, name, rec.key)
        self.updated.remove(rec)
        self.order.pop(rec.key, None)

    def _put(self, table: dict[str, Issues], name: str | None, rec: IssueRecord) -> None:
        if name is None:
            return
        issues = table.setdefault(name, Issues())
        if issues.in_order and issues and self.order[next(reversed(issues))] > self.order[rec.key]:
            issues.in_order = False
        issues[rec.key] = rec

    def reparent(self, old_parent: str, new_parent: str | None) -> None:
        """The children of ``old_parent`` now point at ``new_parent`` (a move) or at nothing
        (a delete)."""
        children = self.by_parent.pop(old_parent, None)
        if new_parent is not None and children:
            for rec in children.values():
                self._put(self.by_parent, new_parent, rec)

    def children(self, parents: Iterable[str]) -> Issues:
        return self.union(self.by_parent, parents)

    def grouped(self, field: str, names: Iterable[str]) -> Grouped:
        """The issues whose ``field`` (parent, project or type) is one of ``names``, unlisted;
        each table's name for an issue is the one ``_tables`` files it under."""
        if field == "parent":
            return Grouped(self, self.by_parent, names, _parent_name)
        if field == "project":
            return Grouped(self, self.by_project, names, _project_name)
        return Grouped(self, self.by_type, names, _type_name)

    def union(self, table: dict[str, Issues], names: Iterable[str]) -> Issues:
        """The issues under any of ``names``, in order where each name's come in order after
        the last's (the children of epics in key order). One name's own table is returned
        as it is: callers only read it."""
        found = [self._sorted(table[name]) for name in dict.fromkeys(names) if name in table]
        if len(found) == 1:
            return found[0]
        out = Issues()
        for issues in found:
            if out and issues and self.order[next(iter(issues))] < self.order[next(reversed(out))]:
                out.in_order = False
            out.update(issues)
        return out

    def _sorted(self, issues: Issues) -> Issues:
        """The table in Jira's order again, in place, if writes have put it out of order."""
        if not issues.in_order:
            ordered = sorted(issues.items(), key=lambda item: self.order[item[0]])
            issues.clear()
            issues.update(ordered)
            issues.in_order = True
        return issues


def _discard(table: dict[str, Issues], name: str | None, key: str) -> None:
    issues = None if name is None else table.get(name)
    if name is not None and issues is not None:
        issues.pop(key, None)
        if not issues:
            del table[name]
