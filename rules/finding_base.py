"""What every finding rule works with: its context, what it yields, how it names things."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from rules.approvers import EVERYONE, ApproverRules
from rules.claims import OkrIndex, source_label
from rules.finding_settings import FindingSettings
from rules.model import (
    Catalogue,
    Claim,
    ClaimSource,
    Cycle,
    Decision,
    Epic,
    KeyResult,
    Objective,
    Severity,
)
from rules.policy import Policy
from rules.results import AlignmentShare, EpicAlignment, ObjectiveProgress

SUMMARY_WIDTH = 80  # an epic summary is shortened to this in messages


@dataclass(frozen=True)
class FindingContext:
    """Everything a rule may read: the inputs and the evaluation computed before the findings."""

    catalogue: Catalogue  # with key results measured as of `as_of`
    index: OkrIndex
    cycle: Cycle  # the reporting cycle
    as_of: date
    policy: Policy
    epics: tuple[EpicAlignment, ...]
    objectives: tuple[ObjectiveProgress, ...]
    alignment: tuple[AlignmentShare, ...] = ()
    not_counted: tuple[Decision, ...] = ()  # decisions by people who are not approvers
    approvers: ApproverRules = EVERYONE  # who may decide, for the findings' hints

    def current_objectives(self) -> tuple[ObjectiveProgress, ...]:
        """Objectives of the reporting cycle that are not retired: the ones that still matter."""
        return tuple(o for o in self.objectives if not o.objective.retired)


class Flag(NamedTuple):
    """What a rule found; the registry adds the code and the severity."""

    subject: str
    message: str
    hint: str = ""
    team: str | None = None


@dataclass(frozen=True)
class FindingRule:
    code: str
    severity: Severity
    when: str  # one line for the docs: when this finding is raised
    check: Callable[[FindingContext], Iterable[Flag]]
    # Its settings under `findings.<code>`: FindingSettings, or a subclass with the rule's knobs
    # declared beside its function (read with `context.policy.finding(code, model)`).
    settings: type[FindingSettings] = FindingSettings


def epic_name(epic: Epic) -> str:
    summary = epic.summary.strip()
    if len(summary) > SUMMARY_WIDTH:
        summary = summary[: SUMMARY_WIDTH - 1] + "…"
    return f"{epic.key} “{summary}”"


def okr_name(item: Objective | KeyResult) -> str:
    return f"{item.id} “{item.title}”"


def claim_name(epic: Epic, claim: Claim, policy: Policy) -> str:
    """How the team wrote the claim: 'the label okr:p9.kr1', 'the Supports link to OKR-9', ..."""
    if claim.source is ClaimSource.LABEL:
        written = source_label(epic, claim.okr_id, policy.label_prefix, policy.label_suffix)
        return f"the label {written}"
    if claim.source is ClaimSource.FIELD:
        return f"the key result field value {claim.detail or claim.okr_id}"
    if claim.source is ClaimSource.LINK:
        return f"the {claim.detail or 'link to ' + claim.okr_id}"
    if claim.source is ClaimSource.PARENT:
        return f"the {claim.detail or 'parent ' + claim.okr_id}"
    return f"the override for {epic.key} in the overrides file"


def decided_by(decision: Decision | None) -> str:
    """'Priya on 2026-11-02 (“not a priority”)' or 'a leader' when nobody is named."""
    if decision is None:
        return "a leader"
    who = decision.by or ("a leader in Jira" if decision.origin.value == "jira" else "a leader")
    text = f"{who} on {decision.at.date().isoformat()}"
    return f"{text} (“{decision.why}”)" if decision.why else text


def percent(share: float) -> str:
    return f"{share:.0%}"
