"""A job's `pre_checks:`, `post_checks:` and `rescue:` lists: tasks as `tasks:` are
written, each marked with its role (runner.render.phases places them among a host's steps,
runner.run.phases runs them). A pre-check or post-check is a show task with `checks:`: it
judges the network before or after the host's config tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.base.models import RESCUE, Task, TaskKind
from runner.load.schema import At

ParseTask = Callable[[Any, At, Path], Task]  # runner.load.job's reading of one task


def phase(
    data: dict[str, Any], role: str, top: At, path: Path, parse: ParseTask
) -> tuple[Task, ...]:
    """The tasks of the job's list for `role` (its key: `pre_checks`, `post_checks`,
    `rescue`); () when the job has none."""
    key = "rescue" if role == RESCUE else f"{role}s"
    raw = data.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise top.child(key, data).fail("expected a list with at least one task")
    tasks = []
    for i, item in enumerate(raw):
        task = replace(parse(item, At(path, f"{key}[{i}]", raw), path), role=role)
        if role != RESCUE and (task.kind is not TaskKind.SHOW or not task.checks):
            raise At(path, f"{key}[{i}]").fail(
                f"a {role.replace('_', '-')} is a show task with checks: to judge its output",
                task.line or None,
            )
        tasks.append(task)
    return tuple(tasks)
