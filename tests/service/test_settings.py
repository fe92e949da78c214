"""Settings and catalogue errors: one line naming file, key and value; exit 2; no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rules.errors import UserError
from service.settings import load_settings

GOOD = """\
version: 1
jira:
  url: https://jira.example.com
  auth: {email: a@example.com, token: "${JIRA_TOKEN}"}
portfolios:
  - {id: retail, name: Retail, epics_jql: "issuetype = Epic"}
catalogue: {files: [okrs.yaml]}
"""

CATALOGUE = """\
version: 1
cycles: [{id: 2026-Q4, start: 2026-10-01, end: 2026-12-31}]
teams: [{id: payments, name: Payments, projects: [PAY]}]
objectives:
  - id: P1
    cycle: 2026-Q4
    title: Payments
    key_results:
      - {id: P1.KR1, title: Success rate, start: 97, target: 99, current: 98}
"""


def write(tmp_path: Path, settings: str, catalogue: str = CATALOGUE) -> Path:
    (tmp_path / "okrs.yaml").write_text(catalogue, encoding="utf-8")
    path = tmp_path / "outcomes.yaml"
    path.write_text(settings, encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(UserError) as caught:
        load_settings(path, environ={"JIRA_TOKEN": "s3cret"} if environ is None else environ)
    return str(caught.value)


def test_good_settings_load_with_the_secret_from_the_environment(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, GOOD), environ={"JIRA_TOKEN": "s3cret"})
    assert loaded.settings.jira.auth.token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(loaded.settings)
    assert loaded.store_url() == f"sqlite:///{tmp_path / 'outcomes.db'}"


def test_a_typo_names_the_key_and_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  url: https", "  ulr: https"))
    message = error_of(path)
    assert message.startswith(f"{path}: jira")
    assert "'ulr'" in message
    assert "url" in message.split("'ulr'", 1)[1]


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("catalogue: {files: [okrs.yaml]}\n", ""))
    assert error_of(path) == f"{path}: catalogue: missing required key"


def test_a_wrong_type_names_key_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "status_bands: {on_track: high}\n")
    message = error_of(path)
    assert message.startswith(f"{path}: status_bands.on_track: ")
    assert "'high'" in message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "portfolios: [unclosed\n")
    message = error_of(path)
    assert message.startswith(f"{path}: broken YAML at line")


def test_a_missing_secret_is_named_when_jira_is_needed(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    loaded = load_settings(path, environ={})  # commands that read only the store can run
    with pytest.raises(UserError) as caught:
        loaded.settings.jira.auth.require()
    assert str(caught.value) == (
        f"{path}: jira.auth.token: environment variable JIRA_TOKEN is not set; export it first"
    )


def test_a_missing_variable_outside_the_secrets_is_named_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("https://jira.example.com", "${JIRA_URL}"))
    message = error_of(path, environ={})
    assert message == (
        f"{path}: jira.url: environment variable JIRA_URL is not set; export it first"
    )


def run_cli(*args: str, cwd: Path, env_token: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "JIRA_TOKEN": "s3cret"} if env_token else {"PATH": "/usr/bin"}
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=cwd,
        env=env | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("settings", "catalogue", "expected"),
    [
        (GOOD.replace("version: 1", "version: 1\njria: {}"), CATALOGUE, "'jria'"),
        (GOOD, CATALOGUE.replace("target: 99", "target: ten"), "target"),
        (GOOD, CATALOGUE.replace("cycles:", "cycles: [\n"), "broken YAML"),
        (GOOD, CATALOGUE.replace("start: 97", "start: 99"), "target"),
        (GOOD, CATALOGUE.replace("    title: Payments\n", ""), "objectives[0].title"),
        (GOOD.replace("portfolios:", "portfolio:"), CATALOGUE, "'portfolio'"),
    ],
    ids=[
        "settings-typo",
        "catalogue-wrong-type",
        "catalogue-broken-yaml",
        "start-equals-target",
        "catalogue-missing-key",
        "settings-missing-key",
    ],
)
def test_run_with_bad_input_prints_one_line_and_exits_2(
    tmp_path: Path, settings: str, catalogue: str, expected: str
) -> None:
    path = write(tmp_path, settings, catalogue)
    result = run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("outcomes: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outcomes.db").exists()  # nothing half-written


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, CATALOGUE.replace("target: 99", "target: ten"))
    result = run_cli("--debug", "run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_config_can_come_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  url: https", "  ulr: https"))
    env = {"PATH": "/usr/bin:/bin", "OUTCOMES_CONFIG": str(path)}
    result = subprocess.run(
        [sys.executable, "-m", "service", "run"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert str(path) in result.stderr


def test_without_config_the_settings_in_the_current_folder_are_read(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("  url: https", "  ulr: https"))  # ./outcomes.yaml, with a typo
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "outcomes.yaml" in result.stderr and "ulr" in result.stderr  # it was read


def test_without_config_or_a_settings_file_here_the_error_says_where_to_look(
    tmp_path: Path,
) -> None:
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "pass --config FILE, set OUTCOMES_CONFIG" in result.stderr
    assert "Traceback" not in result.stderr
