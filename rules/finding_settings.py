"""A finding's settings, as one small model: `enabled`, `severity`, and the knobs of its rule.

Every rule in the registry (`rules.findings.RULES`) names its model; a rule without knobs takes
`FindingSettings` itself, one with knobs a subclass declared beside the rule's function. The
service builds the settings file's `findings:` section from the registry, and `Policy.findings`
carries what the file set. Each knob has its default here and a description for the docs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0, le=1)]


class FindingSettings(BaseModel):
    """What every finding takes: a switch and a severity that replaces the rule's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    severity: Literal["info", "warning", "error"] | None = None

    @classmethod
    def knobs(cls) -> tuple[str, ...]:
        """The rule's own settings, beside `enabled` and `severity`."""
        return tuple(name for name in cls.model_fields if name not in FindingSettings.model_fields)
