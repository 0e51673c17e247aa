"""What a run is asked to do before anything is rendered: the job (its tasks filtered by
--tags/--skip-tags/--start-at-task), the inventory, the hosts picked, the extra variables,
and what --confirm, --private-key and --ssh-config add to them. Built by runner.core.select.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import InputError, SelectionError
from runner.base.models import Host, Job, TaskKind

if TYPE_CHECKING:
    from runner.load.host_patterns import Inventory


@dataclass(frozen=True)
class Selection:
    job: Job
    inventory: Inventory
    hosts: tuple[Host, ...]
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    # --retry-failed: hosts left out because their last result is `unknown` (never "done")
    unknown: tuple[str, ...] = ()
    limit: str | None = None  # --limit as given, for the change record
    inventories: tuple[Path, ...] = ()  # the inventory files read, for the change record

    def secret_vars(self) -> list[str]:
        """The values of secret-looking variables: -e's, the job's and every host's."""
        from runner.base.redact import secret_values

        found = set(secret_values(dict(self.extra_vars)) + secret_values(dict(self.job.vars)))
        for host in self.hosts:
            found.update(secret_values(dict(host.vars)))
        return sorted(found)


@dataclass(frozen=True)
class TaskFilter:
    """Ansible's habits: --tags, --skip-tags, --start-at-task."""

    tags: tuple[str, ...] = ()
    skip_tags: tuple[str, ...] = ()
    start_at: str | None = None

    def apply(self, job: Job) -> Job:
        tasks = list(job.tasks)
        if self.start_at is not None:
            names = [t.name for t in tasks]
            if self.start_at not in names:
                raise SelectionError(
                    f"--start-at-task {self.start_at!r}: no such task in {job.path}; "
                    f"tasks: {', '.join(names)}"
                )
            tasks = tasks[names.index(self.start_at) :]
        if self.tags:
            tasks = [t for t in tasks if set(t.tags) & set(self.tags)]
        tasks = [t for t in tasks if not set(t.tags) & set(self.skip_tags)]
        if not tasks:
            raise SelectionError(
                f"no task of {job.path} is left after --tags/--skip-tags/--start-at-task"
            )
        return dataclasses.replace(job, tasks=tuple(tasks))


def with_confirm(selection: Selection, given: str) -> Selection:
    """`--confirm 5m` (or per platform, `--confirm ios=1m,junos=1m,default=30s`): every
    config and template task without its own `confirm:` goes under the device's revert
    timer. Which platforms can, for how long, is checked when the job is expanded
    (runner.render.expansion.check_confirms), before anything connects."""
    seconds, by_platform = _confirm_option(given)
    kinds = (TaskKind.CONFIG, TaskKind.TEMPLATE, TaskKind.REPLACE)  # (rollback: REPLACE)
    job = selection.job
    if not any(t.kind in kinds for t in job.tasks):
        raise InputError(f"--confirm {given}: {job.path} has no config or template task")
    tasks = tuple(
        dataclasses.replace(t, confirm=seconds, confirm_by_platform=by_platform)
        if t.kind in kinds and t.confirm is None and not t.confirm_by_platform
        else t
        for t in job.tasks
    )
    return dataclasses.replace(selection, job=dataclasses.replace(job, tasks=tasks))


def _confirm_option(given: str) -> tuple[float | None, dict[str, float]]:
    from runner.base import platform_names
    from runner.base.revert_timer import parse_duration

    def duration(text: str) -> float:
        seconds = parse_duration(text)
        if seconds is None:
            raise InputError(
                f"--confirm {given!r}: {text!r} is not a duration; write it as 5m, 90s or 1h "
                "(per platform: ios=1m,default=30s)"
            )
        return seconds

    if "=" not in given:
        return duration(given), {}
    by_platform: dict[str, float] = {}
    for part in given.split(","):
        name, _, text = (piece.strip() for piece in part.partition("="))
        key = name if name == platform_names.DEFAULT_KEY else platform_names.resolve(name)
        if key is None:
            raise InputError(f"--confirm {given!r}: {platform_names.refusal(name, ('default',))}")
        by_platform[key] = duration(text)
    return None, by_platform


def with_ssh_options(
    selection: Selection, private_key: str | None, ssh_config: str | None
) -> Selection:
    """--private-key and --ssh-config, for the hosts whose inventory sets none."""
    from runner.load.ssh_options import with_cli

    return dataclasses.replace(selection, hosts=with_cli(selection.hosts, private_key, ssh_config))
