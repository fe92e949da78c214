"""The knobs of an evaluation, built by the service from the settings file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    label_prefix: str = "okr:"  # an epic label okr:P1.KR2 claims P1.KR2 (case-insensitive)
    use_field: bool = False  # also read claims from the epic's "Key Result" field values
    exempt_labels: tuple[str, ...] = ("okr-exempt",)  # keep-the-lights-on work
    on_track: float = 0.7  # score / expected at or above this: on track
    at_risk: float = 0.4  # ... at or above this: at risk; below: off track
    disabled: frozenset[str] = frozenset()  # finding codes switched off
    # New knobs for later findings (stale_days, exempt_max_share, ...) are added here with defaults.

    def __post_init__(self) -> None:
        if not self.label_prefix.strip():
            raise ValueError("label_prefix must not be empty")
        if not 0 <= self.at_risk <= self.on_track:
            raise ValueError(
                f"status bands need 0 <= at_risk <= on_track, got at_risk={self.at_risk}, "
                f"on_track={self.on_track}"
            )
