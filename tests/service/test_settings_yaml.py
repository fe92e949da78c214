"""What the defensive YAML reader still accepts, and the terminal's text cleaning."""

from __future__ import annotations

import codecs
from pathlib import Path

from service.settings_yaml import read_yaml
from service.terminal import clean, one_line


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_bytes(codecs.BOM_UTF8 + "title: Größe\n".encode())
    assert read_yaml(path) == {"title": "Größe"}


def test_anchors_merge_keys_and_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    path.write_text(
        "base: &base {timeout: 10, retries: 3}\n"
        "jira: {<<: *base, timeout: 20}\n"
        "teams: &teams [" + ", ".join(f"t{i}" for i in range(300)) + "]\n"
        "again: [*teams, *teams, *teams]\n",
        encoding="utf-8",
    )
    data = read_yaml(path)
    assert isinstance(data, dict)
    assert data["jira"] == {"timeout": 20, "retries": 3}
    assert len(data["again"]) == 3
    assert data["again"][2][299] == "t299"


def test_an_empty_file_is_none(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert read_yaml(path) is None


def test_clean_removes_escape_sequences_and_controls_but_keeps_lines_and_tabs() -> None:
    assert clean("\x1b]0;title\x07Fix\x1b[31m login\x1b[0m") == "Fix login"
    assert clean("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b") == "alinkb"
    assert clean("one\ttwo\nthree\r\x00\x7f\x85\x9b2Jfour") == "one\ttwo\nthreefour"
    assert clean("Größe → ok") == "Größe → ok"


def test_one_line_joins_lines_and_tabs_with_spaces() -> None:
    assert one_line("Jira said:\nno\tsuch field\r\n") == "Jira said: no such field"
