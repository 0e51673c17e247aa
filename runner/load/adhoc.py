"""Ad-hoc runs (`netjob cmd`): commands given on the command line become a Job in memory
that goes through runner.core like any job file, so the run folder (reports/adhoc/<run-id>),
redaction, the reporter and exit codes are the same. Reading each host's answers back from
the run folder, to fold them or print them as JSON, is runner.report.adhoc_answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from runner.base import platform_names
from runner.base.errors import InputError
from runner.base.models import Host, Job, Task, TaskKind

ADHOC = "adhoc"  # the job's name, and its folder under the reports: reports/adhoc/<run-id>
SHOW_TASK = "commands"
CONFIG_TASK = "config"
# A line break (or CR, NUL, Ctrl-C...) inside one argument would send two commands where the
# user typed one (runner.render.one_line refuses the same in values).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def adhoc_job(
    commands: Sequence[str],
    config: Sequence[str] = (),
    per_platform: Sequence[str] = (),
) -> Job:
    """A job of at most two tasks: the config lines first (so the shows see their effect),
    then the show commands. Both are Jinja2, as in a job file (`{{ host.name }}` works).
    `per_platform` (`--for PLATFORM=COMMAND`, repeatable) gives a platform its own show
    commands in place of `commands`, as a job's `show: {juniper_junos: ..., default: ...}`
    (refuse_uncovered: a host whose platform gets no command, before anything connects)."""
    pairs = [_pair(given) for given in per_platform]
    _check_commands((*commands, *(c for _, c in pairs)), config)
    tasks: list[Task] = []
    if config:
        tasks.append(Task(name=CONFIG_TASK, kind=TaskKind.CONFIG, lines=tuple(config)))
    if per_platform:
        by_platform, written = _by_platform(pairs)
        if commands:
            by_platform[platform_names.DEFAULT_KEY] = tuple(commands)
        tasks.append(
            Task(
                name=SHOW_TASK,
                kind=TaskKind.SHOW,
                lines=next(iter(by_platform.values())),
                by_platform=by_platform,
                platform_keys=written,
            )
        )
    elif commands:
        tasks.append(Task(name=SHOW_TASK, kind=TaskKind.SHOW, lines=tuple(commands)))
    return Job(name=ADHOC, path=Path(ADHOC), tasks=tuple(tasks))


def refuse_uncovered(job: Job, hosts: Sequence[Host]) -> None:
    """With `--for` and no plain commands, every chosen host's platform needs a `--for`."""
    for task in job.tasks:
        if not task.by_platform or platform_names.DEFAULT_KEY in task.by_platform:
            continue
        bare = sorted(
            {h.platform for h in hosts if platform_names.pick(task.by_platform, h.platform) is None}
        )
        if bare:
            names = [h.name for h in hosts if h.platform in bare]
            raise InputError(
                f"no command for platform {', '.join(bare)} (hosts {', '.join(names[:5])}"
                f"{', ...' if len(names) > 5 else ''}): add --for {bare[0]}=COMMAND, or give "
                "commands for every other platform as arguments"
            )


def _pair(given: str) -> tuple[str, str]:
    name, equals, command = given.partition("=")
    if not equals or not name.strip():
        raise InputError(
            f"--for {given!r}: expected PLATFORM=COMMAND, e.g. --for huawei='display version'"
        )
    return name.strip(), command


def _by_platform(
    given: Sequence[tuple[str, str]],
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each platform's commands in the order given, by the netmiko device_type its name
    means (read as an inventory's `platform:` is: `junos` is juniper_junos)."""
    by_platform: dict[str, tuple[str, ...]] = {}
    written: dict[str, str] = {}
    for name, command in given:
        platform = platform_names.resolve(name)
        if platform is None:
            raise InputError(f"--for {name!r}: {platform_names.refusal(name)}")
        by_platform[platform] = (*by_platform.get(platform, ()), command)
        written.setdefault(platform, name)
    return by_platform, written


def _check_commands(commands: Sequence[str], config: Sequence[str]) -> None:
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
