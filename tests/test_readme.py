"""The README never lies: CI runs its test command as written, and its config keys exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_commands_demo_then_tests() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("outcomes demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_as_written() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert readme_commands()[1] in lines


def test_example_settings_name_only_keys_the_settings_model_knows() -> None:
    from service.settings import load_settings

    loaded = load_settings(
        ROOT / "config" / "examples" / "outcomes.yaml",
        environ={"JIRA_EMAIL": "a@example.com", "JIRA_TOKEN": "t"},
    )
    assert loaded.settings.portfolios[0].id == "retail"
    assert loaded.settings.jira.auth.token.get_secret_value() == "t"
