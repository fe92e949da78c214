"""Loading and validating datasets: every error is one line naming the file and the key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from connector.sandbox import DatasetError, Sandbox, load_dataset

from .conftest import DATA

EXAMPLE = Path(__file__).resolve().parents[2] / "connector" / "sandbox" / "example.yaml"
EXAMPLE_AUTH = ("lead@example.com", "sandbox-token")  # as the example's comments say

YAML_TEXT = """\
auth:
  - {user: demo@example.com, token: demo-token}
jira:
  deployment: Cloud
  statuses:
    - {name: To Do, category: new}
    - {name: Done, category: done}
  fields:
    - {id: customfield_10016, name: Story Points, type: number}
  projects:
    - {key: PAY, name: Payments}
  issues:
    - key: PAY-1
      type: Epic
      summary: Instant payment retries
      status: To Do
      labels: [okr:P1.KR1]
      parent: null
      assignee: Ana Ruiz
      created: 2026-10-02T09:00:00Z
      updated: 2026-11-20T10:00:00Z
      fields: {customfield_10016: 5}
confluence:
  spaces: [{key: PORT, name: Portfolio}]
  pages:
    - {space: PORT, title: Portfolio outcomes, parent: null, body: "<p>Root</p>"}
"""


def test_load_yaml_and_json(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    data = load_dataset(path)
    assert data["jira"]["issues"][0]["key"] == "PAY-1"
    json_path = tmp_path / "demo.json"
    json_path.write_text(json.dumps(DATA), encoding="utf-8")
    assert load_dataset(json_path) == DATA
    with Sandbox(data) as sb:
        rec = sb.jira.get("PAY-1")
        assert rec is not None and rec.id == 10000 and rec.fields == {"customfield_10016": 5}


def _broken(change: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(DATA)
    target: Any = data
    *path, last = change.split(".")
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [
        ("jira.issues.3.status", "Doing", "jira.issues[3].status: unknown status 'Doing'"),
        ("jira.issues.3.key", "PAY-2", "jira.issues[3].key: duplicate key 'PAY-2'"),
        (
            "jira.issues.1.parent",
            "PAY-77",
            "jira.issues[1].parent: parent 'PAY-77' is not an issue of the dataset",
        ),
        (
            "jira.issues.0.key",
            "OPS-1",
            "jira.issues[0].key: project 'OPS' is not listed in jira.projects",
        ),
        (
            "jira.issues.0.key",
            "pay one",
            "jira.issues[0].key: expected PROJECT-NUMBER, got 'pay one'",
        ),
        (
            "jira.issues.0.fields",
            {"customfield_10016": "lots"},
            "jira.issues[0].fields.customfield_10016: expected a number value, got 'lots'",
        ),
        (
            "jira.issues.0.fields",
            {"customfield_99": 1},
            "jira.issues[0].fields: unknown key 'customfield_99'",
        ),
        (
            "jira.issues.0.updated",
            "last tuesday",
            "jira.issues[0].updated: expected an ISO date-time, got 'last tuesday'",
        ),
        ("jira.issues.0.statuss", "Done", "jira.issues[0]: unknown key 'statuss'"),
        (
            "jira.statuses.0.category",
            "todo",
            "jira.statuses[0].category: expected one of new, indeterminate, done, got 'todo'",
        ),
        (
            "jira.fields.0.type",
            "datetime",
            "jira.fields[0].type: expected one of number, string, "
            "option, array, array(option), epiclink, date, got 'datetime'",
        ),
        (
            "jira.deployment",
            "On premises",
            "jira.deployment: expected Cloud or Data Center, got 'On premises'",
        ),
        ("auth", [], "auth: at least one {user, token} entry is required"),
        (
            "confluence.pages.1.parent",
            "Nowhere",
            "confluence.pages[1].parent: no page titled 'Nowhere' in space 'PORT'",
        ),
        (
            "confluence.pages.0.space",
            "XX",
            "confluence.pages[0].space: space 'XX' is not listed in confluence.spaces",
        ),
        (
            "confluence.pages.0.body",
            "<p>open",
            "confluence.pages[0].body: Error parsing xhtml: mismatched tag",
        ),
    ],
)
def test_bad_data_is_one_line_naming_file_and_key(
    tmp_path: Path, change: str, value: Any, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_broken(change, value)), encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert str(err.value) == f"{path}: {message}"


def test_sandbox_validates_a_mapping_too() -> None:
    with pytest.raises(DatasetError, match=r"^<dataset>: jira.issues\[3\].status: unknown"):
        Sandbox(_broken("jira.issues.3.status", "Doing"))


def test_unreadable_or_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"missing\.yaml: cannot read"):
        load_dataset(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad.json: not valid JSON: "):
        load_dataset(bad)


def test_add_issue_and_update_issue_validate_like_the_dataset(data: dict[str, Any]) -> None:
    sb = Sandbox(data)
    with pytest.raises(DatasetError, match=r"issue\.status: unknown status 'Doing'"):
        sb.jira.add_issue({"key": "PAY-20", "type": "Task", "status": "Doing"})
    with pytest.raises(DatasetError, match="duplicate key 'PAY-1'"):
        sb.jira.add_issue({"key": "PAY-1", "type": "Task", "status": "Done"})
    with pytest.raises(DatasetError, match=r"issue PAY-1\.parent: parent 'PAY-1'"):
        sb.jira.update_issue("PAY-1", parent="PAY-1")
    with pytest.raises(KeyError):
        sb.jira.update_issue("PAY-404", status="Done")
    assert (
        sb.jira.add_issue({"key": "PAY-20", "type": "Task", "status": "Done", "id": 20000})
        == "PAY-20"
    )
    rec = sb.jira.get("20000")
    assert rec is not None and rec.key == "PAY-20"


@pytest.mark.parametrize("name", ["Data Center", "datacenter", "Server", "DataCenter"])
def test_data_center_goes_by_the_products_name_too(name: str) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["jira"]["deployment"] = name
    with Sandbox(data) as sb, requests.Session() as session:
        info = session.get(sb.url + "/rest/api/2/serverInfo", auth=EXAMPLE_AUTH, timeout=10)
    assert info.json()["deploymentType"] == "Server"  # what Jira Data Center itself answers


def test_the_example_dataset_loads_and_serves_its_issues() -> None:
    data = load_dataset(EXAMPLE)
    with Sandbox(data) as sb, requests.Session() as session:
        found = session.get(
            sb.url + "/rest/api/3/search/jql",
            params={"jql": "project = PAY AND issuetype = Epic", "fields": "summary"},
            auth=EXAMPLE_AUTH,
            timeout=10,
        ).json()
    assert [i["key"] for i in found["issues"]] == ["PAY-1", "PAY-3"]


def test_keys_come_from_each_projects_counter_and_are_never_handed_out_twice(
    data: dict[str, Any],
) -> None:
    """As in Jira: a created or moved-in issue takes its project's next number, and a number
    once used (by an issue since deleted or moved away) is never used again."""
    jira = Sandbox(data).jira
    last = max(r.number for r in jira.all_issues() if r.project == "PAY")
    created = jira.add_issue({"project": "PAY", "type": "Task", "status": "To Do"})
    assert created == f"PAY-{last + 1}"
    jira.delete_issue(created)
    moved = jira.move_issue(next(r.key for r in jira.all_issues() if r.project == "MOB"), "PAY")
    assert moved == f"PAY-{last + 2}"  # not the deleted issue's PAY-{last + 1}
    jira.move_issue(moved, "MOB")
    assert jira.add_issue({"project": "PAY", "type": "Task", "status": "To Do"}) == (
        f"PAY-{last + 3}"  # not the moved-away PAY-{last + 2}
    )
