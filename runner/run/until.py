"""A show task's `until:` (Ansible's until/retries/delay): the command is sent again,
`delay` seconds apart, until every `until:` check passes on its output, at most
`retries` more times. The step's result is its last look: its output, and a note saying
on which look the condition held; or, when it never did, a failure (`until_failed`) that
names the check and what it saw the last time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from runner.base.errors import FailureClass
from runner.base.models import CheckStatus, Status, Step, StepResult
from runner.run.audit import evaluate_all


def repeat(
    look: Callable[[], StepResult],
    step: Step,
    platform: str,
    wait: Callable[[float], bool] | None = None,
) -> StepResult:
    """Looks until the step's `until:` holds (`look` sends the command and judges its
    checks; a device error it raises ends the waiting, as it ends the step). `wait(s)`
    pauses s seconds between looks, and returns True when the host was stopped (its
    deadline passed) meanwhile: then there is no next look."""
    looks = step.retries + 1
    for number in range(1, looks + 1):
        result = look()
        parsed = [dict(row) for row in result.parsed] if result.parsed is not None else None
        verdicts = evaluate_all(step.until, "\n".join(result.outputs), parsed, platform)
        failing = [v for v in verdicts if v.status is not CheckStatus.PASS]
        if not failing:
            held = f"until: held on look {number} of {looks}"
            return replace(result, note="; ".join(filter(None, [result.note, held])))
        # A real wait: the network (a BGP session, a link) takes its own time.
        if number == looks or (wait or _sleep)(step.delay):
            break
    worst = failing[0]
    return replace(
        result,
        status=Status.FAILED,
        failure=FailureClass.UNTIL_FAILED,
        error=(
            f"until: did not hold after {number} looks, {step.delay:g}s apart "
            f"(retries: {step.retries}): '{worst.name}' {worst.status.value}: {worst.evidence}"
        ),
    )


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False
