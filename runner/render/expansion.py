"""Plan, then act: expand() renders every Step for every Host before anything connects,
and refuses what a host's platform cannot do (save_config where there is no save, config
lines where netmiko sends none, a revert timer the device lacks) and two steps saving to
one file. The core calls it; the run room is handed the rendered WorkItems.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from runner.base import platforms, revert_timer
from runner.base.errors import InputError
from runner.base.models import RESCUE, Credentials, Host, Job, Step, TaskKind, WorkItem
from runner.render import save_paths
from runner.render.templating import compile_job, render_steps


class Capabilities(Protocol):
    """What a device_type can do where the platform table does not say: the device room
    answers (runner.device.capabilities asks netmiko's class), so rendering never imports
    netmiko itself."""

    def can_save(self, device_type: str) -> bool: ...

    def can_configure(self, device_type: str) -> bool: ...


def expand(
    job: Job,
    hosts: Sequence[Host],
    extra_vars: Mapping[str, Any],
    credentials: Mapping[str, Credentials] | None = None,
    *,
    capable: Capabilities,
) -> list[WorkItem]:
    """One WorkItem per host, every task rendered. Raises TemplateError on the first problem,
    InputError on a step the host's platform cannot do (`capable` says which)."""
    compiled = compile_job(job)
    creds = credentials or {}
    shared = Shared()
    items = [
        WorkItem(
            host,
            shared.steps(render_steps(job, compiled, host, extra_vars)),
            shared.one(creds.get(host.name, Credentials(host.username))),
        )
        for host in hosts
    ]
    _check_saves(job, items, capable)
    _check_shared_files(job, items)
    check_confirms(job, items)
    return items


class Shared:
    """Equal rendered values kept once: the plan of every host is held from before the
    first connection to the end of the run, and most hosts render most steps alike (the same
    show commands, the same config lines, one set of credentials), so the plan grows with
    what differs between hosts, not with the hosts. Records are frozen: sharing one is safe."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        try:
            return self._seen.setdefault(value, value)
        except TypeError:  # a step finished on the device holds its variables (a dict)
            return value

    def steps(self, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        shared: tuple[Step, ...] = self.one(tuple(self.one(step) for step in steps))
        return shared


def _check_shared_files(job: Job, items: Sequence[WorkItem]) -> None:
    """Two steps whose `save_to:` renders to one file would each overwrite the last ("saved:
    3 files", one kept): refused before anything connects, naming them. A save_to finished
    on the device (it reads `registered`) is not known yet and not checked here."""
    writers: dict[str, list[str]] = {}
    for item in items:
        for step in item.steps:
            if step.save_to and step.context is None:
                anchor, relative = save_paths.split(step.save_to)
                path = os.path.normpath(anchor / relative)
                writers.setdefault(path, []).append(f"{item.host.name} ('{step.task}')")
    for path, who in writers.items():
        if len(who) > 1:
            shown = ", ".join(who[:5]) + (f" and {len(who) - 5} more" if len(who) > 5 else "")
            raise InputError(
                f"{job.path}: save_to: {len(who)} steps would save to one file, {path}: "
                f"{shown}; each would overwrite the last: put what differs in the path "
                "({{ host.name }}, {{ item }})"
            )


def _check_saves(job: Job, items: Sequence[WorkItem], capable: Capabilities) -> None:
    """What a platform cannot do is refused before anything connects: `save_config: true`
    where there is no save (found after the lines were applied, it would fail a host that
    did change), config lines where netmiko cannot send any (Cisco FTD)."""
    verdicts: dict[tuple[str, str], bool] = {}
    for item in items:
        platform = item.host.platform
        for step in item.steps:
            configures = step.kind in (TaskKind.CONFIG, TaskKind.TEMPLATE) and not step.when
            if (
                (step.commands or step.sources)
                and configures
                and not verdicts.setdefault(("config", platform), capable.can_configure(platform))
            ):
                raise InputError(
                    f"{_where(job, step)}: task '{step.task}' sends config lines, but host "
                    f"'{item.host.name}' is {platform}, where netmiko cannot change the "
                    "config over SSH; leave this host out of the task (hosts:, or an empty "
                    f"list for {platform} in a per-platform config:)"
                )
            if step.save_config and not verdicts.setdefault(
                ("save", platform), capable.can_save(platform)
            ):
                raise InputError(
                    f"{_where(job, step)}: task '{step.task}' has save_config: true, but host "
                    f"'{item.host.name}' is {platform}, which has no save (netmiko has none "
                    "for it); drop save_config: true for this platform (when: or a "
                    "per-platform task)"
                )


def check_confirms(job: Job, items: Sequence[WorkItem]) -> None:
    """A change under the revert timer on a platform without one, or for a time its timer
    cannot count, is refused before anything connects, naming the platform; so is a second
    config change after the timed one on a host (its commit would confirm the first on
    IOS-XR and Junos, and the device's one timer covers one change)."""
    for item in items:
        platform = item.host.platform
        configs = [s for s in item.steps if s.kind in CHANGES]
        timed = [s for s in configs if s.confirm is not None]
        if not timed:
            continue
        step = timed[0]
        task = next((t for t in job.tasks if t.name == step.task), None)
        where = f"{job.path}:{task.line}" if task and task.line else str(job.path)
        assert step.confirm is not None
        timer = platforms.lookup(platform).revert
        asked = f"confirm {revert_timer.shown(step.confirm)}"
        if timer is None:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}): host '{item.host.name}' is "
                f"{platform}, which has no confirm-or-revert timer on the device; run it "
                "without --confirm (or confirm:), or limit the run to platforms that have one "
                "(Junos, IOS-XR, EOS, IOS/IOS-XE)"
            )
        why = timer.refusal(step.confirm) or _untimed_replace(step, platform)
        if why is not None:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}): host '{item.host.name}' is "
                f"{platform}: {why}"
            )
        # (A rescue task is no such change: while one is pending, only its shows run,
        # runner.run.phases.)
        after = [s for s in configs[configs.index(step) + 1 :] if s.role != RESCUE]
        if after:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}) is followed on host "
                f"'{item.host.name}' by config task '{after[0].task}': the device's timer "
                "covers one change; put the lines in one task, or the timed task last"
            )


# The steps that change a device's config: what a revert timer can cover.
CHANGES = (TaskKind.CONFIG, TaskKind.TEMPLATE, TaskKind.REPLACE)


def _untimed_replace(step: Step, platform: str) -> str | None:
    """Why `netjob rollback --confirm` cannot put this platform's replace under its timer."""
    recipe = platforms.lookup(platform).replace
    if step.kind is not TaskKind.REPLACE or recipe is None or recipe.timed is not None:
        return None
    return f"its replace cannot go under its revert timer: {recipe.untimed or 'none known'}"


def _where(job: Job, step: Step) -> str:
    task = next((t for t in job.tasks if t.name == step.task), None)
    return f"{job.path}:{task.line}" if task and task.line else str(job.path)
