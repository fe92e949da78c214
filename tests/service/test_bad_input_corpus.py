"""A corpus of bad input: every case is exit 2 and ONE line naming the file (or argument), the key
and the value, with no traceback, run through the real command line (click's CliRunner).

The cases are data, in `tests/service/bad_input_cases.py`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import cli
from tests.service.bad_input_cases import CASES, CATALOGUE, SETTINGS, TOKEN, Files


def test_the_corpus_is_large_and_its_names_unique() -> None:
    names = [f"{group}/{name}" for group, name, *_ in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 150
    groups = Counter(group for group, *_ in CASES)
    assert min(groups.values()) >= 3


@pytest.mark.parametrize(
    ("group", "name", "files", "args", "fragments"),
    CASES,
    ids=[f"{group}/{name}" for group, name, *_ in CASES],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    group: str,
    name: str,
    files: Files,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    for file_name, content in {"outcomes.yaml": SETTINGS, "okrs.yaml": CATALOGUE, **files}.items():
        target = tmp_path / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = {"JIRA_TOKEN": TOKEN, "EMPTY_VAR": "", "OUTCOMES_CONFIG": None}
    for unset in ("JIRA_URL", "NO_SUCH_TOKEN", "NO_SUCH_EMAIL", "DB_PASSWORD", "PROJECT"):
        env[unset] = None

    result = CliRunner().invoke(cli, list(args), env=env, prog_name="outcomes")

    output = result.output
    lines = output.strip().splitlines()
    assert result.exit_code == 2, output
    assert len(lines) == 1, output
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    for secret in (TOKEN, "topsecretpw", "hunter22", ":pw@"):
        assert secret not in output
    assert not (tmp_path / "outcomes.db").exists()  # refused before the store was opened


def test_serve_demands_the_secrets_its_scheduled_jobs_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "outcomes.yaml").write_text(
        SETTINGS + "schedule: {sync: '*/15 * * * *'}\n", encoding="utf-8"
    )
    (tmp_path / "okrs.yaml").write_text(CATALOGUE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(
        cli, ["serve", "--config", "outcomes.yaml"], env={"JIRA_TOKEN": None}, prog_name="outcomes"
    )

    assert result.exit_code == 2
    assert result.output == (
        "outcomes: error: outcomes.yaml: jira.auth.token: environment variable JIRA_TOKEN is not"
        " set; export it first\n"
    )


def test_outcomes_alone_still_shows_the_help() -> None:
    result = CliRunner().invoke(cli, [], prog_name="outcomes")
    assert result.output.startswith("Usage: outcomes [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.output
