"""Ad-hoc runs (`netjob cmd`): commands given on the command line become a Job in memory
that goes through runner.core like any job file, so the run folder (reports/adhoc/<run-id>),
redaction, the reporter and exit codes are the same. Reading each host's answers back from
the run folder, to fold them or print them as JSON, is runner.report.adhoc_answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from runner.base.errors import InputError
from runner.base.models import Job, Task, TaskKind

ADHOC = "adhoc"  # the job's name, and its folder under the reports: reports/adhoc/<run-id>
SHOW_TASK = "commands"
CONFIG_TASK = "config"
# A line break (or CR, NUL, Ctrl-C...) inside one argument would send two commands where the
# user typed one (runner.render.one_line refuses the same in values).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def adhoc_job(commands: Sequence[str], config: Sequence[str] = ()) -> Job:
    """A job of at most two tasks: the config lines first (so the shows see their effect),
    then the show commands. Both are Jinja2, as in a job file (`{{ host.name }}` works)."""
    empty = [c for c in (*commands, *config) if not c.strip()]
    if empty:
        raise InputError("an empty command was given; pass each command as one argument")
    for command in (*commands, *config):
        found = _CONTROL.search(command)
        if found is not None:
            raise InputError(
                f"command {command.splitlines()[0][:60]!r}... holds a control character "
                f"(U+{ord(found.group()):04X}, a line break or the like): one argument is one "
                "line; pass each command as its own argument"
            )
    if not commands and not config:
        raise InputError("no command given; e.g. netjob cmd 'show clock' --limit core")
    tasks: list[Task] = []
    if config:
        tasks.append(Task(name=CONFIG_TASK, kind=TaskKind.CONFIG, lines=tuple(config)))
    if commands:
        tasks.append(Task(name=SHOW_TASK, kind=TaskKind.SHOW, lines=tuple(commands)))
    return Job(name=ADHOC, path=Path(ADHOC), tasks=tuple(tasks))
