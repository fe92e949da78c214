"""Run the `outcomes` CLI on a moved clock: `python -m tests.scheduler.shifted AT ARGS…`.

Once the program is imported (the slow part of starting), the process's clock is set to AT and
ticks on from there; a test picks AT a second or two before the cron fire time it wants to see.
time-machine moves wall-clock time only: timeouts and sleeps (monotonic) are untouched.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> None:
    at, *args = sys.argv[1:]
    from service.cli import cli

    time_machine.travel(datetime.fromisoformat(at), tick=True).start()
    cli.main(args=args, prog_name="outcomes")


if __name__ == "__main__":
    main()
