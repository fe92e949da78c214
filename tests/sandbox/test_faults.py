"""Fault switches: queued failures with Retry-After, page-size caps, latency."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from connector.sandbox import Sandbox, Transit

from .conftest import TOKEN, USER


def get(sb: Sandbox, path: str) -> requests.Response:
    with requests.Session() as session:
        return session.get(
            sb.url + path, auth=(USER, TOKEN), timeout=10, params={"jql": "project = PAY"}
        )


def test_fail_next_answers_503_with_retry_after_once(sandbox: Sandbox) -> None:
    sandbox.faults.fail_next(503, retry_after=1)
    failed = get(sandbox, "/rest/api/3/search/jql")
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "1"
    assert failed.json()["errorMessages"]
    assert get(sandbox, "/rest/api/3/search/jql").status_code == 200
    assert [r.status for r in sandbox.requests] == [503, 200]


def test_fail_next_counts_and_matches_the_path_prefix(sandbox: Sandbox) -> None:
    sandbox.faults.fail_next(429, count=2, retry_after=5, path_prefix="/wiki/")
    assert get(sandbox, "/rest/api/3/serverInfo").status_code == 200
    first, second = (
        get(sandbox, "/wiki/rest/api/space/PORT"),
        get(sandbox, "/wiki/rest/api/space/PORT"),
    )
    assert (first.status_code, second.status_code) == (429, 429)
    assert first.json()["statusCode"] == 429
    assert get(sandbox, "/wiki/rest/api/space/PORT").status_code == 200


def test_the_jira_client_sees_the_failure_without_retrying(
    sandbox: Sandbox, jira_client: JIRA
) -> None:
    sandbox.faults.fail_next(503, retry_after=1)
    started = time.monotonic()
    with pytest.raises(JIRAError) as err:
        jira_client.enhanced_search_issues("project = PAY", json_result=True)
    assert err.value.status_code == 503
    assert time.monotonic() - started < 0.5


def test_max_page_size_caps_max_results(sandbox: Sandbox) -> None:
    sandbox.faults.max_page_size = 3
    with requests.Session() as s:
        page = s.get(
            sandbox.url + "/rest/api/3/search/jql",
            auth=(USER, TOKEN),
            timeout=10,
            params={"jql": "project = PAY", "maxResults": "50"},
        ).json()
    assert len(page["issues"]) == 3 and page["isLast"] is False and "nextPageToken" in page


def test_latency_slows_every_answer(sandbox: Sandbox) -> None:
    sandbox.faults.latency_ms = 60
    started = time.monotonic()
    assert get(sandbox, "/rest/api/2/serverInfo").status_code == 200
    assert time.monotonic() - started >= 0.06


def test_fail_next_rejects_a_count_below_one(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="count must be at least 1"):
        sandbox.faults.fail_next(503, count=0)


# --- transport faults: what proxies and networks do to an answer ---------------------------------


def test_a_reset_connection_raises_a_connection_error_and_changes_nothing(
    sandbox: Sandbox,
) -> None:
    sandbox.faults.break_next(Transit.RESET, path_prefix="/rest/api/3/search")
    with pytest.raises(requests.ConnectionError):
        get(sandbox, "/rest/api/3/search/jql")
    assert get(sandbox, "/rest/api/3/search/jql").status_code == 200
    assert [r.status for r in sandbox.requests] == [0, 200]


def test_a_truncated_answer_is_cut_off_mid_body(sandbox: Sandbox) -> None:
    sandbox.faults.break_next(Transit.TRUNCATE, path_prefix="/rest/api/3/search")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sandbox, "/rest/api/3/search/jql")
    assert get(sandbox, "/rest/api/3/search/jql").json()["issues"]


def test_a_chunked_answer_that_breaks_off_is_an_error(sandbox: Sandbox) -> None:
    sandbox.faults.break_next(Transit.CHUNKED, path_prefix="/rest/api/3/search")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sandbox, "/rest/api/3/search/jql")


def test_a_proxy_page_is_a_200_in_html(sandbox: Sandbox) -> None:
    sandbox.faults.break_next(Transit.HTML, path_prefix="/rest/api/3/search")
    answer = get(sandbox, "/rest/api/3/search/jql")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        answer.json()


def test_a_lost_answer_still_made_the_write(sandbox: Sandbox, confluence: Any) -> None:
    sandbox.faults.break_next(Transit.LOST, path_prefix="/wiki/rest/api/content", method="POST")
    with pytest.raises(requests.ConnectionError):
        confluence.create_page("PORT", "Written but unanswered", "<p>body</p>")
    found = confluence.get_page_by_title("PORT", "Written but unanswered")  # {"results": [...]}
    assert [page["title"] for page in found["results"]] == ["Written but unanswered"]


def test_transport_faults_match_method_and_count(sandbox: Sandbox) -> None:
    sandbox.faults.break_next("reset", count=2, path_prefix="/rest/api/3/search", method="POST")
    assert get(sandbox, "/rest/api/3/search/jql").status_code == 200  # a GET is not touched
    with pytest.raises(ValueError, match="count must be at least 1"):
        sandbox.faults.break_next(Transit.RESET, count=0)
    with pytest.raises(ValueError):
        sandbox.faults.break_next("melt")


def test_queued_faults_can_target_a_method_and_a_query(sandbox: Sandbox) -> None:
    sandbox.faults.fail_next(502, path_prefix="/rest/api/3/search", query_contains="MOB")
    sandbox.faults.break_next(Transit.RESET, path_prefix="/rest/api/3/search", method="POST")
    assert get(sandbox, "/rest/api/3/search/jql").status_code == 200  # project = PAY
    with requests.Session() as session:
        answer = session.get(
            sandbox.url + "/rest/api/3/search/jql",
            auth=(USER, TOKEN),
            timeout=10,
            params={"jql": "project = MOB"},
        )
    assert answer.status_code == 502
    assert [r.status for r in sandbox.requests] == [200, 502]  # the POST reset is still queued


def test_a_slow_answer_can_target_one_path(sandbox: Sandbox) -> None:
    sandbox.faults.slow_next(5.0, path_prefix="/rest/api/3/search")
    with requests.Session() as session:
        info = session.get(sandbox.url + "/rest/api/2/serverInfo", auth=(USER, TOKEN), timeout=2)
        assert info.status_code == 200  # another path is answered at once
        with pytest.raises(requests.Timeout):
            session.get(
                sandbox.url + "/rest/api/3/search/jql",
                auth=(USER, TOKEN),
                timeout=0.5,
                params={"jql": "project = PAY"},
            )


def test_act_before_next_runs_a_persons_action_once_before_the_matching_request(
    sandbox: Sandbox,
) -> None:
    seen: list[int] = []
    sandbox.faults.act_before_next(
        lambda: seen.append(len(sandbox.requests)), path_prefix="/wiki/", method="GET"
    )
    assert get(sandbox, "/rest/api/3/serverInfo").status_code == 200  # not a match: no action
    assert seen == []
    assert get(sandbox, "/wiki/rest/api/space/PORT").status_code == 200
    assert get(sandbox, "/wiki/rest/api/space/PORT").status_code == 200
    assert seen == [1]  # once, before the first matching request was handled
