"""Settings and CLI helpers for the tests that publish through the real pipeline into the sandbox.

The portfolio is tests/e2e/conftest.py's small hand-written one; the settings are written as a
user would write them, with the token from the environment.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from service.cli import cli
from tests.e2e.conftest import CATALOGUE, DATASET, TOKEN, USER

AS_OF = "2026-11-15"


def dataset(**summaries: str) -> dict[str, Any]:
    """The e2e dataset with some issues' summaries replaced (key -> summary)."""
    data = copy.deepcopy(DATASET)
    for issue in data["jira"]["issues"]:
        if issue["key"] in summaries:
            issue["summary"] = summaries[issue["key"]]
    return data


def write_settings(
    folder: Path,
    url: str,
    *,
    catalogue: dict[str, Any] | None = None,
    **confluence: Any,
) -> Path:
    (folder / "okrs.yaml").write_text(yaml.safe_dump(catalogue or CATALOGUE), encoding="utf-8")
    auth = {"email": USER, "token": "${PUBLISH_TOKEN}"}
    settings = {
        "version": 1,
        "jira": {"url": url, "auth": auth, "timeout": 10},
        "portfolios": [
            {
                "id": "retail",
                "name": "Retail banking",
                "epics_jql": "project in (PAY, MOB) AND issuetype = Epic",
            }
        ],
        "catalogue": {"files": ["okrs.yaml"]},
        "confluence": {
            "url": f"{url}/wiki",
            "auth": auth,
            "space": "PORT",
            "parent_title": "Portfolio outcomes",
            "timeout": 10,
            **confluence,
        },
        "excel": {"path": "out/outcomes-{portfolio}-{cycle}-{date}.xlsx"},
    }
    path = folder / "outcomes.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def outcomes(*args: str) -> tuple[int, str]:
    """Run the `outcomes` command line; (exit code, everything it printed)."""
    result = CliRunner().invoke(cli, list(args), env={"PUBLISH_TOKEN": TOKEN})
    return result.exit_code, result.output
