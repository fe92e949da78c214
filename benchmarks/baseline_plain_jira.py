"""The baseline: what a team writes instead of Outcomes, a plain script with the `jira` library.

    python benchmarks/baseline_plain_jira.py URL USER TOKEN "project = BIG AND issuetype = Epic"

It searches the epics with the JQL, then runs one search per epic for its children, letting
the library page (``maxResults=False``: all pages). Enhanced search (`/search/jql`) on Cloud,
the paged `/search` on Data Center. It prints one JSON line: what it read, its wall time, its
CPU time (process_time) and its peak resident memory (VmHWM, from /proc/self/status).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from jira import JIRA

FIELDS = "summary,status,issuetype,project,labels,parent,created,updated,assignee"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM); ru_maxrss where /proc is missing."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def search_all(jira: JIRA, cloud: bool, jql: str) -> list[Any]:
    if cloud:
        return list(jira.enhanced_search_issues(jql, maxResults=False, fields=FIELDS))
    return list(jira.search_issues(jql, maxResults=False, fields=FIELDS))


def main(url: str, user: str, token: str, jql: str) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    jira = JIRA(server=url, basic_auth=(user, token), timeout=60)
    cloud = jira.server_info().get("deploymentType") == "Cloud"
    epics = search_all(jira, cloud, jql)
    children = {epic.key: search_all(jira, cloud, f"parent = {epic.key}") for epic in epics}
    print(
        json.dumps(
            {
                "epics": len(epics),
                "children": sum(len(found) for found in children.values()),
                "seconds": round(time.perf_counter() - wall, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
