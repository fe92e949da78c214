"""The hand-written sample (tests/reports/sample.py) grown for the Confluence page tree: check-ins,
confidence, connections waiting for approval, and a stored history. Expected values in the tests
are worked out by hand from the numbers here.

History (as the store keeps it, i.e. what `rules.snapshots.encode` writes):
- 2026-09-28, cycle 2026-Q3: another cycle, never shown.
- 2026-11-10, two runs: the later one (P1 0.45) counts, not the morning one (P1 0.40).
- 2026-11-17: P1 0.50 on track, P1.KR1 0.68, P1.KR2 0.375 *on track*, P2 0.10, P2.KR1 0.10;
  findings UNALIGNED_EPIC PAY-103, UNALIGNED_EPIC MOB-4, OFF_PACE P2.KR1; 1 of 5 aligned (20%).
- 2026-11-24 (the evaluation's own day, an earlier run): replaced by the evaluation itself.
So since 2026-11-17: P1 +6 pts, P1.KR1 +6 pts, P1.KR2 on track → at risk (score unchanged), P2 and
P2.KR1 unchanged; new findings UNKNOWN_OKR PAY-103, UNALIGNED_EPIC MOB-7, KR_WITHOUT_WORK P2.KR1;
resolved UNALIGNED_EPIC MOB-4; aligned share 20% → 25%.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from reports.trends import History, snapshot_from_data
from rules.model import ApprovalState, CheckIn, Claim, ClaimSource, Connection, Decision
from rules.results import Evaluation, ObjectiveProgress
from tests.reports.sample import EVALUATION, KR_P1_1, KR_P1_2

# P1.KR1: the check-in of 2026-11-16 is the last one by the evaluation date (11-30 is later).
KR1 = dataclasses.replace(
    KR_P1_1,
    checkins=(
        CheckIn(date(2026, 11, 2), 98.2, 0.6),
        CheckIn(date(2026, 11, 16), 98.9, 0.7, "Retries shipped to 80% of traffic"),
        CheckIn(date(2026, 11, 30), 99.1, 0.9),
    ),
)
KR2 = dataclasses.replace(KR_P1_2, confidence=0.4)  # no check-in: the catalogue's confidence


def _with_krs(op: ObjectiveProgress) -> ObjectiveProgress:
    krs = tuple(
        dataclasses.replace(k, key_result={"P1.KR1": KR1, "P1.KR2": KR2}[k.key_result.id])
        if k.key_result.id in ("P1.KR1", "P1.KR2")
        else k
        for k in op.key_results
    )
    return dataclasses.replace(op, key_results=krs)


def _pay_o1(op: ObjectiveProgress) -> ObjectiveProgress:
    if op.objective.id != "PAY-O1":
        return op
    return dataclasses.replace(
        op, connections=(Connection("PAY-O1", "P1.KR1", ApprovalState.PROPOSED),)
    )


# PAY-101 (active) waits for approval of its claim since it was created on 2026-10-20; MOB-9 is
# exempt and not counted. PAY-102 is done: its proposed claim waits for nobody.
PAY_101 = EVALUATION.epics[0]
PAY_101_WAITING = dataclasses.replace(
    PAY_101,
    epic=dataclasses.replace(PAY_101.epic, created=datetime(2026, 10, 20, 9, 0, tzinfo=UTC)),
    claims=(Claim("PAY-101", "P1.KR1", ClaimSource.LABEL, detail="label okr:P1.KR1"),),
)
# An older wait: someone withdrew the approval label on 2026-10-05 (a dated "proposed" word).
PAY_104 = dataclasses.replace(
    PAY_101,
    epic=dataclasses.replace(
        PAY_101.epic,
        key="PAY-104",
        summary="Payment status webhooks",
        created=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    ),
    claims=(
        Claim(
            "PAY-104",
            "P1.KR1",
            ClaimSource.LABEL,
            decision=Decision(
                "PAY-104", "P1.KR1", ApprovalState.PROPOSED, datetime(2026, 10, 5, tzinfo=UTC)
            ),
        ),
    ),
)

RICH: Evaluation = dataclasses.replace(
    EVALUATION,
    objectives=tuple(_pay_o1(_with_krs(op)) for op in EVALUATION.objectives),
    epics=(PAY_101_WAITING, PAY_104, *EVALUATION.epics[1:]),
)


def _objectives(p1: float, kr1: float, kr2_status: str) -> dict[str, Any]:
    return {
        "P1": {
            "score": p1,
            "expected": 0.5,
            "status": "on track",
            "key_results": {
                "P1.KR1": {"score": kr1, "status": "on track"},
                "P1.KR2": {"score": 0.375, "status": kr2_status},
            },
        },
        "P2": {
            "score": 0.1,
            "expected": 0.5,
            "status": "off track",
            "key_results": {"P2.KR1": {"score": 0.1, "status": "off track"}},
        },
    }


def _findings(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"code": c, "severity": "warning", "subject": s} for c, s in pairs]


def _total(aligned: int, unaligned: int, exempt: int) -> list[dict[str, Any]]:
    return [{"team": None, "aligned": aligned, "unaligned": unaligned, "exempt": exempt}]


STORED = [
    ("2026-09-28", "2026-Q3", {"objectives": {"Q3": {"score": 0.9, "status": "on track"}}}),
    ("2026-11-10", "2026-Q4", {"objectives": _objectives(0.40, 0.60, "on track")}),
    ("2026-11-10", "2026-Q4", {"objectives": _objectives(0.45, 0.62, "on track")}),
    (
        "2026-11-17",
        "2026-Q4",
        {
            "objectives": _objectives(0.50, 0.68, "on track"),
            "findings": _findings(
                ("UNALIGNED_EPIC", "PAY-103"), ("UNALIGNED_EPIC", "MOB-4"), ("OFF_PACE", "P2.KR1")
            ),
            "alignment": _total(1, 3, 1),
        },
    ),
    ("2026-11-24", "2026-Q4", {"objectives": _objectives(0.99, 0.99, "on track")}),
]

HISTORY = History.of(snapshot_from_data(day, cycle, data) for day, cycle, data in STORED)
