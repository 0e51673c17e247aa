"""What `netjob plan` can know before anything connects, and what it cannot.

A `when:` that reads only host, inventory, job and `-e` variables is decided now, by the
same evaluation the device's run makes (runner.render.templating.when_holds): the plan
shows such a step as skipped, with the reason, or rendered. A `when:` (or a command) that
reads `registered.NAME`, an earlier task's output, is decided on the device.

`registered.NAME` that no earlier task registers is refused when the job loads
(`refuse_unregistered`): it could only ever fail, on every host, after connecting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import jinja2
from jinja2 import nodes

from runner.base import user_files
from runner.base.errors import TemplateError
from runner.base.models import Host, Job, Step, Task, TaskKind, WorkItem

if TYPE_CHECKING:
    from runner.load.selection import Selection

from runner.render.templating import (
    MAX_TEMPLATE_BYTES,
    OLD_REGISTERED,
    REGISTERED,
    check_strings,
    finish_step,
    when_holds,
)

_PARSER = jinja2.Environment()  # to read which names a template reads; renders nothing
# The tasks whose output `register:` keeps (runner.run.step): what devices answered.
_REGISTERING = (TaskKind.SHOW, TaskKind.COMMAND)


class Verdict(str, Enum):
    RUNS = "runs"
    SKIPPED = "skipped"  # its `when:` is false for this host
    ON_DEVICE = "decided on the device"  # it reads registered outputs


@dataclass(frozen=True)
class Planned:
    """A step as the plan shows it: rendered where its `when:` was decided now."""

    step: Step
    verdict: Verdict = Verdict.RUNS
    why: str = ""  # the `when:` and its value, or what is read from the device


@dataclass(frozen=True)
class PlannedHost:
    host: Host
    steps: tuple[Planned, ...]


def decide(items: Sequence[WorkItem]) -> list[PlannedHost]:
    """Each host's steps, their `when:` decided where nothing of the device is read."""
    return [
        PlannedHost(item.host, tuple(_named(step, item.host) for step in item.steps))
        for item in items
    ]


def _named(step: Step, host: Host) -> Planned:
    try:
        return _decide(step, host.platform)
    except TemplateError as exc:  # finished on a device, the host's result names it
        raise TemplateError(
            f"host {host.name}: {exc}", path=exc.path, line=exc.line, host=host.name, task=exc.task
        ) from None


def _decide(step: Step, platform: str) -> Planned:
    """Raises TemplateError where the run would fail the step (a plan fails as the
    expansion does for a step decided before any connection)."""
    if step.context is None:
        return Planned(step)
    when = f"when: {step.when}"
    in_when = _registered_reads([step.when or ""], expression=True)
    if in_when:
        return Planned(step, Verdict.ON_DEVICE, f"{when} reads {', '.join(in_when)}")
    if not when_holds(step, {}):  # `registered` is not read: {} is as good as the device's
        return Planned(step, Verdict.SKIPPED, f"{when} is false")
    in_commands = _registered_reads(_texts(step))
    if in_commands:
        why = f"{when} is true; " if step.when else ""
        return Planned(step, Verdict.ON_DEVICE, f"{why}reads {', '.join(in_commands)}")
    ready = finish_step(step, {}, platform)
    assert ready is not None  # its `when:` held
    return Planned(ready, Verdict.RUNS, f"{when} is true" if step.when else "")


def _texts(step: Step) -> list[str]:
    judged = (*step.checks, *step.until)
    return [*step.sources, step.save_to or "", *(s for c in judged for s in check_strings(c))]


def _registered_reads(texts: Iterable[str], expression: bool = False) -> list[str]:
    """`registered.NAME` (or `registered['NAME']`, or the old `saved.`) read in the
    templates (or, `expression`, the bare expressions); `registered` alone (a loop over
    it, `registered[item]`) as itself."""
    found: list[str] = []
    for text in texts:
        for name, key in _reads(text, expression):
            shown = f"{name}.{key}" if key else name
            if shown not in found:
                found.append(shown)
    return found


def _reads(text: str, expression: bool = False) -> Iterator[tuple[str, str | None]]:
    if "registered" not in text and not any(old in text for old in OLD_REGISTERED):
        return
    if expression and "{{" not in text:  # `when: "{{ x }}"` is read too, with a note
        text = f"{{{{ {text} }}}}"
    try:
        tree = _PARSER.parse(text)
    except (jinja2.TemplateSyntaxError, RecursionError, MemoryError):
        return  # compiling the task says what is wrong with it
    names = (REGISTERED, *OLD_REGISTERED)
    named: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        inner = getattr(node, "node", None)
        if isinstance(inner, nodes.Name) and inner.name in names:
            named.add(id(inner))
            if isinstance(node, nodes.Getattr):
                yield inner.name, str(node.attr)
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
                key = node.arg.value
                yield inner.name, key if isinstance(key, str) else None
            else:
                yield inner.name, None
    for name in tree.find_all(nodes.Name):
        if name.name in names and id(name) not in named and name.ctx == "load":
            yield name.name, None


def _reads_of(task: Task) -> list[tuple[str, str | None]]:
    templates = [
        *task.lines,
        *(line for lines in task.by_platform.values() for line in lines),
        task.save_to or "",
        *(s for c in (*task.checks, *task.until) for s in check_strings(c)),
    ]
    if task.template is not None:
        # Unreadable: compiling the task says what is wrong with the file.
        with contextlib.suppress(OSError, UnicodeDecodeError, user_files.FileRefused):
            templates.append(user_files.read_text(task.template, MAX_TEMPLATE_BYTES))
    expressions = [task.when or "", task.loop if isinstance(task.loop, str) else ""]
    return [
        *(read for text in templates for read in _reads(text)),
        *(read for text in expressions for read in _reads(text, expression=True)),
    ]


def refuse_unregistered(job: Job, whole: Job | None = None) -> None:
    """Refuse a `registered.NAME` that no earlier task of `job` registers, naming the
    names registered before it; `whole`, the job before --tags/--skip-tags/--start-at-task
    left tasks out, says when the task that registers it is one of those."""
    before: list[str] = []
    idle: dict[str, Task] = {}  # `register:` on a task with no output to keep
    for task in job.every_task:
        for name, key in _reads_of(task):
            if key is None or key in before:
                continue
            problem = f"reads {name}.{key}, but no earlier task registers '{key}'"
            left_out = _registered_by(whole, task, key) if whole is not None else None
            if key in idle:
                problem += (
                    f": task '{idle[key].name}' is a {idle[key].kind.value}: task, and only "
                    "show: and command: tasks register their output"
                )
            elif left_out is not None:
                problem += (
                    f": task '{left_out}' does, and --tags/--skip-tags/--start-at-task "
                    "leave it out; select it too"
                )
            elif before:
                near = difflib.get_close_matches(key, before, n=1)
                mean = f"did you mean '{near[0]}'? " if near else ""
                problem += f"; {mean}registered before it: {', '.join(before)}"
            else:
                problem += "; no task before it has `register:`"
            raise TemplateError(
                f"{job.path}:{task.line}: task '{task.name}' {problem}",
                path=job.path,
                line=task.line or None,
                task=task.name,
            )
        if task.register and task.kind not in _REGISTERING:
            idle[task.register] = task
        elif task.register and task.register not in before:
            before.append(task.register)


def _registered_by(whole: Job, reader: Task, key: str) -> str | None:
    """The task of the whole job, before `reader`, that registers `key`."""
    for task in whole.tasks:
        if task.name == reader.name and task.line == reader.line:
            return None
        if task.register == key and task.kind in _REGISTERING:
            return task.name
    return None


def masked_plan(items: list[PlannedHost], selection: Selection) -> list[PlannedHost]:
    """The plan with the values of secret-looking variables (and secrets the commands
    spell out, `enable secret 0 ...`) masked, as every log and report masks them."""
    from runner.base.redact import Redactor

    text = Redactor(selection.secret_vars()).text
    return [
        dataclasses.replace(
            item,
            steps=tuple(
                dataclasses.replace(
                    planned,
                    why=text(planned.why),
                    step=dataclasses.replace(
                        planned.step,
                        task=text(planned.step.task),
                        commands=tuple(text(c) for c in planned.step.commands),
                        sources=tuple(text(s) for s in planned.step.sources),
                        checks=tuple(c.render(text) for c in planned.step.checks),
                    ),
                )
                for planned in item.steps
            ),
        )
        for item in items
    ]
