"""Every finding, table-driven: it fires, it stays quiet, its switch and its thresholds work.

The quiet portfolio below raises nothing. Each case changes one thing and lists, by hand, every
finding that change must raise (a change can rightly raise more than one).

As of 2026-11-15, 46 of the 92 days of 2026-Q4 have passed: expected score 0.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from rules.approvers import ApproverRules, Approvers
from rules.catalogue import parse_catalogue
from rules.evaluate import evaluate
from rules.findings import RULES, rule
from rules.model import ApprovalState, Decision, DecisionOrigin, Epic, Severity, StatusCategory
from rules.policy import Policy
from rules.results import Evaluation
from tests.rules.factories import DONE, IN_PROGRESS, deep, epic

AS_OF = date(2026, 11, 15)
BY_PRIYA = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)

QUIET_CATALOGUE: dict[str, Any] = {
    "version": 1,
    "cycles": [
        {"id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"},
        {"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31"},
    ],
    "teams": [{"id": "payments", "name": "Payments", "projects": ["PAY"]}],
    "objectives": [
        {
            "id": "P0",
            "cycle": "2026-Q3",
            "title": "Last quarter",
            "key_results": [{"id": "P0.KR1", "title": "Old", "start": 0, "target": 1}],
        },
        {
            "id": "P1",
            "cycle": "2026-Q4",
            "title": "Effortless payments",
            "key_results": [
                # score 0.5 = expected: on track; measured five days ago
                {
                    "id": "P1.KR1",
                    "title": "Instant payments",
                    "start": 0,
                    "target": 100,
                    "current": 50,
                    "current_on": "2026-11-10",
                },
            ],
        },
        {
            "id": "PAY-O1",
            "cycle": "2026-Q4",
            "team": "payments",
            "title": "Fewer failed payments",
            "supports": ["P1.KR1"],
            "approval": {"state": "approved", "by": "Priya", "at": "2026-10-02"},
            "key_results": [
                {
                    "id": "PAY-O1.KR1",
                    "title": "Failures per 10k",
                    "start": 20,
                    "target": 10,
                    "current": 15,
                    "current_on": "2026-11-10",
                },
            ],
        },
    ],
}


def quiet_epics() -> list[Epic]:
    return [
        epic("PAY-1", "Retries", labels=("okr:P1.KR1",), children=(4, 1), points=(8, 2)),
        epic("PAY-2", "Dashboards", labels=("okr:PAY-O1.KR1",), children=(2, 0)),
    ]


def approved(key: str) -> Decision:
    return Decision(key, None, ApprovalState.APPROVED, BY_PRIYA, "Priya")


QUIET_DECISIONS = [approved("PAY-1"), approved("PAY-2")]


@dataclass
class World:
    catalogue: dict[str, Any] = field(default_factory=lambda: deep(QUIET_CATALOGUE))
    epics: list[Epic] = field(default_factory=quiet_epics)
    decisions: list[Decision] = field(default_factory=lambda: list(QUIET_DECISIONS))
    policy: Policy = field(default_factory=Policy)

    def kr(self, kr_id: str) -> dict[str, Any]:
        return next(
            kr for o in self.catalogue["objectives"] for kr in o["key_results"] if kr["id"] == kr_id
        )

    def objective(self, objective_id: str) -> dict[str, Any]:
        return next(o for o in self.catalogue["objectives"] if o["id"] == objective_id)

    def evaluate(self) -> Evaluation:
        catalogue = parse_catalogue(self.catalogue, "okrs.yaml")
        return evaluate(
            catalogue, self.epics, as_of=AS_OF, policy=self.policy, decisions=self.decisions
        )


def found(world: World) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in world.evaluate().findings}


def test_the_quiet_portfolio_raises_nothing() -> None:
    assert World().evaluate().findings == ()


def test_every_rule_has_a_case_below() -> None:
    assert {rule.code for rule in RULES} == {case.code for case in CASES}


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    change: Callable[[World], None]
    expected: set[tuple[str, str]]  # every finding the change raises; empty: stays quiet
    settings: dict[str, Any] = field(default_factory=dict)  # under findings.<code>, as in the file
    policy: dict[str, Any] = field(default_factory=dict)  # the rest of the policy


def settings(code: str, **values: Any) -> Policy:
    """A policy with finding `code` set as `findings: {code: values}` would set it."""
    return Policy(findings={code: rule(code).settings(**values)})


def add(*epics: Epic) -> Callable[[World], None]:
    return lambda w: w.epics.extend(epics)


def set_kr(kr_id: str, **values: Any) -> Callable[[World], None]:
    return lambda w: w.kr(kr_id).update(values)


def both(*changes: Callable[[World], None]) -> Callable[[World], None]:
    def run(world: World) -> None:
        for change in changes:
            change(world)

    return run


def drop_decision(key: str) -> Callable[[World], None]:
    return lambda w: w.decisions.remove(approved(key))


def reject_pay1(w: World) -> None:
    at = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    w.decisions.append(Decision("PAY-1", "P1.KR1", ApprovalState.REJECTED, at, "Priya", "No"))


def sam_rejects_pay1(w: World) -> None:
    """Sam, who is not an approver, ticks Reject on the page: kept, not counted."""
    at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    w.decisions.append(
        Decision(
            "PAY-1",
            "P1.KR1",
            ApprovalState.REJECTED,
            at,
            "Sam Lee",
            "Too vague",
            DecisionOrigin.PAGE,
            by_id="sam.lee",
            counted=False,
        )
    )


def priya_approves_pay1_again(w: World) -> None:
    at = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    w.decisions.append(Decision("PAY-1", "P1.KR1", ApprovalState.APPROVED, at, "Priya"))


def second_kr(needs_work: bool = True) -> Callable[[World], None]:
    kr = {"id": "P1.KR2", "title": "Transfer time", "start": 0, "target": 10, "current": 5}
    kr |= {"current_on": "2026-11-10", "needs_work": needs_work}
    return lambda w: w.objective("P1")["key_results"].append(kr)


unlabelled = epic("PAY-3", "Cleanup")
exempt = epic("PAY-3", "Certificates", labels=("okr-exempt",))
stale = set_kr("P1.KR1", current_on="2026-10-20")  # 26 days before the evaluation
mostly_done = both(
    lambda w: w.epics.__setitem__(
        0, epic("PAY-1", "Retries", labels=("okr:P1.KR1",), children=(10, 8))
    ),
    set_kr("P1.KR1", current=15),  # score 0.15: pace 0.3, off track too
)


def two_teams(category: StatusCategory = IN_PROGRESS) -> Callable[[World], None]:
    """A Mobile team beside Payments, and an approved, aligned PAY epic whose components name
    both (as a sync with `teams.source: component` reads them)."""

    def run(world: World) -> None:
        world.catalogue["teams"].append(
            {"id": "mobile", "name": "Mobile", "projects": ["MOB"], "aliases": ["Apps"]}
        )
        work = epic("PAY-3", "Wallet", labels=("okr:P1.KR1",), category=category)
        world.epics.append(replace(work, team_names=("Apps", "Payments")))
        world.decisions.append(approved("PAY-3"))

    return run


def checkins(*values: float, forecast: float | None = None) -> Callable[[World], None]:
    """P1.KR1 checked in on 10-21, 10-31, 11-10 (days 20, 30, 40 of the cycle), no dated current."""
    days = ("2026-10-21", "2026-10-31", "2026-11-10")[-len(values) :]

    def run(world: World) -> None:
        kr = world.kr("P1.KR1")
        kr.pop("current_on")
        kr["checkins"] = [
            {"on": day, "value": value, **({"forecast": forecast} if forecast is not None else {})}
            for day, value in zip(days, values, strict=True)
        ]

    return run


# 10, 15, 20 on days 20, 30, 40: the line y = x / 2 reaches 45.5 on day 91 (12-31): 46 % < 70 %.
# Now at 20 of 100 with half the cycle gone, pace 0.4: at risk, which OFF_PACE leaves alone.
slow = checkins(10, 15, 20)

CASES = [
    Case("UNALIGNED_EPIC", "fires", add(unlabelled), {("UNALIGNED_EPIC", "PAY-3")}),
    Case("UNALIGNED_EPIC", "done work is quiet", add(epic("PAY-3", category=DONE)), set()),
    Case(
        "UNALIGNED_EPIC",
        "off",
        add(unlabelled),
        set(),
        {"enabled": False},
    ),
    Case(
        "UNKNOWN_OKR",
        "fires",
        add(epic("PAY-3", labels=("okr:P9.KR1",))),
        {("UNKNOWN_OKR", "PAY-3"), ("UNALIGNED_EPIC", "PAY-3")},
    ),
    Case(
        "UNKNOWN_OKR",
        "off",
        add(epic("PAY-3", labels=("okr:P9.KR1",))),
        {("UNALIGNED_EPIC", "PAY-3")},
        {"enabled": False},
    ),
    Case(
        "OUT_OF_CYCLE",
        "fires",
        add(epic("PAY-3", labels=("okr:P0.KR1",))),
        {("OUT_OF_CYCLE", "PAY-3"), ("UNALIGNED_EPIC", "PAY-3")},
    ),
    Case(
        "OUT_OF_CYCLE",
        "quiet beside a valid claim",
        add(epic("PAY-3", labels=("okr:P1.KR1", "okr:P0.KR1"))),
        {("OUT_OF_CYCLE", "PAY-3"), ("AWAITING_APPROVAL", "PAY-3")},
    ),
    Case("AWAITING_APPROVAL", "fires", drop_decision("PAY-1"), {("AWAITING_APPROVAL", "PAY-1")}),
    Case(
        "AWAITING_APPROVAL",
        "not required",
        drop_decision("PAY-1"),
        set(),
        policy={"approval_for": frozenset({"team_objectives"})},
    ),
    Case(
        "AWAITING_APPROVAL",
        "a team objective's link",
        lambda w: w.objective("PAY-O1").pop("approval"),
        {("AWAITING_APPROVAL", "PAY-O1")},
    ),
    Case(
        "REJECTED_CLAIM",
        "fires",
        reject_pay1,
        # PAY-1's only claim no longer counts. P1.KR1 still has work behind it: PAY-2, through
        # PAY-O1, which supports P1.KR1.
        {("REJECTED_CLAIM", "PAY-1"), ("UNALIGNED_EPIC", "PAY-1")},
    ),
    Case(
        "REJECTED_CLAIM",
        "quiet once the work is done",
        both(reject_pay1, lambda w: w.epics.__setitem__(0, epic("PAY-1", category=DONE))),
        set(),
    ),
    Case(
        "ORPHAN_TEAM_OBJECTIVE",
        "fires",
        lambda w: w.objective("PAY-O1").update(supports=[]),
        {("ORPHAN_TEAM_OBJECTIVE", "PAY-O1")},
    ),
    Case(
        "ORPHAN_TEAM_OBJECTIVE",
        "every link rejected",
        lambda w: w.objective("PAY-O1").update(
            approval={"state": "rejected", "by": "Priya", "at": "2026-10-03"}
        ),
        {("ORPHAN_TEAM_OBJECTIVE", "PAY-O1"), ("REJECTED_CLAIM", "PAY-O1")},
    ),
    Case("KR_WITHOUT_WORK", "fires", second_kr(), {("KR_WITHOUT_WORK", "P1.KR2")}),
    Case("KR_WITHOUT_WORK", "needs_work: false", second_kr(needs_work=False), set()),
    Case(
        "KR_WITHOUT_WORK",
        "work through a supporting team objective",
        both(second_kr(), lambda w: w.objective("PAY-O1").update(supports=["P1.KR1", "P1.KR2"])),
        set(),
    ),
    Case("STALE_KR", "fires", stale, {("STALE_KR", "P1.KR1")}),
    Case("STALE_KR", "21 days is not stale", set_kr("P1.KR1", current_on="2026-10-25"), set()),
    Case("STALE_KR", "days: 30", stale, set(), {"days": 30}),
    Case("OFF_PACE", "fires", set_kr("P1.KR1", current=10), {("OFF_PACE", "P1.KR1")}),
    Case("OFF_PACE", "at risk is quiet", set_kr("P1.KR1", current=20), set()),
    Case(
        "OFF_PACE",
        "include_at_risk",
        set_kr("P1.KR1", current=20),
        {("OFF_PACE", "P1.KR1")},
        {"include_at_risk": True},
    ),
    Case("FORECAST_MISS", "fires", slow, {("FORECAST_MISS", "P1.KR1")}),
    # 10, 20, 30: y = x − 10 reaches 81 on day 91, above the on-track band.
    Case("FORECAST_MISS", "on course is quiet", checkins(10, 20, 30), set()),
    Case("FORECAST_MISS", "two values forecast nothing", checkins(15, 20), set()),
    Case(
        "FORECAST_MISS",
        "the team's own forecast, without enough data",
        checkins(15, 20, forecast=40),
        {("FORECAST_MISS", "P1.KR1")},
    ),
    Case("FORECAST_MISS", "min_values: 4", slow, set(), {"min_values": 4}),
    Case(
        "OUTPUT_WITHOUT_OUTCOME",
        "fires",
        mostly_done,
        {("OUTPUT_WITHOUT_OUTCOME", "P1.KR1"), ("OFF_PACE", "P1.KR1")},
    ),
    Case(
        "OUTPUT_WITHOUT_OUTCOME",
        "max_score: 0.1",
        mostly_done,
        {("OFF_PACE", "P1.KR1")},
        {"max_score": 0.1},
    ),
    Case(
        "OUTPUT_WITHOUT_OUTCOME",
        "done_share: 0.9",
        mostly_done,
        {("OFF_PACE", "P1.KR1")},
        {"done_share": 0.9},
    ),
    Case("EXEMPT_OVER_BUDGET", "fires", add(exempt), {("EXEMPT_OVER_BUDGET", "payments")}),
    Case("EXEMPT_OVER_BUDGET", "max_share: 0.5", add(exempt), set(), {"max_share": 0.5}),
    Case(
        "EXEMPT_OVER_BUDGET",
        "a team's own share",
        add(exempt),
        set(),
        {"teams": {"payments": 0.34}},
    ),
    # PAY-1 stays approved by Priya: Sam's rejection does not count (no REJECTED_CLAIM).
    Case(
        "DECISION_BY_NON_APPROVER",
        "fires",
        sam_rejects_pay1,
        {("DECISION_BY_NON_APPROVER", "PAY-1")},
    ),
    Case(
        "DECISION_BY_NON_APPROVER",
        "quiet once an approver decides again",
        both(sam_rejects_pay1, priya_approves_pay1_again),
        set(),
    ),
    Case(
        "DECISION_BY_NON_APPROVER",
        "off",
        sam_rejects_pay1,
        set(),
        {"enabled": False},
    ),
    Case("AMBIGUOUS_TEAM", "fires", two_teams(), {("AMBIGUOUS_TEAM", "PAY-3")}),
    Case("AMBIGUOUS_TEAM", "done work is quiet", two_teams(DONE), set()),
    Case(
        "AMBIGUOUS_TEAM",
        "off",
        two_teams(),
        set(),
        {"enabled": False},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}: {c.name}")
def test_finding(case: Case) -> None:
    world = World()
    case.change(world)
    world.policy = replace(settings(case.code, **case.settings), **case.policy)
    assert found(world) == case.expected


def test_a_severity_can_be_changed() -> None:
    world = World()
    stale(world)
    world.policy = settings("STALE_KR", severity="error")
    (finding,) = world.evaluate().findings
    assert (finding.code, finding.severity) == ("STALE_KR", Severity.ERROR)


# --- what people read -----------------------------------------------------------------------------


def messages(
    change: Callable[[World], None], **policy: Any
) -> dict[tuple[str, str], tuple[str, str]]:
    world = World()
    change(world)
    world.policy = replace(world.policy, **policy)
    return {(f.code, f.subject): (f.message, f.hint) for f in world.evaluate().findings}


def test_awaiting_approval_messages() -> None:
    def undecided(w: World) -> None:
        w.decisions.clear()
        w.objective("PAY-O1").pop("approval")

    said = messages(undecided)
    assert said[("AWAITING_APPROVAL", "PAY-1")] == (
        "PAY-1 “Retries” claims P1.KR1; a leader has not yet approved the connection",
        "A portfolio leader decides: outcomes approve PAY-1 --okr P1.KR1 --by NAME "
        "(or outcomes reject ... --why TEXT), or the label okr-approved in Jira.",
    )
    assert said[("AWAITING_APPROVAL", "PAY-O1")] == (
        "Team objective PAY-O1 “Fewer failed payments” supports P1.KR1; "
        "a leader has not yet approved the connection",
        "A portfolio leader decides: outcomes approve PAY-O1 --okr P1.KR1 --by NAME, "
        "or an approval in the catalogue.",
    )


def test_rejected_claim_names_who_when_and_why() -> None:
    said = messages(reject_pay1)
    assert said[("REJECTED_CLAIM", "PAY-1")] == (
        "PAY-1 “Retries” goes on, but its claim on P1.KR1 was rejected by "
        "Priya on 2026-11-02 (“No”)",
        "Talk with the leader: stop the work, tie it to an outcome they agree with, "
        "or remove the label okr:P1.KR1.",
    )
    assert said[("UNALIGNED_EPIC", "PAY-1")][0] == (
        "PAY-1 “Retries” serves no outcome: its only claim (P1.KR1) was rejected"
    )


def test_key_result_messages() -> None:
    assert messages(second_kr())[("KR_WITHOUT_WORK", "P1.KR2")] == (
        "Key result P1.KR2 “Transfer time” has no active epic behind it",
        "Tag the epics that move it (okr:P1.KR2), or mark it needs_work: false in the "
        "catalogue when no epic moves it directly.",
    )
    assert messages(stale)[("STALE_KR", "P1.KR1")] == (
        "Key result P1.KR1 “Instant payments” was last measured on 2026-10-20, 26 days ago "
        "(allowed: 21 days)",
        "Record a check-in: outcomes checkin P1.KR1 --value V --confidence 0.7 --note TEXT",
    )
    assert messages(set_kr("P1.KR1", current=10))[("OFF_PACE", "P1.KR1")][0] == (
        "Key result P1.KR1 “Instant payments” is 10% of the way to its target with 50% of the "
        "cycle gone (off track)"
    )
    assert messages(slow)[("FORECAST_MISS", "P1.KR1")] == (
        "Key result P1.KR1 “Instant payments” is forecast to reach 46% of the way to its target "
        "by the cycle's end (2026-12-31); on track needs 70%",
        "Inspect and adapt: what would change its course? Change the work, ask for support, or "
        "agree a new target with leadership.",
    )
    assert messages(checkins(10, 15, 20, forecast=60))[("FORECAST_MISS", "P1.KR1")][0] == (
        "Key result P1.KR1 “Instant payments” is forecast to reach 46% of the way to its target "
        "by the cycle's end (2026-12-31); on track needs 70%; the team forecasts 60%"
    )
    assert messages(mostly_done)[("OUTPUT_WITHOUT_OUTCOME", "P1.KR1")][0] == (
        "Most of the work behind key result P1.KR1 “Instant payments” is done (8 of 10 child "
        "issues), yet it has moved only 15% of the way to its target"
    )


def test_team_messages() -> None:
    orphan = messages(lambda w: w.objective("PAY-O1").update(supports=[]))
    assert orphan[("ORPHAN_TEAM_OBJECTIVE", "PAY-O1")][0] == (
        "Team objective PAY-O1 “Fewer failed payments” supports no portfolio objective or key "
        "result"
    )
    budget = messages(add(epic("PAY-3", "Certificates", labels=("okr-exempt",), points=(4, 0))))
    assert budget[("EXEMPT_OVER_BUDGET", "payments")] == (
        "Payments: 1 of 3 active epics (33%; 4 of 12 story points) are exempt "
        "keep-the-lights-on work; the allowed share is 30%",
        "Tie some of this work to an outcome, or agree a higher share for the team "
        "(findings.EXEMPT_OVER_BUDGET.teams.payments).",
    )


def test_a_stale_key_result_measured_from_jira_points_at_the_sync() -> None:
    said = messages(both(stale, set_kr("P1.KR1", measure={"jql": "project = PAY"})))
    assert said[("STALE_KR", "P1.KR1")][1] == (
        "Its value comes from Jira at sync time: check that the sync runs and succeeds."
    )


def test_a_rejected_claim_leaves_its_key_result_without_work_when_nothing_else_serves_it() -> None:
    world = World()
    reject_pay1(world)
    world.objective("PAY-O1").update(supports=[])  # PAY-2's work no longer reaches P1.KR1
    assert found(world) == {
        ("REJECTED_CLAIM", "PAY-1"),
        ("UNALIGNED_EPIC", "PAY-1"),
        ("KR_WITHOUT_WORK", "P1.KR1"),
        ("ORPHAN_TEAM_OBJECTIVE", "PAY-O1"),
    }


def test_what_awaits_approval_is_listed_for_the_reports() -> None:
    world = World()
    world.decisions.remove(approved("PAY-2"))
    world.objective("PAY-O1").pop("approval")
    world.epics.append(epic("PAY-3", "Shipped", labels=("okr:P1.KR1",), category=DONE))
    world.epics.append(epic("PAY-4", "Typo", labels=("okr:P1.KR9",)))
    waiting = world.evaluate().awaiting_approval()
    # Done work and claims on unknown ids wait for nobody.
    assert [
        (getattr(w, "epic_key", None) or getattr(w, "objective_id", None), w.okr_id)
        for w in waiting
    ] == [
        ("PAY-2", "PAY-O1.KR1"),
        ("PAY-O1", "P1.KR1"),
    ]


@pytest.mark.parametrize("case", [c for c in CASES if c.name == "fires"], ids=lambda c: c.code)
def test_every_finding_can_be_switched_off(case: Case) -> None:
    world = World()
    case.change(world)
    world.policy = settings(case.code, enabled=False)
    assert found(world) == {(code, subject) for code, subject in case.expected if code != case.code}


def test_an_epic_naming_two_teams_counts_once_and_names_both() -> None:
    world = World()
    two_teams()(world)
    evaluation = world.evaluate()
    (finding,) = [f for f in evaluation.findings if f.code == "AMBIGUOUS_TEAM"]
    assert finding.severity is Severity.INFO
    assert finding.team == "payments"  # the project's team is among those named
    assert finding.message == (
        "PAY-3 “Wallet” names the teams Payments and Mobile; it is counted under Payments"
    )
    shares = {s.team: s.aligned for s in evaluation.alignment}
    assert shares == {"payments": 3, None: 3}  # Mobile has no share: counted once


def test_a_decision_by_a_non_approver_names_who_decided_what_and_who_may() -> None:
    world = World()
    sam_rejects_pay1(world)
    leaders = Approvers(("priya@example.com",), ("okr-leads",), frozenset({"priya.raman"}))
    evaluation = evaluate(
        parse_catalogue(world.catalogue, "okrs.yaml"),
        world.epics,
        as_of=AS_OF,
        policy=world.policy,
        decisions=world.decisions,
        approvers=ApproverRules(leaders),
    )
    (finding,) = evaluation.findings
    assert (finding.code, finding.severity, finding.team) == (
        "DECISION_BY_NON_APPROVER",
        Severity.WARNING,
        "payments",
    )
    assert finding.message == (
        "Sam Lee rejected PAY-1 → P1.KR1 on the page on 2026-11-03, but is not an approver: "
        "not counted"
    )
    assert finding.hint == (
        "Only priya@example.com or a member of okr-leads may decide this connection; ask one "
        "of them, or add Sam Lee to approval.approvers in the settings."
    )
    (kept,) = evaluation.not_counted
    assert (kept.by, kept.by_id, kept.why) == ("Sam Lee", "sam.lee", "Too vague")
    (pay1,) = [e for e in evaluation.epics if e.epic.key == "PAY-1"]
    assert [(c.okr_id, c.state, c.decision.by if c.decision else None) for c in pay1.claims] == [
        ("P1.KR1", ApprovalState.APPROVED, "Priya")
    ]
