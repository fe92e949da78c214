"""A key result's current value at the evaluation date, from its check-ins.

Check-ins come from the catalogue (`checkins:`), from `outcomes checkin` (kept in the store) and
from the sync (a Jira numeric field, a JQL count: one check-in per key result and day). The rule:

- only check-ins on or before the evaluation date count (so `--as-of` reproduces the past);
- the latest of them becomes `current` (and its confidence the key result's confidence) when it is
  newer than the catalogue's own `current`, which is dated by `current_on` or, without it, by the
  start of the objective's cycle. So a check-in always wins over an undated catalogue value; set
  `current_on` in the catalogue to make a hand-edited value win over older check-ins;
- an undated catalogue `current` is not history: it counts only from the first report day that
  saw it (the store's history, passed in as `first_seen`; a value no report has seen yet is seen
  by this evaluation), and a dated one only from its `current_on`. Before that the key result
  has only its check-ins, so a trend chart does not start at today's value.

A boolean key result takes a check-in of 1 (or more) as done and 0 as not done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from rules.model import Catalogue, CheckIn, KeyResult, KrKind


def measured(
    catalogue: Catalogue,
    checkins: Mapping[str, Sequence[CheckIn]],
    as_of: date,
    first_seen: Mapping[str, date] | None = None,
) -> Catalogue:
    """The catalogue with every key result's current value as of `as_of`; `first_seen`: upper-cased
    key result id -> the first report day that saw its undated `current`."""
    extra = {kr_id.upper(): list(found) for kr_id, found in checkins.items()}
    cycles = {c.id: c for c in catalogue.cycles}
    seen = first_seen or {}
    objectives = tuple(
        replace(
            o,
            key_results=tuple(
                measure(
                    kr,
                    extra.get(kr.id.upper(), ()),
                    as_of,
                    cycles[o.cycle_id].start,
                    seen.get(kr.id.upper()),
                )
                for kr in o.key_results
            ),
        )
        for o in catalogue.objectives
    )
    return replace(catalogue, objectives=objectives)


def measure(
    kr: KeyResult,
    extra: Sequence[CheckIn],
    as_of: date,
    cycle_start: date,
    seen_on: date | None = None,
) -> KeyResult:
    """One key result with all its check-ins up to `as_of` (oldest first) and its current value;
    `seen_on`: when an undated `current` was first seen (None: by this evaluation)."""
    history = tuple(sorted((c for c in (*kr.checkins, *extra) if c.on <= as_of), key=_when))
    latest = history[-1] if history else None
    known_from = kr.current_on or seen_on
    if kr.current is not None and known_from is not None and known_from > as_of:
        kr = replace(kr, current=None, current_on=None)  # not known yet on that day
    base_on = kr.current_on or cycle_start
    newer = latest is not None and (latest.on > base_on or _unmeasured(kr))
    if latest is None or not newer:
        return replace(kr, checkins=history)
    confidence = latest.confidence if latest.confidence is not None else kr.confidence
    if kr.kind is KrKind.BOOLEAN:
        return replace(kr, checkins=history, done=latest.value >= 1, confidence=confidence)
    return replace(kr, checkins=history, current=latest.value, confidence=confidence)


def last_checkin(kr: KeyResult) -> CheckIn | None:
    """The latest check-in of a measured key result (see `measure`)."""
    return kr.checkins[-1] if kr.checkins else None


def _unmeasured(kr: KeyResult) -> bool:
    return kr.kind is KrKind.METRIC and kr.current is None


def _when(checkin: CheckIn) -> date:
    return checkin.on  # sorted() is stable: same-day check-ins keep their order
