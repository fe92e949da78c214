"""Jira answers that go missing or come garbled, and Jira's 429s and 5xx, on Cloud and Data
Center: `outcomes sync` (the client's connection, the epic search, the OKR issues of
`catalogue.jira`) and `outcomes doctor`. A one-off fault is retried and the run ends as a clean
run does; a fault that persists ends the run with exit 3 and one line naming Jira and the request.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from connector.sandbox import Sandbox
from connector.store import decisions
from connector.store.db import open_store
from tests.transit.conftest import (
    KINDS,
    TRIES,
    dataset,
    hits,
    inject,
    one_error_line,
    outcomes,
    store_issues,
    timeout_for,
    write_settings,
)

SEARCH = {"Cloud": "/rest/api/2/search/jql", "DC": "/rest/api/2/search"}
EPICS = "issuetype = Epic"  # picks the epic search out of the searches (by its JQL)
OKRS = "project = OKR"  # ... and the search for the OKR issues (catalogue.jira)


@dataclass(frozen=True)
class Clean:
    """What a run without faults gives, to hold a recovered run against."""

    output: str
    issues: set[tuple[Any, ...]]
    okrs: dict[str, Any] | None
    searches: int
    doctor: str


@functools.cache
def clean(deployment: str) -> Clean:
    with Sandbox(dataset(deployment)) as sandbox, tempfile.TemporaryDirectory() as folder:
        config = write_settings(Path(folder), sandbox.url, deployment)
        code, output, errors = outcomes("sync", "--config", str(config))
        assert (code, errors) == (0, ""), errors
        searches = hits(sandbox, "GET", SEARCH[deployment])
        _, doctor, _ = outcomes("doctor", "--config", str(config))
        return Clean(
            output,
            store_issues(Path(folder)),
            okr_issues(Path(folder)),
            searches,
            doctor.replace(sandbox.url, "URL"),
        )


def okr_issues(folder: Path) -> dict[str, Any] | None:
    engine = open_store(f"sqlite:///{folder / 'outcomes.db'}")
    try:
        with Session(engine) as session:
            return decisions.okr_source(session, "jira")
    finally:
        engine.dispose()


def jira_line(sandbox: Sandbox, request: str, kind: str) -> str:
    """The one line a Jira that stays broken gets, written out by hand per kind of fault."""
    service = f"Jira at {sandbox.url}"
    if kind == "429":
        return (
            f"{service} kept rate-limiting {request} (429) after {TRIES} tries;"
            " run again later or lower the sync frequency"
        )
    return (
        f"{service} did not answer {request} properly after {TRIES} tries ({KINDS[kind]});"
        " check that it is up and reachable (jira.url, the network, a proxy)"
    )


def sync(folder: Path, sandbox: Sandbox, deployment: str, kind: str) -> tuple[int, str, str]:
    config = write_settings(folder, sandbox.url, deployment, timeout=timeout_for(kind))
    return outcomes("sync", "--config", str(config))


# --- the epic search ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_the_epic_search_is_retried_and_the_sync_ends_as_a_clean_one(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=False, path=SEARCH[deployment], query=EPICS)
    code, output, errors = sync(tmp_path, sandbox, deployment, kind)
    assert (code, errors) == (0, "")
    want = clean(deployment)
    assert output == want.output
    assert store_issues(tmp_path) == want.issues
    # One search more than a clean run: the faulted one, asked again.
    assert hits(sandbox, "GET", SEARCH[deployment], want.searches + 1) == want.searches + 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_fault_on_the_epic_search_that_persists_stops_the_sync_with_one_line(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=True, path=SEARCH[deployment], query=EPICS)
    code, _, errors = sync(tmp_path, sandbox, deployment, kind)
    assert code == 3
    assert one_error_line(errors) == jira_line(sandbox, f"GET {SEARCH[deployment]}", kind)
    assert hits(sandbox, "GET", SEARCH[deployment], TRIES) == TRIES  # tried 4 times, no more
    assert store_issues(tmp_path) == set()  # nothing half-written


# --- the client's connection: serverInfo (read by the constructor) and the field list ---------


@pytest.mark.parametrize("kind", ["truncated", "html", "chunked", "reset", "502"])
@pytest.mark.parametrize("path", ["/rest/api/2/serverInfo", "/rest/api/2/field"])
def test_connecting_retries_a_one_off_fault_on_server_info_and_the_field_list(
    sandbox: Sandbox, deployment: str, kind: str, path: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=False, path=path)
    code, output, errors = sync(tmp_path, sandbox, deployment, kind)
    assert (code, errors) == (0, "")
    assert output == clean(deployment).output
    assert store_issues(tmp_path) == clean(deployment).issues


@pytest.mark.parametrize("kind", ["truncated", "html", "chunked", "reset"])
def test_a_server_info_that_stays_garbled_stops_with_one_line(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=True, path="/rest/api/2/serverInfo")
    code, _, errors = sync(tmp_path, sandbox, deployment, kind)
    assert code == 3
    assert one_error_line(errors) == jira_line(sandbox, "GET /rest/api/2/serverInfo", kind)


# --- catalogue reads: the OKR issues kept in Jira ----------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_one_off_fault_on_reading_the_okr_issues_is_retried(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=False, path=SEARCH[deployment], query=OKRS)
    code, output, errors = sync(tmp_path, sandbox, deployment, kind)
    assert (code, errors) == (0, "")
    assert output == clean(deployment).output
    okrs = okr_issues(tmp_path)
    assert okrs == clean(deployment).okrs
    assert okrs is not None and [o["id"] for o in okrs["objectives"]] == ["OKR-1"]


@pytest.mark.parametrize("kind", KINDS)
def test_reading_the_okr_issues_that_stays_broken_stops_with_one_line(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    inject(sandbox, kind, persistent=True, path=SEARCH[deployment], query=OKRS)
    code, _, errors = sync(tmp_path, sandbox, deployment, kind)
    assert code == 3
    assert one_error_line(errors) == jira_line(sandbox, f"GET {SEARCH[deployment]}", kind)
    assert okr_issues(tmp_path) is None


# --- doctor -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_doctor_retries_a_one_off_fault_and_reports_as_a_clean_run(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url, deployment, timeout=timeout_for(kind))
    inject(sandbox, kind, persistent=False, path="/rest/api/2/myself")
    code, output, _ = outcomes("doctor", "--config", str(config))
    assert code == 0
    assert output.replace(sandbox.url, "URL") == clean(deployment).doctor


@pytest.mark.parametrize("kind", KINDS)
def test_doctor_names_the_request_when_jira_stays_broken(
    sandbox: Sandbox, deployment: str, kind: str, tmp_path: Path
) -> None:
    config = write_settings(tmp_path, sandbox.url, deployment, timeout=timeout_for(kind))
    inject(sandbox, kind, persistent=True, path="/rest/api/2/myself")
    code, output, errors = outcomes("doctor", "--config", str(config))
    assert code != 0  # which non-zero code doctor gives is doctor's own business
    fails = [line for line in output.splitlines() if line.startswith("FAIL")]
    assert fails == [f"FAIL Jira: {jira_line(sandbox, 'GET /rest/api/2/myself', kind)}"]
    assert "Traceback" not in output + errors and "internal error" not in output + errors
    assert f"ok   Confluence: {sandbox.url}/wiki, space PORT" in output  # the rest still ran
