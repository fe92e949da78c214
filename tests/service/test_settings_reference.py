"""The README's settings reference lists every key the settings accept, and only those."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rules.finding_settings import FindingSettings
from rules.findings import RULES
from service.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
COMMON_FINDING_KEYS = {"enabled", "severity"}  # every finding takes these; said once


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        yield path
        many = typing.get_origin(field.annotation) is list
        for inner in _models_in(field.annotation):
            yield from _paths(inner, path + ("[]." if many else "."))


def _section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.find("\n### ", start + 1)
    return README[start : end if end != -1 else None]


def _first_column(section: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


SETTINGS_KEYS = [p for p in _paths(Settings) if not p.startswith("findings.")]
FINDING_KEYS = [p.split(".")[1:] for p in _paths(Settings) if p.startswith("findings.")]


def test_every_settings_key_has_a_row_in_the_reference() -> None:
    documented = _first_column(_section("Settings reference"))
    assert [key for key in SETTINGS_KEYS if key not in documented] == []


def test_the_reference_lists_no_key_the_settings_do_not_accept() -> None:
    documented = _first_column(_section("Settings reference"))
    assert [key for key in documented if key not in SETTINGS_KEYS] == []
    assert len(documented) == len(set(documented))


def test_every_finding_and_its_own_settings_are_in_the_findings_table() -> None:
    table = _section("What Outcomes flags")
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(r"^\| `([A-Z_]+)` \|.*$", table, flags=re.MULTILINE)
    }
    codes = {path[0] for path in FINDING_KEYS}
    assert sorted(codes - rows.keys()) == []
    missing = [
        f"{code}.{key}"
        for code, *rest in FINDING_KEYS
        for key in rest[:1]
        if key not in COMMON_FINDING_KEYS
        and f"`{key}`" not in rows[code]
        and not rows[code].count(f"`{key}:")
    ]
    assert missing == []


def test_every_rule_has_its_own_settings_and_the_table_documents_their_defaults() -> None:
    """`findings:` is built from the registry: each rule's model, `enabled` on by default, its
    knobs described and listed with their defaults in the findings table."""
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(
            r"^\| `([A-Z_]+)` \|.*$", _section("What Outcomes flags"), flags=re.MULTILINE
        )
    }
    findings = typing.get_args(Settings.model_fields["findings"].annotation) or (
        Settings.model_fields["findings"].annotation,
    )
    assert list(findings[0].model_fields) == [rule.code for rule in RULES]
    undocumented = []
    for rule in RULES:
        model = rule.settings
        assert issubclass(model, FindingSettings), rule.code
        assert model.model_config.get("extra") == "forbid", rule.code
        assert model.model_config.get("frozen") is True, rule.code
        assert model().enabled is True and model().severity is None, rule.code
        for knob in model.knobs():
            field = model.model_fields[knob]
            default = field.get_default(call_default_factory=True)
            shown = (
                f"`{knob}: " if isinstance(default, dict) else f"`{knob}` ({json.dumps(default)})"
            )
            if not field.description or shown not in rows[rule.code]:
                undocumented.append(f"{rule.code}.{knob}")
    assert undocumented == []
