"""Which OKRs an epic claims to serve, and whether each claim counts.

Claims come from every source the settings switch on: labels (`okr:P1.KR2`), a custom field, issue
links of a configured type to OKRs kept as Jira issues, the epic's parent when it is an objective or
key-result issue, and an overrides file. Each claim keeps its source; two sources naming different
OKRs both count.

A claim is *valid* when it names a known objective or key result whose objective is not retired and
whose cycle contains the evaluation date (and, see `rules.approval`, no leader rejected it). Invalid
claims are still recorded (and raise findings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from rules.model import Catalogue, Claim, ClaimSource, Cycle, Epic, Objective
from rules.overrides import Override
from rules.policy import Policy, claim_label
from rules.validation import closest


def extract_claims(
    epic: Epic,
    policy: Policy,
    index: OkrIndex | None = None,
    overrides: Sequence[Override] = (),
) -> tuple[Claim, ...]:
    """One claim per OKR id, in source order (labels, field, links, parent, overrides)."""
    found: dict[str, Claim] = {}

    def add(okr_id: str | None, source: ClaimSource, detail: str) -> None:
        if not okr_id:
            return
        okr_id = okr_id.strip().upper()
        if not okr_id:
            return
        claim = found.get(okr_id)
        if claim is None:
            found[okr_id] = Claim(epic.key, okr_id, source, detail=detail)
        elif source not in claim.sources:
            found[okr_id] = replace(claim, also_from=(*claim.also_from, source))

    for label in epic.labels:
        add(claimed_id(label, policy.label_prefix, policy.label_suffix), ClaimSource.LABEL, label)
    if policy.use_field:
        for value in epic.claim_field:
            # A field value may be written with or without the label's prefix and suffix.
            okr_id = claimed_id(value, policy.label_prefix, policy.label_suffix) or value
            add(okr_id, ClaimSource.FIELD, value.strip())
    if policy.link_type:
        wanted = policy.link_type.casefold()
        for link in epic.links:
            # Either direction: what matters is that the other end is an OKR.
            if link.type.casefold() == wanted:
                add(_okr_of(link.key, index), ClaimSource.LINK, f"{link.type} link to {link.key}")
    if policy.use_parent and epic.parent_key and _is_okr_parent(epic, policy, index):
        add(_okr_of(epic.parent_key, index), ClaimSource.PARENT, f"parent {epic.parent_key}")
    for override in overrides:
        if override.epic_key.upper() == epic.key.upper():
            for okr_id in override.okr_ids:
                add(okr_id, ClaimSource.OVERRIDE, override.describe())
    return tuple(found.values())


def _okr_of(issue_key: str, index: OkrIndex | None) -> str:
    """The OKR id held by a Jira issue; the issue key itself when no OKR names that issue."""
    if index is not None:
        okr_id = index.by_jira_key.get(issue_key.upper())
        if okr_id is not None:
            return okr_id
    return issue_key


def _is_okr_parent(epic: Epic, policy: Policy, index: OkrIndex | None) -> bool:
    assert epic.parent_key is not None
    if index is not None and epic.parent_key.upper() in index.by_jira_key:
        return True
    types = {t.casefold() for t in policy.okr_issue_types}
    return epic.parent_type is not None and epic.parent_type.casefold() in types


def claimed_id(label: str, prefix: str, suffix: str = "") -> str | None:
    """'OKR:p1.kr2' -> 'P1.KR2' for prefix 'okr:'; None when the label is no claim.
    `rules.policy.claim_label` makes the label this reads."""
    folded = label.casefold()
    if not folded.startswith(prefix.casefold()) or not folded.endswith(suffix.casefold()):
        return None
    if len(label) < len(prefix) + len(suffix):
        return None
    okr_id = label[len(prefix) : len(label) - len(suffix)].strip().upper()
    return okr_id or None  # a bare "okr:" claims nothing


def source_label(epic: Epic, okr_id: str, prefix: str, suffix: str = "") -> str:
    """The label as the team wrote it, to name it in a hint; the normalised form if not found."""
    written = (label for label in epic.labels if claimed_id(label, prefix, suffix) == okr_id)
    return next(written, claim_label(okr_id, prefix, suffix))


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
    by_jira_key: dict[str, str]  # upper-cased Jira issue key -> upper-cased OKR id
    # Suggestions already worked out: many epics share one typo, and difflib is slow.
    _suggested: dict[tuple[str, date], str | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, catalogue: Catalogue) -> OkrIndex:
        spelling: dict[str, str] = {}
        jira: dict[str, str] = {}
        for objective in catalogue.objectives:
            spelling[objective.id.upper()] = objective.id
            _note(jira, objective.jira_key, objective.id)
            for kr in objective.key_results:
                spelling[kr.id.upper()] = kr.id
                _note(jira, kr.jira_key, kr.id)
        cycles = {c.id: c for c in catalogue.cycles}
        return cls(catalogue.okr_ids(), spelling, cycles, jira)

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
        asked = (okr_id.upper(), as_of)
        if asked not in self._suggested:
            valid = [key for key in self.spelling if self.verdict(key, as_of) is Verdict.VALID]
            close = closest(asked[0], valid)
            self._suggested[asked] = self.spelling[close] if close else None
        return self._suggested[asked]

    def known(self, okr_ids: Iterable[str]) -> list[str]:
        return [i for i in okr_ids if i.upper() in self.spelling]


def _note(index: dict[str, str], jira_key: str | None, okr_id: str) -> None:
    if jira_key:
        index[jira_key.upper()] = okr_id.upper()
