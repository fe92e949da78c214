"""`rules.validation`: one line per problem, naming file, key path and value."""

from __future__ import annotations

import pickle
from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from rules.validation import (
    ValidationProblem,
    format_path,
    known_keys,
    show_value,
    validate,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(Strict):
    target: float
    due: date | None = None
    direction: Literal["increase", "decrease"] = "increase"
    weight: float = Field(default=1.0, gt=0)


class Store(Strict):
    url: str
    pool: int = 5

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value.startswith("ftp:"):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        if value.startswith("mysql:"):
            raise PydanticCustomError("outcomes", "MySQL is not supported; use PostgreSQL")
        return value


class Settings(Strict):
    version: int
    items: list[Target] = []
    store: Store | None = None
    findings: dict[str, Target] = {}


def problem(data: object) -> str:
    with pytest.raises(ValidationProblem) as caught:
        validate(Settings, data, "outcomes.yaml")
    return str(caught.value)


def test_valid_data_gives_the_model() -> None:
    settings = validate(Settings, {"version": 1, "items": [{"target": 3}]}, "outcomes.yaml")
    assert settings.items[0].target == 3.0


def test_wrong_number_names_file_path_and_value() -> None:
    data = {"version": 1, "items": [{"target": 1}, {"target": 2}, {"target": "ten"}]}
    assert problem(data) == "outcomes.yaml: items[2].target: expected a number, got 'ten'"


def test_missing_key() -> None:
    assert problem({"version": 1, "items": [{}]}) == (
        "outcomes.yaml: items[0].target: missing required key"
    )


def test_unknown_key_suggests_the_close_one() -> None:
    assert problem({"version": 1, "items": [{"tagret": 1}]}) == (
        "outcomes.yaml: items[0]: unknown key 'tagret' (did you mean 'target'?)"
    )


def test_a_misspelt_required_key_is_reported_as_unknown_not_missing() -> None:
    assert problem({"version": 1, "items": [{"target": 1}, {"traget": 2}]}) == (
        "outcomes.yaml: items[1]: unknown key 'traget' (did you mean 'target'?)"
    )


def test_unknown_key_without_a_close_match_has_no_suggestion() -> None:
    assert problem({"version": 1, "colour": "red"}) == "outcomes.yaml: unknown key 'colour'"


def test_unknown_key_below_an_optional_model_and_a_mapping() -> None:
    assert problem({"version": 1, "store": {"url": "sqlite://", "pol": 3}}) == (
        "outcomes.yaml: store: unknown key 'pol' (did you mean 'pool'?)"
    )
    assert problem({"version": 1, "findings": {"STALE_KR": {"target": 1, "wieght": 2}}}) == (
        "outcomes.yaml: findings.STALE_KR: unknown key 'wieght' (did you mean 'weight'?)"
    )


def test_bad_date() -> None:
    data = {"version": 1, "items": [{"target": 1, "due": "2026-13-01"}]}
    assert problem(data) == (
        "outcomes.yaml: items[0].due: expected a date like 2026-10-01, got '2026-13-01'"
    )


def test_choice_lists_the_choices() -> None:
    data = {"version": 1, "items": [{"target": 1, "direction": "up"}]}
    assert problem(data) == (
        "outcomes.yaml: items[0].direction: expected one of increase, decrease, got 'up'"
    )


def test_bound() -> None:
    data = {"version": 1, "items": [{"target": 1, "weight": 0}]}
    assert problem(data) == "outcomes.yaml: items[0].weight: must be greater than 0, got 0"


def test_not_a_mapping_at_the_top() -> None:
    assert problem(None) == "outcomes.yaml: expected a mapping, got null"
    assert problem(["a"]) == "outcomes.yaml: expected a mapping, got ['a']"


def test_a_validator_value_error_gets_the_value_appended() -> None:
    assert problem({"version": 1, "store": {"url": "ftp://x"}}) == (
        "outcomes.yaml: store.url: must be a sqlite:// or postgresql:// URL, got 'ftp://x'"
    )


def test_a_custom_error_is_used_verbatim() -> None:
    assert problem({"version": 1, "store": {"url": "mysql://x"}}) == (
        "outcomes.yaml: store.url: MySQL is not supported; use PostgreSQL"
    )


def test_only_the_first_error_is_reported() -> None:
    data = {"version": "one", "items": [{"target": "x"}]}
    assert problem(data) == "outcomes.yaml: version: expected a number, got 'one'"


def test_a_long_value_is_shortened_and_stays_on_one_line() -> None:
    text = problem({"version": 1, "items": [{"target": "line\n" * 40}]})
    assert "\n" not in text
    assert text == (
        "outcomes.yaml: items[0].target: expected a number, got "
        "'line\\nline\\nline\\nline\\nline\\nline\\nline\\nline\\nline\\nlin…'"
    )


def test_nothing_but_the_offending_value_is_shown() -> None:
    data = {"version": 1, "store": {"url": "sqlite://", "token": "s3cret"}, "items": [{}]}
    text = problem(data)
    assert "s3cret" not in text
    assert text == "outcomes.yaml: items[0].target: missing required key"


class CloudAuth(Strict):
    email: str
    token: str


class PatAuth(Strict):
    pat: str


class Jira(Strict):
    auth: CloudAuth | PatAuth


def test_union_member_labels_stay_out_of_the_path() -> None:
    with pytest.raises(ValidationProblem) as caught:
        validate(Jira, {"auth": {"email": "a@b.c", "token": 5}}, "outcomes.yaml")
    assert str(caught.value) == "outcomes.yaml: auth.token: expected text, got 5"
    with pytest.raises(ValidationProblem) as caught:
        validate(Jira, {"auth": {"emial": "a@b.c", "token": "t"}}, "outcomes.yaml")
    assert str(caught.value) == "outcomes.yaml: auth: unknown key 'emial' (did you mean 'email'?)"


def test_problem_fields_and_pickling() -> None:
    error = ValidationProblem("okrs.yaml", "cycles[0].end", "must be after start")
    assert (error.filename, error.path, error.message) == (
        "okrs.yaml",
        "cycles[0].end",
        "must be after start",
    )
    assert isinstance(error, ValueError)
    assert str(pickle.loads(pickle.dumps(error))) == "okrs.yaml: cycles[0].end: must be after start"
    assert str(ValidationProblem("okrs.yaml", "", "expected a mapping")) == (
        "okrs.yaml: expected a mapping"
    )


def test_format_path() -> None:
    assert format_path(("objectives", 2, "key_results", 0, "target")) == (
        "objectives[2].key_results[0].target"
    )
    assert format_path(()) == ""
    assert format_path(("findings", "a key")) == "findings['a key']"


def test_show_value() -> None:
    assert show_value(None) == "null"
    assert show_value(True) == "true"
    assert show_value(42.0) == "42"
    assert show_value(0.25) == "0.25"
    assert show_value(date(2026, 10, 1)) == "2026-10-01"
    assert show_value("x" * 100) == "'" + "x" * 57 + "…'"
    assert len(show_value(list(range(100)))) == 60


def test_known_keys_follows_lists_and_optionals() -> None:
    assert known_keys(Settings, ("items", 0)) == ["target", "due", "direction", "weight"]
    assert known_keys(Settings, ("store",)) == ["url", "pool"]
    assert known_keys(Settings, ("nowhere",)) == []
