"""Settings for alignment: how epics claim OKRs, what needs approval, and every finding's knobs.

These models are part of `service.settings.Settings`; `policy_of` turns them into the pure
`rules.policy.Policy` an evaluation reads. A finding's settings are its rule's own model
(`rules.findings.RULES`), defaults included; the README's findings table lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator

from rules.finding_settings import FindingSettings
from rules.findings import RULES
from rules.policy import Policy

S = TypeVar("S", bound=FindingSettings)

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


# --- findings: built from the registry, one field per code typed by its rule's own model, so a
# misspelt code or knob is named with a suggestion and a new rule needs nothing here -------------


class _Findings(_Strict):
    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        # `STALE_KR:` with nothing after it is YAML null: keep the defaults.
        if isinstance(data, dict):
            return {key: ({} if value is None else value) for key, value in data.items()}
        return data

    def written(self) -> dict[str, FindingSettings]:
        """The settings of the codes the file names (the others keep their rules' defaults)."""
        return {code: getattr(self, code) for code in self.model_fields_set}

    def of(self, code: str, model: type[S]) -> S:
        """Finding `code`'s settings, as its rule's model."""
        found = getattr(self, code)
        if not isinstance(found, model):
            raise TypeError(f"{code}'s settings are {type(found).__name__}, not {model.__name__}")
        return found


if TYPE_CHECKING:
    FindingsSettings = _Findings
else:
    FindingsSettings = create_model(
        "FindingsSettings",
        __base__=_Findings,
        **{rule.code: (rule.settings, rule.settings()) for rule in RULES},
    )


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
    claims = settings.claims
    prefix, suffix = claims.labels.parts()
    jira = settings.catalogue.jira
    types = (jira.objective_type, jira.key_result_type) if jira else ("Objective", "Key Result")
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
        findings=settings.findings.written(),
    )
