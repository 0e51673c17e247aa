"""Ad-hoc runs (`netjob cmd`): commands given on the command line become a Job in memory
that goes through runner.core like any job file, so the run folder (reports/adhoc/<run-id>),
redaction, the reporter and exit codes are the same. Reading each host's answers back from
the run folder, to fold them or print them as JSON, is runner.report.adhoc_answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runner.base.errors import InputError
from runner.base.models import Job, Task, TaskKind

ADHOC = "adhoc"  # the job's name, and its folder under the reports: reports/adhoc/<run-id>
SHOW_TASK = "commands"
CONFIG_TASK = "config"


def adhoc_job(commands: Sequence[str], config: Sequence[str] = ()) -> Job:
    """A job of at most two tasks: the config lines first (so the shows see their effect),
    then the show commands. Both are Jinja2, as in a job file (`{{ host.name }}` works)."""
    empty = [c for c in (*commands, *config) if not c.strip()]
    if empty:
        raise InputError("an empty command was given; pass each command as one argument")
    if not commands and not config:
        raise InputError("no command given; e.g. netjob cmd 'show clock' --limit core")
    tasks: list[Task] = []
    if config:
        tasks.append(Task(name=CONFIG_TASK, kind=TaskKind.CONFIG, lines=tuple(config)))
    if commands:
        tasks.append(Task(name=SHOW_TASK, kind=TaskKind.SHOW, lines=tuple(commands)))
    return Job(name=ADHOC, path=Path(ADHOC), tasks=tuple(tasks))
