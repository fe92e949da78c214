"""Properties that hold for any input, not just the hand-picked ones."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.catalogue_schema import CycleFile
from rules.model import KeyResult
from rules.progress import kr_score
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
