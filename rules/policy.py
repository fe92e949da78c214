"""The knobs of an evaluation, built by the service from the settings file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from rules.finding_settings import FindingSettings
from rules.model import Severity

S = TypeVar("S", bound=FindingSettings)

TEAM_OBJECTIVES = "team_objectives"
EPIC_CLAIMS = "epic_claims"


@dataclass(frozen=True)
class Policy:
    # --- how epics claim OKRs: a label <prefix><id><suffix>, e.g. okr:P1.KR2 (case-insensitive)
    label_prefix: str = "okr:"
    label_suffix: str = ""
    use_field: bool = False  # also read claims from the epic's "Key Result" field values
    link_type: str | None = None  # issue links of this type to OKR issues are claims
    use_parent: bool = False  # an epic whose parent is an objective or key-result issue claims it
    okr_issue_types: tuple[str, ...] = ("Objective", "Key Result")  # what such a parent is
    exempt_labels: tuple[str, ...] = ("okr-exempt",)  # keep-the-lights-on work
    # --- approval of the connection: which kinds need a leader's decision, and Jira's signals
    approval_for: frozenset[str] = frozenset({TEAM_OBJECTIVES, EPIC_CLAIMS})
    approval_label: str | None = "okr-approved"
    rejection_label: str | None = "okr-rejected"
    # --- progress
    on_track: float = 0.7  # score / expected at or above this: on track
    at_risk: float = 0.4  # ... at or above this: at risk; below: off track
    # --- findings: each code's settings as the file set them (a code left out keeps its rule's
    # defaults); rules read theirs with `finding`
    findings: Mapping[str, FindingSettings] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (self.label_prefix + self.label_suffix).strip():
            raise ValueError("label_prefix and label_suffix must not both be empty")
        if not 0 <= self.at_risk <= self.on_track:
            raise ValueError(
                f"status bands need 0 <= at_risk <= on_track, got at_risk={self.at_risk}, "
                f"on_track={self.on_track}"
            )

    def finding(self, code: str, model: type[S]) -> S:
        """The settings of finding `code`, as its rule's model (`model`): defaults where unset."""
        found = self.findings.get(code)
        if found is None:
            return model()
        if isinstance(found, model):
            return found
        return model.model_validate(found.model_dump(exclude_unset=True))

    @property
    def disabled(self) -> frozenset[str]:
        """The finding codes switched off."""
        return frozenset(code for code, found in self.findings.items() if not found.enabled)

    def severity(self, code: str, default: Severity) -> Severity:
        found = self.findings.get(code)
        return Severity(found.severity) if found is not None and found.severity else default

    def needs_approval(self, kind: str) -> bool:
        return kind in self.approval_for

    @property
    def label_pattern(self) -> str:
        """How a claim label looks, for messages: okr:<id>."""
        return claim_label("<id>", self.label_prefix, self.label_suffix)

    def label_for(self, okr_id: str) -> str:
        return claim_label(okr_id, self.label_prefix, self.label_suffix)


def claim_label(okr_id: str, prefix: str, suffix: str = "") -> str:
    """The label that claims `okr_id` (what `rules.claims.claimed_id` reads back): every hint and
    report that tells a team which label to add makes it here, from the settings' prefix or
    pattern, so none can drop the suffix of a pattern such as `<id>@okr`."""
    return f"{prefix}{okr_id}{suffix}"
