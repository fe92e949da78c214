"""The issues a compiled JQL query can match, from the indexes (jira_index.py).

Each ``=``/``IN`` clause on a key, parent, Epic Link, project or issue type looks its issues
up; an AND keeps the fewest any part names, an OR joins what every part names. What the
indexes cannot answer is left as a check per issue, so a search reads only the candidates and
gets the same answer a scan of every issue would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .jira_index import Grouped, Issues, Span
from .records import IssueRecord

if TYPE_CHECKING:
    from .jira_model import JiraState

Predicate = Callable[[IssueRecord], bool]
# The issues a clause matches, from the indexes, or None: look at every issue.
Keys = Issues | Span | Grouped | None


@dataclass
class Found:
    """A compiled node: its predicate, the keys it can match where the indexes know them, and
    what each of those keys must still pass (None: every one of them matches)."""

    where: Predicate
    keys: Keys = None
    rest: Predicate | None = None


def listed(keys: Issues | Span | Grouped) -> Issues:
    return keys if isinstance(keys, Issues) else keys.issues()


def all_of(found: list[Found], where: Predicate, everyone: int) -> Found:
    """An AND: the fewest issues any part names (each `updated` range narrowing the others),
    kept where every other indexed part names them too (a part naming all ``everyone``
    issues, such as the only project, needs no look-up); the rest is checked per issue."""
    span: Span | None = None
    tables: list[Issues | Grouped] = []
    checks: list[Predicate] = []
    for f in found:
        if f.keys is None:
            checks.append(f.where)
        elif isinstance(f.keys, Span):
            span = f.keys if span is None else span & f.keys
        else:
            tables.append(f.keys)
        if f.keys is not None and f.rest is not None:
            checks.append(f.rest)
    if span is None and not tables:
        return Found(where)
    tables = [t for i, t in enumerate(sorted(tables, key=len)) if i == 0 or len(t) < everyone]
    if span is not None:
        if not tables or len(span) < len(tables[0]):
            # The range is read once, keeping what the next fewest part holds when that is one
            # table (an issue type): no issue of the range is read itself.
            among = _one_table(tables[0]) if tables else None
            if among is not None:
                tables.pop(0)
            tables.insert(0, span.issues(among))
        else:  # listing the range would cost more than checking it on the fewer issues
            checks += [f.where for f in found if isinstance(f.keys, Span)]
    # Only the fewest are listed; the others are asked about those alone.
    keys = listed(tables[0])
    for other in tables[1:]:
        if isinstance(other, Grouped):
            keys = other.keep(keys)
        else:
            # A comprehension, not a list of pairs: surviving pairs make the GC walk every issue.
            keys = Issues({k: r for k, r in keys.items() if k in other}, in_order=keys.in_order)
    return Found(where, keys, _every(checks))


def _one_table(keys: Issues | Grouped) -> Issues | None:
    return keys if isinstance(keys, Issues) else keys.lone()


def any_of(found: list[Found], where: Predicate) -> Found:
    """An OR: every issue any part names, when each part has them from an index."""
    keys = Issues(in_order=False)
    for f in found:
        if f.keys is None:
            return Found(where)
        keys.update(listed(f.keys))
    exact = all(f.rest is None for f in found)
    return Found(where, keys, None if exact else where)


def _every(checks: list[Predicate]) -> Predicate | None:
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda r: all(c(r) for c in checks)


def lookup(state: JiraState, kind: str, wanted: list[Any]) -> Keys:
    """The keys an `=`/`IN` clause matches, from the indexes; None where none applies."""
    index = state.index
    if kind == "key":
        named = [state.find(str(w)) for w in wanted]
        return Issues({r.key: r for r in named if r is not None}, in_order=False)
    if kind in ("parent", "epiclink"):
        # On Data Center an epic's children name it by Epic Link, not by `parent`.
        by_epic_link = kind == "epiclink"
        return index.grouped("parent", (w for w in wanted if _links_epic(state, w) == by_epic_link))
    if kind == "project":
        return index.grouped("project", wanted)
    if kind == "issuetype":
        return index.grouped("type", wanted)
    return None


def _links_epic(state: JiraState, parent: str) -> bool:
    """Whether children point at ``parent`` by Epic Link (``JiraState.epic_of``)."""
    if state.epic_link is None:
        return False
    rec = state.find(parent)
    return rec is not None and rec.type.lower() == "epic"
