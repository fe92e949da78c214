"""`outcomes run`, the whole pipeline, meeting a garbled Confluence: recovered within the run, or
stopped with exit 3, one error line, and the run recorded as failed with that line."""

from __future__ import annotations

import re
from pathlib import Path

from connector.sandbox import Sandbox
from tests.transit.conftest import AS_OF, TOKEN, TRIES, inject, outcomes, write_settings

PAGES = {"Cloud": "/wiki/api/v2/pages", "DC": "/wiki/rest/api/content"}


def test_run_recovers_from_a_proxy_page_within_the_run(
    sandbox: Sandbox, deployment: str, tmp_path: Path
) -> None:
    config = str(write_settings(tmp_path, sandbox.url, deployment))
    inject(sandbox, "html", persistent=False, path=PAGES[deployment], method="GET")
    code, _, messages = outcomes("run", "--config", config, "--as-of", AS_OF)
    assert code == 0, messages
    created = re.findall(r"^Confluence: (\d+) created$", messages, re.M)
    assert created == [str(len(sandbox.confluence.pages()) - 1)]  # every page but the parent
    assert "outcomes: error" not in messages


def test_run_stopped_by_a_proxy_page_is_recorded_as_failed_with_the_same_line(
    sandbox: Sandbox, deployment: str, tmp_path: Path
) -> None:
    config = str(write_settings(tmp_path, sandbox.url, deployment))
    inject(sandbox, "html", persistent=True, path=PAGES[deployment], method="GET")
    code, _, messages = outcomes("run", "--config", config, "--as-of", AS_OF)
    assert code == 3
    line = (
        f"Confluence at {sandbox.url}/wiki did not answer GET {PAGES[deployment]} properly after"
        f" {TRIES} tries (an HTML page instead of JSON); check that it is up and reachable"
        " (confluence.url, the network, a proxy)"
    )
    errors = [m for m in messages.splitlines() if m.startswith("outcomes: error:")]
    assert errors == [f"outcomes: error: {line}"]
    assert "Traceback" not in messages and "internal error" not in messages
    assert TOKEN not in messages
    _, status, _ = outcomes("status", "--config", config)
    assert "failed: Confluence at" in status  # `outcomes status` tells the same story
