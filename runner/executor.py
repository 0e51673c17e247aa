"""One WorkItem over one Connection → HostResult. A host failure is data, never raised."""

from __future__ import annotations

import time

from runner.connection import Connection, Connector
from runner.errors import DeviceError
from runner.models import HostResult, Status, Step, StepResult, TaskKind, WorkItem


def execute(item: WorkItem, connect: Connector) -> HostResult:
    """Open one session for the host, run its steps in order, close it as soon as done.
    The first failing step ends the host; the steps after it are reported as skipped."""
    started = time.time()
    clock = time.perf_counter()
    try:
        connection = connect(item.host, item.credentials)
    except DeviceError as exc:
        return HostResult(
            item.host.name,
            Status.FAILED,
            _skipped(item.steps),
            exc.failure.value,
            exc.describe(),
            started,
            time.perf_counter() - clock,
        )
    results: list[StepResult] = []
    try:
        for step in item.steps:
            result = run_step(connection, step, item.host.connection.read_timeout)
            results.append(result)
            if result.status is Status.FAILED:
                break
    finally:
        connection.close()
    results.extend(_skipped(item.steps[len(results) :]))
    failed = next((r for r in results if r.status is Status.FAILED), None)
    if failed is not None:
        status, failure, error = (
            Status.FAILED,
            failed.failure,
            f"task '{failed.task}': {failed.error}",
        )
    else:
        changed = any(r.status is Status.CHANGED for r in results)
        status, failure, error = (Status.CHANGED if changed else Status.OK), None, None
    return HostResult(
        item.host.name, status, tuple(results), failure, error, started, time.perf_counter() - clock
    )


def run_step(connection: Connection, step: Step, default_timeout: float) -> StepResult:
    started = time.time()
    clock = time.perf_counter()
    timeout = step.read_timeout or default_timeout
    outputs: list[str] = []
    try:
        if step.kind is TaskKind.SHOW:
            for command in step.commands:
                outputs.append(connection.send_show(command, timeout, step.expect_string))
            status = Status.OK
        else:
            outputs.append(connection.send_config(step.commands, timeout))
            if step.save:
                outputs.append(connection.save())
            status = Status.CHANGED
    except DeviceError as exc:
        return StepResult(
            step.task,
            step.kind,
            step.commands,
            Status.FAILED,
            tuple(outputs),
            exc.failure.value,
            exc.describe(),
            started,
            time.perf_counter() - clock,
        )
    return StepResult(
        step.task,
        step.kind,
        step.commands,
        status,
        tuple(outputs),
        None,
        None,
        started,
        time.perf_counter() - clock,
    )


def _skipped(steps: tuple[Step, ...]) -> tuple[StepResult, ...]:
    return tuple(StepResult(s.task, s.kind, s.commands, Status.SKIPPED) for s in steps)
