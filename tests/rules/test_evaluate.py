"""`rules.evaluate`: a small hand-written portfolio, with every expected value worked out by hand.

As of 2026-11-15, 46 of the 92 days of 2026-Q4 have passed: expected = 0.5.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rules.alignment import NO_TEAM, natural_key
from rules.catalogue import parse_catalogue
from rules.evaluate import UnknownCycleError, evaluate, reporting_cycle
from rules.model import (
    AlignmentState,
    Catalogue,
    Claim,
    ClaimSource,
    Cycle,
    Epic,
    PaceStatus,
    Severity,
)
from rules.policy import Policy
from rules.results import AlignmentShare, Evaluation, Output
from tests.rules.factories import DONE, IN_PROGRESS, NEW, epic, switched_off

AS_OF = date(2026, 11, 15)

CATALOGUE = {
    "version": 1,
    "cycles": [
        {"id": "2026-Q3", "start": date(2026, 7, 1), "end": date(2026, 9, 30)},
        {"id": "2026-Q4", "start": date(2026, 10, 1), "end": date(2026, 12, 31)},
    ],
    "teams": [
        {"id": "payments", "name": "Payments", "projects": ["PAY"]},
        {"id": "mobile", "name": "Mobile", "projects": ["MOB"], "labels": ["team-mobile"]},
        {"id": "onboarding", "name": "Onboarding", "projects": ["ONB"]},
    ],
    "objectives": [
        {
            "id": "Q3-P0",
            "cycle": "2026-Q3",
            "title": "Last quarter",
            "key_results": [{"id": "Q3-P0.KR1", "title": "Old", "start": 0, "target": 1}],
        },
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Make everyday payments effortless",
            "key_results": [
                # (98.9 - 97.2) / (99.5 - 97.2) = 17/23 = 0.7391
                {
                    "id": "P1.KR1",
                    "title": "Success rate",
                    "start": 97.2,
                    "target": 99.5,
                    "current": 98.9,
                },
                # (36 - 42) / (10 - 42) = 0.1875, weight 3
                {
                    "id": "P1.KR2",
                    "title": "Transfer time",
                    "start": 42,
                    "target": 10,
                    "current": 36,
                    "weight": 3,
                },
            ],
        },
        {
            "id": "P2",
            "cycle": "2026-Q4",
            "title": "Dropped",
            "retired": True,
            "key_results": [{"id": "P2.KR1", "title": "Never", "kind": "boolean"}],
        },
        {
            "id": "PAY-O1",
            "cycle": "2026-Q4",
            "team": "payments",
            "title": "Cut failed payments",
            "supports": ["P1.KR1"],
            "key_results": [
                {
                    "id": "PAY-O1.KR1",
                    "title": "Retry service",
                    "kind": "milestone",
                    "milestones": [{"title": "Design", "done": True}, {"title": "Build"}],
                }
            ],
        },
        {
            "id": "MOB-O1",
            "cycle": "2026-Q4",
            "team": "mobile",
            "title": "Pay from the phone",
            "supports": ["P1"],
            "key_results": [
                {"id": "MOB-O1.KR1", "title": "Wallet live", "kind": "boolean", "done": True}
            ],
        },
    ],
}

EPICS = [
    epic(
        "PAY-1",
        "Payment retries",
        labels=("okr:P1.KR1", "okr:P7"),
        category=DONE,
        children=(3, 3),
        points=(5, 5),
    ),
    epic("PAY-2", "Retry storm fix", labels=("okr:P1.KR1",), children=(4, 1), points=(8, 2)),
    epic("PAY-10", "Card tokenisation", labels=("OKR:p9.kr1",), category=NEW, points=(3, 0)),
    epic("PAY-11", "Ledger cleanup", labels=("okr-exempt",), points=(5, 0)),
    epic("MOB-3", "Dark mode", labels=("okr:Q3-P0.KR1",), points=(2, 0)),
    epic("MOB-5", "Offline wallet", labels=("okr:P2.KR1", "okr:p1")),
    epic("WEB-1", "Wallet web view", labels=("team-mobile", "okr:MOB-O1.KR1"), points=(13, 1)),
    epic("WEB-2", "Landing page refresh", points=(1, 0)),
]

HINT = (
    "Add a label okr:<key result id> naming the key result it serves, "
    "or okr-exempt for keep-the-lights-on work."
)
# Only the claim findings: no approval needed, and the findings about key results switched off.
CLAIMS_ONLY = Policy(
    approval_for=frozenset(),
    findings=switched_off("KR_WITHOUT_WORK", "STALE_KR", "OFF_PACE", "EXEMPT_OVER_BUDGET"),
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parse_catalogue(CATALOGUE, "okrs.yaml")


@pytest.fixture(scope="module")
def result(catalogue: Catalogue) -> Evaluation:
    return evaluate(catalogue, EPICS, as_of=AS_OF, policy=Policy())


def test_findings_exact_set_and_order(result: Evaluation) -> None:
    W = Severity.WARNING
    assert [(f.code, f.subject, f.severity, f.team) for f in result.findings] == [
        ("UNKNOWN_OKR", "PAY-10", Severity.ERROR, "payments"),
        # payments: PAY-11 exempt of PAY-2, PAY-10, PAY-11 active: 1/3 > 0.3
        ("EXEMPT_OVER_BUDGET", "payments", W, "payments"),
        # P1.KR2: no epic claims it, and no team objective supports it (MOB-O1 supports P1)
        ("KR_WITHOUT_WORK", "P1.KR2", W, None),
        ("KR_WITHOUT_WORK", "PAY-O1.KR1", W, "payments"),
        ("OFF_PACE", "P1.KR2", W, None),  # 0.1875 / 0.5 = 0.375 < 0.4
        ("OUT_OF_CYCLE", "MOB-3", W, "mobile"),
        ("OUT_OF_CYCLE", "MOB-5", W, "mobile"),
        # No check-in and no current_on: 45 days since the cycle began > 21
        ("STALE_KR", "P1.KR1", W, None),
        ("STALE_KR", "P1.KR2", W, None),
        ("UNALIGNED_EPIC", "MOB-3", W, "mobile"),
        ("UNALIGNED_EPIC", "PAY-10", W, "payments"),
        ("UNALIGNED_EPIC", "WEB-2", W, None),
        # Valid claims of active epics and team objectives' links, nobody decided yet
        ("AWAITING_APPROVAL", "MOB-5", Severity.INFO, "mobile"),
        ("AWAITING_APPROVAL", "MOB-O1", Severity.INFO, "mobile"),
        ("AWAITING_APPROVAL", "PAY-2", Severity.INFO, "payments"),
        ("AWAITING_APPROVAL", "PAY-O1", Severity.INFO, "payments"),
        ("AWAITING_APPROVAL", "WEB-1", Severity.INFO, "mobile"),
    ]


def test_finding_messages(result: Evaluation) -> None:
    messages = {(f.code, f.subject): (f.message, f.hint) for f in result.findings}
    assert messages[("UNKNOWN_OKR", "PAY-10")] == (
        "PAY-10 “Card tokenisation” claims P9.KR1, which is not in the OKR catalogue",
        "Fix the label OKR:p9.kr1 on PAY-10: did you mean P1.KR1?",
    )
    assert messages[("OUT_OF_CYCLE", "MOB-3")] == (
        "MOB-3 “Dark mode” claims Q3-P0.KR1, of cycle 2026-Q3, which has ended",
        "Point the label okr:Q3-P0.KR1 at a key result of the current cycle, or remove it.",
    )
    assert messages[("OUT_OF_CYCLE", "MOB-5")] == (
        "MOB-5 “Offline wallet” claims P2.KR1, whose objective P2 is retired",
        "Point the label okr:P2.KR1 at a key result of the current cycle, or remove it.",
    )
    assert messages[("UNALIGNED_EPIC", "MOB-3")] == (
        "MOB-3 “Dark mode” serves no outcome: "
        "its only claim (Q3-P0.KR1) is unknown or out of cycle",
        HINT,
    )
    assert messages[("UNALIGNED_EPIC", "PAY-10")] == (
        "PAY-10 “Card tokenisation” serves no outcome: "
        "its only claim (P9.KR1) is unknown or out of cycle",
        HINT,
    )
    assert messages[("UNALIGNED_EPIC", "WEB-2")] == (
        "WEB-2 “Landing page refresh” serves no outcome: it has no okr: label",
        HINT,
    )


def test_every_epic_is_aligned_in_key_order(result: Evaluation) -> None:
    assert [(a.epic.key, a.team, a.state, a.valid_okr_ids) for a in result.epics] == [
        ("MOB-3", "mobile", AlignmentState.UNALIGNED, ()),
        ("MOB-5", "mobile", AlignmentState.ALIGNED, ("P1",)),
        ("PAY-1", "payments", AlignmentState.ALIGNED, ("P1.KR1",)),  # done, still listed
        ("PAY-2", "payments", AlignmentState.ALIGNED, ("P1.KR1",)),
        ("PAY-10", "payments", AlignmentState.UNALIGNED, ()),
        ("PAY-11", "payments", AlignmentState.EXEMPT, ()),
        ("WEB-1", "mobile", AlignmentState.ALIGNED, ("MOB-O1.KR1",)),  # team by label
        ("WEB-2", None, AlignmentState.UNALIGNED, ()),
    ]
    mob5 = result.epics[1]
    assert mob5.claims == (
        Claim("MOB-5", "P2.KR1", ClaimSource.LABEL),
        Claim("MOB-5", "P1", ClaimSource.LABEL),
    )


def test_alignment_shares(result: Evaluation) -> None:
    # Active epics only: PAY-1 is done; onboarding has no epics and gets no share.
    assert result.alignment == (
        AlignmentShare(
            "payments",
            aligned=1,
            unaligned=1,
            exempt=1,
            aligned_points=8,
            unaligned_points=3,
            exempt_points=5,
        ),
        AlignmentShare(
            "mobile", aligned=2, unaligned=1, exempt=0, aligned_points=13, unaligned_points=2
        ),
        AlignmentShare(NO_TEAM, unaligned=1, unaligned_points=1),
        AlignmentShare(
            None,
            aligned=3,
            unaligned=3,
            exempt=1,
            aligned_points=21,
            unaligned_points=6,
            exempt_points=5,
        ),
    )
    assert result.alignment[-1].aligned_share == pytest.approx(3 / 7)


def test_reported_objectives_are_those_of_the_cycle_in_catalogue_order(result: Evaluation) -> None:
    assert result.cycle.id == "2026-Q4"
    assert [o.objective.id for o in result.objectives] == ["P1", "P2", "PAY-O1", "MOB-O1"]
    assert [o.objective.id for o in result.portfolio_objectives()] == ["P1", "P2"]


def test_objective_progress(result: Evaluation) -> None:
    p1, p2, pay, mob = result.objectives
    # (17/23 * 1 + 0.1875 * 3) / 4 = 0.3254; pace 0.65: at risk
    assert (p1.score, p1.expected, p1.status) == (pytest.approx(0.3254076), 0.5, PaceStatus.AT_RISK)
    assert p1.supported_by == ("PAY-O1", "MOB-O1")
    assert p1.epic_keys == ("MOB-5", "PAY-1", "PAY-2")
    assert (p2.score, p2.status, p2.epic_keys) == (0.0, PaceStatus.OFF_TRACK, ())  # retired
    assert (pay.score, pay.status, pay.epic_keys) == (0.5, PaceStatus.ON_TRACK, ())
    assert (mob.score, mob.status, mob.epic_keys) == (1.0, PaceStatus.ON_TRACK, ("WEB-1",))
    assert mob.supported_by == ()


def test_key_result_progress(result: Evaluation) -> None:
    kr1, kr2 = result.objectives[0].key_results
    assert kr1.key_result.id == "P1.KR1"
    assert (kr1.score, kr1.expected, kr1.status) == (
        pytest.approx(0.7391304),
        0.5,
        PaceStatus.ON_TRACK,
    )
    assert kr1.epic_keys == ("PAY-1", "PAY-2")
    assert kr1.output == Output(
        epics_total=2,
        epics_by_category={DONE: 1, IN_PROGRESS: 1},
        children_total=7,
        children_done=4,
        points_total=13,
        points_done=7,
    )
    assert (kr2.score, kr2.status, kr2.epic_keys) == (0.1875, PaceStatus.OFF_TRACK, ())
    assert kr2.output == Output()


def test_a_done_epic_with_an_unknown_claim_raises_nothing(catalogue: Catalogue) -> None:
    done = epic("PAY-7", "Shipped", labels=("okr:NOPE",), category=DONE)
    result = evaluate(catalogue, [done], as_of=AS_OF, policy=CLAIMS_ONLY)
    assert result.findings == ()
    assert result.epics[0].state is AlignmentState.UNALIGNED
    assert result.alignment == (AlignmentShare(None),)


def test_an_exempt_epic_is_not_unaligned_and_its_valid_claims_still_count(
    catalogue: Catalogue,
) -> None:
    keep = epic("PAY-8", "Keep the lights on", labels=("OKR-Exempt", "okr:P1.KR2"))
    result = evaluate(catalogue, [keep], as_of=AS_OF, policy=CLAIMS_ONLY)
    assert result.findings == ()
    assert result.epics[0].state is AlignmentState.EXEMPT
    assert result.objectives[0].key_results[1].epic_keys == ("PAY-8",)


def test_disabled_codes_are_not_emitted(catalogue: Catalogue) -> None:
    more = switched_off(*CLAIMS_ONLY.disabled, "UNALIGNED_EPIC", "OUT_OF_CYCLE")
    policy = replace(CLAIMS_ONLY, findings=more)
    result = evaluate(catalogue, EPICS, as_of=AS_OF, policy=policy)
    assert [(f.code, f.subject) for f in result.findings] == [("UNKNOWN_OKR", "PAY-10")]


def test_claims_from_the_field_when_enabled(catalogue: Catalogue) -> None:
    item = epic("ONB-1", "Signup", claim_field=("P1.KR2",))
    off = evaluate(catalogue, [item], as_of=AS_OF, policy=CLAIMS_ONLY)
    assert [(f.code, f.message) for f in off.findings] == [
        ("UNALIGNED_EPIC", "ONB-1 “Signup” serves no outcome: it has no okr: label")
    ]
    on = evaluate(catalogue, [item], as_of=AS_OF, policy=replace(CLAIMS_ONLY, use_field=True))
    assert on.findings == ()
    assert on.epics[0].team == "onboarding"
    assert on.alignment[0] == AlignmentShare("onboarding", aligned=1)


def test_a_misspelt_field_value_is_named_in_the_hint(catalogue: Catalogue) -> None:
    item = epic("ONB-2", "Signup", claim_field=("P1.KR9",))
    result = evaluate(catalogue, [item], as_of=AS_OF, policy=Policy(use_field=True))
    unknown = next(f for f in result.findings if f.code == "UNKNOWN_OKR")
    assert unknown.hint == "Fix the key result field value P1.KR9 on ONB-2: did you mean P1.KR1?"
    unaligned = next(f for f in result.findings if f.code == "UNALIGNED_EPIC")
    assert (
        unaligned.message
        == "ONB-2 “Signup” serves no outcome: its only claim (P1.KR9) is unknown or out of cycle"
    )


def test_early_in_the_cycle_everything_is_too_early(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, EPICS, as_of=date(2026, 10, 9), policy=Policy())
    assert {o.status for o in result.objectives} == {PaceStatus.TOO_EARLY}


def test_a_claim_on_a_cycle_that_has_not_begun(catalogue: Catalogue) -> None:
    # On the last day of Q3, a claim on a Q4 key result is out of cycle.
    item = epic("PAY-3", "Early bird", labels=("okr:P1.KR1",))
    result = evaluate(catalogue, [item], as_of=date(2026, 9, 30), policy=CLAIMS_ONLY)
    assert result.cycle.id == "2026-Q3"
    assert [(f.code, f.message) for f in result.findings] == [
        ("OUT_OF_CYCLE", "PAY-3 “Early bird” claims P1.KR1, of cycle 2026-Q4, which has not begun"),
        (
            "UNALIGNED_EPIC",
            "PAY-3 “Early bird” serves no outcome: "
            "its only claim (P1.KR1) is unknown or out of cycle",
        ),
    ]


def test_several_invalid_claims_are_listed(catalogue: Catalogue) -> None:
    item = epic("PAY-4", "Mixed up", labels=("okr:X1", "okr:Q3-P0"))
    result = evaluate(catalogue, [item], as_of=AS_OF, policy=Policy())
    unaligned = [f.message for f in result.findings if f.code == "UNALIGNED_EPIC"]
    assert unaligned == [
        "PAY-4 “Mixed up” serves no outcome: "
        "its only claims (X1, Q3-P0) are unknown or out of cycle"
    ]
    unknown = [f.hint for f in result.findings if f.code == "UNKNOWN_OKR"]
    assert unknown == ["Fix the label okr:X1 on PAY-4, or remove it."]


def test_a_long_summary_is_shortened_in_messages(catalogue: Catalogue) -> None:
    item = epic("PAY-5", "x" * 100)
    (finding,) = evaluate(catalogue, [item], as_of=AS_OF, policy=CLAIMS_ONLY).findings
    assert finding.message == "PAY-5 “" + "x" * 79 + "…” serves no outcome: it has no okr: label"


# --- the reporting cycle -------------------------------------------------------------------------

GAPPY = Catalogue(
    cycles=(
        Cycle("H2", date(2026, 7, 1), date(2026, 12, 31)),
        Cycle("Q1", date(2026, 1, 1), date(2026, 3, 31)),
        Cycle("Q2", date(2026, 4, 1), date(2026, 5, 31)),
    ),
    teams=(),
    objectives=(),
)


@pytest.mark.parametrize(
    ("as_of", "cycle_id"),
    [
        (date(2026, 2, 1), "Q1"),  # contains as_of
        (date(2026, 6, 15), "Q2"),  # in a gap: the latest begun
        (date(2027, 2, 1), "H2"),  # after all: the latest begun
        (date(2025, 6, 1), "Q1"),  # before all: the earliest
    ],
)
def test_reporting_cycle(as_of: date, cycle_id: str) -> None:
    assert reporting_cycle(GAPPY, as_of).id == cycle_id


def test_reporting_cycle_asked_for(catalogue: Catalogue) -> None:
    result = evaluate(catalogue, EPICS, as_of=AS_OF, policy=Policy(), cycle_id="2026-Q3")
    assert [o.objective.id for o in result.objectives] == ["Q3-P0"]
    assert result.objectives[0].expected == 1.0
    with pytest.raises(UnknownCycleError, match="no cycle '2027-Q1' in the catalogue"):
        evaluate(catalogue, EPICS, as_of=AS_OF, policy=Policy(), cycle_id="2027-Q1")


def test_natural_key_order() -> None:
    keys = ["PAY-10", "MOB-3", "PAY-2", "PAY-1", "AB-100", "AB-99"]
    assert sorted(keys, key=natural_key) == ["AB-99", "AB-100", "MOB-3", "PAY-1", "PAY-2", "PAY-10"]


def test_team_labels_win_over_projects_and_are_case_insensitive(catalogue: Catalogue) -> None:
    item: Epic = epic("PAY-9", "Shared", labels=("TEAM-MOBILE", "okr:P1"))
    result = evaluate(catalogue, [item], as_of=AS_OF, policy=Policy())
    assert result.epics[0].team == "mobile"
