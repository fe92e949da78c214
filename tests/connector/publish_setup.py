"""Settings and CLI helpers for the tests that publish through the real pipeline into the sandbox.

The portfolio is tests/e2e/conftest.py's small hand-written one; the settings are written as a
user would write them, with the token from the environment.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from service.cli import cli
from tests.e2e.conftest import DATASET, TOKEN
from tests.e2e.conftest import write_settings as e2e_settings

AS_OF = "2026-11-15"


def dataset(**summaries: str) -> dict[str, Any]:
    """The e2e dataset with some issues' summaries replaced (key -> summary)."""
    data = copy.deepcopy(DATASET)
    for issue in data["jira"]["issues"]:
        if issue["key"] in summaries:
            issue["summary"] = summaries[issue["key"]]
    return data


def write_settings(
    folder: Path, url: str, *, catalogue: dict[str, Any] | None = None, **confluence: Any
) -> Path:
    return e2e_settings(folder, url, token_var="PUBLISH_TOKEN", catalogue=catalogue, **confluence)


def outcomes(*args: str) -> tuple[int, str]:
    """Run the `outcomes` command line; (exit code, everything it printed)."""
    result = CliRunner().invoke(cli, list(args), env={"PUBLISH_TOKEN": TOKEN})
    return result.exit_code, result.output


def without_macro_ids(body: str) -> str:
    """A stored body without the macro ids Confluence gives every macro anew on each save."""
    return re.sub(r' ac:macro-id="[^"]*"', "", body)
