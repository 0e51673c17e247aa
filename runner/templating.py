"""Jinja2, sandboxed and strict: Task x Host → Step, for every host before any connection.

Variables a task sees, lowest precedence first (one rule, documented in the README):
    inventory vars (defaults < groups < host) < job `vars:` < `-e` extra vars
plus `host` (name, address, port, platform, groups), which nothing can override.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runner.errors import TemplateError
from runner.models import Host, Job, Step, Task, TaskKind

_ENV = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


@dataclass(frozen=True)
class _Compiled:
    task: Task
    templates: tuple[jinja2.Template, ...]


def compile_job(job: Job) -> list[_Compiled]:
    """Compile each task once; hosts share the compiled templates."""
    compiled = []
    for task in job.tasks:
        try:
            if task.template is not None:
                sources = [task.template.read_text(encoding="utf-8")]
            else:
                sources = list(task.lines)
            templates = tuple(_ENV.from_string(source) for source in sources)
        except jinja2.TemplateSyntaxError as exc:
            where = task.template or f"{job.path}:{task.line}"
            raise TemplateError(
                f"{where}: task '{task.name}': template syntax error on its line {exc.lineno}: "
                f"{exc.message}; fix the Jinja2 syntax"
            ) from None
        except OSError as exc:
            raise TemplateError(f"{task.template}: cannot read: {exc.strerror}") from None
        compiled.append(_Compiled(task, templates))
    return compiled


def render_steps(
    job: Job, compiled: list[_Compiled], host: Host, extra_vars: Mapping[str, Any]
) -> tuple[Step, ...]:
    context = {**host.vars, **job.vars, **extra_vars, "host": host.facts()}
    steps = []
    for item in compiled:
        task = item.task
        try:
            text = "\n".join(t.render(context) for t in item.templates)
        except jinja2.UndefinedError as exc:
            match = _UNDEFINED.search(str(exc))
            what = f"undefined variable '{match.group(1)}'" if match else f"undefined: {exc}"
            name = match.group(1) if match else "NAME"
            raise TemplateError(
                f"job {job.path}, task '{task.name}', host {host.name}: {what}; define it in "
                f"the inventory or the job's vars, or pass -e {name}=..."
            ) from None
        except SecurityError as exc:
            raise TemplateError(
                f"job {job.path}, task '{task.name}', host {host.name}: refused by the "
                f"template sandbox: {exc}"
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(
                f"job {job.path}, task '{task.name}', host {host.name}: {exc}"
            ) from None
        commands = _lines(text, task.kind)
        steps.append(
            Step(task.name, task.kind, commands, task.read_timeout, task.expect_string, task.save)
        )
    return tuple(steps)


def _lines(text: str, kind: TaskKind) -> tuple[str, ...]:
    """Split rendered text into commands, dropping blank lines (and `!` comments in config)."""
    lines: Iterable[str] = (line.rstrip() for line in text.splitlines())
    if kind is TaskKind.SHOW:
        return tuple(line.strip() for line in lines if line.strip())
    return tuple(line for line in lines if line.strip() and line.strip() != "!")
