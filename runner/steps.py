"""One Step over an open Connection → StepResult: show commands with parsing, checks and
saved outputs; config lines planned against the running config first, so that a task
already in place sends nothing ("unchanged") and --check never enters config mode.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from runner.checkmode import PlanError, plan_config, plan_set_lines
from runner.checks import CheckResult, CheckStatus, evaluate_all
from runner.connection import Connection
from runner.errors import DeviceError, FailureClass, TemplateError
from runner.models import Host, Status, Step, StepResult, TaskKind
from runner.parsing import ParseError, parse_output
from runner.templating import finish_step

# Platforms whose running config hier_config reads well enough to plan against, and those
# whose config is flat `set` lines (compared line by line).
PLANNED = {"cisco_ios", "cisco_xe", "cisco_nxos", "arista_eos", "cisco_xr"}
SET_STYLE = {"juniper_junos", "juniper"}
SHOW_RUNNING = "show running-config"
SHOW_SET = "show configuration | display set"


@dataclass
class HostState:
    """What one host's steps share while its session is open."""

    host: Host
    check: bool = False  # --check: plan config steps, never send them
    saved: dict[str, Any] = field(default_factory=dict)


def run_step(connection: Connection, step: Step, state: HostState) -> StepResult:
    started, clock = time.time(), time.perf_counter()
    try:
        ready = finish_step(step, state.saved)
    except TemplateError as exc:
        return _result(
            step, Status.FAILED, started, clock, failure=FailureClass.TEMPLATE_ERROR, error=str(exc)
        )
    if ready is None:
        return _result(step, Status.SKIPPED, started, clock, note="when: false")
    timeout = ready.read_timeout or state.host.connection.read_timeout
    outputs: list[str] = []
    try:
        if ready.kind is TaskKind.SHOW:
            for command in ready.commands:
                outputs.append(connection.send_show(command, timeout, ready.expect_string))
            return _audit(ready, "\n".join(outputs), outputs, state, started, clock)
        return _configure(connection, ready, timeout, state, started, clock)
    except DeviceError as exc:
        return _result(
            ready,
            Status.FAILED,
            started,
            clock,
            tuple(outputs),
            failure=exc.failure,
            error=exc.describe(),
        )


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
    checks = evaluate_all(step.checks, output, parsed)
    if problem is not None:  # say why field checks could not be judged
        checks = tuple(
            replace(c, evidence=problem) if c.status is CheckStatus.ERROR else c for c in checks
        )
    if step.save_as:
        state.saved[step.save_as] = parsed if parsed is not None else output
    return _result(
        step,
        Status.OK,
        started,
        clock,
        tuple(outputs),
        checks=checks,
        parsed=tuple(parsed) if parsed is not None else None,
        save_to=step.save_to,
    )


def _configure(
    connection: Connection,
    step: Step,
    timeout: float,
    state: HostState,
    started: float,
    clock: float,
) -> StepResult:
    lines, diff, note = step.commands, "".join(f"+{line}\n" for line in step.commands), None
    if state.host.platform in PLANNED:
        running = connection.send_show(SHOW_RUNNING, timeout, None)
        try:
            plan = plan_config(running, step.commands, state.host.platform)
            lines, diff = plan.lines, plan.diff
        except PlanError as exc:
            note = f"not compared with the running config: {exc}"
    elif state.host.platform in SET_STYLE:
        plan = plan_set_lines(connection.send_show(SHOW_SET, timeout, None), step.commands)
        lines, diff = plan.lines, plan.diff
    else:
        note = f"not compared with the running config ({state.host.platform})"
    if not lines:
        return _result(step, Status.OK, started, clock, note="unchanged", diff="")
    if state.check:
        return _result(
            step,
            Status.CHANGED,
            started,
            clock,
            diff=diff,
            note="; ".join(filter(None, [note, "would change (--check: nothing sent)"])),
        )
    outputs = [connection.send_config(lines, timeout)]
    if step.save:
        outputs.append(connection.save())
    return _result(
        replace(step, commands=lines),
        Status.CHANGED,
        started,
        clock,
        tuple(outputs),
        diff=diff,
        note=note,
    )


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
) -> StepResult:
    return StepResult(
        step.task,
        step.kind,
        step.commands,
        status,
        outputs,
        failure.value if failure else None,
        error,
        started,
        time.perf_counter() - clock,
        checks,
        parsed,
        diff,
        note,
        save_to,
    )
