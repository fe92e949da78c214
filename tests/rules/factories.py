"""Small builders for test data: every value a test relies on is written in the test itself."""

from __future__ import annotations

import copy
from typing import Any

from rules.finding_settings import FindingSettings
from rules.model import ChildStats, Epic, StatusCategory

NEW, IN_PROGRESS, DONE = StatusCategory.NEW, StatusCategory.IN_PROGRESS, StatusCategory.DONE


def epic(
    key: str,
    summary: str = "Some work",
    *,
    labels: tuple[str, ...] = (),
    category: StatusCategory = IN_PROGRESS,
    children: tuple[int, int] = (1, 0),  # (total, done): broken into one story unless a test says
    points: tuple[float, float] = (0.0, 0.0),  # (total, done)
    claim_field: tuple[str, ...] = (),
) -> Epic:
    total, done = children
    return Epic(
        key=key,
        summary=summary,
        project=key.split("-")[0],
        status={NEW: "To Do", IN_PROGRESS: "In Progress", DONE: "Done"}[category],
        status_category=category,
        labels=labels,
        claim_field=claim_field,
        children=ChildStats(
            total=total,
            by_category={DONE: done, IN_PROGRESS: total - done} if total else {},
            points_total=points[0],
            points_done=points[1],
        ),
    )


def deep(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)


def switched_off(*codes: str) -> dict[str, FindingSettings]:
    """`Policy(findings=...)` for `findings: {CODE: {enabled: false}, ...}`."""
    return {code: FindingSettings(enabled=False) for code in codes}
