"""Plan, then act: expand() renders every Step for every Host before anything connects;
run() serves WorkItems from a queue.Queue to N worker threads.

The queues are the only channel between threads: `todo` holds WorkItems (then one stop
sentinel per worker), `done` holds HostResults. Only the calling (main) thread sees
results, so whatever it hands them to (the reporter) needs no locks. The scheduler knows
nothing about SSH: it is handed `execute`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from runner.base import platforms, revert_timer
from runner.base.errors import FailureClass, InputError
from runner.base.models import (
    RESCUE,
    Credentials,
    Host,
    HostResult,
    Job,
    RunProgress,
    Status,
    Step,
    TaskKind,
    WorkItem,
)
from runner.device import capabilities
from runner.render import save_paths
from runner.render.templating import compile_job, render_steps

log = logging.getLogger(__name__)

Execute = Callable[..., HostResult]  # (item) -> result; with progress: (item, notify=...)
OnResult = Callable[[HostResult], None]
OnProgress = Callable[[RunProgress], None]
DEFAULT_WORKERS = 20
_STOP = None


def expand(
    job: Job,
    hosts: Sequence[Host],
    extra_vars: Mapping[str, Any],
    credentials: Mapping[str, Credentials] | None = None,
) -> list[WorkItem]:
    """One WorkItem per host, every task rendered. Raises TemplateError on the first problem."""
    compiled = compile_job(job)
    creds = credentials or {}
    items = [
        WorkItem(
            host,
            render_steps(job, compiled, host, extra_vars),
            creds.get(host.name, Credentials(host.username)),
        )
        for host in hosts
    ]
    _check_saves(job, items)
    _check_shared_files(job, items)
    check_confirms(job, items)
    return items


def _check_shared_files(job: Job, items: Sequence[WorkItem]) -> None:
    """Two steps whose `save_to:` renders to one file would each overwrite the last ("saved:
    3 files", one kept): refused before anything connects, naming them. A save_to finished
    on the device (it reads `registered`) is not known yet and not checked here."""
    writers: dict[str, list[str]] = {}
    for item in items:
        for step in item.steps:
            if step.save_to and step.context is None:
                anchor, relative = save_paths.split(step.save_to)
                path = os.path.normpath(anchor / relative)
                writers.setdefault(path, []).append(f"{item.host.name} ('{step.task}')")
    for path, who in writers.items():
        if len(who) > 1:
            shown = ", ".join(who[:5]) + (f" and {len(who) - 5} more" if len(who) > 5 else "")
            raise InputError(
                f"{job.path}: save_to: {len(who)} steps would save to one file, {path}: "
                f"{shown}; each would overwrite the last: put what differs in the path "
                "({{ host.name }}, {{ item }})"
            )


def _check_saves(job: Job, items: Sequence[WorkItem]) -> None:
    """What a platform cannot do is refused before anything connects: `save_config: true`
    where there is no save (found after the lines were applied, it would fail a host that
    did change), config lines where netmiko cannot send any (Cisco FTD)."""
    verdicts: dict[tuple[str, str], bool] = {}
    for item in items:
        platform = item.host.platform
        for step in item.steps:
            configures = step.kind in (TaskKind.CONFIG, TaskKind.TEMPLATE) and not step.when
            if (
                (step.commands or step.sources)
                and configures
                and not verdicts.setdefault(
                    ("config", platform), capabilities.can_configure(platform)
                )
            ):
                raise InputError(
                    f"{_where(job, step)}: task '{step.task}' sends config lines, but host "
                    f"'{item.host.name}' is {platform}, where netmiko cannot change the "
                    "config over SSH; leave this host out of the task (hosts:, or an empty "
                    f"list for {platform} in a per-platform config:)"
                )
            if step.save_config and not verdicts.setdefault(
                ("save", platform), capabilities.can_save(platform)
            ):
                raise InputError(
                    f"{_where(job, step)}: task '{step.task}' has save_config: true, but host "
                    f"'{item.host.name}' is {platform}, which has no save (netmiko has none "
                    "for it); drop save_config: true for this platform (when: or a "
                    "per-platform task)"
                )


def check_confirms(job: Job, items: Sequence[WorkItem]) -> None:
    """A change under the revert timer on a platform without one, or for a time its timer
    cannot count, is refused before anything connects, naming the platform; so is a second
    config change after the timed one on a host (its commit would confirm the first on
    IOS-XR and Junos, and the device's one timer covers one change)."""
    for item in items:
        platform = item.host.platform
        configs = [s for s in item.steps if s.kind in CHANGES]
        timed = [s for s in configs if s.confirm is not None]
        if not timed:
            continue
        step = timed[0]
        task = next((t for t in job.tasks if t.name == step.task), None)
        where = f"{job.path}:{task.line}" if task and task.line else str(job.path)
        assert step.confirm is not None
        timer = platforms.lookup(platform).revert
        asked = f"confirm {revert_timer.shown(step.confirm)}"
        if timer is None:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}): host '{item.host.name}' is "
                f"{platform}, which has no confirm-or-revert timer on the device; run it "
                "without --confirm (or confirm:), or limit the run to platforms that have one "
                "(Junos, IOS-XR, EOS, IOS/IOS-XE)"
            )
        why = timer.refusal(step.confirm) or _untimed_replace(step, platform)
        if why is not None:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}): host '{item.host.name}' is "
                f"{platform}: {why}"
            )
        # (A rescue task is no such change: while one is pending, only its shows run,
        # runner.run.phases.)
        after = [s for s in configs[configs.index(step) + 1 :] if s.role != RESCUE]
        if after:
            raise InputError(
                f"{where}: task '{step.task}' ({asked}) is followed on host "
                f"'{item.host.name}' by config task '{after[0].task}': the device's timer "
                "covers one change; put the lines in one task, or the timed task last"
            )


# The steps that change a device's config: what a revert timer can cover.
CHANGES = (TaskKind.CONFIG, TaskKind.TEMPLATE, TaskKind.REPLACE)


def _untimed_replace(step: Step, platform: str) -> str | None:
    """Why `netjob rollback --confirm` cannot put this platform's replace under its timer."""
    recipe = platforms.lookup(platform).replace
    if step.kind is not TaskKind.REPLACE or recipe is None or recipe.timed is not None:
        return None
    return f"its replace cannot go under its revert timer: {recipe.untimed or 'none known'}"


def _where(job: Job, step: Step) -> str:
    task = next((t for t in job.tasks if t.name == step.task), None)
    return f"{job.path}:{task.line}" if task and task.line else str(job.path)


class Interrupt:
    """Ctrl-C / SIGTERM as data: the first signal stops new hosts, the second ends the grace
    period. Setting events (not raising) means a result being written is never cut in half."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.abandon = threading.Event()
        # Told once, from the thread that runs the hosts, when it sees the first signal (a
        # person should hear at once that it was heard, even if no host is left to skip).
        self.listeners: list[Callable[[], None]] = []
        self._told = False

    def signal(self, *_: object) -> None:
        (self.abandon if self.stop.is_set() else self.stop).set()

    def tell(self) -> None:
        if not self._told:
            self._told = True
            for listener in self.listeners:
                listener()


def run(
    items: Sequence[WorkItem],
    execute: Execute,
    workers: int,
    on_result: OnResult,
    grace: float = 10.0,
    interrupt: Interrupt | None = None,
    on_progress: OnProgress | None = None,
) -> bool:
    """Run every item; call on_result (in this thread) as each host finishes.

    Returns True when interrupted: no new host starts, in-flight hosts get `grace` seconds,
    and every host still gets exactly one result.
    """
    interrupt = interrupt or Interrupt()
    todo: queue.Queue[WorkItem | None] = queue.Queue()
    done: queue.Queue[HostResult | RunProgress] = queue.Queue()
    for item in items:
        todo.put(item)
    count = max(1, min(workers, len(items)))
    for _ in range(count):
        todo.put(_STOP)
    for n in range(count):
        # Daemon threads: a host abandoned after the grace period must not block exit.
        # Every host's start is announced, so one cut off by the interrupt gets its duration.
        threading.Thread(
            target=worker,
            args=(todo, done, execute, interrupt.stop, on_progress is not None, True),
            name=f"netjob-worker-{n}",
            daemon=True,
        ).start()
    inbox = Inbox({item.host.name for item in items}, on_result, on_progress)
    try:
        while inbox.pending and not interrupt.stop.is_set():
            with contextlib.suppress(queue.Empty):
                # A short timeout, so a signal that set `stop` is seen promptly.
                inbox.deliver(done.get(timeout=0.2))
    except KeyboardInterrupt:  # API callers who install no signal handler
        interrupt.stop.set()
    if not inbox.pending:
        return interrupt.stop.is_set()
    interrupt.tell()
    _unstarted(todo, inbox)
    _drain(done, inbox, time.monotonic() + grace, interrupt.abandon)
    return True


def _unstarted(todo: queue.Queue[WorkItem | None], inbox: Inbox) -> None:
    """The interrupt: hosts no worker has taken are skipped now, not as workers come free
    (a hung host would hold its worker, and its queue's hosts, to the end of the grace)."""
    stops = 0
    while True:
        try:
            item = todo.get_nowait()
        except queue.Empty:
            break
        if item is _STOP:
            stops += 1
        else:
            inbox.deliver(skipped_by_interrupt(item.host.name))
    for _ in range(stops):  # each worker still ends at its sentinel
        todo.put(_STOP)


class Inbox:
    """The main thread's side of the `done` queue: which hosts have no result yet, and
    when each started (a host cut off by an interrupt is reported with its real duration)."""

    def __init__(
        self, pending: set[str], on_result: OnResult, on_progress: OnProgress | None
    ) -> None:
        self.pending = pending
        self.started: dict[str, float] = {}
        self.on_result = on_result
        self.on_progress = on_progress

    def deliver(self, message: HostResult | RunProgress) -> None:
        if isinstance(message, RunProgress):
            if message.task is None:
                self.started.setdefault(message.host, time.time())
            if self.on_progress is not None:
                self.on_progress(message)
            return
        self.pending.discard(message.host)
        self.started.pop(message.host, None)
        self.on_result(message)

    def give_up(self) -> None:
        """Past the grace period (or a second interrupt): hosts in flight failed
        `interrupted` after the time they had; hosts never started are skipped."""
        for name in sorted(self.pending):
            if name in self.started:
                why = "abandoned after the grace period: the run was interrupted"
                self.on_result(interrupted(name, why, self.started[name]))
            else:
                self.on_result(skipped_by_interrupt(name))
        self.pending.clear()


def _drain(
    done: queue.Queue[HostResult | RunProgress],
    inbox: Inbox,
    deadline: float,
    abandon: threading.Event,
) -> None:
    while inbox.pending and not abandon.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        with contextlib.suppress(queue.Empty):
            inbox.deliver(done.get(timeout=min(left, 0.2)))
    while True:  # what the workers put meanwhile (a host's start, a result) still counts
        try:
            inbox.deliver(done.get_nowait())
        except queue.Empty:
            break
    inbox.give_up()


def not_run(host: str, why: str) -> HostResult:
    return HostResult(
        host=host, status=Status.SKIPPED, steps=(), failure=None, error=why, started=time.time()
    )


NOT_STARTED = "not started: the run was interrupted"


def interrupted(host: str, why: str, started: float | None = None) -> HostResult:
    """A host the run gave up on: failed `interrupted`; with `started`, after the time it
    had (what the device did is unknown)."""
    now = time.time()
    return HostResult(
        host=host,
        status=Status.FAILED,
        steps=(),
        failure=FailureClass.INTERRUPTED,
        error=why,
        started=now if started is None else started,
        duration=0.0 if started is None else now - started,
    )


def skipped_by_interrupt(host: str) -> HostResult:
    """A host the interrupt kept from starting: nothing was done to it, so it did not fail;
    skipped, its reason `interrupted` (and `--retry-failed` runs it again)."""
    return HostResult(
        host=host,
        status=Status.SKIPPED,
        steps=(),
        failure=FailureClass.INTERRUPTED,
        error=NOT_STARTED,
        started=time.time(),
    )


class Outbox(Protocol):
    """Where a worker puts its news: the `done` queue, or a worker process's pipe."""

    def put(self, message: HostResult | RunProgress, /) -> None: ...


def worker(
    todo: queue.Queue[WorkItem | None],
    done: Outbox,
    execute: Execute,
    stop: threading.Event,
    progress: bool,
    announce: bool = False,
) -> None:
    """Take WorkItems until the stop sentinel; put one HostResult for each. With `progress`,
    also a RunProgress as each host and task starts; with `announce`, the host's start alone
    (a worker process's parent needs to know which hosts it started)."""

    def notify(host: str, task: str, moved: int | None = None, total: int | None = None) -> None:
        done.put(RunProgress(host, task, moved, total))

    while (item := todo.get()) is not _STOP:
        if stop.is_set():
            done.put(skipped_by_interrupt(item.host.name))
            continue
        if progress or announce:
            done.put(RunProgress(item.host.name))
        done.put(_guarded(execute, item, notify if progress else None))


def _guarded(
    execute: Execute, item: WorkItem, notify: Callable[[str, str], None] | None
) -> HostResult:
    """A bug in one host's work becomes that host's failure, never a lost host."""
    try:
        return execute(item, notify=notify) if notify is not None else execute(item)
    except BaseException as exc:
        log.debug("internal error on %s:\n%s", item.host.name, traceback.format_exc())
        why = f"internal error: {type(exc).__name__}: {exc}; please report it with the host's log"
        return HostResult(
            host=item.host.name,
            status=Status.FAILED,
            steps=(),
            failure=FailureClass.INTERNAL_ERROR,
            error=why,
            started=time.time(),
        )
