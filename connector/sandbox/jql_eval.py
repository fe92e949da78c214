"""Compile a parsed JQL query against the sandbox's Jira state into a filter and a sort.

Semantics follow Jira: ``!=`` and ``NOT IN`` never match an empty field (``labels != x`` leaves
out issues without labels); values of projects, statuses, issue types, priorities and issue keys
must exist, else the query is refused; text fields take only ``~`` (contains, case-insensitive
here) and ``IS [NOT] EMPTY``. Name comparisons are case-insensitive. Without ORDER BY, issues come
in key order, numeric-aware (PAY-2 before PAY-10), then by project key. Which issues need checking
at all comes from the indexes (jql_candidates.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .dataset import KEY_RE, IssueRecord
from .jira_fields import OPERATORS, UNSORTABLE, FieldSpec
from .jira_index import Issues, Span, epoch_ms, key_order
from .jql_candidates import Found, Keys, Predicate, all_of, any_of, listed, lookup
from .jql_parse import BoolOp, Clause, Empty, Function, JqlError, Node, Not, Value, parse

if TYPE_CHECKING:
    from .jira_model import JiraState

__all__ = ["CompiledQuery", "compile_query", "epoch_ms", "key_order"]

_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
_PERIOD = re.compile(r"^([-+]?)((?:\d+[wdhm]\s*)+)$")
_UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
_CATEGORY_NAMES = {
    "new": ("to do", "2"),
    "indeterminate": ("in progress", "4"),
    "done": ("done", "3"),
}


@dataclass
class CompiledQuery:
    where: Predicate | None
    sorts: list[tuple[Callable[[IssueRecord], Any], bool]]
    relative: bool = False  # uses a period such as -1d, so its answer changes with the clock
    # From the indexes (jql_candidates.py): every issue the query matches is among these, and
    # those that pass ``check`` (None: all of them) match.
    candidates: Issues | None = None
    check: Predicate | None = None

    @property
    def bounded(self) -> bool:
        return self.where is not None

    def matches(self, rec: IssueRecord) -> bool:
        return self.where is None or self.where(rec)

    def sort(self, issues: list[IssueRecord]) -> list[IssueRecord]:
        return self.order_by(sorted(issues, key=lambda r: key_order(r.key)))

    def order_by(self, in_key_order: list[IssueRecord]) -> list[IssueRecord]:
        """Issues already in key order, in the query's ORDER BY (key order breaks ties)."""
        out = in_key_order
        for value, descending in reversed(self.sorts):
            # Empty values sort last ascending and first descending, as in Jira.
            out.sort(key=_nulls_last(value), reverse=descending)
        return out


def _nulls_last(value: Callable[[IssueRecord], Any]) -> Callable[[IssueRecord], Any]:
    def key(rec: IssueRecord) -> tuple[bool, Any]:
        v = value(rec)
        return (v is None, 0 if v is None else v)

    return key


def compile_query(text: str, state: JiraState) -> CompiledQuery:
    """The query, ready to run against ``state`` (whose lock the caller holds: it reads the
    issues and the indexes)."""
    query = parse(text)
    compiler = _Compiler(state)
    found = compiler.node(query.where) if query.where is not None else None
    sorts = []
    for sk in query.order:
        spec = _resolve(state, sk.field)
        if spec.kind in UNSORTABLE:
            raise JqlError(f"Field '{sk.field}' does not support sorting.")
        sorts.append((spec, _sort_value(state, spec), sk.descending))
    # The issues start in key order, so a last `ORDER BY key ASC` has nothing left to do.
    while sorts and sorts[-1][0].kind == "key" and not sorts[-1][2]:
        sorts.pop()
    compiled = CompiledQuery(None, [(value, desc) for _, value, desc in sorts], compiler.relative)
    if found is not None:
        compiled.where = found.where
        if found.keys is not None:
            compiled.candidates = listed(found.keys)
            compiled.check = found.rest
    return compiled


def _flat(node: BoolOp) -> list[Node]:
    """The items of an AND or OR, with those of nested ANDs or ORs of the same kind inlined
    (`(A AND B) AND C` is `A AND B AND C`), so a narrow clause narrows the whole."""
    items: list[Node] = []
    for item in node.items:
        same = isinstance(item, BoolOp) and item.op == node.op
        items += _flat(item) if isinstance(item, BoolOp) and same else [item]
    return items


def _resolve(state: JiraState, name: str) -> FieldSpec:
    spec = state.registry.resolve(name)
    if spec is None:
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return spec


def _values(state: JiraState, spec: FieldSpec) -> Callable[[IssueRecord], list[Any]]:
    """The comparable values a field holds for an issue; [] means EMPTY."""
    kind, fid = spec.kind, spec.id

    def one(value: Any) -> list[Any]:
        return [] if value is None else [value]

    getters: dict[str, Callable[[IssueRecord], list[Any]]] = {
        "key": lambda r: [r.key],
        "parent": lambda r: one(state.parent_of(r)),
        "epiclink": lambda r: one(state.epic_of(r)),
        "project": lambda r: [r.project.lower()],
        "status": lambda r: [r.status.lower()],
        "category": lambda r: [state.status(r.status).category],
        "issuetype": lambda r: [r.type.lower()],
        "priority": lambda r: one(r.priority and r.priority.lower()),
        "labels": lambda r: [label.lower() for label in r.labels],
        "components": lambda r: [name.lower() for name in r.components],
        "user": lambda r: one(r.assignee and r.assignee.lower()),
        "date": lambda r: [epoch_ms(r.created if fid == "created" else r.updated)],
        "text": lambda r: [r.summary.lower()],
        "number": lambda r: one(r.fields.get(fid)),
        "string": lambda r: one(r.fields.get(fid) and str(r.fields[fid]).lower()),
        "option": lambda r: one(r.fields.get(fid) and str(r.fields[fid]).lower()),
        "array": lambda r: [str(v).lower() for v in r.fields.get(fid) or []],
    }
    return getters[kind]


def _sort_value(state: JiraState, spec: FieldSpec) -> Callable[[IssueRecord], Any]:
    if spec.kind in ("key", "parent"):
        return lambda r: (
            key_order(r.key) if spec.kind == "key" else (key_order(r.parent) if r.parent else None)
        )
    if spec.kind == "status":
        names = [s.name for s in state.statuses]
        return lambda r: names.index(r.status)
    if spec.kind == "priority":
        return lambda r: (
            state.priorities.rank(state.priorities.find(r.priority) or "") if r.priority else None
        )
    values = _values(state, spec)
    return lambda r: (values(r) or [None])[0]


class _Compiler:
    def __init__(self, state: JiraState) -> None:
        self.state = state
        self.relative = False
        self.looked_up: Keys = None  # what the last clause's index look-up found

    def node(self, node: Node) -> Found:
        if isinstance(node, BoolOp):
            found = [self.node(item) for item in _flat(node)]
            parts = [f.where for f in found]
            if node.op == "and":
                return all_of(found, lambda r: all(p(r) for p in parts), self.state.count)
            return any_of(found, lambda r: any(p(r) for p in parts))
        if isinstance(node, Not):
            inner = self.node(node.item).where
            return Found(lambda r: not inner(r))
        predicate = self.clause(node)
        return Found(predicate, self.looked_up)

    def clause(self, clause: Clause) -> Predicate:
        self.looked_up = None
        spec = _resolve(self.state, clause.field)
        op, operand = clause.op, clause.operand
        if op not in OPERATORS[spec.kind]:
            raise JqlError(
                f"The operator '{op.upper()}' is not supported by the '{clause.field}' field."
            )
        values = _values(self.state, spec)
        if op in ("is", "is not") and not isinstance(operand, Empty):
            raise JqlError(
                f"The operator '{op.upper()}' only supports the value 'EMPTY' for "
                f"the field '{clause.field}'."
            )
        if isinstance(operand, Empty):
            if op in ("=", "is"):
                return lambda r: not values(r)
            if op in ("!=", "is not"):
                return lambda r: bool(values(r))
            raise JqlError(
                f"The operator '{op}' does not support the value EMPTY for the field "
                f"'{clause.field}'."
            )
        items = operand if isinstance(operand, tuple) else (operand,)
        wants_empty = any(isinstance(i, Empty) for i in items)
        wanted = self.issue_keys(spec, items, op)
        if wanted is None:
            wanted = [
                self.value(spec, clause.field, i, op) for i in items if not isinstance(i, Empty)
            ]
        if op in ("=", "in", "!=", "not in"):
            # A set makes `parent in (500 keys)` cheap over a large dataset.
            pool = set(wanted) if all(isinstance(w, str | int | float) for w in wanted) else wanted
            if op in ("=", "in"):
                if not wants_empty:
                    self.looked_up = lookup(self.state, spec.kind, wanted)
                return lambda r: (
                    any(v in pool for v in values(r)) or (wants_empty and not values(r))
                )
            return lambda r: bool(values(r)) and all(v not in pool for v in values(r))
        if op in ("~", "!~"):
            needle = str(wanted[0])
            hit: Predicate = lambda r: any(needle in str(v) for v in values(r))  # noqa: E731
            return hit if op == "~" else (lambda r: bool(values(r)) and not hit(r))
        if spec.id == "updated":
            self.looked_up = Span.of(self.state.index.updated, op, wanted[0])
        return self.range(spec, op, values, wanted[0])

    def issue_keys(self, spec: FieldSpec, items: tuple[Any, ...], op: str) -> list[Any] | None:
        """``value`` of each item naming an issue by key or id (a sync names 500 at once), in
        one pass; None where one is not a plain issue's name (``value`` then says why)."""
        if spec.kind not in ("key", "parent", "epiclink") or op not in ("=", "in", "!=", "not in"):
            return None
        find = self.state.find
        named = [find(i.text) if type(i) is Value else None for i in items]
        keys = [rec.key for rec in named if rec is not None]
        return keys if len(keys) == len(named) else None

    def range(
        self, spec: FieldSpec, op: str, values: Callable[[IssueRecord], list[Any]], bound: Any
    ) -> Predicate:
        compare: dict[str, Callable[[Any, Any], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        cmp = compare[op]
        if spec.kind == "key":
            project, number = key_order(bound)
            return lambda r: r.project == project and cmp(r.number, number)
        if spec.kind == "priority":
            ranks = self.state.priorities
            # Jira's "greater" priority is the more urgent one, which comes first in the list.
            return lambda r: any(
                cmp(-ranks.rank(ranks.find(v) or ""), -ranks.rank(bound)) for v in values(r)
            )
        return lambda r: any(cmp(v, bound) for v in values(r))

    def value(self, spec: FieldSpec, field: str, item: Value | Function, op: str) -> Any:
        if isinstance(item, Function):
            raise JqlError(
                f"Unable to find JQL function '{item.name}({', '.join(item.args)})'"
                " (the sandbox supports no JQL functions)."
            )
        text, kind, st = item.text, spec.kind, self.state
        missing = JqlError(f"The value '{text}' does not exist for the field '{field}'.")
        if kind in ("key", "parent", "epiclink"):
            if kind == "key" and op in ("<", "<=", ">", ">="):
                if not KEY_RE.match(text.upper()):
                    raise JqlError(f"The issue key '{text}' for field '{field}' is invalid.")
                return text.upper()
            rec = st.find(text)
            if rec is None:
                raise JqlError(f"An issue with key '{text}' does not exist for field '{field}'.")
            return rec.key
        if kind == "project":
            project = st.find_project(text)
            if project is None:
                raise missing
            return project.key.lower()
        if kind == "status":
            status = st.find_status(text)
            if status is None:
                raise missing
            return status.name.lower()
        if kind == "category":
            for key, aliases in _CATEGORY_NAMES.items():
                if text.lower() == key or text.lower() in aliases:
                    return key
            raise missing
        if kind in ("issuetype", "priority"):
            found = (st.types if kind == "issuetype" else st.priorities).find(text)
            if found is None:
                raise missing
            return found if kind == "priority" and op in ("<", "<=", ">", ">=") else found.lower()
        if kind == "date":
            self.relative = self.relative or bool(_PERIOD.match(text.strip()))
            return _date_ms(text, field)
        if kind == "number":
            try:
                return float(text)
            except ValueError:
                raise JqlError(
                    f"The value '{text}' for field '{field}' is not a valid number."
                ) from None
        return text.lower()


def _date_ms(text: str, field: str) -> int:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    period = _PERIOD.match(text.strip())
    if period:
        span = sum(
            (int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([wdhm])", period.group(2))),
            timedelta(),
        )
        now = datetime.now(UTC)
        return epoch_ms(now - span if period.group(1) == "-" else now + span)
    for fmt in _DATE_FORMATS:
        try:
            return epoch_ms(datetime.strptime(text, fmt).replace(tzinfo=UTC))
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{text}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a "
        "period format e.g. '-5d', '4w 2d'."
    )
