"""Data Center: more issues than its result window changed in one millisecond (a bulk import).
No `updated` window can split them; the sync reads them project by project in key ranges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.sandbox import Sandbox
from connector.store.db import open_store
from tests.sync.conftest import content, issue, portfolio, sync

IMPORTED = "2026-10-05T09:00:00.000Z"  # every issue of the import has this `updated`
WINDOW = 50  # the site's result window, lowered so the test stays small


def bulk_import() -> dict[str, Any]:
    """120 PAY epics and 70 MOB epics, each with one child, all updated in one millisecond;
    an ARC epic out of scope."""
    data = portfolio("Server")
    issues = []
    for project, count in (("PAY", 120), ("MOB", 70)):
        issues += [issue(f"{project}-{n}", "Epic", updated=IMPORTED) for n in range(1, count + 1)]
        issues += [
            issue(f"{project}-{1000 + n}", parent=f"{project}-{n}", updated=IMPORTED)
            for n in range(1, count + 1)
        ]
    issues.append(issue("ARC-1", "Epic", updated=IMPORTED))
    data["jira"]["issues"] = issues
    return data


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_bulk_import_past_the_window_in_one_millisecond_syncs_completely(
    tmp_path: Path, concurrency: int
) -> None:
    with Sandbox(bulk_import()) as sandbox:
        sandbox.faults.search_window = WINDOW
        engine = open_store(f"sqlite:///{tmp_path / 'dc.db'}")
        result = sync(sandbox, engine, search_window=WINDOW, concurrency=concurrency)
        rows, scope = content(engine)
        engine.dispose()
        requests = sandbox.requests
    assert (result.epics, result.children) == (190, 190)
    keys = {row[1] for row in rows}
    expected = {f"PAY-{n}" for n in range(1, 121)} | {f"PAY-{1000 + n}" for n in range(1, 121)}
    expected |= {f"MOB-{n}" for n in range(1, 71)} | {f"MOB-{1000 + n}" for n in range(1, 71)}
    assert keys == expected
    assert len(scope) == 190
    assert [r for r in requests if r.status != 200] == []  # never past the window
    jql = [str(r.query.get("jql", "")) for r in requests]
    assert any('key > "PAY-' in q for q in jql) and any('key > "MOB-' in q for q in jql)
