"""Properties that hold for any input, not just the hand-picked ones."""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.catalogue import parse_catalogue
from rules.catalogue_schema import CycleFile
from rules.evaluate import evaluate
from rules.model import KeyResult, KrKind, Milestone
from rules.policy import Policy
from rules.progress import kr_score, objective_score
from rules.results import Evaluation
from rules.validation import ValidationProblem, show_value, validate

numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(database=None)
@given(start=numbers, span=st.floats(min_value=1e-3, max_value=1e6), a=numbers, b=numbers)
def test_kr_score_is_in_0_1_and_monotone(start: float, span: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    up = KeyResult("K", "O", "t", start=start, target=start + span)
    down = KeyResult("K", "O", "t", start=start, target=start - span)

    def score(kr: KeyResult, current: float) -> float:
        return kr_score(replace(kr, current=current))

    for kr in (up, down):
        assert 0.0 <= score(kr, low) <= 1.0
        assert 0.0 <= score(kr, high) <= 1.0
    assert score(up, low) <= score(up, high)  # more is better when increasing
    assert score(down, low) >= score(down, high)  # less is better when decreasing


@settings(database=None)
@given(value=st.text(alphabet=st.characters(codec="utf-8")) | st.integers() | st.lists(st.text()))
def test_a_problem_is_always_one_short_line(value: object) -> None:
    assert "\n" not in show_value(value) and len(show_value(value)) <= 60
    try:
        validate(CycleFile, {"id": "Q4", "start": value, "end": "2026-12-31"}, "okrs.yaml")
    except ValidationProblem as problem:
        text = str(problem)
        assert "\n" not in text
        assert text.startswith("okrs.yaml: start: ")
        assert len(text) <= len("okrs.yaml: start: expected a date like 2026-10-01, got ") + 60


# --- scores: bounded, weighted, and blind to the catalogue's order --------------------------------

scores = st.floats(min_value=0, max_value=1)
weights = st.floats(min_value=0.01, max_value=100)


def metric(score: float, weight: float) -> KeyResult:
    """A key result whose score is `score` (start 0, target 1, current = score)."""
    return KeyResult("K", "O", "t", start=0.0, target=1.0, current=score, weight=weight)


@settings(database=None)
@given(
    st.lists(st.tuples(numbers, numbers, numbers, weights), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=8),
    st.booleans(),
)
def test_every_score_is_in_0_1(
    raw: list[tuple[float, float, float, float]], milestones: list[bool], done: bool
) -> None:
    krs = [
        KeyResult("K", "O", "t", start=s, target=t, current=c, weight=w)
        for s, t, c, w in raw
        if s != t
    ]
    krs.append(
        KeyResult(
            "M",
            "O",
            "t",
            kind=KrKind.MILESTONE,
            milestones=tuple(Milestone(str(i), d) for i, d in enumerate(milestones)),
        )
    )
    krs.append(KeyResult("B", "O", "t", kind=KrKind.BOOLEAN, done=done))
    assert all(0.0 <= kr_score(kr) <= 1.0 for kr in krs)
    assert 0.0 <= objective_score(krs) <= 1.0


@settings(database=None)
@given(st.lists(st.tuples(scores, weights), min_size=1, max_size=6), weights)
def test_objective_score_is_the_weighted_mean(pairs: list[tuple[float, float]], k: float) -> None:
    krs = [metric(s, w) for s, w in pairs]
    expected = sum(s * w for s, w in pairs) / sum(w for _, w in pairs)
    assert objective_score(krs) == pytest.approx(expected)
    # Between the worst and the best key result; scaling every weight changes nothing.
    assert (
        min(s for s, _ in pairs) - 1e-9 <= objective_score(krs) <= max(s for s, _ in pairs) + 1e-9
    )
    scaled = [metric(s, w * k) for s, w in pairs]
    assert objective_score(scaled) == pytest.approx(objective_score(krs))


@settings(database=None)
@given(scores, scores, weights, weights, st.floats(min_value=0, max_value=50))
def test_more_weight_on_the_better_key_result_never_lowers_the_score(
    a: float, b: float, wa: float, wb: float, extra: float
) -> None:
    better, worse = max(a, b), min(a, b)
    before = objective_score([metric(better, wa), metric(worse, wb)])
    after = objective_score([metric(better, wa + extra), metric(worse, wb)])
    assert after >= before - 1e-9


def _summary(result: Evaluation) -> tuple[object, ...]:
    # Listings follow the catalogue's order (as written); what they hold must not change.
    objectives = {
        o.objective.id: (round(o.score, 9), o.status, frozenset(o.supported_by))
        for o in result.objectives
    }
    krs = {
        k.key_result.id: (round(k.score, 9), k.status, k.epic_keys)
        for o in result.objectives
        for k in o.key_results
    }
    shares = {a.team: a for a in result.alignment}
    return objectives, krs, shares, result.findings, result.epics


@settings(database=None, max_examples=60)
@given(st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_catalogue_s_order(rng: random.Random) -> None:
    from tests.rules.test_evaluate import CATALOGUE, EPICS

    shuffled = copy.deepcopy(CATALOGUE)
    for key in ("cycles", "teams", "objectives"):
        rng.shuffle(shuffled[key])
    for objective in shuffled["objectives"]:
        rng.shuffle(objective["key_results"])
    epics = list(EPICS)
    rng.shuffle(epics)
    as_of = date(2026, 11, 15)
    original = evaluate(parse_catalogue(CATALOGUE, "a.yaml"), EPICS, as_of=as_of, policy=Policy())
    reordered = evaluate(parse_catalogue(shuffled, "b.yaml"), epics, as_of=as_of, policy=Policy())
    assert _summary(reordered) == _summary(original)
