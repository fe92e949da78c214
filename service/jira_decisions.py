"""Who decided in Jira: a decision the sync saw in an approval label or field gets its person and
time from the epic's changelog.

Only epics whose signal changed are read (one changelog each), not every epic. Where the changelog
cannot be read, or holds no change that explains the signal (a label set when the issue was
created, a history pruned), the decision keeps the epic's last update as its time, no person, and
an origin detail that says why: "Jira label, changelog unavailable".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from connector.jira_changelog import (
    LABELS,
    Change,
    field_set,
    label_added,
    labels_removed,
    read_changelogs,
)
from connector.jira_source import JiraSource
from rules.model import ApprovalState, Decision, Epic
from rules.policy import Policy


def attribute(
    decisions: Sequence[Decision],
    epics: Mapping[str, Epic],
    ids: Mapping[str, str],
    source: JiraSource,
    policy: Policy,
) -> list[Decision]:
    """The decisions with the person and time of the change that made them, where Jira says.
    `ids` maps epic keys to Jira ids (Cloud's bulk changelog answers by id)."""
    wanted = {d.subject: ids[d.subject] for d in decisions if d.subject in ids}
    field_ids = [LABELS, *([source.claims.approval_field] if source.claims.approval_field else [])]
    logs = read_changelogs(source, wanted, field_ids) if wanted else {}
    attributed = []
    for decision in decisions:
        epic = epics.get(decision.subject)
        if epic is None:
            attributed.append(decision)
            continue
        changes = logs.get(epic.key)
        kind = _kind(decision)
        if changes is None:
            attributed.append(replace(decision, origin_detail=f"{kind}, changelog unavailable"))
            continue
        change = _explaining(changes, decision.state, epic, policy, source)
        if change is None:
            detail = f"{kind}, no matching change in the changelog"
            attributed.append(replace(decision, origin_detail=detail))
        else:
            by_id = change.author_id
            attributed.append(replace(decision, by=change.author, by_id=by_id, at=change.at))
    return attributed


def _explaining(
    changes: Sequence[Change],
    state: ApprovalState,
    epic: Epic,
    policy: Policy,
    source: JiraSource,
) -> Change | None:
    """The latest change that made Jira's signal what it is now."""
    field_id = source.claims.approval_field
    # Data Center's changelog names a field only by its name (the settings may give its id).
    field = (field_id, source.field_map.name_of(field_id) or field_id) if field_id else None
    found: list[Change | None] = []
    if state is ApprovalState.PROPOSED:  # the signal was withdrawn
        labels = [label for label in (policy.approval_label, policy.rejection_label) if label]
        found.append(labels_removed(changes, labels))
        if field:
            found.append(field_set(changes, *field))
    else:
        label = policy.approval_label if state is ApprovalState.APPROVED else policy.rejection_label
        if label:
            found.append(label_added(changes, label))
        if field and epic.approval_value:
            found.append(field_set(changes, *field, epic.approval_value))
    return max((c for c in found if c is not None), key=lambda c: c.at, default=None)


def _kind(decision: Decision) -> str:
    why = decision.why or ""
    if why.startswith("approval field"):
        return "Jira field"
    return "Jira label" if why.startswith("label") else "Jira"
