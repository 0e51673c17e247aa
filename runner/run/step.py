"""One Step over an open Connection → StepResult: show commands with parsing, checks and
saved outputs; config lines compared with the running config first (their remediation),
so that a task already in place sends nothing ("unchanged") and a dry run (--check) never
enters config mode.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from runner.base import platforms, revert_timer, run_layout
from runner.base.errors import (
    CommandRejectedError,
    DeviceError,
    FailureClass,
    ParseError,
    RemediationError,
    TemplateError,
)
from runner.base.logs import LogFilter
from runner.base.models import CheckResult, CheckStatus, Host, Status, Step, StepResult, TaskKind
from runner.base.pending_confirm import PENDING, PendingChange
from runner.base.platforms import Remediator
from runner.base.safe_files import link_in, refuse_link, safe_name, save_path
from runner.base.secret_tokens import mask_values
from runner.device.connection import Connection
from runner.device.parsers import parse_output
from runner.device.remediation import remediation, set_lines_remediation
from runner.render.templating import finish_step
from runner.run import rollback, until
from runner.run.audit import evaluate_all
from runner.run.confirm import no_timer, send_timed


@dataclass(frozen=True)
class ParseFailed:
    """What `register` keeps for a step whose parse failed: later steps that read it fail
    with the reason, instead of taking raw text for rows."""

    task: str
    reason: str


@dataclass
class HostState:
    """What one host's steps share while its session is open."""

    host: Host
    dry_run: bool = False  # --check: nothing sent, config steps compared only
    saved: dict[str, Any] = field(default_factory=dict)
    noted: bool = False  # the session's own notes went on a step already
    ended: str | None = None  # a step ended the session (allow_disconnect): which
    files_dir: Path | None = None  # where `get:` writes by default (the run folder's files/)
    # The executor's progress hook: (host, task, bytes done, bytes in all) for put:/get:
    notify: Callable[..., None] | None = None
    # Set when the host is cut (its deadline): an `until:` step stops waiting at once.
    stopped: threading.Event = field(default_factory=threading.Event)
    # A change under the device's revert timer (runner.run.confirm): where its record
    # goes (the run folder), the run's id (EOS names its session after it), and the
    # change once its timer may have started.
    run_dir: Path | None = None
    run_id: str = "adhoc"
    pending: PendingChange | None = None
    # Where the running config read before the first config line is kept (the run
    # folder's pre-change/, runner.run.rollback); None: not kept (a dry run).
    keep_dir: Path | None = None
    kept: bool = False


def run_step(connection: Connection, step: Step, state: HostState) -> StepResult:
    result = _run_step(connection, step, state)
    notes = connection.notes
    if notes and not state.noted:  # said once per host: on its first step
        state.noted = True
        result = replace(result, note="; ".join([*notes, *filter(None, [result.note])]))
    return result


def _run_step(connection: Connection, step: Step, state: HostState) -> StepResult:
    started, clock = time.time(), time.perf_counter()
    if state.ended:
        return _result(step, Status.SKIPPED, started, clock, note=state.ended)
    unreadable = _reads_failed_parse(step, state.saved)
    if unreadable:
        return _result(
            step,
            Status.FAILED,
            started,
            clock,
            failure=FailureClass.TEMPLATE_ERROR,
            error=unreadable,
        )
    try:
        ready = finish_step(step, state.saved, state.host.platform)
    except TemplateError as exc:
        return _result(
            step, Status.FAILED, started, clock, failure=FailureClass.TEMPLATE_ERROR, error=str(exc)
        )
    if ready is None:
        return _result(step, Status.SKIPPED, started, clock, note="when: false")
    timeout = ready.read_timeout or state.host.connection.read_timeout
    outputs: list[str] = []
    secrets = [a.answer for a in ready.prompts if a.secret and a.answer]
    if secrets:  # netmiko logs what it writes: -vv must not show them
        LogFilter.register(secrets)
    try:
        if ready.kind is TaskKind.SHOW and ready.until:
            return until.repeat(
                lambda: _show(connection, ready, timeout, state, outputs, (started, clock)),
                ready,
                state.host.platform,
                state.stopped.wait,
            )
        if ready.kind in (TaskKind.SHOW, TaskKind.COMMAND):
            return _show(connection, ready, timeout, state, outputs, (started, clock))
        if ready.kind in (TaskKind.PUT, TaskKind.GET):
            return _transfer(connection, ready, timeout, state, (started, clock))
        if ready.kind is TaskKind.REPLACE:
            return rollback.replace(connection, ready, state, timeout)
        return _configure(connection, ready, timeout, state, started, clock)
    except DeviceError as exc:
        if exc.output:  # the device's own words, for the host log
            outputs.append(_masked(exc.output, secrets))
        return _result(
            ready,
            Status.FAILED,
            started,
            clock,
            tuple(outputs),
            failure=exc.failure,
            error=_masked(exc.describe(), secrets),
        )


def _show(
    connection: Connection,
    step: Step,
    timeout: float,
    state: HostState,
    outputs: list[str],
    clocks: tuple[float, float],
) -> StepResult:
    """One look: the step's commands sent and their output judged (`outputs` starts
    empty each time: an `until:` step looks again and again)."""
    outputs.clear()
    if step.kind is TaskKind.SHOW and not (step.prompts or step.allow_disconnect):
        for command in step.commands:
            outputs.append(connection.send_show(command, timeout, step.expect_string))
        return _audit(step, "\n".join(outputs), outputs, state, *clocks)
    return _command(connection, step, timeout, state, outputs, clocks)


def _command(
    connection: Connection,
    step: Step,
    timeout: float,
    state: HostState,
    outputs: list[str],
    clocks: tuple[float, float],
) -> StepResult:
    """Exec commands that may ask questions: the task's answers, then the platform's. A
    command: task acts on the device (`changed`), so a dry run does not send it."""
    if step.kind is TaskKind.COMMAND and state.dry_run:
        return _result(step, Status.CHANGED, *clocks, note="would run (--check: nothing sent)")
    answers = [(a.prompt, a.answer) for a in step.prompts]
    secrets = [a.answer for a in step.prompts if a.secret and a.answer]
    for command in step.commands:
        said = connection.send_command(command, timeout, answers, step.allow_disconnect)
        outputs.append(_masked(said, secrets))
        if connection.ended:
            state.ended = f"the device ended the session at task '{step.task}' (allow_disconnect)"
            break
    if step.kind is TaskKind.SHOW:
        return _audit(step, "\n".join(outputs), outputs, state, *clocks)
    note = "the device ended the session, as allowed (allow_disconnect)" if state.ended else None
    return _result(step, Status.CHANGED, *clocks, tuple(outputs), note=note)


def _masked(text: str, secrets: list[str]) -> str:
    """The task's secret answers masked where they stand as the secret, never inside a
    longer word of the device's (runner.base.secret_tokens)."""
    return mask_values(text, secrets) if secrets else text


def _transfer(
    connection: Connection,
    step: Step,
    timeout: float,
    state: HostState,
    clocks: tuple[float, float],
) -> StepResult:
    """put: sends a file unless the device has one with its MD5; get: fetches one. The
    note says the file's size and MD5, as the device computed them; a get's file is named
    by its path in the run folder (files/<host>/<name>), or as `dest:` was given."""
    src, dest = step.commands[0], step.commands[1]
    if state.dry_run:
        return _result(step, Status.CHANGED, *clocks, note="would copy (--check: nothing sent)")
    progress = _progress(state, step.task)
    if step.kind is TaskKind.PUT:
        copied = connection.put_file(Path(src), dest, timeout, progress)
        what = f"{copied.path}: {copied.size:,} bytes, md5 {copied.md5}"
        if not copied.sent:
            return _result(step, Status.OK, *clocks, note=f"unchanged: {what} is there already")
        return _result(step, Status.CHANGED, *clocks, note=f"sent and verified: {what}")
    local = _get_path(src, dest, state)
    link = link_in(local) if not local.is_absolute() else None
    if link is not None:
        raise CommandRejectedError(f"get: {refuse_link(link)}", hint="pick another dest:")
    copied = connection.get_file(src, local, timeout, progress)
    what = f"{_shown(local, state)}: {copied.size:,} bytes, md5 {copied.md5}"
    if not copied.sent:
        return _result(step, Status.OK, *clocks, note=f"unchanged: {what}")
    return _result(step, Status.CHANGED, *clocks, note=f"got and verified: {what}")


def _progress(state: HostState, task: str) -> Callable[[int, int], None] | None:
    notify = state.notify
    if notify is None:
        return None
    host = state.host.name

    def report(done: int, total: int) -> None:
        notify(host, task, done, total)

    return report


def _shown(local: Path, state: HostState) -> str:
    """A get's file as the note names it: relative to the run folder when it is in it
    (files/<host>/<name>), else as written (`dest:`, relative to the working folder)."""
    if state.files_dir is not None:
        try:
            return str(Path(state.files_dir.name) / local.relative_to(state.files_dir))
        except ValueError:
            pass
    return str(local)


def _get_path(src: str, dest: str, state: HostState) -> Path:
    """A get's local file: `dest:` under the working folder (each part made safe), or the
    run folder's files/<host>/<name>."""
    if dest:
        return save_path(dest)
    name = src.rpartition(":")[2].lstrip("/").rpartition("/")[2] or "file"
    base = state.files_dir or Path(run_layout.FILES)
    return base / safe_name(state.host.name) / safe_name(name, keep_suffix=True)


def _reads_failed_parse(step: Step, saved: Mapping[str, Any]) -> str | None:
    failed = {name: value for name, value in saved.items() if isinstance(value, ParseFailed)}
    if not failed or step.context is None:
        return None
    text = " ".join([*step.sources, step.when or "", step.save_to or ""])
    for name, value in failed.items():
        # `registered`, or its old name `saved` (runner.render.templating)
        found = re.search(
            rf"\b(registered|saved)\s*(?:\.\s*{re.escape(name)}\b|\[\s*['\"]{re.escape(name)}['\"])",
            text,
        )
        if found:
            return (
                f"task '{step.task}' reads {found.group(1)}.{name}, but task '{value.task}' "
                f"could not parse its output: {value.reason}"
            )
    return None


def _audit(
    step: Step, output: str, outputs: list[str], state: HostState, started: float, clock: float
) -> StepResult:
    parsed: list[dict[str, Any]] | None = None
    problem = None
    if step.parse is not None:
        template = None if step.parse == "textfsm" else Path(step.parse)
        try:
            parsed = parse_output(state.host.platform, step.commands[0], output, template)
        except ParseError as exc:
            problem = str(exc)
    checks = evaluate_all(step.checks, output, parsed, state.host.platform)
    if problem is not None:  # say why field checks could not be judged
        checks = tuple(
            replace(c, evidence=problem) if c.status is CheckStatus.ERROR else c for c in checks
        )
    if step.register:
        state.saved[step.register] = (
            ParseFailed(step.task, problem)
            if problem is not None
            else (parsed if parsed is not None else output)
        )
    return _result(
        step,
        Status.OK,
        started,
        clock,
        tuple(outputs),
        checks=checks,
        parsed=tuple(parsed) if parsed is not None else None,
        save_to=step.save_to,
        note=f"parse failed: {problem}" if problem is not None else None,
    )


def _configure(
    connection: Connection,
    step: Step,
    timeout: float,
    state: HostState,
    started: float,
    clock: float,
) -> StepResult:
    lines, diff, note = _remediation(connection, step, timeout, state)
    if not lines:
        return _result(step, Status.OK, started, clock, note="unchanged", diff="")
    if state.dry_run:
        return _result(
            step,
            Status.CHANGED,
            started,
            clock,
            diff=diff,
            note="; ".join(filter(None, [note, "would change (--check: nothing sent)"])),
        )
    outputs: list[str] = []
    sent = lines
    timer = platforms.lookup(state.host.platform).revert
    if step.confirm is not None and timer is not None:  # the timer's commands, as sent
        sent = timer.framed(lines, step.confirm, revert_timer.session_name(state.run_id))
    try:
        if step.confirm is not None:  # saved once confirmed, never before (runner.run.confirm)
            outputs.append(send_timed(connection, step, lines, timeout, state))
        else:
            outputs.append(connection.send_config(lines, timeout))
        if step.save_config and step.confirm is None:
            outputs.append(connection.save())
    except DeviceError as exc:
        # The host log and report.json say what reached the device and what it answered.
        sent = exc.sent if exc.sent is not None else lines
        return _result(
            replace(step, commands=sent),
            Status.FAILED,
            started,
            clock,
            (*outputs, exc.output) if exc.output else tuple(outputs),
            failure=exc.failure,
            error=exc.describe(),
            diff=diff,
            note=note,
            confirm=PENDING if state.pending is not None else None,
        )
    status = Status.CHANGED
    nothing = platforms.lookup(state.host.platform).nothing_to_commit
    if nothing and re.search(nothing, outputs[0]):
        # The device compared for itself: what was sent was in place already.
        status, note = Status.OK, "; ".join(filter(None, [note, "unchanged (nothing to commit)"]))
        if step.confirm is not None:
            no_timer(state)  # and started no timer
    return _result(
        replace(step, commands=sent),
        status,
        started,
        clock,
        tuple(outputs),
        diff=diff,
        note=note,
        confirm=PENDING if state.pending is not None else None,
    )


def _remediation(
    connection: Connection, step: Step, timeout: float, state: HostState
) -> tuple[tuple[str, ...], str, str | None]:
    """What to send (each line under its parents), the diff, and a note when the task
    could not be compared with the running config (then it is sent as written). The first
    running config read is kept, for `netjob rollback`."""
    lines = step.commands
    host = state.host
    as_written = "".join(f"+{line}\n" for line in lines)
    info = platforms.lookup(host.platform)
    if info.remediator is Remediator.NONE or not info.running_config:
        return lines, as_written, f"not compared with the running config ({host.platform})"
    try:
        running = connection.send_show(info.running_config, timeout, None)
    except CommandRejectedError as exc:
        why = f"the device refused '{info.running_config}' ({exc})"
        return lines, as_written, f"not compared with the running config: {why}"
    except DeviceError as exc:
        # Not the user's command: say that it was the remediation's read that failed.
        raise exc.replace(
            f"reading the running config to compare the task with it ('{info.running_config}'): "
            f"{exc}"
        ) from exc
    rollback.keep(state, connection, timeout, running)
    try:
        if info.remediator is Remediator.SET:
            needed = set_lines_remediation(running, lines)
        else:
            needed = remediation(running, lines, host.platform)
    except RemediationError as exc:
        return lines, as_written, f"not compared with the running config: {exc}"
    return needed.lines, needed.diff, None


def _result(
    step: Step,
    status: Status,
    started: float,
    clock: float,
    outputs: tuple[str, ...] = (),
    failure: FailureClass | None = None,
    error: str | None = None,
    checks: tuple[CheckResult, ...] = (),
    parsed: tuple[Mapping[str, Any], ...] | None = None,
    diff: str | None = None,
    note: str | None = None,
    save_to: str | None = None,
    confirm: str | None = None,
) -> StepResult:
    return StepResult(
        task=step.task,
        kind=step.kind,
        commands=step.commands,
        status=status,
        outputs=outputs,
        failure=failure,
        error=error,
        started=started,
        duration=time.perf_counter() - clock,
        checks=checks,
        parsed=parsed,
        diff=diff,
        note=note,
        save_to=save_to,
        confirm=confirm,
    )
