"""Findings: what a leader should look at. An explicit, ordered registry of rules.

Each rule has a stable code, a severity and a `check` that reads the evaluation so far
(`FindingContext`) and yields `Flag`s; `run_rules` turns them into `Finding`s, skips rules whose
code the policy disables, and sorts the result. A new finding (STALE_KR, OFF_PACE, KR_WITHOUT_WORK,
...) is one more function and one more entry in `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from rules.alignment import natural_key
from rules.claims import OkrIndex, Verdict, source_label
from rules.model import (
    AlignmentState,
    Catalogue,
    ClaimSource,
    Cycle,
    Epic,
    EpicAlignment,
    Finding,
    ObjectiveProgress,
    Severity,
)
from rules.policy import Policy

SUMMARY_WIDTH = 80  # an epic summary is shortened to this in messages


@dataclass(frozen=True)
class FindingContext:
    """Everything a rule may read: the inputs and the evaluation computed before the findings."""

    catalogue: Catalogue
    index: OkrIndex
    cycle: Cycle  # the reporting cycle
    as_of: date
    policy: Policy
    epics: tuple[EpicAlignment, ...]
    objectives: tuple[ObjectiveProgress, ...]


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


def run_rules(
    context: FindingContext, rules: Sequence[FindingRule] | None = None
) -> tuple[Finding, ...]:
    """Every enabled rule's findings: errors first, then by code, then by subject."""
    findings = [
        Finding(rule.code, rule.severity, flag.subject, flag.message, flag.hint, flag.team)
        for rule in (RULES if rules is None else rules)
        if rule.code not in context.policy.disabled
        for flag in rule.check(context)
    ]
    findings.sort(key=lambda f: (-f.severity.rank, f.code, natural_key(f.subject), f.message))
    return tuple(findings)


# --- the rules -----------------------------------------------------------------------------------


def unknown_okr(context: FindingContext) -> Iterator[Flag]:
    for alignment, okr_id in _bad_claims(context, {Verdict.UNKNOWN}):
        epic = alignment.epic
        label = _claim_name(epic, okr_id, alignment, context.policy)
        close = context.index.closest_valid(okr_id, context.as_of)
        hint = f"Fix {label} on {epic.key}"
        hint += f": did you mean {close}?" if close else ", or remove it."
        yield Flag(
            epic.key,
            f"{_epic_name(epic)} claims {okr_id}, which is not in the OKR catalogue",
            hint,
            alignment.team,
        )


def out_of_cycle(context: FindingContext) -> Iterator[Flag]:
    stale = {Verdict.RETIRED, Verdict.ENDED, Verdict.NOT_BEGUN}
    for alignment, okr_id in _bad_claims(context, stale):
        epic = alignment.epic
        written = context.index.spelling[okr_id]
        verdict = context.index.verdict(okr_id, context.as_of)
        if verdict is Verdict.RETIRED:
            objective = context.index.objective_of[okr_id]
            why = f"whose objective {objective.id} is retired"
        else:
            cycle = context.index.cycle_of(okr_id)
            state = "has ended" if verdict is Verdict.ENDED else "has not begun"
            why = f"of cycle {cycle.id}, which {state}"
        label = _claim_name(epic, okr_id, alignment, context.policy)
        yield Flag(
            epic.key,
            f"{_epic_name(epic)} claims {written}, {why}",
            f"Point {label} at a key result of the current cycle, or remove it.",
            alignment.team,
        )


def unaligned_epic(context: FindingContext) -> Iterator[Flag]:
    policy = context.policy
    hint = f"Add a label {policy.label_prefix}<key result id> naming the key result it serves"
    if policy.exempt_labels:
        hint += f", or {policy.exempt_labels[0]} for keep-the-lights-on work."
    else:
        hint += "."
    for alignment in context.epics:
        if not alignment.epic.active or alignment.state is not AlignmentState.UNALIGNED:
            continue
        if not alignment.claims:
            field = " and no key result field value" if policy.use_field else ""
            why = f"it has no {policy.label_prefix} label{field}"
        elif len(alignment.claims) == 1:
            why = f"its only claim ({alignment.claims[0].okr_id}) is unknown or out of cycle"
        else:
            ids = ", ".join(c.okr_id for c in alignment.claims)
            why = f"its only claims ({ids}) are unknown or out of cycle"
        yield Flag(
            alignment.epic.key,
            f"{_epic_name(alignment.epic)} serves no outcome: {why}",
            hint,
            alignment.team,
        )


RULES: tuple[FindingRule, ...] = (
    FindingRule(
        "UNALIGNED_EPIC",
        Severity.WARNING,
        "an active epic that is not exempt has no valid claim",
        unaligned_epic,
    ),
    FindingRule(
        "UNKNOWN_OKR",
        Severity.ERROR,
        "an active epic claims an OKR id that the catalogue does not have",
        unknown_okr,
    ),
    FindingRule(
        "OUT_OF_CYCLE",
        Severity.WARNING,
        "an active epic claims an OKR that is retired or whose cycle has ended or not begun",
        out_of_cycle,
    ),
)


# --- helpers -------------------------------------------------------------------------------------


def _bad_claims(
    context: FindingContext, verdicts: set[Verdict]
) -> Iterator[tuple[EpicAlignment, str]]:
    """(epic, claimed id) for every claim of an active epic with one of these verdicts."""
    for alignment in context.epics:
        if not alignment.epic.active:
            continue  # done work needs no fixing
        for claim in alignment.claims:
            if context.index.verdict(claim.okr_id, context.as_of) in verdicts:
                yield alignment, claim.okr_id


def _claim_name(epic: Epic, okr_id: str, alignment: EpicAlignment, policy: Policy) -> str:
    """'the label okr:p9.kr1' (as the team wrote it) or 'the key result field value P9.KR1'."""
    source = next(c.source for c in alignment.claims if c.okr_id == okr_id)
    if source is ClaimSource.LABEL:
        return f"the label {source_label(epic, okr_id, policy.label_prefix)}"
    return f"the key result field value {okr_id}"


def _epic_name(epic: Epic) -> str:
    summary = epic.summary.strip()
    if len(summary) > SUMMARY_WIDTH:
        summary = summary[: SUMMARY_WIDTH - 1] + "…"
    return f"{epic.key} “{summary}”"
