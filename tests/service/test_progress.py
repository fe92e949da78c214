"""Long work shows a progress line on a terminal and nothing elsewhere (cron, log collectors)."""

from __future__ import annotations

import io

from service.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_one_line_rewritten_in_place_then_cleared() -> None:
    screen = Terminal()
    progress = ProgressLine(screen)
    progress("Retail: 100 issues fetched")
    progress("Retail: 200 issues fetched")
    progress.done()
    written = screen.getvalue()
    assert "\rRetail: 100 issues fetched" in written
    assert "\rRetail: 200 issues fetched" in written
    assert "\n" not in written
    assert written.endswith("\r")


def test_a_pipe_or_file_sees_nothing() -> None:
    pipe = io.StringIO()
    progress = ProgressLine(pipe)
    progress("Retail: 100 issues fetched")
    progress.done()
    assert pipe.getvalue() == ""
