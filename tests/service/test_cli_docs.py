"""Docs as tests: every command has help, and the README names every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from service.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    command = cli.commands[name]
    assert isinstance(command, click.Command)
    assert command.help, f"{name} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert f"outcomes {name}" in README


def test_an_unknown_command_is_a_usage_error_with_exit_2() -> None:
    result = CliRunner().invoke(cli, ["sinc"])
    assert result.exit_code == 2
