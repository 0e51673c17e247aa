"""One WorkItem over one Connection → HostResult. A host failure is data, never raised.

The policy (numbers only) bounds each host, and the run's limits (RunLimits, made where a
run starts) enforce it: logins pass a gate shared by the run (so 200 sessions can run while
only 20 log in, sparing TACACS/RADIUS; the TCP connection is made before the gate),
connect-stage failures are retried with backoff and jitter, and a watchdog cuts the host's
socket at its deadline (its clock stopped while it waits for the gate).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runner.base import run_layout
from runner.base.errors import AuthenticationError, DeviceError, FailureClass, HostTimeoutError
from runner.base.logs import host_context
from runner.base.models import HostResult, Status, Step, StepResult, WorkItem
from runner.base.pending_confirm import PendingChange
from runner.base.run_owner import record_start
from runner.base.watchdog import Watchdog
from runner.device import transports
from runner.device.connection import Connection, Connector
from runner.device.lease import Lease
from runner.run import confirm, phases
from runner.run.step import HostState


@dataclass(frozen=True)
class Policy:
    """How each host is bounded: numbers and flags only, so it pickles as is into worker
    processes and pollers. What enforces it lives in the run (RunLimits)."""

    host_timeout: float = 300.0
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry; doubles, with ±50% jitter
    max_logins: int = 20
    # A dry run (--check): config steps are compared with the running config and shown,
    # never sent; command:, put: and get: steps are not run.
    dry_run: bool = False
    # The run folder (reports/<job>/<run-id>): `get:` writes under its files/ by default.
    # None (a policy made outside a run): files/ under the working folder.
    run_dir: Path | None = None
    # The run's journal of started hosts (runner.base.run_owner): each host is appended
    # before it is contacted, so a run killed with no report.json still tells the hosts it
    # had in flight from those it never started. None: kept by nobody (a cluster's pollers).
    started_log: Path | None = None

    @classmethod
    def given(
        cls,
        dry_run: bool = False,
        host_timeout: float | None = None,
        retries: int | None = None,
        max_logins: int | None = None,
    ) -> Policy:
        """The options a person gave (--check, --host-timeout, --retries, --max-logins);
        these defaults where None."""
        given: dict[str, Any] = {
            "host_timeout": host_timeout,
            "retries": retries,
            "max_logins": max_logins,
        }
        return cls(dry_run=dry_run, **{k: v for k, v in given.items() if v is not None})


# A host not run because its start could not be journaled (the run's report guard then
# stops the run: its folder takes no more writes).
UNRECORDED = "not run: its start could not be recorded"


class Gate(Protocol):
    """A login gate: a threading.Semaphore in one process, a distributed.Semaphore (held by
    the scheduler) on a cluster."""

    def acquire(self) -> object: ...

    def release(self) -> object: ...


class RunLimits:
    """What the hosts of one run share in one process, made where the run starts from its
    Policy: the login gate (at most max_logins log in at once) and the watchdog that cuts
    a host at its deadline. Neither can cross into another process: each worker process
    and each poller makes its own."""

    def __init__(self, login_gate: Gate, watchdog: Watchdog) -> None:
        self.login_gate = login_gate
        self.watchdog = watchdog

    @classmethod
    def start(cls, policy: Policy) -> RunLimits:
        return cls(threading.Semaphore(policy.max_logins), Watchdog())


# (host, task): a host starts a task, for progress; (host, task, done, total): a put: or
# get: moved `done` of its `total` bytes (throttled by runner.device.transfer).
Notify = Callable[..., None]


def execute(
    item: WorkItem,
    connect: Connector,
    policy: Policy | None = None,
    notify: Notify | None = None,
    *,
    limits: RunLimits | None = None,
) -> HostResult:
    """Open one session for the host, run its steps in order, close it as soon as done.
    The first failing step ends the host; the steps after it are reported as skipped.
    `limits`: the run's login gate and watchdog (None: a gate and a watchdog for this
    host alone)."""
    policy = policy or Policy()
    if policy.started_log is not None:
        try:
            record_start(policy.started_log, item.host.name)
        except OSError as exc:  # not contacted: a host the journal misses must not have been
            why = f"{UNRECORDED} in {policy.started_log}: {exc.strerror or exc}"
            return HostResult(host=item.host.name, status=Status.SKIPPED, steps=(), error=why)
    limits = limits or RunLimits.start(policy)
    transport = transports.chosen(item.host)
    started = time.time()
    clock = time.perf_counter()
    budget = _Budget(policy.host_timeout, limits)
    lease = Lease(login_slot=budget.login_slot)
    budget.start(lease)
    try:
        with host_context(item.host.name):  # -vv: each line names its host
            results, pending = _run(item, connect, policy, lease, notify)
    except DeviceError as exc:
        cause = _explained(_deadline(exc, lease, policy), item)
        return HostResult(
            host=item.host.name,
            status=Status.FAILED,
            steps=_skipped(item.steps),
            failure=cause.failure,
            error=cause.describe(),
            started=started,
            duration=time.perf_counter() - clock,
            transport=transport,
        )
    finally:
        budget.stop()
    results = [_step_deadline(r, lease, policy) for r in results]
    if pending is not None:
        # Past the host's own deadline on purpose: the device's timer sets the pace now.
        checked = phases.post_check_failure(item.steps, results)
        results = confirm.finish(
            item, connect, pending, results, policy.run_dir, limits.login_gate, checked
        )
    results.extend(_skipped(item.steps[len(results) :]))
    ignored = {s.task for s in item.steps if s.ignore_errors}
    failed = _first_failed(results, ignored)
    if failed is not None:
        status, failure = Status.FAILED, failed.failure
        rescue = phases.rescue_summary(item.steps, results)
        error: str | None = "; ".join(
            filter(None, [f"task '{failed.task}': {failed.error}", rescue])
        )
    else:
        changed = any(r.status is Status.CHANGED for r in results)
        status, failure, error = (Status.CHANGED if changed else Status.OK), None, None
    return HostResult(
        host=item.host.name,
        status=status,
        steps=tuple(results),
        failure=failure,
        error=error,
        started=started,
        duration=time.perf_counter() - clock,
        transport=transport,
    )


def _run(
    item: WorkItem, connect: Connector, policy: Policy, lease: Lease, notify: Notify | None
) -> tuple[list[StepResult], PendingChange | None]:
    """The host's step results, and its change left under the device's timer, if any."""
    connection = _login(item, connect, policy, lease)
    run_dir = policy.run_dir
    files = run_dir / run_layout.FILES if run_dir is not None else None
    # A dry run changes nothing: no config to keep for `netjob rollback`.
    kept = run_dir / run_layout.KEPT if run_dir is not None and not policy.dry_run else None
    state = HostState(
        item.host, dry_run=policy.dry_run, files_dir=files, notify=notify, keep_dir=kept
    )
    if run_dir is not None:
        state.run_dir, state.run_id = run_dir, run_dir.name
    starting = None if notify is None else functools.partial(notify, item.host.name)
    try:
        lease.on_abort(state.stopped.set)  # an until: step's wait ends at the deadline
        return phases.run_steps(connection, item.steps, state, starting), state.pending
    finally:
        connection.close()


def _first_failed(results: Sequence[StepResult], ignored: set[str]) -> StepResult | None:
    """The step whose failure is the host's: the first, except that a change left to its
    revert timer because a post-check failed fails the host `post_check_failed`."""
    failed = [r for r in results if r.status is Status.FAILED and r.task not in ignored]
    checked = next((r for r in failed if r.failure is FailureClass.POST_CHECK_FAILED), None)
    if failed and failed[0].confirm is not None and checked is not None:
        return checked
    return failed[0] if failed else None


class _Budget:
    """A host's --host-timeout, spent only while the host works: the clock stops while it
    waits for a login slot (other hosts' logins are not its own slowness)."""

    def __init__(self, host_timeout: float, limits: RunLimits) -> None:
        self._limits = limits
        self._left = host_timeout
        self._since = 0.0
        self._token: int | None = None
        self._lease: Lease | None = None

    def start(self, lease: Lease) -> None:
        self._lease = lease
        self._since = time.monotonic()
        self._token = self._limits.watchdog.watch(self._since + self._left, lease.abort)

    def stop(self) -> None:
        if self._token is not None:
            self._limits.watchdog.cancel(self._token)
            self._token = None
            self._left -= time.monotonic() - self._since

    @contextlib.contextmanager
    def login_slot(self) -> Iterator[None]:
        self.stop()
        try:
            self._limits.login_gate.acquire()
        finally:
            assert self._lease is not None
            self.start(self._lease)
        try:
            yield
        finally:
            self._limits.login_gate.release()


def _login(item: WorkItem, connect: Connector, policy: Policy, lease: Lease) -> Connection:
    """The connector takes a login slot (lease.login_slot()) for the login itself, after
    the TCP connection; failures before anything was sent are retried with backoff."""
    first = time.monotonic()
    for attempt in range(policy.retries + 1):
        try:
            return connect(item.host, item.credentials, lease)
        except DeviceError as exc:
            if not exc.retryable or attempt == policy.retries or lease.expired:
                if attempt:  # say why it took this long
                    # A new error: the one raised may be shared (a bastion that is down
                    # fails every host through it with one exception object).
                    raise exc.replace(
                        f"{exc} (so did each of {attempt + 1} attempts, "
                        f"{time.monotonic() - first:.0f}s in all; --retries sets how many)"
                    ) from exc
                raise
            pause = policy.backoff * 2**attempt * random.uniform(0.5, 1.5)
            time.sleep(pause)  # backoff with jitter, so retries do not arrive in a wave
    raise AssertionError("unreachable")  # the loop always returns or raises


def _explained(error: DeviceError, item: WorkItem) -> DeviceError:
    """A login refused: say which username and which environment variable were used."""
    host = item.host
    if isinstance(error, AuthenticationError) and "enable" not in str(error):
        source = host.credential_source("password")
        where = {
            None: "(none in the inventory: typed at the prompt, or a key)",
            "(plain text)": "(the inventory's, in plain text)",
        }.get(source, source if source and source.startswith("(") else f"(from {source})")
        # "the password (…)": redaction masks the word after "password " in prose too.
        hint = f"check the username ({host.username or 'none set'}) and the password {where}"
        return error.replace(hint=hint)  # a copy: the error may be shared
    return error


def _deadline(exc: DeviceError, lease: Lease, policy: Policy) -> DeviceError:
    """A login that ended past the deadline was cut by the watchdog: what netmiko and
    paramiko raised then ("Attempt to read, but there is no active channel", "closed the
    connection before sending an SSH banner") is the cut's echo, not the device's doing,
    and would name a cause (connect_timeout, connection_lost) that was not the cause."""
    if lease.expired and not isinstance(exc, HostTimeoutError):
        return HostTimeoutError(
            f"past the host's deadline of {policy.host_timeout:g}s while it logged in: "
            "the login was cut there",
            sent=exc.sent,
            output=exc.output,
            host=exc.host,
            task=exc.task,
        )
    return exc


def _step_deadline(result: StepResult, lease: Lease, policy: Policy) -> StepResult:
    """A step that failed because the watchdog cut the socket failed of the deadline."""
    if result.status is not Status.FAILED or not lease.expired:
        return result
    error = HostTimeoutError(f"past the host's deadline of {policy.host_timeout:g}s")
    # Only the cause changes: outputs, checks, parsed data, diff, note and save_to stay.
    return dataclasses.replace(result, failure=error.failure, error=error.describe())


def _skipped(steps: tuple[Step, ...]) -> tuple[StepResult, ...]:
    return tuple(
        StepResult(task=s.task, kind=s.kind, commands=s.commands, status=Status.SKIPPED)
        for s in steps
    )
