"""Leaders decide on the "Awaiting approval" page, end to end through the real clients against
the sandbox, on Confluence's v1 and v2 APIs: a tick becomes a decision by that leader on the next
run, shown on the page and in `outcomes decisions`; a non-approver's tick is kept, not counted and
flagged; a rejection with and without a reason; the page keeps publishing after ticks and still
stops for a person's real edit.

In the hand-written portfolio (tests/e2e/conftest.py) PAY-1 claims P1.KR1 and MOB-1 claims P2.KR1;
both wait for a decision. Priya Raman is the approver (her account id and her user name: the v2
tasks API names people by account id, the v1 inline tasks by user name); Sam Lee is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from connector.sandbox import Sandbox
from connector.sandbox.jira_render import account_id
from tests.connector.publish_setup import AS_OF, dataset, outcomes, write_settings

# Confluence tasks in the sandbox and `PageApi.tasks` come with the Confluence tasks work.

ROOT = "Portfolio outcomes"
APPROVALS = "Retail banking — Awaiting approval"
PRIYA, SAM = "Priya Raman", "Sam Lee"
TICKED = datetime(2026, 11, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    data = dataset()
    data["confluence"]["pages"] = [{"space": "PORT", "title": ROOT, "body": "<p>Reports</p>"}]
    with Sandbox(data) as running:
        yield running


@pytest.fixture(params=["v1", "v2"])
def config(request: pytest.FixtureRequest, tmp_path: Path, sandbox: Sandbox) -> Path:
    path = write_settings(tmp_path, sandbox.url, api=request.param)
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["approval"] = {"approvers": {"people": [account_id(PRIYA), "priya.raman"]}}
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    for command in ("sync", "publish"):
        code, output = run(command, path)
        assert code == 0, output
    return path


def run(command: str, config: Path) -> tuple[int, str]:
    extra = ("--as-of", AS_OF) if command == "publish" else ()
    return outcomes(command, "--config", str(config), *extra)


def approvals(sandbox: Sandbox) -> dict[str, object]:
    found = sandbox.confluence.find_page("PORT", APPROVALS)
    assert found is not None
    return found


def tick(sandbox: Sandbox, text: str, who: str, at: datetime = TICKED) -> None:
    """`who` ticks the task with this text on the approvals page."""
    page_id = str(approvals(sandbox)["id"])
    (task,) = [
        t
        for t in sandbox.confluence.tasks.of_page(page_id)
        if re.sub(r"<[^>]+>", "", t.body).strip() == text
    ]
    sandbox.confluence.complete_task(page_id, task.local_id, who, at=at)


def trail(config: Path, subject: str) -> list[dict[str, object]]:
    code, output = outcomes("decisions", subject, "--json", "--config", str(config))
    assert code == 0, output
    return list(json.loads(output))


def findings(config: Path) -> set[tuple[str, str]]:
    _, output = outcomes("check", "--config", str(config), "--as-of", AS_OF, "--json")
    (portfolio,) = json.loads(output)["portfolios"]
    return {(f["code"], f["subject"]) for f in portfolio["findings"]}


def body(sandbox: Sandbox) -> str:
    return str(approvals(sandbox)["body"])


def test_a_leader_s_tick_becomes_an_approval_by_that_leader(config: Path, sandbox: Sandbox) -> None:
    assert "Approve PAY-1 → P1.KR1" in body(sandbox)
    tick(sandbox, "Approve PAY-1 → P1.KR1", PRIYA)
    code, output = run("publish", config)
    assert code == 0, output
    assert "skipped" not in output  # the tick is no person's edit
    (decision,) = trail(config, "PAY-1")
    assert (decision["state"], decision["origin"], decision["by"], decision["counted"]) == (
        "approved",
        "page",
        PRIYA,
        True,
    )
    assert decision["at"] == "2026-11-14T09:30:00+00:00"
    assert ("AWAITING_APPROVAL", "PAY-1") not in findings(config)
    page = body(sandbox)
    assert "Approve PAY-1 → P1.KR1" not in page  # decided: the row left the waiting table
    assert "Approve MOB-1 → P2.KR1" in page
    assert PRIYA in page and "ticked on the page" in page
    # A later run reads the same tick again and records nothing new.
    assert run("sync", config)[0] == 0
    assert len(trail(config, "PAY-1")) == 1


def test_a_non_approver_s_tick_is_kept_not_counted_and_flagged(
    config: Path, sandbox: Sandbox
) -> None:
    tick(sandbox, "Reject MOB-1 → P2.KR1", SAM)
    assert run("sync", config)[0] == 0  # the next sync reads the page too
    (decision,) = trail(config, "MOB-1")
    assert (decision["state"], decision["by"], decision["counted"]) == ("rejected", SAM, False)
    assert decision["origin_detail"] == "no reason given on the page"
    assert {("AWAITING_APPROVAL", "MOB-1"), ("DECISION_BY_NON_APPROVER", "MOB-1")} <= findings(
        config
    )
    code, output = run("publish", config)
    assert code == 0 and "skipped" not in output, output
    page = body(sandbox)
    assert "Reject MOB-1 → P2.KR1" in page  # still waits for an approver
    assert "Not counted: decided by someone who is not an approver (1)" in page


def test_a_rejection_without_a_reason_says_so(config: Path, sandbox: Sandbox) -> None:
    tick(sandbox, "Reject MOB-1 → P2.KR1", PRIYA)
    assert run("publish", config)[0] == 0
    (decision,) = trail(config, "MOB-1")
    assert (decision["state"], decision["why"], decision["origin_detail"]) == (
        "rejected",
        "",
        "no reason given on the page",
    )
    assert ("REJECTED_CLAIM", "MOB-1") in findings(config)


def test_a_rejection_with_the_reason_written_in_the_row(config: Path, sandbox: Sandbox) -> None:
    page = approvals(sandbox)
    row = re.search(
        r"<tr>(?:(?!</tr>).)*Reject PAY-1 → P1\.KR1(?:(?!</tr>).)*</tr>", str(page["body"])
    )
    assert row is not None
    noted = re.sub(
        r"<td\s*/>\s*</tr>$|<td>\s*</td>\s*</tr>$",
        "<td><p>Not an outcome we fund</p></td></tr>",
        row.group(0),
    )
    assert noted != row.group(0)
    sandbox.confluence.human_edit(
        str(page["id"]), str(page["body"]).replace(row.group(0), noted), author=PRIYA
    )
    tick(sandbox, "Reject PAY-1 → P1.KR1", PRIYA)
    assert run("sync", config)[0] == 0
    (decision,) = trail(config, "PAY-1")
    assert (decision["state"], decision["by"], decision["why"]) == (
        "rejected",
        PRIYA,
        "Not an outcome we fund",
    )
    # The reason typed in the cell is no person's edit of the report: the page goes on.
    code, output = run("publish", config)
    assert code == 0 and "skipped" not in output, output
    assert "Reject PAY-1 → P1.KR1" not in body(sandbox)
    assert "Not an outcome we fund" in body(sandbox)  # now in the Decided table


def test_a_person_s_real_edit_still_stops_the_page(config: Path, sandbox: Sandbox) -> None:
    tick(sandbox, "Approve PAY-1 → P1.KR1", PRIYA)
    page = approvals(sandbox)
    edited = str(page["body"]).replace("</table>", "</table><p>Our own notes</p>", 1)
    sandbox.confluence.human_edit(str(page["id"]), edited, author=SAM)
    code, output = run("publish", config)
    assert code == 1, output  # a page left as it is: done, with something to report
    assert "skipped: Retail banking — Awaiting approval: page" in output
    assert "Our own notes" in body(sandbox)
    # The tick was still read: Priya's approval counts.
    assert [(d["state"], d["by"]) for d in trail(config, "PAY-1")] == [("approved", PRIYA)]


def test_a_tick_made_while_the_page_is_being_written_is_recorded_not_written_away(
    config: Path, sandbox: Sandbox
) -> None:
    # Priya's first tick changes the page, so the publish writes it; her second lands between
    # the run's last read of the page and its write (the write then meets a newer version).
    tick(sandbox, "Approve PAY-1 → P1.KR1", PRIYA)
    page_id = str(approvals(sandbox)["id"])
    later = datetime(2026, 11, 14, 9, 45, tzinfo=UTC)
    for path in (f"/wiki/rest/api/content/{page_id}", f"/wiki/api/v2/pages/{page_id}"):
        sandbox.faults.act_before_next(
            lambda: tick(sandbox, "Approve MOB-1 → P2.KR1", PRIYA, at=later),
            path_prefix=path,
            method="PUT",
        )
    code, output = run("publish", config)
    assert code == 0, output
    (decision,) = trail(config, "MOB-1")
    assert (decision["state"], decision["origin"], decision["by"]) == ("approved", "page", PRIYA)
    assert decision["at"] == "2026-11-14T09:45:00+00:00"
    # The next run shows it decided: the tick was not lost with the page written over it.
    assert run("publish", config)[0] == 0
    assert "Approve MOB-1 → P2.KR1" not in body(sandbox)
