"""Act on a plan: run() serves WorkItems (rendered by runner.render.expansion before
anything connects) from a queue.Queue to N worker threads.

The queues are the only channel between threads: `todo` holds WorkItems (then one stop
sentinel per worker), `done` holds HostResults. Only the calling (main) thread sees
results, so whatever it hands them to (the reporter) needs no locks. The scheduler knows
nothing about SSH: it is handed `execute`.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from runner.base.errors import FailureClass
from runner.base.models import (
    HostResult,
    RunProgress,
    Status,
    WorkItem,
)

log = logging.getLogger(__name__)

Execute = Callable[..., HostResult]  # (item) -> result; with progress: (item, notify=...)
OnResult = Callable[[HostResult], None]
OnProgress = Callable[[RunProgress], None]
_STOP = None


class Interrupt:
    """Ctrl-C / SIGTERM as data: the first signal stops new hosts, the second ends the grace
    period. Setting events (not raising) means a result being written is never cut in half."""

    def __init__(self, *listeners: Callable[[], None]) -> None:
        self.stop = threading.Event()
        self.abandon = threading.Event()
        # Told once, from the thread that runs the hosts, when it sees the first signal (a
        # person should hear at once that it was heard, even if no host is left to skip).
        self.listeners: list[Callable[[], None]] = list(listeners)
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


@contextlib.contextmanager
def signals_to(interrupt: Interrupt) -> Iterator[None]:
    """While hosts run, Ctrl-C and SIGTERM become events, so nothing collected is lost.
    Only the main thread may install handlers; elsewhere (an embedding app) skip it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        sig: signal.signal(sig, interrupt.signal) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
