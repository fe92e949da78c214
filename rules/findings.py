"""Findings: what a leader should look at. An explicit, ordered registry of rules.

Each rule has a stable code, a severity, a `check` that reads the evaluation so far
(`FindingContext`) and yields `Flag`s, and its settings model (`enabled`, `severity` and its own
knobs, declared beside the function); the settings file's `findings:` section is built from these.
`run_rules` turns flags into `Finding`s, skips rules whose code the policy disables, applies
severities the settings change, and sorts the result. A new finding is one more function and one
more entry in `RULES`; README's findings table lists them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from rules.alignment import natural_key
from rules.finding_base import FindingContext, FindingRule, Flag
from rules.findings_claims import (
    awaiting_approval,
    decision_by_non_approver,
    out_of_cycle,
    rejected_claim,
    unaligned_epic,
    unknown_okr,
)
from rules.findings_forecast import ForecastSettings, forecast_miss
from rules.findings_outcomes import (
    ExemptSettings,
    OffPaceSettings,
    OutputSettings,
    StaleSettings,
    exempt_over_budget,
    kr_without_work,
    off_pace,
    orphan_team_objective,
    output_without_outcome,
    stale_kr,
)
from rules.findings_teams import ambiguous_team
from rules.model import Finding, Severity

__all__ = ["RULES", "FindingContext", "FindingRule", "Flag", "rule", "run_rules"]


def run_rules(
    context: FindingContext, rules: Sequence[FindingRule] | None = None
) -> tuple[Finding, ...]:
    """Every enabled rule's findings: errors first, then by code, then by subject."""
    policy = context.policy
    findings = [
        Finding(
            rule.code,
            policy.severity(rule.code, rule.severity),
            flag.subject,
            flag.message,
            flag.hint,
            flag.team,
        )
        for rule in (RULES if rules is None else rules)
        if rule.code not in policy.disabled
        for flag in rule.check(context)
    ]
    findings.sort(key=lambda f: (-f.severity.rank, f.code, natural_key(f.subject), f.message))
    return tuple(findings)


def rule(code: str) -> FindingRule:
    return next(r for r in RULES if r.code == code)


RULES: tuple[FindingRule, ...] = (
    FindingRule(
        "UNALIGNED_EPIC",
        Severity.WARNING,
        "an active epic that is not exempt has no valid claim: none at all, or only claims to "
        "unknown, out-of-cycle or rejected OKRs",
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
    FindingRule(
        "AWAITING_APPROVAL",
        Severity.INFO,
        "an active epic's claim, or a team objective's supports link, waits for a leader's "
        "decision (only where the settings require approval)",
        awaiting_approval,
    ),
    FindingRule(
        "REJECTED_CLAIM",
        Severity.WARNING,
        "a leader rejected an active epic's claim or a team objective's supports link, "
        "but the work goes on",
        rejected_claim,
    ),
    FindingRule(
        "DECISION_BY_NON_APPROVER",
        Severity.WARNING,
        "someone who is not a named approver (`approval.approvers`) approved or rejected a "
        "connection, on the page, in Jira or with `outcomes approve`: kept, not counted",
        decision_by_non_approver,
    ),
    FindingRule(
        "ORPHAN_TEAM_OBJECTIVE",
        Severity.WARNING,
        "a team objective supports no portfolio objective or key result (none named, or every "
        "connection rejected)",
        orphan_team_objective,
    ),
    FindingRule(
        "KR_WITHOUT_WORK",
        Severity.WARNING,
        "a key result that needs work has no active epic behind it, directly or through a "
        "supporting team objective",
        kr_without_work,
    ),
    FindingRule(
        "STALE_KR",
        Severity.WARNING,
        "a metric key result has had no check-in for longer than `days` (default 21)",
        stale_kr,
        StaleSettings,
    ),
    FindingRule(
        "OFF_PACE",
        Severity.WARNING,
        "a key result is off track: its score is below the at-risk band of the share of the "
        "cycle that has passed (`include_at_risk: true` flags at-risk ones too)",
        off_pace,
        OffPaceSettings,
    ),
    FindingRule(
        "FORECAST_MISS",
        Severity.WARNING,
        "a key result's forecast score at the cycle's end (computed, else the team's own) is "
        "below the on-track band; forecasts need `min_values` (default 3) dated values",
        forecast_miss,
        ForecastSettings,
    ),
    FindingRule(
        "OUTPUT_WITHOUT_OUTCOME",
        Severity.INFO,
        "at least `done_share` (default 0.7) of the work behind a key result is done, yet its "
        "score is at most `max_score` (default 0.2)",
        output_without_outcome,
        OutputSettings,
    ),
    FindingRule(
        "EXEMPT_OVER_BUDGET",
        Severity.WARNING,
        "a team's exempt (keep-the-lights-on) share of active epics is above `max_share` "
        "(default 0.3; per team in `teams`)",
        exempt_over_budget,
        ExemptSettings,
    ),
    FindingRule(
        "AMBIGUOUS_TEAM",
        Severity.INFO,
        "an active epic's components, Team field values or team labels name several teams; it "
        "counts under its project's team if that is one of them, else the first in catalogue order",
        ambiguous_team,
    ),
)
