"""A small evaluation written by hand: the tests' expected values come from here, not from the code.

Cycle 2026-Q4 (92 days), as of 2026-11-24 = day 55 (60% elapsed).
Portfolio objectives P1 (two KRs) and P2 (one KR, no work); team objective PAY-O1 supports P1.KR1.
Epics: PAY-101 aligned (P1.KR1), PAY-102 aligned and done (P1.KR2), PAY-103 unaligned (claims an
unknown OKR; its summary tries to inject a macro), MOB-7 unaligned (its summary looks like a
formula), MOB-9 exempt.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rules.model import (
    AlignmentState,
    Approval,
    ApprovalState,
    Catalogue,
    ChildStats,
    Claim,
    ClaimSource,
    Cycle,
    Epic,
    Finding,
    KeyResult,
    Level,
    Objective,
    PaceStatus,
    Severity,
    StatusCategory,
    Team,
)
from rules.results import (
    AlignmentShare,
    EpicAlignment,
    Evaluation,
    KeyResultProgress,
    ObjectiveProgress,
    Output,
)

INJECTION = '<ac:structured-macro ac:name="html">x</ac:structured-macro> & "quotes"'
FORMULA = '=HYPERLINK("http://evil")'
JIRA = "https://jira.example.com/"  # the trailing slash must not double up in links
PORTFOLIO = "Retail banking"

DONE, WIP, NEW = StatusCategory.DONE, StatusCategory.IN_PROGRESS, StatusCategory.NEW

CYCLE = Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))

KR_P1_1 = KeyResult(
    "P1.KR1", "P1", "Instant-payment success rate", unit="%", start=97.2, target=99.5, current=98.9
)
KR_P1_2 = KeyResult(
    "P1.KR2", "P1", "Median P2P transfer time", unit="s", start=42, target=10, current=30
)
KR_P2_1 = KeyResult(
    "P2.KR1", "P2", "Onboarding completed same day", unit="%", start=40, target=80, current=44
)
KR_PAY_1 = KeyResult(
    "PAY-O1.KR1", "PAY-O1", "Failed instant payments per 10k", start=28, target=14, current=24
)

P1 = Objective(
    "P1",
    "Make everyday payments effortless",
    Level.PORTFOLIO,
    "2026-Q4",
    owner="Priya",
    key_results=(KR_P1_1, KR_P1_2),
)
P2 = Objective(
    "P2",
    "Open accounts in minutes",
    Level.PORTFOLIO,
    "2026-Q4",
    owner="Marco",
    key_results=(KR_P2_1,),
)
PAY_O1 = Objective(
    "PAY-O1",
    "Cut failed instant payments in half",
    Level.TEAM,
    "2026-Q4",
    team="payments",
    owner="Ana",
    supports=("P1.KR1",),
    approval=Approval(ApprovalState.APPROVED, "Priya"),
    key_results=(KR_PAY_1,),
)

CATALOGUE = Catalogue(
    cycles=(CYCLE,),
    teams=(Team("payments", "Payments", ("PAY",)), Team("mobile", "Mobile", ("MOB",))),
    objectives=(P1, P2, PAY_O1),
)

PAY_101 = Epic(
    "PAY-101",
    "Retry failed instant payments",
    "PAY",
    "In Progress",
    WIP,
    labels=("okr:P1.KR1",),
    assignee="Ana",
    updated=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    children=ChildStats(10, {DONE: 6, WIP: 2, NEW: 2}, points_total=21.0, points_done=13.0),
)
PAY_102 = Epic(
    "PAY-102",
    "Faster P2P routing",
    "PAY",
    "Done",
    DONE,
    labels=("okr:P1.KR2",),
    assignee="Ben",
    children=ChildStats(4, {DONE: 4}, points_total=8.0, points_done=8.0),
)
PAY_103 = Epic(
    "PAY-103",
    INJECTION,
    "PAY",
    "In Progress",
    WIP,
    labels=("okr:P9.KR1",),
    assignee="Cleo",
    children=ChildStats(3, {DONE: 1, NEW: 2}, points_total=5.0, points_done=2.0),
)
MOB_7 = Epic("MOB-7", FORMULA, "MOB", "To Do", NEW)
MOB_9 = Epic(
    "MOB-9",
    "Refresh app icons",
    "MOB",
    "To Do",
    NEW,
    labels=("okr-exempt",),
    assignee="Dev",
    children=ChildStats(2, {NEW: 2}, points_total=3.0),
)

UNKNOWN_MSG = "Claims P9.KR1, which is not in the catalogue."
UNALIGNED_MSG = "No valid claim on an outcome of this cycle."
TYPO_HINT = "Check the spelling of the label."
TAG_HINT = "Add the label okr:<key result id>, or okr-exempt."

EVALUATION = Evaluation(
    as_of=date(2026, 11, 24),
    cycle=CYCLE,
    objectives=(
        ObjectiveProgress(
            P1,
            0.56,
            0.6,
            PaceStatus.ON_TRACK,
            key_results=(
                KeyResultProgress(
                    KR_P1_1,
                    0.74,
                    0.6,
                    PaceStatus.ON_TRACK,
                    ("PAY-101",),
                    Output(1, {WIP: 1}, 10, 6, 21.0, 13.0),
                ),
                KeyResultProgress(
                    KR_P1_2,
                    0.375,
                    0.6,
                    PaceStatus.AT_RISK,
                    ("PAY-102",),
                    Output(1, {DONE: 1}, 4, 4, 8.0, 8.0),
                ),
            ),
            supported_by=("PAY-O1",),
            epic_keys=("PAY-101", "PAY-102"),
        ),
        ObjectiveProgress(
            P2,
            0.1,
            0.6,
            PaceStatus.OFF_TRACK,
            key_results=(KeyResultProgress(KR_P2_1, 0.1, 0.6, PaceStatus.OFF_TRACK),),
        ),
        ObjectiveProgress(
            PAY_O1,
            0.29,
            0.6,
            PaceStatus.AT_RISK,
            key_results=(KeyResultProgress(KR_PAY_1, 0.29, 0.6, PaceStatus.AT_RISK),),
        ),
    ),
    epics=(
        EpicAlignment(
            PAY_101,
            "payments",
            AlignmentState.ALIGNED,
            (Claim("PAY-101", "P1.KR1", ClaimSource.LABEL, ApprovalState.APPROVED),),
            ("P1.KR1",),
        ),
        EpicAlignment(
            PAY_102,
            "payments",
            AlignmentState.ALIGNED,
            (Claim("PAY-102", "P1.KR2", ClaimSource.LABEL),),
            ("P1.KR2",),
        ),
        EpicAlignment(
            PAY_103,
            "payments",
            AlignmentState.UNALIGNED,
            (Claim("PAY-103", "P9.KR1", ClaimSource.LABEL),),
        ),
        EpicAlignment(MOB_7, "mobile", AlignmentState.UNALIGNED),
        EpicAlignment(MOB_9, "mobile", AlignmentState.EXEMPT),
    ),
    findings=(
        # The general finding comes first here on purpose: reports list the specific one first.
        Finding("UNALIGNED_EPIC", Severity.WARNING, "PAY-103", UNALIGNED_MSG, TAG_HINT, "payments"),
        Finding("UNKNOWN_OKR", Severity.WARNING, "PAY-103", UNKNOWN_MSG, TYPO_HINT, "payments"),
        Finding("UNALIGNED_EPIC", Severity.WARNING, "MOB-7", UNALIGNED_MSG, TAG_HINT, "mobile"),
        Finding("KR_WITHOUT_WORK", Severity.WARNING, "P2.KR1", "No active epic works on P2.KR1."),
        Finding("OFF_PACE", Severity.ERROR, "P2.KR1", "P2.KR1 is at 10% with 60% elapsed."),
    ),
    alignment=(
        AlignmentShare(
            "payments", aligned=1, unaligned=1, aligned_points=21.0, unaligned_points=5.0
        ),
        AlignmentShare("mobile", unaligned=1, exempt=1, exempt_points=3.0),
        AlignmentShare(
            None,
            aligned=1,
            unaligned=2,
            exempt=1,
            aligned_points=21.0,
            unaligned_points=5.0,
            exempt_points=3.0,
        ),
    ),
)
