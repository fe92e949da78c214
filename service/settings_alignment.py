"""Settings for alignment: how epics claim OKRs, what needs approval, and every finding's knobs.

These models are part of `service.settings.Settings`; `policy_of` turns them into the pure
`rules.policy.Policy` an evaluation reads. Defaults that matter to users live in `Policy` (and the
README): a knob left out of the file is not passed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from rules.model import Severity
from rules.policy import Policy

ID = "<id>"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _pattern(value: str) -> str:
    if value.count(ID) != 1 or value == ID:
        raise ValueError(f"expected a label pattern with {ID} once and some text, like okr:{ID}")
    if any(c.isspace() for c in value):
        raise ValueError("a label cannot hold spaces")
    return value


class LabelClaims(_Strict):
    """A label such as okr:P1.KR2; `pattern` (okr:<id>, <id>@okr) or, shorter, `prefix`."""

    prefix: str = Field(default="okr:", min_length=1)
    pattern: Annotated[str, AfterValidator(_pattern)] | None = None

    def parts(self) -> tuple[str, str]:
        if self.pattern is None:
            return self.prefix, ""
        before, after = self.pattern.split(ID)
        return before, after


class FieldClaims(_Strict):
    name: str = Field(min_length=1)  # a text, select or multi-select field, by name


class LinkClaims(_Strict):
    type: str = Field(min_length=1)  # an issue link type (its name, or its inward/outward verb)


class ClaimSettings(_Strict):
    """Every source that is present is used; a claim keeps its source."""

    labels: LabelClaims = LabelClaims()
    field: FieldClaims | None = None
    links: LinkClaims | None = None
    parent: bool = False  # an epic whose parent is an objective or key-result issue
    overrides: str | None = None  # a YAML file: epic key -> OKR ids, with who and why


def _names(values: list[str]) -> list[str]:
    for value in values:
        if not value.strip():
            raise ValueError("a name must not be empty")
    return [value.strip() for value in values]


Names = Annotated[list[str], AfterValidator(_names)]


class ApproverSettings(_Strict):
    """Whose decisions count: people (Atlassian account ids or emails; Data Center user names)
    and Jira groups (their members, read by the sync)."""

    people: Names = []
    groups: Names = []


class ApprovalSettings(_Strict):
    required_for: list[Literal["team_objectives", "epic_claims"]] = [
        "team_objectives",
        "epic_claims",
    ]
    jira_label: str | None = "okr-approved"  # a leader adds it to an epic: its claims approved
    jira_reject_label: str | None = "okr-rejected"
    jira_field: str | None = None  # or a field a leader sets to approved / rejected
    approvers: ApproverSettings | None = None  # none: everyone's decisions count
    approvers_by_objective: dict[str, ApproverSettings] = {}  # portfolio objective id -> who


class JiraCatalogue(_Strict):
    """OKRs kept as Jira issues; their cycles and teams are the catalogue files' ids."""

    jql: str = Field(min_length=1)
    objective_type: str = "Objective"
    key_result_type: str = "Key Result"
    cycle_field: str = "Cycle"
    team_field: str | None = "Team"  # set on team objectives: the catalogue team id
    start_field: str = "Start value"
    target_field: str = "Target value"
    current_field: str = "Current value"
    supports_link: str | None = None  # default: claims.links.type
    retired_statuses: list[str] = ["Retired", "Cancelled"]


# --- findings: one model per code, so a misspelt code or knob is named with a suggestion ---------

Share = Annotated[float, Field(ge=0, le=1)]


class FindingSettings(_Strict):
    enabled: bool = True
    severity: Literal["info", "warning", "error"] | None = None


class StaleSettings(FindingSettings):
    days: int | None = Field(default=None, ge=1)


class OffPaceSettings(FindingSettings):
    include_at_risk: bool | None = None


class ForecastSettings(FindingSettings):
    min_values: int | None = Field(default=None, ge=3)


class OutputSettings(FindingSettings):
    done_share: Share | None = None
    max_score: Share | None = None


class ExemptSettings(FindingSettings):
    max_share: Share | None = None
    teams: dict[str, Share] = {}


class FindingsSettings(_Strict):
    UNALIGNED_EPIC: FindingSettings = FindingSettings()
    UNKNOWN_OKR: FindingSettings = FindingSettings()
    OUT_OF_CYCLE: FindingSettings = FindingSettings()
    AWAITING_APPROVAL: FindingSettings = FindingSettings()
    REJECTED_CLAIM: FindingSettings = FindingSettings()
    ORPHAN_TEAM_OBJECTIVE: FindingSettings = FindingSettings()
    KR_WITHOUT_WORK: FindingSettings = FindingSettings()
    STALE_KR: StaleSettings = StaleSettings()
    OFF_PACE: OffPaceSettings = OffPaceSettings()
    FORECAST_MISS: ForecastSettings = ForecastSettings()
    OUTPUT_WITHOUT_OUTCOME: OutputSettings = OutputSettings()
    EXEMPT_OVER_BUDGET: ExemptSettings = ExemptSettings()
    AMBIGUOUS_TEAM: FindingSettings = FindingSettings()
    DECISION_BY_NON_APPROVER: FindingSettings = FindingSettings()

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        # `STALE_KR:` with nothing after it is YAML null: keep the defaults.
        if isinstance(data, dict):
            return {key: ({} if value is None else value) for key, value in data.items()}
        return data

    def by_code(self) -> dict[str, FindingSettings]:
        return {code: getattr(self, code) for code in type(self).model_fields}


class _Bands(Protocol):
    @property
    def on_track(self) -> float: ...
    @property
    def at_risk(self) -> float: ...


class _Catalogue(Protocol):
    @property
    def jira(self) -> JiraCatalogue | None: ...


class PolicySource(Protocol):
    """What `policy_of` reads of `service.settings.Settings` (named here, not imported: the
    settings module builds on this one)."""

    @property
    def claims(self) -> ClaimSettings: ...
    @property
    def findings(self) -> FindingsSettings: ...
    @property
    def approval(self) -> ApprovalSettings: ...
    @property
    def exempt_labels(self) -> Sequence[str]: ...
    @property
    def status_bands(self) -> _Bands: ...
    @property
    def catalogue(self) -> _Catalogue: ...


def policy_of(settings: PolicySource) -> Policy:
    claims, findings = settings.claims, settings.findings
    prefix, suffix = claims.labels.parts()
    jira = settings.catalogue.jira
    types = (jira.objective_type, jira.key_result_type) if jira else ("Objective", "Key Result")
    knobs: dict[str, Any] = {}
    if findings.STALE_KR.days is not None:
        knobs["stale_days"] = findings.STALE_KR.days
    if findings.OFF_PACE.include_at_risk is not None:
        knobs["off_pace_at_risk"] = findings.OFF_PACE.include_at_risk
    if findings.FORECAST_MISS.min_values is not None:
        knobs["forecast_min_values"] = findings.FORECAST_MISS.min_values
    if findings.OUTPUT_WITHOUT_OUTCOME.done_share is not None:
        knobs["output_done_share"] = findings.OUTPUT_WITHOUT_OUTCOME.done_share
    if findings.OUTPUT_WITHOUT_OUTCOME.max_score is not None:
        knobs["output_max_score"] = findings.OUTPUT_WITHOUT_OUTCOME.max_score
    if findings.EXEMPT_OVER_BUDGET.max_share is not None:
        knobs["exempt_max_share"] = findings.EXEMPT_OVER_BUDGET.max_share
    return Policy(
        label_prefix=prefix,
        label_suffix=suffix,
        use_field=claims.field is not None,
        link_type=claims.links.type if claims.links else None,
        use_parent=claims.parent,
        okr_issue_types=types,
        exempt_labels=tuple(settings.exempt_labels),
        approval_for=frozenset(settings.approval.required_for),
        approval_label=settings.approval.jira_label,
        rejection_label=settings.approval.jira_reject_label,
        on_track=settings.status_bands.on_track,
        at_risk=settings.status_bands.at_risk,
        disabled=frozenset(code for code, f in findings.by_code().items() if not f.enabled),
        severities={
            code: Severity(f.severity) for code, f in findings.by_code().items() if f.severity
        },
        exempt_team_shares=dict(findings.EXEMPT_OVER_BUDGET.teams),
        **knobs,
    )
