"""The console netjob prints on: rich's, but a reader that leaves never ends a run.

rich's Console ends the process (SystemExit(1)) on the first write after stdout's reader
has gone (`netjob run ... | head -1`, a pager quit early): a config push stopped between
devices, no report.json, and the hosts in flight left `unknown`. rich documents
`on_broken_pipe` as the hook for other behaviour: here stdout goes to /dev/null from then
on, stderr says so once, and the run goes on to its end, its report and its exit code.
"""

from __future__ import annotations

import contextlib
import os
import sys

from rich.console import Console

_told = False


class PipeSafeConsole(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        stdout_gone()


def stdout_gone() -> None:
    """What netjob does when stdout's reader has left: later writes go to /dev/null (the
    interpreter's last flush included), and one line on stderr says so."""
    global _told
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    if not _told:
        _told = True
        # stderr may be the same pipe (2>&1 | head): then nobody hears it, and nothing stops
        with contextlib.suppress(OSError):
            print(
                "netjob: stdout was closed (its reader left); the run goes on to its end "
                "and writes its report",
                file=sys.stderr,
            )


def make_console(no_color: bool = False) -> Console:
    return PipeSafeConsole(highlight=False, no_color=no_color or "NO_COLOR" in os.environ)
