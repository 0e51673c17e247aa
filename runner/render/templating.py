"""Jinja2, sandboxed and strict: Task x Host → Step, for every host before any connection.

Variables a task sees, lowest precedence first (one rule, documented in the README):
    inventory vars (defaults < groups < host) < job `vars:` < `-e` extra vars
plus `host` (name, address, port, platform, groups), which nothing can override.

Templates render in runner.render.sandbox (the environment, and its errors in words:
runner.render.jinja_env), bounded in time and size per host and for the whole
job; any failure of a template is one TemplateError naming job, task and host.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import meta

from runner.base import platform_names, revert_timer, user_files
from runner.base.errors import InputError, TemplateError
from runner.base.flat_config import refuse_unplaced
from runner.base.models import Check, Host, Job, Step, Task, TaskKind
from runner.base.safe_files import link_in, refuse_link
from runner.base.time_bound import time_bound
from runner.load.task import DISCONNECTS
from runner.render import one_line, sandbox, save_paths
from runner.render.jinja_env import ENV, explain, guard, one_line_of, over_time, unknown_filter
from runner.render.phases import arrange

MAX_TEMPLATE_BYTES = 1_000_000  # a template file
# Earlier tasks' outputs kept by `register: NAME`, as registered.NAME; `saved` is the name
# they had (with `save_as:`) before "save" came to mean only storing: kept for one release.
REGISTERED = "registered"
OLD_REGISTERED = ("saved",)
_notes = logging.getLogger("runner.notes")  # the CLI prints them, one line each, on stderr


@dataclass(frozen=True)
class _Compiled:
    task: Task
    # Per platform for tasks written per platform; one entry, "", for the others.
    variants: Mapping[str, tuple[tuple[str, ...], tuple[jinja2.Template, ...]]]
    deferred: bool  # uses `registered` or `when`: finished on the device, see Step
    total: sandbox.Total  # one for every task of the job: rendering is bounded in all too
    # An unknown filter: told per host (job, task, host), as other template errors are.
    problem: str | None = None

    def variant(
        self, host: Host
    ) -> tuple[str | None, tuple[str, ...], tuple[jinja2.Template, ...]]:
        """The host's commands: (the key it took as the job wrote it, sources, templates)."""
        if "" in self.variants:
            return None, *self.variants[""]
        key = platform_names.pick(self.variants, host.platform)
        if key is not None:
            return self.task.platform_keys.get(key, key), *self.variants[key]
        raise TemplateError(
            f"task '{self.task.name}' has no commands for platform {host.platform} "
            f"(host {host.name}); add a `{host.platform}:` or a `default:` entry",
            host=host.name,
            task=self.task.name,
        )


def _names_in(expression: str | None) -> set[str]:
    """The variables a `when:` expression reads (none if it does not parse: its own
    compilation says what is wrong with it)."""
    if not expression:
        return set()
    try:
        return set(meta.find_undeclared_variables(ENV.parse(f"{{{{ {expression} }}}}")))
    except jinja2.TemplateSyntaxError:
        return set()


class _Anything:
    """Stands in for `registered` while checking a deferred task before any connection:
    every other variable must still be defined, but registered outputs are not known yet."""

    def __getattr__(self, name: str) -> _Anything:
        return self

    def __getitem__(self, key: object) -> _Anything:
        return self

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False

    def __call__(self, *args: object, **kwargs: object) -> _Anything:
        return self


def compile_job(job: Job) -> list[_Compiled]:
    """Compile each task once; hosts share the compiled templates."""
    total = sandbox.Total()
    return [_compile(job, task, total) for task in job.every_task]


def _compile(job: Job, task: Task, total: sandbox.Total) -> _Compiled:
    # Where a compile error is (no host yet): the task's line in the job, or the template
    # file, at the line Jinja2 names when it names one.
    inline: dict[str, Any] = {"path": job.path, "line": task.line or None, "task": task.name}

    def at(line: int | None = None) -> dict[str, Any]:
        return {"path": task.template, "line": line, "task": task.name} if task.template else inline

    try:
        if task.template is not None:
            try:
                text = user_files.read_text(task.template, MAX_TEMPLATE_BYTES)
            except user_files.FileRefused as exc:
                raise TemplateError(f"{task.template}: {exc}", **at()) from None
            texts: dict[str, tuple[str, ...]] = {"": (text,)}
        else:
            texts = dict(task.by_platform) or {"": task.lines}
        variants = {
            key: (sources, tuple(ENV.from_string(source) for source in sources))
            for key, sources in texts.items()
        }
        every = [source for sources in texts.values() for source in sources]
        judged = (*task.checks, *task.until)
        strings = [*every, *(s for c in judged for s in check_strings(c)), task.save_to or ""]
        names = {n for text in strings for n in meta.find_undeclared_variables(ENV.parse(text))}
        uses_saved = bool(names & {REGISTERED, *OLD_REGISTERED})
        for old in sorted((names | _names_in(task.when)) & set(OLD_REGISTERED)):
            _notes.warning(
                "%s:%s: task '%s': `%s.` is now `%s.` (as `save_as:` is now `register:`); "
                "the old name works until netjob 0.3",
                job.path,
                task.line,
                task.name,
                old,
                REGISTERED,
            )
    except jinja2.TemplateAssertionError as exc:
        if unknown_filter(str(exc)):
            return _Compiled(task, {}, False, total, explain(exc))
        where = task.template or f"{job.path}:{task.line}"
        raise TemplateError(
            f"{where}: task '{task.name}': template error on its line {exc.lineno}: {exc.message}",
            **at(exc.lineno),
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = task.template or f"{job.path}:{task.line}"
        raise TemplateError(
            f"{where}: task '{task.name}': template syntax error on its line {exc.lineno}: "
            f"{exc.message}; fix the Jinja2 syntax",
            **at(exc.lineno),
        ) from None
    except OSError as exc:
        raise TemplateError(f"{task.template}: cannot read: {exc.strerror}", **at()) from None
    except (UnicodeDecodeError, RecursionError, MemoryError, jinja2.TemplateError) as exc:
        where = task.template or f"{job.path}:{task.line}"
        raise TemplateError(f"{where}: task '{task.name}': {one_line_of(exc)}", **at()) from None
    try:
        if task.when is not None:
            ENV.compile_expression(task.when)
    except jinja2.TemplateAssertionError as exc:
        return _Compiled(task, variants, True, total, explain(exc))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{job.path}:{task.line}: task '{task.name}': when: is not a Jinja2 expression "
            f"({exc.message}); write one such as \"'ntp' not in registered.config\"",
            **inline,
        ) from None
    except (RecursionError, MemoryError) as exc:
        raise TemplateError(
            f"{job.path}:{task.line}: task '{task.name}': when: {one_line_of(exc)}", **inline
        ) from None
    return _Compiled(task, variants, uses_saved or task.when is not None, total)


def check_strings(check: Check) -> list[str]:
    """Every string of a check that is a template (name, operands, where values)."""
    found: list[str] = []
    check.render(lambda text: found.append(text) or text)  # type: ignore[func-returns-value]
    return found


def render_steps(
    job: Job, compiled: list[_Compiled], host: Host, extra_vars: Mapping[str, Any]
) -> tuple[Step, ...]:
    context = {
        **host.vars,
        **job.vars,
        **extra_vars,
        "host": host.facts(),
        one_line.ORIGINS: one_line.origins(
            host.vars,
            job.vars,
            extra_vars,
            f"the vars of {job.path}",
            (REGISTERED, *OLD_REGISTERED),
        ),
    }
    owned = save_paths.owned_names(job.vars, extra_vars)
    folder = save_paths.job_folder(job.path)
    steps: list[Step] = []
    where = f"job {job.path}, host {host.name}"
    with (
        sandbox.budget(compiled[0].total if compiled else None),
        time_bound(sandbox.HOST_SECONDS, lambda: over_time(where, host)),
    ):
        for item in compiled:
            source = f" (template {item.task.template})" if item.task.template else ""
            where = f"job {job.path}, task '{item.task.name}'{source}, host {host.name}"
            task = item.task
            # The job file at the task's line, or the template file (no line known).
            line = None if task.template else task.line or None
            path = task.template or job.path
            with guard(where, path=path, line=line, host=host.name, task=task.name):
                if item.problem is not None:
                    raise jinja2.TemplateError(item.problem)
                for name, scope in _items(item.task, context):
                    if item.task.save_to:  # where it goes: see runner.render.save_paths
                        mine = (
                            owned | {"item"}
                            if save_paths.loop_is_owned(item.task.loop, owned)
                            else owned
                        )
                        scope = {**scope, save_paths.CONTEXT_KEY: (folder, mine)}
                    steps.append(_render(item, host, name, scope))
    return arrange(steps)


def _items(task: Task, context: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(step name, variables) per loop item: `item` is the item; no loop, one step."""
    if task.loop is None:
        return [(task.name, context)]
    values: Any = task.loop
    if isinstance(values, str):
        values = ENV.compile_expression(values, undefined_to_none=False)(**context)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise jinja2.TemplateError(f"loop: expected a list, got {type(values).__name__}")
    return [(f"{task.name} ({value})", {**context, "item": value}) for value in values]


def _render(item: _Compiled, host: Host, name: str, context: dict[str, Any]) -> Step:
    task = item.task
    key, sources, templates = item.variant(host)
    if item.deferred:
        # Checked now with a stand-in for `registered`; rendered for real on the device.
        trial = {**context, **dict.fromkeys((REGISTERED, *OLD_REGISTERED), _Anything())}
        for template in templates:
            template.render(trial)
        if task.when is not None:
            ENV.compile_expression(task.when)(**trial)
        step = _step(task, name, (), task.checks, sources, context, platform_key=key)
        return dataclasses.replace(step, confirm=_confirm(task, host))
    text = one_line.render(ENV, task.kind.value, sources, templates, context)
    checks = tuple(c.render(_renderer(context)) for c in task.checks)
    until = tuple(c.render(_renderer(context)) for c in task.until)
    save_to = task.save_to and save_paths.render(task.save_to, context)
    _check_place(save_to)
    commands = _lines(text, task.kind)
    if task.kind in (TaskKind.SHOW, TaskKind.COMMAND):
        _refuse_disconnect(commands, task.allow_disconnect)
    refuse_unplaced(commands, task.kind, host.platform)
    step = _step(task, name, commands, checks, save_to=save_to, platform_key=key)
    return dataclasses.replace(step, until=until, confirm=_confirm(task, host))


def _confirm(task: Task, host: Host) -> float | None:
    try:
        return revert_timer.timer_for(task.confirm, task.confirm_by_platform, host.platform)
    except InputError as exc:
        raise jinja2.TemplateError(f"{exc} (host {host.name})") from None


def _refuse_disconnect(commands: tuple[str, ...], allowed: bool) -> None:
    """A templated `reload` is refused as a written one is (runner.load.job)."""
    for command in commands:
        if not allowed and DISCONNECTS.search(command):
            raise jinja2.TemplateError(
                f"'{command}' ends the session; add allow_disconnect: true to the task "
                "if that is meant"
            )


def _check_place(save_to: str | None) -> None:
    """Before anything connects: a save_to file (or a folder on its way below the folder
    the author wrote) that is a symbolic link is bad input (a link committed in git would
    send the backup elsewhere), and so is a folder netjob cannot write in."""
    if not save_to:
        return
    anchor, relative = save_paths.split(save_to)
    link = link_in(relative, anchor)
    if link is not None:
        raise jinja2.TemplateError(f"save_to: {refuse_link(link)}")
    existing = (anchor / relative).parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        raise jinja2.TemplateError(
            f"save_to: cannot write in {existing} (permission denied); "
            "pick a folder you can write in"
        )


def _step(
    task: Task,
    name: str,
    commands: tuple[str, ...],
    checks: tuple[Check, ...],
    sources: tuple[str, ...] = (),
    context: Mapping[str, Any] | None = None,
    save_to: str | None = None,
    platform_key: str | None = None,
) -> Step:
    return Step(
        task=name,
        kind=task.kind,
        commands=commands,
        read_timeout=task.read_timeout,
        expect_string=task.expect_string,
        save_config=task.save_config,
        parse=task.parse,
        register=task.register,
        checks=checks,
        when=task.when,
        save_to=save_to if context is None else task.save_to,
        ignore_errors=task.ignore_errors,
        sources=sources,
        context=context,
        prompts=task.prompts,
        allow_disconnect=task.allow_disconnect,
        platform_key=platform_key,
        until=task.until,
        retries=task.retries,
        delay=task.delay,
        role=task.role,
    )


def finish_step(step: Step, saved: Mapping[str, Any], platform: str) -> Step | None:
    """Render a deferred step on the device, now that the registered outputs are known;
    None when its `when:` is false. Raises TemplateError."""
    if step.context is None:
        return step
    if not when_holds(step, saved):
        return None
    context = _with_registered(step.context, saved)
    with sandbox.budget(None), guard(f"task '{step.task}'", task=step.task):
        templates = (ENV.from_string(source) for source in step.sources)
        text = one_line.render(ENV, step.kind.value, step.sources, templates, context)
        checks = tuple(c.render(_renderer(context)) for c in step.checks)
        until = tuple(c.render(_renderer(context)) for c in step.until)
        save_to = step.save_to and save_paths.render(step.save_to, context)
        _check_place(save_to)
        commands = _lines(text, step.kind)
        if step.kind in (TaskKind.SHOW, TaskKind.COMMAND):
            _refuse_disconnect(commands, step.allow_disconnect)
        refuse_unplaced(commands, step.kind, platform)
    return dataclasses.replace(
        step,
        commands=commands,
        checks=checks,
        until=until,
        save_to=save_to,
        sources=(),
        context=None,
    )


def when_holds(step: Step, saved: Mapping[str, Any]) -> bool:
    """A deferred step's `when:`, given the registered outputs: the one evaluation, on the
    device (finish_step) and in `netjob plan` (runner.render.planning). Raises TemplateError."""
    if step.when is None or step.context is None:
        return True
    context = _with_registered(step.context, saved)
    with sandbox.budget(None), guard(f"task '{step.task}'", task=step.task):
        return bool(ENV.compile_expression(step.when)(**context))


def _with_registered(context: Mapping[str, Any], saved: Mapping[str, Any]) -> dict[str, Any]:
    registered = dict(saved)  # one mapping under the new name and the old
    return {**context, **{name: registered for name in (REGISTERED, *OLD_REGISTERED)}}


def _renderer(context: Mapping[str, Any]) -> Callable[[str], str]:
    def render(text: str) -> str:
        return ENV.from_string(text).render(context) if "{" in text else text

    return render


def _lines(text: str, kind: TaskKind) -> tuple[str, ...]:
    """Split rendered text into commands, dropping blank lines (and `!` comments in config)."""
    if kind in (TaskKind.PUT, TaskKind.GET):  # (src, dest): dest "" stays, for the default
        return tuple(line.strip() for line in text.split("\n"))
    lines: Iterable[str] = (line.rstrip() for line in text.splitlines())
    if kind in (TaskKind.SHOW, TaskKind.COMMAND):
        return tuple(line.strip() for line in lines if line.strip())
    return tuple(line for line in lines if line.strip() and line.strip() != "!")
