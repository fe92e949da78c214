"""Printing to a terminal safely: text from Jira or a catalogue can hold escape sequences.

A summary with `ESC]0;…BEL` would retitle the terminal, one with `ESC[2J` clear it, a `\\r`
overwrite what came before. `clean` removes escape sequences and C0/C1 control characters (it keeps
newlines and tabs); `echo` prints through it, and a reader that stops early (`outcomes check |
head`) ends the output quietly instead of with a BrokenPipeError: the command still finishes and
exits with its own code.
"""

from __future__ import annotations

import os
import re
import sys

import click

_ESCAPES = re.compile(
    r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?    # OSC (title, hyperlink) up to BEL or ST
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC up to ST
    | \x1b\[[0-?]*[ -/]*[@-~]?                      # CSI (colours, cursor moves, clearing)
    | \x1b[ -/]*[0-~]?                              # any other ESC sequence
    | \x9b[0-?]*[ -/]*[@-~]?                        # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?   # 8-bit DCS, SOS, OSC, PM, APC
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but \t and \n, DEL, C1


def clean(text: str) -> str:
    """`text` without escape sequences or control characters (newlines and tabs stay)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str) -> str:
    """`clean`, with line breaks and tabs as spaces: for one line of a table or an error."""
    return " ".join(clean(text).replace("\t", " ").splitlines())


def echo(message: str = "", *, err: bool = False) -> None:
    """click.echo, cleaned; a closed pipe ends the output silently."""
    try:
        click.echo(clean(message), err=err)
    except BrokenPipeError:
        quiet(err=err)


def quiet(*, err: bool = False) -> None:
    """Send the rest of this stream to /dev/null: the reader left (a pipe into `head`)."""
    stream = sys.stderr if err else sys.stdout
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test runner's buffer): nothing is flushed at exit
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
