"""Look-up tables over the sandbox's issues, so common JQL need not scan every issue.

The tables give candidates: a superset of the issues a clause can match. The query's full
predicate still decides, so an index can only make a search faster, never change its answer.
``JiraState`` keeps them current on every write (create, edit, delete, move).
"""

from __future__ import annotations

from collections.abc import Iterable

from .records import IssueRecord


class IssueIndex:
    """Issue keys by raw parent key, by project key and by issue type (both lower case)."""

    def __init__(self) -> None:
        self.by_parent: dict[str, set[str]] = {}
        self.by_project: dict[str, set[str]] = {}
        self.by_type: dict[str, set[str]] = {}

    def add(self, rec: IssueRecord) -> None:
        if rec.parent is not None:
            self.by_parent.setdefault(rec.parent, set()).add(rec.key)
        self.by_project.setdefault(rec.project.lower(), set()).add(rec.key)
        self.by_type.setdefault(rec.type.lower(), set()).add(rec.key)

    def remove(self, rec: IssueRecord) -> None:
        if rec.parent is not None:
            _discard(self.by_parent, rec.parent, rec.key)
        _discard(self.by_project, rec.project.lower(), rec.key)
        _discard(self.by_type, rec.type.lower(), rec.key)

    def reparent(self, old_parent: str, new_parent: str | None) -> None:
        """The children of ``old_parent`` now point at ``new_parent`` (a move) or at nothing
        (a delete)."""
        children = self.by_parent.pop(old_parent, set())
        if new_parent is not None and children:
            self.by_parent.setdefault(new_parent, set()).update(children)

    def children(self, parents: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for parent in parents:
            out |= self.by_parent.get(parent, set())
        return out

    @staticmethod
    def union(table: dict[str, set[str]], names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            out |= table.get(name, set())
        return out


def _discard(table: dict[str, set[str]], name: str, key: str) -> None:
    keys = table.get(name)
    if keys is not None:
        keys.discard(key)
        if not keys:
            del table[name]
