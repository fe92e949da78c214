"""`outcomes init` writes a starting point that loads, and never writes over a file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from service.cli import cli
from service.settings import load_settings


def test_init_writes_settings_and_a_catalogue_that_load(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "deploy")])
    assert result.exit_code == 0, result.output
    loaded = load_settings(
        tmp_path / "deploy" / "outcomes.yaml", environ={"JIRA_EMAIL": "a@b.c", "JIRA_TOKEN": "t"}
    )
    assert loaded.resolve("okrs.yaml").read_text(encoding="utf-8").startswith("#")
    assert "outcomes doctor --config" in result.output


def test_init_refuses_to_write_over_existing_files(tmp_path: Path) -> None:
    (tmp_path / "okrs.yaml").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already there; nothing was written" in result.output
    assert (tmp_path / "okrs.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "outcomes.yaml").exists()
