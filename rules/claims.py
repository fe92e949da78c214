"""Which OKRs an epic claims to serve, and whether each claim counts.

A claim is *valid* when it names a known objective or key result whose objective is not retired and
whose cycle contains the evaluation date. Invalid claims are still recorded (and raise findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rules.model import Catalogue, Claim, ClaimSource, Cycle, Epic, Objective
from rules.policy import Policy
from rules.validation import closest


def extract_claims(epic: Epic, policy: Policy) -> tuple[Claim, ...]:
    """Claims from `okr:` labels (and the claim field when enabled), one per OKR id, first wins."""
    found: dict[str, Claim] = {}
    for okr_id in (claimed_id(label, policy.label_prefix) for label in epic.labels):
        if okr_id and okr_id not in found:
            found[okr_id] = Claim(epic.key, okr_id, ClaimSource.LABEL)
    if policy.use_field:
        for value in epic.claim_field:
            # A field value may be written with or without the label prefix.
            okr_id = claimed_id(value, policy.label_prefix) or value.strip().upper()
            if okr_id and okr_id not in found:
                found[okr_id] = Claim(epic.key, okr_id, ClaimSource.FIELD)
    return tuple(found.values())


def claimed_id(label: str, prefix: str) -> str | None:
    """'OKR:p1.kr2' -> 'P1.KR2' for prefix 'okr:'; None when the label is no claim."""
    if not label.lower().startswith(prefix.lower()):
        return None
    okr_id = label[len(prefix) :].strip().upper()
    return okr_id or None  # a bare "okr:" claims nothing


def source_label(epic: Epic, okr_id: str, prefix: str) -> str:
    """The label as the team wrote it, to name it in a hint; the normalised form if not found."""
    written = (label for label in epic.labels if claimed_id(label, prefix) == okr_id)
    return next(written, f"{prefix}{okr_id}")


class Verdict(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # no such objective or key result
    RETIRED = "retired"  # its objective is retired
    ENDED = "ended"  # its cycle ended before the evaluation date
    NOT_BEGUN = "not begun"  # its cycle starts after the evaluation date


@dataclass(frozen=True)
class OkrIndex:
    """The catalogue's claimable ids, looked up case-insensitively."""

    objective_of: dict[str, Objective]  # upper-cased id -> its objective
    spelling: dict[str, str]  # upper-cased id -> id as the catalogue writes it
    cycles: dict[str, Cycle]

    @classmethod
    def of(cls, catalogue: Catalogue) -> OkrIndex:
        spelling: dict[str, str] = {}
        for objective in catalogue.objectives:
            spelling[objective.id.upper()] = objective.id
            for kr in objective.key_results:
                spelling[kr.id.upper()] = kr.id
        cycles = {c.id: c for c in catalogue.cycles}
        return cls(catalogue.okr_ids(), spelling, cycles)

    def verdict(self, okr_id: str, as_of: date) -> Verdict:
        objective = self.objective_of.get(okr_id.upper())
        if objective is None:
            return Verdict.UNKNOWN
        if objective.retired:
            return Verdict.RETIRED
        cycle = self.cycles[objective.cycle_id]
        if as_of > cycle.end:
            return Verdict.ENDED
        if as_of < cycle.start:
            return Verdict.NOT_BEGUN
        return Verdict.VALID

    def cycle_of(self, okr_id: str) -> Cycle:
        return self.cycles[self.objective_of[okr_id.upper()].cycle_id]

    def closest_valid(self, okr_id: str, as_of: date) -> str | None:
        """A valid id close to a mistyped one, as the catalogue spells it, or None."""
        valid = [key for key in self.spelling if self.verdict(key, as_of) is Verdict.VALID]
        close = closest(okr_id.upper(), valid)
        return self.spelling[close] if close else None
