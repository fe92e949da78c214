"""`outcomes sandbox --data FILE --port N` serves the sandbox and prints its URL and credentials."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from jira import JIRA

from tests.e2e.conftest import DATASET, TOKEN, USER

ROOT = Path(__file__).resolve().parents[2]


def test_the_sandbox_command_serves_jira_to_the_real_client(tmp_path: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(DATASET), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "sandbox", "--data", str(data), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        match = re.search(r"Jira Cloud at (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        # The banner says how to sign in, in the settings' own words.
        assert second.strip() == f"sign in as {USER}: auth: {{email: {USER}, token: {TOKEN}}}"
        client = JIRA(server=match.group(1), basic_auth=(USER, TOKEN), max_retries=0, timeout=10)
        found = client.enhanced_search_issues(
            "project = MOB ORDER BY key", maxResults=10, fields=["summary"], json_result=True
        )
        assert [i["key"] for i in found["issues"]] == ["MOB-1", "MOB-2", "MOB-3"]
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_a_bad_dataset_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = dict(DATASET, jira=dict(DATASET["jira"], issues=[{"key": "PAY-1", "status": "Doing"}]))
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "service", "sandbox", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Doing" in result.stderr
    assert str(data) in result.stderr


def test_the_example_dataset_is_printed_and_served(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "service", "sandbox", "--example"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    example = yaml.safe_load(shown.stdout)
    example["jira"]["deployment"] = "Data Center"
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(example), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "sandbox", "--data", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        assert "Jira Data Center at http://127.0.0.1:" in first
        assert second.strip() == "sign in as lead@example.com: auth: {token: sandbox-token}"
    finally:
        process.terminate()
        process.communicate(timeout=10)
