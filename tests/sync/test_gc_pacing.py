"""The sync paces the cycle collector down while it runs (connector/gc_pacing.py) and puts the
process's own pace back afterwards, also when the sync fails: `serve` runs for weeks, and its
other jobs must not inherit a setting made for one sync."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from connector.gc_pacing import SYNC_THRESHOLDS, sync_gc_pace
from connector.sandbox import Sandbox
from connector.sync import ScopeSpec, sync_scopes
from rules.errors import BadQuery
from tests.sync.conftest import NOW, SCOPE, connect

BAD_SCOPE = ScopeSpec("retail", "Retail", "project in (PAY, MOB AND issuetype = Epic")


@pytest.fixture
def process_pace() -> Iterator[tuple[int, int, int]]:
    """A pace of the process's own, unlike the default, put back after the test."""
    before = gc.get_threshold()
    gc.set_threshold(900, 11, 12)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_a_sync_runs_at_the_sync_pace_and_hands_the_process_its_own_back(
    sandbox: Sandbox, engine: Engine, process_pace: tuple[int, int, int]
) -> None:
    seen: list[tuple[int, int, int]] = []
    source = connect(sandbox, concurrency=4)
    (result,) = sync_scopes(
        source,
        engine,
        [SCOPE],
        now=NOW,
        full=True,
        progress=lambda _: seen.append(gc.get_threshold()),
    )
    assert result.epics == 4 and seen
    assert set(seen) == {SYNC_THRESHOLDS}
    assert gc.get_threshold() == process_pace


def test_a_failed_sync_hands_the_process_its_own_pace_back(
    sandbox: Sandbox, engine: Engine, process_pace: tuple[int, int, int]
) -> None:
    with pytest.raises(BadQuery, match="Jira refused the JQL"):
        sync_scopes(connect(sandbox), engine, [BAD_SCOPE], now=NOW, full=True)
    assert gc.get_threshold() == process_pace


def test_overlapping_syncs_restore_the_pace_when_the_last_one_ends(
    process_pace: tuple[int, int, int],
) -> None:
    with sync_gc_pace():
        with sync_gc_pace():
            assert gc.get_threshold() == SYNC_THRESHOLDS
        assert gc.get_threshold() == SYNC_THRESHOLDS  # the other sync still runs
    assert gc.get_threshold() == process_pace


def test_a_slower_or_switched_off_pace_of_the_process_is_kept() -> None:
    before = gc.get_threshold()
    try:
        for own in ((0, 10, 10), (100_000, 50, 200)):
            gc.set_threshold(*own)
            with sync_gc_pace():
                assert gc.get_threshold() == own
            assert gc.get_threshold() == own
    finally:
        gc.set_threshold(*before)
