"""A small evaluation written by hand for the workbook tests: expected values come from here.

Cycle 2026-Q4 (92 days), as of 2026-11-24 = day 55 (55/92 ≈ 59.8% elapsed).
Portfolio objectives P1 (two key results) and P2 (a milestone key result, 1 of 4 done).
Team objectives PAY-O1 (supports P1.KR1, approved, and P1.KR2, still proposed; its owner's name
looks like a formula) and MOB-O1 (supports nothing, no decision, no key results).
Epics in the evaluation's key order:
  MOB-7   mobile, To Do, unaligned, no claim; summary starts with "-", assignee with "@"
  MOB-9   mobile, To Do, exempt, 3 points
  OPS-1   no team (project OPS is no team's), To Do, unaligned
  PAY-101 payments, In Progress, aligned on P1.KR1 (approved by Priya on 2026-11-02), 10 children
  PAY-102 payments, Done, aligned on P1.KR2 (label and field, proposed)
  PAY-103 payments, In Progress, unaligned: claims the unknown P9.KR1; summary is a formula
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from reports.excel_sheets import HistoryRun
from rules.forecast import METHOD, Forecast, TeamForecast
from rules.model import (
    AlignmentState,
    Approval,
    ApprovalState,
    Catalogue,
    CheckIn,
    ChildStats,
    Claim,
    ClaimSource,
    Connection,
    Cycle,
    Decision,
    DecisionOrigin,
    Epic,
    Finding,
    KeyResult,
    KrKind,
    Level,
    Milestone,
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

JIRA = "https://jira.example.com/"  # the trailing slash must not double up in links
BROWSE = "https://jira.example.com/browse/"
PORTFOLIO = "Retail banking"
FORMULA = '=HYPERLINK("http://evil")'
EXPECTED = 55 / 92
CREATED = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)

DONE, WIP, NEW = StatusCategory.DONE, StatusCategory.IN_PROGRESS, StatusCategory.NEW

CYCLE = Cycle("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))

KR_P1_1 = KeyResult(
    "P1.KR1",
    "P1",
    "Instant-payment success rate",
    unit="%",
    start=97.2,
    target=99.5,
    current=98.9,
    confidence=0.5,
    checkins=(
        CheckIn(date(2026, 10, 15), 98.1, 0.6, "Pilot live"),
        CheckIn(date(2026, 11, 20), 98.9, 0.8, "Rolled out to half the customers"),
        CheckIn(date(2026, 12, 1), 99.2, 0.9, "Written ahead of time: after the as-of date"),
    ),
    owner="Priya",
)
KR_P1_2 = KeyResult(
    "P1.KR2",
    "P1",
    "Median P2P transfer time",
    unit="s",
    start=42,
    target=10,
    current=30,
    confidence=0.4,
    weight=2.0,
)
KR_P2_1 = KeyResult(
    "P2.KR1",
    "P2",
    "Onboarding steps shipped",
    kind=KrKind.MILESTONE,
    milestones=(
        Milestone("ID check", True),
        Milestone("Video call", False),
        Milestone("Instant IBAN", False),
        Milestone("Card in wallet", False),
    ),
)
KR_PAY_1 = KeyResult(
    "PAY-O1.KR1",
    "PAY-O1",
    "Failed instant payments per 10k",
    start=28,
    target=14,
    current=24,
    measure_jql="project = PAY AND labels = failed-payment",
    owner="=Ana",  # an owner's name that looks like a formula stays text
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
APPROVED_KR1 = Decision(
    "PAY-O1",
    "P1.KR1",
    ApprovalState.APPROVED,
    datetime(2026, 10, 3, tzinfo=UTC),
    "Priya",
    "Clear line of sight",
    DecisionOrigin.CATALOGUE,
)
PAY_O1 = Objective(
    "PAY-O1",
    "Cut failed instant payments in half",
    Level.TEAM,
    "2026-Q4",
    team="payments",
    owner="=Ana",
    supports=("P1.KR1", "P1.KR2"),
    approval=Approval(ApprovalState.PROPOSED),  # one of its links still waits
    key_results=(KR_PAY_1,),
)
MOB_O1 = Objective("MOB-O1", "Ship a calmer app", Level.TEAM, "2026-Q4", team="mobile")

CATALOGUE = Catalogue(
    cycles=(CYCLE,),
    teams=(Team("payments", "Payments", ("PAY",)), Team("mobile", "Mobile", ("MOB",))),
    objectives=(P1, P2, PAY_O1, MOB_O1),
)

UPDATED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

MOB_7 = Epic("MOB-7", "-1 crash on start", "MOB", "To Do", NEW, assignee="@dev-team")
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
OPS_1 = Epic("OPS-1", "Rotate certificates", "OPS", "To Do", NEW)
PAY_101 = Epic(
    "PAY-101",
    "Retry failed instant payments",
    "PAY",
    "In Progress",
    WIP,
    labels=("okr:P1.KR1",),
    assignee="Ana",
    updated=UPDATED,
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
    FORMULA,
    "PAY",
    "In Progress",
    WIP,
    labels=("okr:P9.KR1",),
    assignee="Cleo",
    children=ChildStats(3, {DONE: 1, NEW: 2}, points_total=5.0, points_done=2.0),
)

CLAIM_DECISION = Decision(
    "PAY-101",
    "P1.KR1",
    ApprovalState.APPROVED,
    datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    "Priya",
    "Core of the key result",
    DecisionOrigin.CLI,
)

UNALIGNED_MSG = "No valid claim on an outcome of this cycle."
TAG_HINT = "Add the label okr:<key result id>, or okr-exempt."

EVALUATION = Evaluation(
    as_of=date(2026, 11, 24),
    cycle=CYCLE,
    objectives=(
        ObjectiveProgress(
            P1,
            0.56,
            EXPECTED,
            PaceStatus.ON_TRACK,
            key_results=(
                KeyResultProgress(
                    KR_P1_1,
                    0.74,
                    EXPECTED,
                    PaceStatus.ON_TRACK,
                    ("PAY-101",),
                    Output(1, {WIP: 1}, 10, 6, 21.0, 13.0),
                    forecast=Forecast(
                        METHOD, 3, CYCLE.end, 3, value=99.6, score=1.0, low=99.1, high=100.1
                    ),
                    team_forecast=TeamForecast(date(2026, 11, 20), 99.2, 0.87, "Ana"),
                ),
                KeyResultProgress(
                    KR_P1_2,
                    0.375,
                    EXPECTED,
                    PaceStatus.AT_RISK,
                    ("PAY-102",),
                    Output(1, {DONE: 1}, 4, 4, 8.0, 8.0),
                    forecast=Forecast(METHOD, 1, CYCLE.end, 3, reason="not enough data: 1 value"),
                ),
            ),
            supported_by=("PAY-O1",),
            epic_keys=("PAY-101", "PAY-102"),
            forecast_score=1.0,
        ),
        ObjectiveProgress(
            P2,
            0.25,
            EXPECTED,
            PaceStatus.AT_RISK,
            key_results=(KeyResultProgress(KR_P2_1, 0.25, EXPECTED, PaceStatus.AT_RISK),),
        ),
        ObjectiveProgress(
            PAY_O1,
            0.2857,
            EXPECTED,
            PaceStatus.AT_RISK,
            key_results=(KeyResultProgress(KR_PAY_1, 0.2857, EXPECTED, PaceStatus.AT_RISK),),
            connections=(
                Connection("PAY-O1", "P1.KR1", ApprovalState.APPROVED, APPROVED_KR1),
                Connection("PAY-O1", "P1.KR2", ApprovalState.PROPOSED),
            ),
        ),
        # No key results: no score and no pace (as rules.evaluate gives it).
        ObjectiveProgress(MOB_O1, None, EXPECTED, PaceStatus.NO_KEY_RESULTS),
    ),
    epics=(
        EpicAlignment(MOB_7, "mobile", AlignmentState.UNALIGNED),
        EpicAlignment(MOB_9, "mobile", AlignmentState.EXEMPT),
        EpicAlignment(OPS_1, None, AlignmentState.UNALIGNED),
        EpicAlignment(
            PAY_101,
            "payments",
            AlignmentState.ALIGNED,
            (
                Claim(
                    "PAY-101",
                    "P1.KR1",
                    ClaimSource.LABEL,
                    ApprovalState.APPROVED,
                    decision=CLAIM_DECISION,
                ),
            ),
            ("P1.KR1",),
        ),
        EpicAlignment(
            PAY_102,
            "payments",
            AlignmentState.ALIGNED,
            (Claim("PAY-102", "P1.KR2", ClaimSource.LABEL, also_from=(ClaimSource.FIELD,)),),
            ("P1.KR2",),
        ),
        EpicAlignment(
            PAY_103,
            "payments",
            AlignmentState.UNALIGNED,
            (Claim("PAY-103", "P9.KR1", ClaimSource.LABEL),),
        ),
    ),
    findings=(
        Finding("OFF_PACE", Severity.ERROR, "P2.KR1", "P2.KR1 is at 25% with 60% elapsed."),
        Finding("UNALIGNED_EPIC", Severity.WARNING, "MOB-7", UNALIGNED_MSG, TAG_HINT, "mobile"),
        Finding("UNALIGNED_EPIC", Severity.WARNING, "OPS-1", UNALIGNED_MSG, TAG_HINT),
        Finding("UNALIGNED_EPIC", Severity.WARNING, "PAY-103", UNALIGNED_MSG, TAG_HINT, "payments"),
        Finding(
            "UNKNOWN_OKR",
            Severity.WARNING,
            "PAY-103",
            "Claims P9.KR1, which is not in the catalogue.",
            "Check the spelling of the label.",
            "payments",
        ),
        Finding(
            "ORPHAN_TEAM_OBJECTIVE",
            Severity.INFO,
            "MOB-O1",
            "MOB-O1 supports no portfolio objective.",
            team="mobile",
        ),
    ),
    alignment=(
        AlignmentShare(
            "payments", aligned=1, unaligned=1, aligned_points=21.0, unaligned_points=5.0
        ),
        AlignmentShare("mobile", unaligned=1, exempt=1, exempt_points=3.0),
        AlignmentShare("", unaligned=1),
        AlignmentShare(
            None,
            aligned=1,
            unaligned=3,
            exempt=1,
            aligned_points=21.0,
            unaligned_points=5.0,
            exempt_points=3.0,
        ),
    ),
)

# Earlier runs, deliberately out of order; the Q3 one and the one on the as-of day are left out.
HISTORY = (
    HistoryRun(
        date(2026, 11, 14),
        "2026-Q4",
        {"P1.KR1": 0.6, "P1.KR2": 0.3125, "PAY-O1.KR1": 0.2},
        datetime(2026, 11, 14, 6, 0, tzinfo=UTC),
    ),
    HistoryRun(
        date(2026, 10, 31),
        "2026-Q4",
        {"P1.KR1": 0.5, "P1.KR2": 0.25, "P2.KR1": 0.0, "P0.KR9": 0.4},
        datetime(2026, 10, 31, 6, 0, tzinfo=UTC),
    ),
    HistoryRun(
        date(2026, 10, 31),
        "2026-Q4",
        {"P1.KR1": 0.45},
        datetime(2026, 10, 31, 5, 0, tzinfo=UTC),
    ),
    HistoryRun(date(2026, 11, 24), "2026-Q4", {"P1.KR1": 0.99}, datetime(2026, 11, 24, 6, 0)),
    HistoryRun(date(2026, 9, 30), "2026-Q3", {"Q3.KR1": 1.0}, datetime(2026, 9, 30, 6, 0)),
)
