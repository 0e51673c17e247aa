"""One task of a job file → Task: its kind (show:, config:, template:, command:, put:,
get:), and each key it may have, checked by hand as the job's are (runner.load.job):
unknown keys, wrong types and missing fields are errors naming file:line and key."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path
from typing import Any

from runner.base import revert_timer
from runner.base.models import Answer, Check, Task, TaskKind
from runner.load import schema
from runner.load.checks import parse_checks, parse_until
from runner.load.schema import At
from runner.load.yamlio import LineDict, line_of

TASK_KEYS = (
    "name",
    "show",
    "config",
    "template",
    "save_config",
    "read_timeout",
    "expect_string",
    "parse",
    "register",
    "checks",
    "when",
    "save_to",
    "tags",
    "loop",
    "ignore_errors",
    "command",
    "put",
    "get",
    "prompts",
    "allow_disconnect",
    "confirm",
    "until",
    "retries",
    "delay",
)
KINDS = ("show", "config", "template", "command", "put", "get")
# Task keys renamed so that a word means one thing: "save" is storing (the device's config,
# save_to's files), keeping an output for later tasks is registering (Ansible's word). The
# old names work, with a note, until netjob 0.3.
RENAMED = {"save": "save_config", "save_as": "register"}
# Commands that end the session by design: refused unless the task says allow_disconnect.
DISCONNECTS = re.compile(r"^\s*(?:reload|reboot|request\s+system\s+reboot)\b", re.I)

# Notes for the person running netjob (the CLI prints them, one line each, on stderr).
notes = logging.getLogger("runner.notes")


def _renamed(item: dict[str, Any], at: At) -> None:
    """A task written with an old key name reads as the new one, with a note."""
    for old, new in RENAMED.items():
        if old not in item:
            continue
        if new in item:
            raise at.child(old, item).fail(f"the old name of {new}:; keep only {new}:")
        notes.warning(
            "%s:%s: `%s:` is now `%s:`; the old name works until netjob 0.3",
            at.file,
            line_of(item, old),
            old,
            new,
        )
        item[new] = item.pop(old)
        if isinstance(item, LineDict) and old in item.key_lines:
            item.key_lines[new] = item.key_lines.pop(old)


def _when(item: dict[str, Any], at: At) -> str | None:
    """A Jinja2 expression; Ansible's `"{{ expr }}"` and `true`/`false` are read too."""
    value = item.get("when")
    if isinstance(value, bool):
        return str(value)
    text = schema.string(item, "when", at)
    if text is None or "{{" not in text:
        return text
    inner = text.strip()
    if inner.startswith("{{") and inner.endswith("}}") and inner.count("{{") == 1:
        expression = inner[2:-2].strip()
        notes.warning(
            "%s:%s: when: is an expression already; write `when: %s` without {{ }}",
            at.file,
            line_of(item, "when"),
            expression,
        )
        return expression
    raise at.child("when", item).fail(
        "when: is a Jinja2 expression; write it without {{ }}, e.g. when: site == 'ams'"
    )


def regexes(data: dict[str, Any], key: str, at: At) -> tuple[str, ...]:
    patterns = schema.strings(data, key, at)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise at.child(key, data).fail(f"bad regex {pattern!r}: {exc}") from None
    return patterns


def read_task(item: Any, at: At, job_path: Path) -> Task:
    """One entry of `tasks:` (or of a phase's list) → Task; `job_path` is the job file."""
    at = At(at.file, at.path, None, None)
    if not isinstance(item, dict):
        raise at.fail(
            "expected a task (a mapping with show:, config: or template:)", line_of(item) or None
        )
    at = At(at.file, at.path, item, None)
    _renamed(item, at)
    schema.check_keys(item, at, TASK_KEYS)
    kinds = [k for k in KINDS if k in item]
    if len(kinds) != 1:
        found = ", ".join(kinds) or "none"
        raise at.fail(
            "a task needs exactly one of show:, config:, template:, command:, put:, get: "
            f"(found {found})",
            line_of(item) or None,
        )
    kind = TaskKind(kinds[0])
    template = None
    rel: str | None = None
    lines: tuple[str, ...] = ()
    by_platform: dict[str, tuple[str, ...]] = {}
    platform_names: dict[str, str] = {}
    if kind is TaskKind.TEMPLATE:
        rel = schema.string(item, "template", at)
        template = job_path.parent / str(rel)
        with contextlib.suppress(OSError, RuntimeError):  # a link loop: reading says why
            template = template.resolve()
        if not template.exists():
            raise at.child("template", item).fail(f"template file {rel} not found next to the job")
    elif kind in (TaskKind.PUT, TaskKind.GET):
        lines = _transfer(item, kind, at, job_path)
    elif isinstance(item[kind.value], dict):
        by_platform, platform_names = _per_platform(item, kind.value, at)
        lines = next(iter(by_platform.values()))
    else:
        lines = schema.strings(item, kind.value, at)
        if not lines:
            raise at.child(kind.value, item).fail("expected at least one command")
    if kind not in (TaskKind.CONFIG, TaskKind.TEMPLATE) and "save_config" in item:
        raise at.child("save_config", item).fail(
            "save_config: applies to config and template tasks only"
        )
    default = lines[0] if kind is TaskKind.SHOW else f"{kind.value}: {(lines or (rel,))[0]}"
    prompts = _prompts(item, at, kind)
    allow_disconnect = schema.boolean(item, "allow_disconnect", at)
    if not allow_disconnect:
        _refuse_disconnect(item, at, kind, (*lines, *(x for v in by_platform.values() for x in v)))
    name = schema.string(item, "name", at) or default
    parse, checks = _audit(item, at, kind, lines, job_path)
    until, retries, delay = parse_until(item, at, kind is TaskKind.SHOW)
    if any(c.field for c in until) and parse is None:
        raise at.child("until", item).fail("a field: check needs `parse: textfsm` on the task")
    confirm, confirm_by_platform = _confirm(item, at, kind)
    return Task(
        name=name,
        kind=kind,
        lines=lines,
        template=template,
        read_timeout=schema.number(item, "read_timeout", at, 0.1, 86400),
        expect_string=schema.string(item, "expect_string", at),
        save_config=schema.boolean(item, "save_config", at),
        line=line_of(item),
        parse=parse,
        register=_identifier(item, "register", at),
        checks=checks,
        when=_when(item, at),
        save_to=_save_to(item, at, kind),
        by_platform=by_platform,
        platform_keys=platform_names,
        tags=schema.strings(item, "tags", at),
        loop=_loop(item, at),
        ignore_errors=schema.boolean(item, "ignore_errors", at),
        prompts=prompts,
        allow_disconnect=allow_disconnect,
        until=until,
        retries=retries,
        delay=delay,
        confirm=confirm,
        confirm_by_platform=confirm_by_platform,
    )


def _confirm(item: dict[str, Any], at: At, kind: TaskKind) -> tuple[float | None, dict[str, float]]:
    """`confirm: 5m`, or per platform `confirm: {ios: 1m, default: 30s}`: the task's change
    goes under the device's revert timer (which platforms can, and for how long, is checked
    once the hosts are known: runner.render.expansion)."""
    if "confirm" not in item:
        return None, {}
    where = at.child("confirm", item)
    if kind not in (TaskKind.CONFIG, TaskKind.TEMPLATE):
        raise where.fail("confirm: applies to config and template tasks only")
    if not isinstance(item["confirm"], dict):
        return _duration(item["confirm"], where), {}
    mapping = schema.mapping(item["confirm"], where)
    keys = schema.platform_keys(mapping, where)
    if not keys:
        raise where.fail("expected a duration, or a mapping of platform to duration")
    return None, {
        platform: _duration(mapping[name], where.child(name, mapping))
        for name, platform in keys.items()
    }


def _duration(value: Any, where: At) -> float:
    seconds = None if isinstance(value, bool) else revert_timer.parse_duration(str(value))
    if seconds is None:
        raise where.fail(f"confirm: {str(value)!r} is not a duration; write it as 5m, 90s or 1h")
    return seconds


def _transfer(item: dict[str, Any], kind: TaskKind, at: At, job_path: Path) -> tuple[str, str]:
    """`put: PATH` or `put: {src: PATH, dest: FS:NAME}` (src relative to the job file, dest
    by default the file's name on the device's default file system); `get: FS:NAME` or
    `get: {src: FS:NAME, dest: PATH}` (dest by default under the run folder). Returned
    as (src, dest) Jinja2 sources; dest "" for the default."""
    where = at.child(kind.value, item)
    value = item[kind.value]
    spec = {"src": value} if isinstance(value, str) else schema.mapping(value, where)
    schema.check_keys(spec, where, ("src", "dest"), required=("src",))
    src = schema.string(spec, "src", where) or ""
    dest = schema.string(spec, "dest", where) or ""
    if not src.strip():
        raise where.fail("expected a file name")
    if kind is TaskKind.PUT:
        path = job_path.parent / src
        if "{" not in src and not path.is_file():
            raise where.fail(f"{src}: no such file next to the job")
        return str(path.resolve()) if "{" not in src else str(path), dest or Path(src).name
    if dest.startswith("/") or ".." in dest.split("/"):
        raise where.child("dest", spec).fail("expected a relative path inside this folder")
    return src, dest


def _prompts(item: dict[str, Any], at: At, kind: TaskKind) -> tuple[Answer, ...]:
    """`prompts: [{prompt: REGEX, answer: TEXT}]`, or `answer_env: NAME` for a secret: read
    from the environment now, so a missing one fails before anything connects."""
    raw = item.get("prompts")
    if raw is None:
        return ()
    where = at.child("prompts", item)
    if kind not in (TaskKind.SHOW, TaskKind.COMMAND):
        raise where.fail("prompts: answer the questions of show: and command: tasks only")
    if not isinstance(raw, list) or not raw:
        raise where.fail("expected a list of {prompt: REGEX, answer: TEXT}")
    answers = []
    for i, entry in enumerate(raw):
        one = At(at.file, f"{where.path}[{i}]", raw, None)
        spec = schema.mapping(entry, one)
        schema.check_keys(spec, one, ("prompt", "answer", "answer_env"), required=("prompt",))
        pattern = regexes(spec, "prompt", one)[0]
        if ("answer" in spec) == ("answer_env" in spec):
            raise one.fail("give exactly one of answer: TEXT or answer_env: NAME", line_of(spec))
        name = schema.string(spec, "answer_env", one)
        if name is None:
            answers.append(Answer(pattern, schema.string(spec, "answer", one) or ""))
        elif name not in os.environ:
            raise one.child("answer_env", spec).fail(
                f"environment variable {name} is not set; export it before the run"
            )
        else:
            answers.append(Answer(pattern, os.environ[name], secret=True))
    return tuple(answers)


def _refuse_disconnect(
    item: dict[str, Any], at: At, kind: TaskKind, lines: tuple[str, ...]
) -> None:
    if kind not in (TaskKind.SHOW, TaskKind.COMMAND):
        return
    for line in lines:
        if DISCONNECTS.search(line):
            raise at.fail(
                f"task '{item.get('name') or line}': '{line.strip()}' ends the session; "
                "add allow_disconnect: true to the task if that is meant",
                line_of(item) or None,
            )


def _loop(item: dict[str, Any], at: At) -> str | tuple[Any, ...] | None:
    """`loop: [a, b]` or `loop: "{{ servers }}"` (a variable holding a list)."""
    value = item.get("loop")
    if value is None or isinstance(value, list):
        return tuple(value) if value is not None else None
    if isinstance(value, str) and value.strip().startswith("{{") and value.strip().endswith("}}"):
        return value.strip()[2:-2].strip()
    raise at.child("loop", item).fail('expected a list, or "{{ a_list_variable }}"')


def _per_platform(
    item: dict[str, Any], key: str, at: At
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """`show: {cisco_ios: ..., junos: ..., default: ...}`: each platform's own, by the
    netmiko device_type each key means, and the keys as written (plan shows them)."""
    where = at.child(key, item)
    mapping = schema.mapping(item[key], where)
    keys = schema.platform_keys(mapping, where)
    result = {}
    for name, platform in keys.items():
        lines = schema.strings(mapping, name, where)
        if not lines:
            raise where.child(name, mapping).fail("expected at least one command")
        result[platform] = lines
    if not result:
        raise where.fail("expected commands, or a mapping of platform to commands")
    return result, {platform: name for name, platform in keys.items()}


def _save_to(item: dict[str, Any], at: At, kind: TaskKind) -> str | None:
    path = schema.string(item, "save_to", at)
    if path is not None and kind is not TaskKind.SHOW:
        raise at.child("save_to", item).fail("save_to: keeps a show task's output")
    # Absolute, or relative to this job file's folder (runner.render.save_paths has the rule).
    if path is not None and not path.strip():
        raise at.child("save_to", item).fail("expected a file name")
    if path is not None and path.lower().endswith(".json") and "parse" not in item:
        raise at.child("save_to", item).fail(
            "a .json file keeps the parsed rows: add parse: textfsm, "
            "or name the file .txt for the output's text"
        )
    return path


def _audit(
    item: dict[str, Any], at: At, kind: TaskKind, lines: tuple[str, ...], job_path: Path
) -> tuple[str | None, tuple[Check, ...]]:
    """`parse:` and `checks:` belong to one show command's output."""
    checks = parse_checks(item["checks"], at.child("checks", item)) if "checks" in item else ()
    parse = item.get("parse")
    if parse is not None:
        if kind is not TaskKind.SHOW or len(lines) != 1:
            raise at.child("parse", item).fail(
                "parse: needs a show task with exactly one command; split the task"
            )
        if isinstance(parse, dict) and set(parse) == {"textfsm"}:
            template = (job_path.parent / str(parse["textfsm"])).resolve()
            if not template.is_file():
                raise at.child("parse", item).fail(f"TextFSM template {template} not found")
            parse = str(template)
        elif parse != "textfsm":
            raise at.child("parse", item).fail(
                "expected `textfsm` (ntc-templates) or `{textfsm: my_template.textfsm}`"
            )
    if checks and kind is not TaskKind.SHOW:
        raise at.child("checks", item).fail("checks: apply to show tasks' output only")
    if any(c.field for c in checks) and parse is None:
        raise at.child("checks", item).fail("a field: check needs `parse: textfsm` on the task")
    return parse, checks


def _identifier(item: dict[str, Any], key: str, at: At) -> str | None:
    value = schema.string(item, key, at)
    if value is not None and not value.isidentifier():
        raise at.child(key, item).fail(f"{value!r} is not a name (letters, digits, _)")
    return value
