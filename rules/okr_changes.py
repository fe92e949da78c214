"""How the OKRs themselves changed: the catalogue each evaluation day read, compared day by day.

`catalogue_record` turns a catalogue into plain, JSON-ready data (what the store keeps per day);
`okr_changes` compares consecutive recorded days and says what changed on the later one: a key
result or objective added, removed or retired, a start or target moved (from → to), an objective's
`supports` changed, a title, owner, unit or weight edited. The first recorded day is the baseline:
nothing is known before it, so it shows no changes. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Any

from rules.model import Catalogue, KeyResult, Objective

Record = dict[str, Any]

_KR_FIELDS = ("start", "target", "title", "owner", "unit", "weight")
_OBJECTIVE_FIELDS = ("title", "owner", "cycle")


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"  # no longer in the catalogue
    RETIRED = "retired"
    RETURNED = "returned"  # retired no more
    MOVED = "moved"  # a start or target
    EDITED = "edited"  # a title, owner, unit, weight or cycle
    SUPPORTS = "supports"  # a team objective's supports list


@dataclass(frozen=True)
class OkrChange:
    day: date  # the first evaluation day that saw the change
    objective_id: str  # the objective it belongs to
    subject: str  # the objective's or the key result's id
    kind: ChangeKind
    field: str | None = None
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        """One line: 'target moved 10 → 12', 'key result added', 'supports P1.KR1 → P1.KR2'."""
        what = "objective" if self.subject == self.objective_id else "key result"
        if self.kind is ChangeKind.MOVED or self.kind is ChangeKind.EDITED:
            verb = "moved" if self.kind is ChangeKind.MOVED else "changed"
            return f"{self.field} {verb} {_show(self.before)} → {_show(self.after)}"
        if self.kind is ChangeKind.SUPPORTS:
            return f"supports changed {_show(self.before)} → {_show(self.after)}"
        if self.kind is ChangeKind.REMOVED:
            return f"{what} removed from the catalogue"
        if self.kind is ChangeKind.RETURNED:
            return f"{what} no longer retired"
        return f"{what} {self.kind.value}"


def catalogue_record(catalogue: Catalogue) -> Record:
    """The OKRs as plain data, in catalogue order (what is compared from day to day)."""
    return {"objectives": {o.id: _objective_record(o) for o in catalogue.objectives}}


def _objective_record(o: Objective) -> Record:
    return {
        "title": o.title,
        "owner": o.owner,
        "cycle": o.cycle_id,
        "team": o.team,
        "supports": list(o.supports),
        "retired": o.retired,
        "key_results": {kr.id: _kr_record(kr) for kr in o.key_results},
    }


def _kr_record(kr: KeyResult) -> Record:
    return {
        "title": kr.title,
        "kind": kr.kind.value,
        "start": kr.start,
        "target": kr.target,
        "unit": kr.unit,
        "owner": kr.owner,
        "weight": kr.weight,
    }


def okr_changes(days: Sequence[tuple[date, Mapping[str, Any]]]) -> tuple[OkrChange, ...]:
    """Every change between consecutive recorded days, oldest first."""
    ordered = sorted(days, key=lambda d: d[0])
    found: list[OkrChange] = []
    for (_, before), (day, after) in pairwise(ordered):
        found += _between(day, _objectives(before), _objectives(after))
    return tuple(found)


def about(changes: Iterable[OkrChange], okr_id: str) -> tuple[OkrChange, ...]:
    """The changes to an objective (and its key results) or to one key result, by id."""
    wanted = okr_id.upper()
    return tuple(c for c in changes if wanted in (c.objective_id.upper(), c.subject.upper()))


def _objectives(record: Mapping[str, Any]) -> dict[str, Record]:
    objectives = record.get("objectives")
    return dict(objectives) if isinstance(objectives, Mapping) else {}


def _between(day: date, before: dict[str, Record], after: dict[str, Record]) -> list[OkrChange]:
    changes: list[OkrChange] = []
    for oid, new in after.items():
        old = before.get(oid)
        if old is None:
            changes.append(OkrChange(day, oid, oid, ChangeKind.ADDED))
            changes += [OkrChange(day, oid, kr_id, ChangeKind.ADDED) for kr_id in _krs(new)]
            continue
        changes += _objective_changes(day, oid, old, new)
    changes += [OkrChange(day, oid, oid, ChangeKind.REMOVED) for oid in before if oid not in after]
    return changes


def _objective_changes(day: date, oid: str, old: Record, new: Record) -> list[OkrChange]:
    changes: list[OkrChange] = []
    if bool(old.get("retired")) != bool(new.get("retired")):
        kind = ChangeKind.RETIRED if new.get("retired") else ChangeKind.RETURNED
        changes.append(OkrChange(day, oid, oid, kind))
    for name in _OBJECTIVE_FIELDS:
        if old.get(name) != new.get(name):
            changes.append(
                OkrChange(day, oid, oid, ChangeKind.EDITED, name, old.get(name), new.get(name))
            )
    if list(old.get("supports") or []) != list(new.get("supports") or []):
        changes.append(
            OkrChange(
                day,
                oid,
                oid,
                ChangeKind.SUPPORTS,
                "supports",
                old.get("supports"),
                new.get("supports"),
            )
        )
    old_krs, new_krs = _krs(old), _krs(new)
    for kr_id, kr in new_krs.items():
        was = old_krs.get(kr_id)
        if was is None:
            changes.append(OkrChange(day, oid, kr_id, ChangeKind.ADDED))
            continue
        for name in _KR_FIELDS:
            if was.get(name) != kr.get(name):
                kind = ChangeKind.MOVED if name in ("start", "target") else ChangeKind.EDITED
                changes.append(OkrChange(day, oid, kr_id, kind, name, was.get(name), kr.get(name)))
    changes += [
        OkrChange(day, oid, kr_id, ChangeKind.REMOVED) for kr_id in old_krs if kr_id not in new_krs
    ]
    return changes


def _krs(objective: Record) -> dict[str, Record]:
    krs = objective.get("key_results")
    return dict(krs) if isinstance(krs, Mapping) else {}


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "nothing"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
