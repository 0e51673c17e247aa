"""The `netjob` command: parse, call runner.core and the rooms' faces, print, exit. No logic
lives here.

Errors are one line on stderr, never a traceback; exit codes are runner.base.errors.ExitCode.
Each cmd_* module registers its commands on the one typer app, in the order `--help`
lists them.

The cmd_* modules do without `from __future__ import annotations`: typer reads every
command's parameter annotations at each start, and as strings each is compiled and
evaluated again (~10 ms of every `netjob` start, issue 13).
"""

from __future__ import annotations

# isort: off
from runner.cli import (
    cmd_run,
    cmd_adhoc,
    cmd_rollback,
    cmd_inventory,
    cmd_history,
    cmd_confirm,
    cmd_lab,
    cmd_cluster,
)

# isort: on
from runner.cli.app import app, entry, exit_code, main

__all__ = [
    "app",
    "cmd_adhoc",
    "cmd_cluster",
    "cmd_confirm",
    "cmd_history",
    "cmd_inventory",
    "cmd_lab",
    "cmd_rollback",
    "cmd_run",
    "entry",
    "exit_code",
    "main",
]
