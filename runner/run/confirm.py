"""Confirm or revert, on the device's own timer (`--confirm 5m`, a task's `confirm: 5m`).

A host's timed change is sent with the platform's timer (runner.base.revert_timer; the
run folder's record is written before the command that starts it). The job's
`post_checks:` judge the network right after it, in the same session (runner.run.phases).
Then, once the host's steps are done and its session closed:

1. if the change and its post-checks passed, netjob logs in afresh (a new TCP
   connection, through the same bastions) and confirms from that session, then reads
   the running config there: the change is `confirmed` only when the device still
   carries it after the confirmation;
2. if the change failed, a post-check failed or the fresh login failed, nothing is
   confirmed: the device reverts by itself when its timer runs out, and netjob logs in
   again (until a little past the timer) to see which config the device has: `reverted`
   when the previous config is back, `unknown` when it could not be seen.

Neither `reverted` nor `unknown` is ever `changed`: the step fails (`reverted`, `unknown`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from runner.base import pending_confirm, platforms, revert_timer
from runner.base.errors import CommandRejectedError, DeviceError, FailureClass, RemediationError
from runner.base.models import Host, Status, Step, StepResult, WorkItem
from runner.base.pending_confirm import CONFIRMED, PENDING, REVERTED, UNKNOWN, PendingChange
from runner.base.platforms import Remediator
from runner.base.revert_timer import TimedChange
from runner.device.connection import Connection, Connector
from runner.device.lease import Lease
from runner.device.remediation import remediation, set_lines_remediation

if TYPE_CHECKING:
    from runner.run.step import HostState

# What the device carries, read from its running config: the change ("new"), the config
# from before it ("old"), some of each ("mixed"), or nothing could be read (None);
# "secret": every line of the change holds a secret, which devices show hashed: which
# config the device has cannot be read from it.
NEW, OLD, MIXED, SECRET = "new", "old", "mixed", "secret"


class Gate(Protocol):
    def acquire(self) -> object: ...

    def release(self) -> object: ...


def send_timed(
    connection: Connection, step: Step, lines: Sequence[str], timeout: float, state: HostState
) -> str:
    """Send a config step's lines under the platform's revert timer; the run folder's
    record is on disk before the command that starts the timer leaves."""
    if step.confirm is None:
        raise CommandRejectedError("this step has no revert timer (confirm:) to change under")
    return connection.send_timed_config(lines, timeout, timed_change(step, lines, state))


def timed_change(
    step: Step,
    lines: Sequence[str],
    state: HostState,
    replaced: tuple[Path, Path | None] | None = None,
) -> TimedChange:
    """The TimedChange a connection sends a step's change under: its `starting` writes the
    run folder's record (and marks the host's change pending) before the timer starts.
    `replaced`: a rollback's replace, (the kept config it puts back, the config before)."""
    assert step.confirm is not None
    change = PendingChange(
        host=state.host.name,
        platform=state.host.platform,
        task=pending_confirm.masked((step.task,))[0],  # a default name quotes the line
        seconds=step.confirm,
        session=revert_timer.session_name(state.run_id),
        lines=pending_confirm.masked(tuple(lines)),
        started=0.0,
        save_config=step.save_config,
        # Absolute: `netjob verify RUN` may run from another folder.
        replaced=str(replaced[0].resolve()) if replaced else None,
        before=str(replaced[1].resolve()) if replaced and replaced[1] else None,
    )

    def starting() -> None:
        begun = dataclasses.replace(change, started=time.time())
        if state.run_dir is not None:
            try:
                pending_confirm.write(state.run_dir, begun)
            except OSError as exc:  # not started: a timer nobody can follow up is refused
                raise CommandRejectedError(
                    f"the run folder's confirm record cannot be written ({exc}): the change "
                    "was not put under the timer"
                ) from exc
        state.pending = begun

    return TimedChange(step.confirm, change.session, starting, lambda: no_timer(state))


def no_timer(state: HostState) -> None:
    """The device started no timer after all (it refused the command, or had nothing to
    commit): nothing is pending, and the run folder keeps no record of it."""
    state.pending = None
    if state.run_dir is not None:
        pending_confirm.path_of(state.run_dir, state.host.name).unlink(missing_ok=True)


def finish(
    item: WorkItem,
    connect: Connector,
    change: PendingChange,
    results: list[StepResult],
    run_dir: Path | None,
    gate: Gate,
    checked: str | None = None,
) -> list[StepResult]:
    """Confirm the host's pending change from a fresh login, or leave it to the device's
    timer and look afterwards; the timed step's result says which. `checked`: why the
    job's post-checks (run after the change, runner.run.phases) did not pass; None: they
    did, or there are none."""
    index = next((i for i, r in enumerate(results) if r.confirm == PENDING), None)
    if index is None:  # (a step that ended otherwise: nothing to settle here)
        return results
    timed = results[index]
    why_not: str | None
    if timed.status is Status.FAILED:
        said = (timed.error or "").split("; ")[0]  # the cause, without the hints
        why_not = f"the change failed ({timed.failure}: {said})"
    else:
        why_not = checked
    # Judged by what was sent, secrets and all (the record on disk has them masked),
    # without the timer's own commands (runner.run.step records them as sent too).
    lines = timed.commands
    platform = platforms.lookup(item.host.platform).revert
    if platform is not None:
        lines = platform.unframed(lines, change.seconds, change.session)
    sent = dataclasses.replace(change, lines=lines)
    outcome, detail, confirmed_sent = None, "", False
    if why_not is None:
        outcome, detail, confirmed_sent = confirm_fresh(item, connect, sent, gate)
        if outcome is None:
            why_not = detail
    if outcome is None:
        outcome, detail = wait_and_look(item, connect, sent, gate, confirmed_sent)
    if run_dir is not None:
        with contextlib.suppress(OSError):  # the step's result says it all the same
            pending_confirm.settle(run_dir, change, outcome, detail)
    results[index] = settled_step(timed, outcome, detail, why_not)
    return results


def settled_step(step: StepResult, outcome: str, detail: str, why_not: str | None) -> StepResult:
    if outcome == CONFIRMED and SAVE_FAILED in detail:
        return dataclasses.replace(
            step,
            status=Status.FAILED,
            confirm=outcome,
            failure=FailureClass.COMMAND_REJECTED,
            error=detail,
        )
    if outcome == CONFIRMED:
        note = "; ".join(filter(None, [step.note, detail]))
        return dataclasses.replace(step, confirm=outcome, note=note)
    failure = FailureClass.REVERTED if outcome == REVERTED else FailureClass.UNKNOWN
    error = "; ".join(filter(None, [f"not confirmed: {why_not}" if why_not else None, detail]))
    return dataclasses.replace(
        step, status=Status.FAILED, confirm=outcome, failure=failure, error=error
    )


def confirm_fresh(
    item: WorkItem, connect: Connector, change: PendingChange, gate: Gate
) -> tuple[str | None, str, bool]:
    """(outcome, detail, whether the confirmation was sent); outcome None: not confirmed,
    detail saying why (the fresh login failed, or the session broke on the way)."""
    try:
        connection = _login(item, connect, gate)
    except DeviceError as exc:
        return None, f"the fresh login failed ({exc.failure}: {exc})", False
    sent = False
    try:
        timed = TimedChange(change.seconds, change.session, _nothing, _nothing)
        timeout = item.host.connection.read_timeout
        sent = True
        connection.confirm_change(timed, timeout)
        seen = _seen(connection, change, item.host)
        if seen in (NEW, SECRET):
            timer = revert_timer.shown(change.seconds)
            how = f"confirmed from a fresh login within the {timer} timer"
            platform = platforms.lookup(item.host.platform).revert
            if platform is not None:  # what was sent, as the device's log would show it
                how += f" ({platform.confirmation(change.seconds, change.session)})"
            if seen == SECRET:
                how += f" ({UNREAD})"
            return CONFIRMED, how + _saved(connection, change), True
        if seen == OLD:
            return REVERTED, "the device had reverted before the confirmation", True
        return UNKNOWN, "after the confirmation the device carries only part of the change", True
    except DeviceError as exc:
        return None, f"the confirmation did not complete ({exc.failure}: {exc})", sent
    finally:
        connection.close()


def _saved(connection: Connection, change: PendingChange) -> str:
    """`save_config: true`: saved now that the change is confirmed (a save before would
    have kept a revert out of the startup config). A failed save does not undo the
    confirmation: it is said, and fails the step (settled_step)."""
    if not change.save_config:
        return ""
    try:
        connection.save()
    except DeviceError as exc:
        return f"{SAVE_FAILED} ({exc.failure}: {exc})"
    return ", then saved"


SAVE_FAILED = "; but the save failed"


def wait_and_look(
    item: WorkItem,
    connect: Connector,
    change: PendingChange,
    gate: Gate,
    confirmed_sent: bool = False,
    settle: float = revert_timer.SETTLE_SECONDS,
) -> tuple[str, str]:
    """Log in until the device shows its previous config or the timer (and `settle`
    seconds) has passed: `reverted`, or `unknown`; `confirmed` when a confirmation was
    sent and the change is still there after the timer."""
    deadline = change.deadline + settle
    # A device that reverts early (a change it never took) is seen soon; then the looks
    # thin out (a login each costs the device's AAA), with one just after the timer.
    pause, longest = 1.0, max(1.0, change.seconds / 4)
    seen: str | None = None
    why = "not looked at"
    while True:
        try:
            connection = _login(item, connect, gate)
            try:
                seen = _seen(connection, change, item.host)
            finally:
                connection.close()
        except DeviceError as exc:
            seen, why = None, f"{exc.failure}: {exc}"
        if seen == OLD:
            return REVERTED, "seen on the device after the timer: the previous config is back"
        now = time.time()
        if now >= deadline:
            break
        wake = now + pause
        if now < change.deadline + 1 < wake:
            wake = change.deadline + 1
        time.sleep(max(0.0, min(wake, deadline) - now))
        pause = min(pause * 2, longest)
    if seen == NEW and confirmed_sent:
        return CONFIRMED, "the confirmation's answer was lost, but the change outlived the timer"
    if seen == NEW:
        return UNKNOWN, (
            "the device still carries the change after the timer: confirmed by someone "
            "else, or its timer did not revert it"
        )
    if seen == MIXED:
        return UNKNOWN, "after the timer the device carries only part of the change"
    if seen == SECRET:
        return UNKNOWN, f"after the timer: {UNREAD}"
    return UNKNOWN, f"the device could not be reached to check after the timer ({why})"


def look(item: WorkItem, connect: Connector, change: PendingChange, gate: Gate) -> str | None:
    """Which config the device carries now (NEW, OLD, MIXED); None: not reached."""
    connection = _login(item, connect, gate)
    try:
        return _seen(connection, change, item.host)
    finally:
        connection.close()


def _seen(connection: Connection, change: PendingChange, host: Host) -> str:
    info = platforms.lookup(host.platform)
    if change.replaced is not None:
        return _seen_replaced(connection, change, host, info)
    lines = change.judged_lines()
    if not lines:
        return SECRET
    if not info.running_config:
        return MIXED
    running = connection.send_show(info.running_config, host.connection.read_timeout, None)
    try:
        if info.remediator is Remediator.SET:
            needed = set_lines_remediation(running, lines)
        else:
            needed = remediation(running, lines, host.platform)
    except RemediationError:
        return MIXED
    missing = {line.strip() for line in needed.lines}
    if not missing:
        return NEW
    if missing >= {line.strip() for line in lines}:
        return OLD
    return MIXED


def _seen_replaced(
    connection: Connection, change: PendingChange, host: Host, info: platforms.PlatformInfo
) -> str:
    """A rollback's replace: NEW when the whole config is the kept one it put back, OLD
    when it is the one from before it, MIXED otherwise (or when a file is gone)."""
    from runner.run.rollback import config_diff  # (rollback sends through this module)

    shown = (info.replace.kept_from if info.replace else None) or info.running_config
    try:
        wanted = Path(change.replaced or "").read_text(encoding="utf-8")
        before = Path(change.before).read_text(encoding="utf-8") if change.before else None
    except OSError:
        return MIXED
    if not shown:
        return MIXED
    running = connection.send_show(shown, host.connection.read_timeout, None)
    if not config_diff(running, wanted, info):
        return NEW
    if before is not None and not config_diff(running, before, info):
        return OLD
    return MIXED


UNREAD = (
    "every line of the change holds a secret, which the device shows hashed: it was not read back"
)


def _login(item: WorkItem, connect: Connector, gate: Gate) -> Connection:
    """A fresh session: a new TCP connection (through the same bastions), the run's
    login gate held while it logs in."""
    return connect(item.host, item.credentials, Lease(login_slot=lambda: _slot(gate)))


@contextlib.contextmanager
def _slot(gate: Gate) -> Iterator[None]:
    gate.acquire()
    try:
        yield
    finally:
        gate.release()


def _nothing() -> None:
    return None
