"""A one-line progress display for long work: rewritten in place on a terminal, silent elsewhere
(cron mails and log collectors want the outcome, not every page)."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressLine:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._width = 0

    def __call__(self, message: str) -> None:
        if not self.live:
            return
        text = message[:120]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        """Clear the line, so what follows starts on a clean one."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
