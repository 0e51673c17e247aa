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
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from runner import platforms
from runner.errors import FailureClass, InputError
from runner.models import Credentials, Host, HostResult, Job, Progress, Status, WorkItem
from runner.templating import compile_job, render_steps

log = logging.getLogger(__name__)

Execute = Callable[..., HostResult]  # (item) -> result; with progress: (item, notify=...)
OnResult = Callable[[HostResult], None]
OnProgress = Callable[[Progress], None]
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
    return items


def _check_saves(job: Job, items: Sequence[WorkItem]) -> None:
    """`save: true` on a platform without a save is refused before anything connects:
    found after the lines were applied, it would fail a host that did change."""
    verdicts: dict[str, bool] = {}
    for item in items:
        platform = item.host.platform
        for step in item.steps:
            if step.save and not verdicts.setdefault(platform, platforms.can_save(platform)):
                task = next((t for t in job.tasks if t.name == step.task), None)
                where = f"{job.path}:{task.line}" if task and task.line else str(job.path)
                raise InputError(
                    f"{where}: task '{step.task}' has save: true, but host "
                    f"'{item.host.name}' is {platform}, which has no save (netmiko has none "
                    "for it); drop save: true for this platform (when: or a per-platform "
                    "task)"
                )


class Interrupt:
    """Ctrl-C / SIGTERM as data: the first signal stops new hosts, the second ends the grace
    period. Setting events (not raising) means a result being written is never cut in half."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.abandon = threading.Event()

    def signal(self, *_: object) -> None:
        (self.abandon if self.stop.is_set() else self.stop).set()


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
    done: queue.Queue[HostResult | Progress] = queue.Queue()
    for item in items:
        todo.put(item)
    count = max(1, min(workers, len(items)))
    for _ in range(count):
        todo.put(_STOP)
    for n in range(count):
        # Daemon threads: a host abandoned after the grace period must not block exit.
        threading.Thread(
            target=worker,
            args=(todo, done, execute, interrupt.stop, on_progress is not None),
            name=f"netjob-worker-{n}",
            daemon=True,
        ).start()
    pending = {item.host.name for item in items}
    try:
        while pending and not interrupt.stop.is_set():
            with contextlib.suppress(queue.Empty):
                # A short timeout, so a signal that set `stop` is seen promptly.
                deliver(done.get(timeout=0.2), pending, on_result, on_progress)
    except KeyboardInterrupt:  # API callers who install no signal handler
        interrupt.stop.set()
    if not pending:
        return interrupt.stop.is_set()
    _drain(done, pending, on_result, time.monotonic() + grace, interrupt.abandon, on_progress)
    return True


def deliver(
    message: HostResult | Progress,
    pending: set[str],
    on_result: OnResult,
    on_progress: OnProgress | None = None,
) -> None:
    if isinstance(message, Progress):
        if on_progress is not None:
            on_progress(message)
        return
    pending.discard(message.host)
    on_result(message)


def _drain(
    done: queue.Queue[HostResult | Progress],
    pending: set[str],
    on_result: OnResult,
    deadline: float,
    abandon: threading.Event,
    on_progress: OnProgress | None,
) -> None:
    while pending and not abandon.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        with contextlib.suppress(queue.Empty):
            deliver(done.get(timeout=min(left, 0.2)), pending, on_result, on_progress)
    for name in sorted(pending):
        on_result(interrupted(name, "abandoned after the grace period: the run was interrupted"))


def not_run(host: str, why: str) -> HostResult:
    return HostResult(host, Status.SKIPPED, (), None, why, time.time())


def interrupted(host: str, why: str) -> HostResult:
    return HostResult(host, Status.FAILED, (), FailureClass.INTERRUPTED.value, why, time.time())


class Outbox(Protocol):
    """Where a worker puts its news: the `done` queue, or a worker process's pipe."""

    def put(self, message: HostResult | Progress, /) -> None: ...


def worker(
    todo: queue.Queue[WorkItem | None],
    done: Outbox,
    execute: Execute,
    stop: threading.Event,
    progress: bool,
    announce: bool = False,
) -> None:
    """Take WorkItems until the stop sentinel; put one HostResult for each. With `progress`,
    also a Progress as each host and task starts; with `announce`, the host's start alone
    (a worker process's parent needs to know which hosts it started)."""

    def notify(host: str, task: str, moved: int | None = None, total: int | None = None) -> None:
        done.put(Progress(host, task, moved, total))

    while (item := todo.get()) is not _STOP:
        if stop.is_set():
            done.put(interrupted(item.host.name, "not started: the run was interrupted"))
            continue
        if progress or announce:
            done.put(Progress(item.host.name))
        done.put(_guarded(execute, item, notify if progress else None))


def _guarded(
    execute: Execute, item: WorkItem, notify: Callable[[str, str], None] | None
) -> HostResult:
    """A bug in one host's work becomes that host's failure, never a lost host."""
    try:
        return execute(item, notify=notify) if notify is not None else execute(item)
    except BaseException as exc:
        log.debug("internal error on %s:\n%s", item.host.name, traceback.format_exc())
        return HostResult(
            item.host.name,
            Status.FAILED,
            (),
            FailureClass.INTERNAL_ERROR.value,
            f"internal error: {type(exc).__name__}: {exc}; please report it with the host's log",
            time.time(),
        )
