"""`netjob plan` on the terminal: per host, each step as the run will take it (skipped by
its `when:`, with the reason; decided on the device; or its commands), and its checks
with their rules. Everything here arrives already masked
(runner.render.planning.masked_plan)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from rich.console import Console

from runner.base.models import POST_CHECK, PRE_CHECK, RESCUE, Check
from runner.base.revert_timer import shown
from runner.load.checks import describe
from runner.render.planning import Planned, PlannedHost, Verdict


def print_plan(console: Console, items: Sequence[PlannedHost]) -> None:
    def say(text: str) -> None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)

    for item in items:
        host = item.host
        say(f"# {host.name} ({host.address}:{host.port}, {host.platform})")
        for planned in item.steps:
            for line in _step_lines(planned, host.platform):
                say(line)
    steps = [p for item in items for p in item.steps]
    counts = [
        f"{sum(p.verdict is verdict for p in steps)} {words}"
        for verdict, words in (
            (Verdict.SKIPPED, "skipped by when:"),
            (Verdict.ON_DEVICE, "decided on the device"),
        )
        if any(p.verdict is verdict for p in steps)
    ]
    more = f" ({', '.join(counts)})" if counts else ""
    say(f"{_count(len(items), 'host')}, {_count(len(steps), 'step')}{more}; nothing was contacted")


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _step_lines(planned: Planned, platform: str) -> Iterator[str]:
    step = planned.step
    role = f", {_ROLES[step.role]}" if step.role else ""
    head = f"  [{step.kind.value}{role}] {step.task}"
    if planned.verdict is Verdict.SKIPPED:
        yield f"{head}: skipped ({planned.why})"
        return
    key = f" (platform key: {step.platform_key})" if step.platform_key else ""
    save = " (then save)" if step.save_config else ""
    if step.confirm is not None:  # runner.run.confirm
        then = ", saved once confirmed" if step.save_config else ""
        save = f" (under the device's {shown(step.confirm)} revert timer{then})"
    if planned.verdict is Verdict.ON_DEVICE:
        why = f" (decided on the device: {planned.why})"
    else:
        why = f" ({planned.why})" if planned.why else ""
    yield f"{head}{key}{save}{why}"
    for command in step.commands or step.sources:
        yield f"    {command}"
    for check in step.checks:
        yield f"    check '{check.name}': {_rule(check, platform)}"
    for check in step.until:
        looks = f"{step.retries + 1} looks at most, {step.delay:g}s apart"
        yield f"    until '{check.name}': {_rule(check, platform)} ({looks})"


# How the plan names a step of `pre_checks:`, `post_checks:` and `rescue:`.
_ROLES = {
    PRE_CHECK: "pre-check: a failing check stops the host's config",
    POST_CHECK: "post-check: a failing check fails the host",
    RESCUE: "rescue: runs only once a task of the host has failed",
}


def _rule(check: Check, platform: str) -> str:
    """The rule as the host's check applies it: a field named per platform, this one's."""
    if not check.fields:
        return describe(check)
    field = check.field_for(platform)
    if field is None:
        return f"no field for {platform} (the check is an error on this host)"
    return describe(dataclasses.replace(check, field=field))
