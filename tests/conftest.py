"""For the whole test run."""

from __future__ import annotations

import signal

# A shell without job control (a script's `pytest &`) starts a background command with SIGINT
# ignored, and every command a test starts would inherit that: the tests that press Ctrl-C on a
# running `outcomes` command would see it run on. Python's own handler is put back, so the
# commands the tests start begin with SIGINT at its default, as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
