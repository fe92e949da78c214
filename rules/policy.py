"""The knobs of an evaluation, built by the service from the settings file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.model import Severity

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
    # --- findings: switches, severities and thresholds
    disabled: frozenset[str] = frozenset()  # finding codes switched off
    severities: Mapping[str, Severity] = field(default_factory=dict)  # code -> severity
    stale_days: int = 21  # STALE_KR: no check-in for longer than this
    off_pace_at_risk: bool = False  # OFF_PACE: flag "at risk" key results too
    output_done_share: float = 0.7  # OUTPUT_WITHOUT_OUTCOME: this share of the work done ...
    output_max_score: float = 0.2  # ... and the key result's score still at most this
    exempt_max_share: float = 0.3  # EXEMPT_OVER_BUDGET: allowed share of exempt active epics
    exempt_team_shares: Mapping[str, float] = field(default_factory=dict)  # team id -> share
    forecast_min_values: int = 3  # forecasts (and FORECAST_MISS) need this many dated values

    def __post_init__(self) -> None:
        if not (self.label_prefix + self.label_suffix).strip():
            raise ValueError("label_prefix and label_suffix must not both be empty")
        if not 0 <= self.at_risk <= self.on_track:
            raise ValueError(
                f"status bands need 0 <= at_risk <= on_track, got at_risk={self.at_risk}, "
                f"on_track={self.on_track}"
            )
        if self.forecast_min_values < 3:
            raise ValueError(
                f"min_values must be at least 3 (a line and its spread), got "
                f"{self.forecast_min_values}"
            )
        if self.stale_days < 1:
            raise ValueError(f"stale_days must be at least 1, got {self.stale_days}")

    def needs_approval(self, kind: str) -> bool:
        return kind in self.approval_for

    def exempt_share_allowed(self, team: str | None) -> float:
        if team is not None and team in self.exempt_team_shares:
            return self.exempt_team_shares[team]
        return self.exempt_max_share

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
