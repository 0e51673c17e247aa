"""A host's steps in turn, with the job's pre-checks, post-checks and rescue tasks.

- A pre-check or post-check (a show step of `pre_checks:` / `post_checks:`, placed by
  runner.render.phases) whose checks do not all pass fails the host: `pre_check_failed`
  (the config steps after it are not sent) or `post_check_failed`. A check that cannot
  be judged ("error") fails it too: a check that says nothing is no pass.
- The first failing step (not `ignore_errors`) ends the host's own steps; the steps after
  it are skipped, and then the `rescue:` steps run, in order, until one fails.
- While a change is pending under the device's revert timer (runner.run.confirm), only
  the rescue's show tasks run: one that sends anything could confirm the change or
  tangle with it (PENDING_RESCUE); the device's timer is the host's rescue.
- A rescued host stays failed, with the class of the step that failed (Ansible counts a
  rescued block as ok; netjob never reports a success the job did not have): its error
  says what the rescue did, and each rescue step has its own result.

`post_check_failure` is the judgement of the post-checks alone, for a caller that must
decide on it after the session closed (confirm or revert: runner.run.confirm).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from runner.base.errors import FailureClass
from runner.base.models import (
    POST_CHECK,
    PRE_CHECK,
    RESCUE,
    CheckStatus,
    Status,
    Step,
    StepResult,
    TaskKind,
)
from runner.device.connection import Connection
from runner.run.step import HostState, run_step

_CHECK_FAILURES = {
    PRE_CHECK: FailureClass.PRE_CHECK_FAILED,
    POST_CHECK: FailureClass.POST_CHECK_FAILED,
}
_WORDS = {PRE_CHECK: "pre-check", POST_CHECK: "post-check"}
IGNORED = "failed, ignored (ignore_errors)"
# A rescue task that would act on a host whose change is pending under the device's revert
# timer: on Junos and IOS-XR its commit would confirm the change netjob decided not to
# confirm, on EOS and IOS it would land in or beside the timed change and go back with
# it. Not run: the device's timer puts the host back; show tasks still run.
PENDING_RESCUE = (
    "rescue: not run, a change is pending under the device's revert timer (a rescue that "
    "acts could confirm or muddle it); the device's timer reverts the host"
)
# A dry run changed nothing: post-checks would judge the network as it was, not the change.
DRY_RUN = "not judged: --check changed nothing"


def run_steps(
    connection: Connection,
    steps: Sequence[Step],
    state: HostState,
    starting: Callable[[str], None] | None = None,
) -> list[StepResult]:
    """A result for every step, in order. `starting(task)`: told before each step runs."""
    results: list[StepResult] = []
    failed: StepResult | None = None
    rescue_failed = False
    for step in steps:
        if step.role == RESCUE and (failed is None or rescue_failed):
            why = "no task failed" if failed is None else "an earlier rescue task failed"
            results.append(_skipped(step, f"rescue: {why}"))
            continue
        if step.role == RESCUE and state.pending is not None and not _show_only(step):
            results.append(_skipped(step, PENDING_RESCUE))
            continue
        if step.role != RESCUE and failed is not None:
            results.append(_skipped(step, _not_run(failed)))
            continue
        if step.role == POST_CHECK and state.dry_run:
            results.append(_skipped(step, DRY_RUN))
            continue
        if starting is not None:
            starting(step.task)
        result = judged(run_step(connection, step, state), step)
        if result.status is Status.FAILED and step.ignore_errors:
            result = dataclasses.replace(result, note=IGNORED)
        elif step.role == RESCUE and failed is not None:
            said = f"rescue of task '{failed.task}'"
            result = dataclasses.replace(result, note="; ".join(filter(None, [said, result.note])))
        results.append(result)
        if result.status is Status.FAILED and not step.ignore_errors:
            if step.role == RESCUE:
                rescue_failed = True
            else:
                failed = result
    return results


def judged(result: StepResult, step: Step) -> StepResult:
    """A pre-check's or post-check's result: failed when a check does not pass."""
    failure = _CHECK_FAILURES.get(step.role or "")
    if failure is None or result.status is Status.SKIPPED:
        return result
    words = _WORDS[step.role or ""]
    if result.status is Status.FAILED:
        if result.failure is not FailureClass.UNTIL_FAILED:
            return result  # the device's own failure (connection lost, ...) says more
        return dataclasses.replace(result, failure=failure, error=f"{words}: {result.error}")
    failing = [c for c in result.checks if c.status is not CheckStatus.PASS]
    if not failing:
        return result
    more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
    worst = failing[0]
    error = f"{words} '{worst.name}' {worst.status.value}: {worst.evidence}{more}"
    return dataclasses.replace(result, status=Status.FAILED, failure=failure, error=error)


def _show_only(step: Step) -> bool:
    return step.kind is TaskKind.SHOW and not step.allow_disconnect


def _not_run(failed: StepResult) -> str | None:
    if failed.failure is FailureClass.PRE_CHECK_FAILED:
        return f"not sent: pre-check '{failed.task}' failed"
    return None


def _skipped(step: Step, note: str | None) -> StepResult:
    return StepResult(
        task=step.task, kind=step.kind, commands=step.commands, status=Status.SKIPPED, note=note
    )


def rescue_summary(steps: Sequence[Step], results: Sequence[StepResult]) -> str | None:
    """What the rescue did on a failed host, for its error line (None: no rescue ran)."""
    pairs = zip(steps, results, strict=False)
    ran = [r for s, r in pairs if s.role == RESCUE and r.status is not Status.SKIPPED]
    if not ran:
        return None
    bad = [r for r in ran if r.status is Status.FAILED and r.note != IGNORED]
    if bad:
        return f"rescue task '{bad[0].task}' failed too: {bad[0].error}"
    return f"rescued by {len(ran)} task{'s' if len(ran) > 1 else ''}; the host stays failed"


def post_check_failure(steps: Sequence[Step], results: Sequence[StepResult]) -> str | None:
    """None when every post-check of the host ran and passed (or the job has none), else
    why not: a change must not be confirmed on a network its post-checks did not judge
    good. `results` are the host's step results in the order of `steps`."""
    for index, step in enumerate(steps):
        if step.role != POST_CHECK:
            continue
        result = results[index] if index < len(results) else None
        skipped = result is not None and result.status is Status.SKIPPED
        if result is None or (skipped and result.note not in ("when: false", DRY_RUN)):
            return f"post-check '{step.task}' did not run"
        if result.status is Status.FAILED:
            return f"post-check '{step.task}' failed ({result.failure}: {result.error})"
    return None
