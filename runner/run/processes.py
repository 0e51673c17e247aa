"""Past the GIL: spread the WorkItems over N worker processes, each running worker threads
(runner.run.scheduler's) over the hosts it is handed, while every HostResult streams back to
this process, whose main thread alone writes the report.

One Python process tops out near one core of SSH and netmiko work; N processes can use N.

What the two sides share is a pair of pipes per worker process and its exit sentinel,
never a multiprocessing lock, Event or Queue: a process killed while holding one of their
internal locks (the OOM killer, `kill -9`) would hang the other side for good. So:

- this process hands out hosts a few at a time and hears "started" before a host's first
  connection, so when a worker process dies (its sentinel fires) its hosts become results
  at once: those it had started failed (`unknown` if they may change their device, else
  `interrupted`: what the device did is unknown; never run twice), and those it had not
  are handed on, to the others and to a new worker process started in its place (so its
  share is not finished at half speed);
- a worker process that stops answering (SIGSTOP, a paused container) is killed and
  buried the same way once silent for the host timeout plus a grace (runner.run.liveness);
- a worker process reads its pipe from this process all the time: end of file means this
  process died, and it exits at once (its sessions close with it) instead of going on
  against devices with nothing recording what it does;
- interrupts stay with this process (the children ignore SIGINT and SIGTERM, which a
  terminal or systemd send to the whole group): it tells them to stop starting hosts,
  waits out the grace period or a second interrupt, then kills what is left.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from runner.base.logs import LogFilter, log_to_stderr
from runner.base.models import HostResult, RunProgress, WorkItem
from runner.device.connection import Connector
from runner.run import liveness, scheduler
from runner.run.executor import Policy, RunLimits, execute

log = logging.getLogger(__name__)

# Spawned, not forked: forking a process that already runs threads (the watchdog, a lab in
# tests) can copy a held lock into the child.
_CONTEXT = multiprocessing.get_context("spawn")
_STOP, _END = "stop", "end"  # this process to a worker process; anything else is a WorkItem
_ORPHANED = 70  # a worker process's exit code when this process is gone
_JOIN = 5.0  # seconds a worker process gets to exit after "end" before it is killed

Message = HostResult | RunProgress


@dataclasses.dataclass(eq=False)
class _Worker:
    """One worker process as this process sees it: what it was handed and has started."""

    process: BaseProcess
    inbox: Connection  # we write WorkItems, "stop" and "end"
    outbox: Connection | None  # we read its RunProgress and HostResults; None after EOF
    watched: liveness.Watched  # its beats, read by the monitor thread
    assigned: dict[str, WorkItem] = dataclasses.field(default_factory=dict)
    started: dict[str, float] = dataclasses.field(default_factory=dict)  # host: when
    alive: bool = True


def run_sharded(
    items: Sequence[WorkItem],
    processes: int,
    workers: int,
    connect: Connector,
    policy: Policy,
    on_result: scheduler.OnResult,
    grace: float,
    interrupt: scheduler.Interrupt,
    on_progress: scheduler.OnProgress | None = None,
) -> bool:
    """Like scheduler.run (same contract: every host gets exactly one result, in this
    thread), with `workers` threads in total spread over `processes` processes."""
    count = max(1, min(processes, len(items)))
    threads = max(1, workers // count)
    # The login cap is for the whole run, so each process gets its share of it.
    policy = dataclasses.replace(policy, max_logins=max(1, policy.max_logins // count))
    pool = _Pool(items, on_result, on_progress, capacity=2 * threads, policy=policy)
    pool.start(count, threads, connect, on_progress is not None)
    try:
        pool.run(interrupt, grace)
    finally:
        pool.close()
    return interrupt.stop.is_set()


class _Pool:
    def __init__(
        self,
        items: Sequence[WorkItem],
        on_result: scheduler.OnResult,
        on_progress: scheduler.OnProgress | None,
        capacity: int,
        policy: Policy,
    ) -> None:
        self.todo = collections.deque(items)  # not yet handed to any worker process
        self.pending = {item.host.name for item in items}  # no result yet
        self.on_result = on_result
        self.on_progress = on_progress
        self.capacity = capacity  # hosts handed to one process and not finished
        self.workers: list[_Worker] = []
        self.stopping = False
        self.policy = policy
        self.monitor = liveness.Monitor(policy.host_timeout)
        self.replacements = 0  # at most one per process of the run: a crash loop ends
        self.spawn: functools.partial[_Worker] | None = None

    def start(self, count: int, threads: int, connect: Connector, progress: bool) -> None:
        self.spawn = functools.partial(self._spawn, threads, connect, progress, _logs())
        for _ in range(count):
            self.workers.append(self.spawn())
        self.replacements = count
        self._dispatch()

    def _spawn(
        self,
        threads: int,
        connect: Connector,
        progress: bool,
        logs: tuple[bool, list[str]] | None,
    ) -> _Worker:
        their_inbox, inbox = _CONTEXT.Pipe(duplex=False)
        outbox, their_outbox = _CONTEXT.Pipe(duplex=False)
        beats, their_beats = _CONTEXT.Pipe(duplex=False)
        ends = (their_inbox, their_outbox, their_beats)
        process = _CONTEXT.Process(
            target=_child,
            args=(*ends, threads, connect, self.policy, progress, logs),
            name=f"netjob-worker-process-{len(self.workers)}",
            daemon=True,
        )
        process.start()
        # Only the child holds its ends now: its death is end of file here, ours is end
        # of file there.
        for end in ends:
            end.close()
        return _Worker(process, inbox, outbox, self.monitor.watch(process, beats))

    def run(self, interrupt: scheduler.Interrupt, grace: float) -> None:
        deadline: float | None = None
        while self.pending:
            try:
                if interrupt.stop.is_set() and deadline is None:
                    deadline = time.monotonic() + grace
                    interrupt.tell()
                    self._stop()
                if interrupt.abandon.is_set() or (deadline and time.monotonic() > deadline):
                    return
                self._step(0.2)  # a short wait, so a signal that set an event is seen promptly
            except KeyboardInterrupt:  # API callers who install no signal handler
                interrupt.signal()

    def close(self) -> None:
        """Every worker process ended (asked when all is done, else killed) and reaped; every
        host still pending gets its result."""
        done = not self.pending
        for worker in self._alive():
            if done:
                with contextlib.suppress(OSError):
                    worker.inbox.send(_END)
            else:
                worker.process.kill()  # past the grace period or a second interrupt
        for worker in self.workers:
            worker.process.join(_JOIN)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(_JOIN)
            if worker.outbox is not None:  # results that came in before the end count
                self._read(worker, limit=len(self.pending) * 1000 + 1000)
            worker.inbox.close()
            if worker.outbox is not None:
                worker.outbox.close()
            worker.alive = False
            worker.watched.buried = True
        self.monitor.close()
        for worker in self.workers:
            for name in sorted(worker.assigned):
                if name in worker.started:
                    why = "abandoned after the grace period: the run was interrupted"
                    self._result(scheduler.interrupted(name, why, worker.started[name]))
                else:
                    self._result(scheduler.skipped_by_interrupt(name))
        for item in self.todo:
            self._result(scheduler.skipped_by_interrupt(item.host.name))
        self.todo.clear()

    def _alive(self) -> list[_Worker]:
        return [w for w in self.workers if w.alive]

    def _step(self, timeout: float) -> None:
        waits: dict[Connection | int, _Worker] = {}
        for worker in self._alive():
            waits[worker.process.sentinel] = worker
            if worker.outbox is not None:
                waits[worker.outbox] = worker
        for ready in wait(list(waits), timeout):
            worker = waits[ready]  # type: ignore[index]
            if ready is worker.outbox:
                self._read(worker)
            elif worker.alive:
                self._bury(worker)
        self._dispatch()

    def _read(self, worker: _Worker, limit: int = 1000) -> None:
        """What the worker process sent, up to `limit` messages (the others get their turn);
        at end of file (it died; its sentinel says so next) its pipe is closed."""
        outbox = worker.outbox
        assert outbox is not None
        try:
            for _ in range(limit):
                if not outbox.poll():
                    return
                self._receive(worker, outbox.recv())
        except (EOFError, OSError):
            outbox.close()
            worker.outbox = None

    def _receive(self, worker: _Worker, message: Message) -> None:
        if isinstance(message, RunProgress):
            if message.task is None:
                worker.started.setdefault(message.host, time.time())
            if self.on_progress is not None:
                self.on_progress(message)
            return
        worker.assigned.pop(message.host, None)
        worker.started.pop(message.host, None)
        self._result(message)

    def _result(self, result: HostResult) -> None:
        if result.host in self.pending:
            self.pending.discard(result.host)
            self.on_result(result)

    def _bury(self, worker: _Worker) -> None:
        """A worker process ended (or was killed, lost) with hosts of ours: keep what it had
        sent, fail what it had started, hand the rest on, and start another in its place."""
        if worker.outbox is not None:  # what it wrote before it died is still in the pipe
            self._read(worker, limit=len(self.pending) * 1000 + 1000)
        worker.alive = False
        worker.watched.buried = True
        worker.process.join(_JOIN)  # its sentinel fires as its files close, before its exit
        code = worker.process.exitcode
        why = worker.watched.lost or (
            f"its worker process died (killed by {signal.Signals(-code).name})"
            if code is not None and code < 0
            else f"its worker process died (exit code {code})"
        )
        unstarted = [item for name, item in worker.assigned.items() if name not in worker.started]
        lost = sorted(name for name in worker.assigned if name in worker.started)
        if lost or unstarted:
            log.warning(
                "worker process %s: %s; of its hosts, started and failed: %d, handed on: %d",
                worker.process.pid,
                why,
                len(lost),
                len(unstarted),
            )
        for name in lost:
            item = worker.assigned[name]
            self._result(liveness.lost_host(item, self.policy, why, worker.started[name]))
        worker.assigned.clear()
        self.todo.extendleft(reversed(unstarted))
        if self.stopping:
            self._stop()
        elif self.todo and self.replacements > 0 and self.spawn is not None:
            self.replacements -= 1
            self.workers.append(replacement := self.spawn())
            log.warning(
                "worker process %s takes the place of %s",
                replacement.process.pid,
                worker.process.pid,
            )

    def _dispatch(self) -> None:
        alive = self._alive()
        if not alive and self.todo:
            for item in self.todo:
                self._result(
                    scheduler.interrupted(
                        item.host.name, "not started: every worker process died (see the log)"
                    )
                )
            self.todo.clear()
        # One host at a time round the processes with room: a new process (one that took a
        # lost one's place) gets its share of what the lost one had, however busy the others.
        room = [worker for worker in alive if len(worker.assigned) < self.capacity]
        while self.todo and room:
            for worker in list(room):
                if not self.todo:
                    break
                item = self.todo.popleft()
                try:
                    worker.inbox.send(item)
                except OSError:  # it is dying: its sentinel says so next
                    self.todo.appendleft(item)
                    room.remove(worker)
                    continue
                worker.assigned[item.host.name] = item
                if len(worker.assigned) >= self.capacity:
                    room.remove(worker)

    def _stop(self) -> None:
        """The first interrupt: no new host starts here or in any worker process."""
        self.stopping = True
        for worker in self._alive():
            with contextlib.suppress(OSError):
                worker.inbox.send(_STOP)
        for item in self.todo:
            self._result(scheduler.skipped_by_interrupt(item.host.name))
        self.todo.clear()


def _logs() -> tuple[bool, list[str]] | None:
    """The parent's logging, for its worker processes: None when netjob is embedded (no
    handler of ours), else whether -v is on and the secrets to redact."""
    root = logging.getLogger()
    if not any(any(isinstance(f, LogFilter) for f in h.filters) for h in root.handlers):
        return None
    return root.level <= logging.DEBUG, LogFilter.registered()


class _Outbox:
    """The worker threads' way back to the parent: one message at a time, written to the pipe
    before the sender goes on (so "started" is there before the host's first connection)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def put(self, message: Message, /) -> None:
        try:
            with self._lock:
                self._connection.send(message)
        except OSError:  # the parent is gone: nothing would record this host's work
            os._exit(_ORPHANED)


def _child(
    inbox: Connection,
    outbox: Connection,
    beats: Connection,
    threads: int,
    connect: Connector,
    policy: Policy,
    progress: bool,
    logs: tuple[bool, list[str]] | None,
) -> None:
    # The parent decides when to stop: Ctrl-C and systemd's SIGTERM reach the whole group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    liveness.beat(beats)
    if logs is not None:
        # A spawned process starts with Python's default logging: without this, paramiko's
        # errors would reach the terminal unredacted, through the live view.
        verbose, secrets = logs
        LogFilter.register(secrets)
        log_to_stderr(verbose)
    todo: queue.Queue[WorkItem | None] = queue.Queue()
    stop = threading.Event()
    # This process's own login gate (its share of --max-logins) and watchdog.
    limits = RunLimits.start(policy)
    work = functools.partial(execute, connect=connect, policy=policy, limits=limits)
    pool = [
        threading.Thread(
            target=scheduler.worker,
            args=(todo, _Outbox(outbox), work, stop, progress, True),
            name=f"netjob-worker-{n}",
            daemon=True,
        )
        for n in range(threads)
    ]
    for thread in pool:
        thread.start()
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            # The parent died (kill -9): start no other host, and end the sessions in
            # flight with this process rather than work on unrecorded.
            os._exit(_ORPHANED)
        if message == _END:
            break
        if message == _STOP:
            stop.set()
        else:
            todo.put(message)
    for _ in pool:
        todo.put(None)
    for thread in pool:
        thread.join()
