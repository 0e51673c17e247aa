"""Past the GIL: shard the WorkItems over N worker processes, each running the same
queue.Queue and worker threads (runner.scheduler) over its shard, while every HostResult
streams back to this process, whose main thread alone writes the report.

One Python process tops out near one core of SSH and netmiko work; N processes can use N.
Interrupts stay with the parent: the children ignore SIGINT and stop when told.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import multiprocessing
import multiprocessing.synchronize
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from runner import scheduler
from runner.connection import Connector
from runner.executor import Policy, execute
from runner.models import WorkItem
from runner.redact import LogFilter, log_to_stderr

# Spawned, not forked: forking a process that already runs threads (the watchdog, a lab in
# tests) can copy a held lock into the child.
_CONTEXT = multiprocessing.get_context("spawn")


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
    shards = [items[i::processes] for i in range(processes) if items[i::processes]]
    results: Any = _CONTEXT.Queue()
    stop = _CONTEXT.Event()
    threads = max(1, workers // len(shards))
    # The login cap is for the whole run, so each process gets its share of it.
    policy = dataclasses.replace(policy, max_logins=max(1, policy.max_logins // len(shards)))
    # Each shard goes through a queue, not the process's arguments: those are written to
    # the child's pipe inside start(), which blocks for good on a big shard if the child
    # dies before reading it (a queue's feeder thread writes instead; this one notices).
    inboxes = [_CONTEXT.Queue() for _ in shards]
    children = [
        _CONTEXT.Process(
            target=_child,
            args=(
                inbox,
                threads,
                connect,
                policy,
                results,
                stop,
                grace,
                on_progress is not None,
                _log_settings(),
            ),
            name=f"netjob-shard-{n}",
            daemon=True,
        )
        for n, inbox in enumerate(inboxes)
    ]
    for child, inbox, shard in zip(children, inboxes, shards, strict=True):
        child.start()
        inbox.put(list(shard))
        inbox.cancel_join_thread()  # a dead child's unread shard must not hold up our exit
    pending = {item.host.name for item in items}
    try:
        deliver = functools.partial(
            scheduler.deliver, pending=pending, on_result=on_result, on_progress=on_progress
        )
        _collect(results, pending, deliver, interrupt, children)
        if pending:
            stop.set()
            _collect(results, pending, deliver, None, children, time.monotonic() + grace + 5)
    finally:
        for child in children:
            child.join(5)
            if child.is_alive():
                child.terminate()
                child.join(5)  # reaped, so its resources (and CPU time) are accounted
    for name in sorted(pending):  # a child that died, or one past the grace period
        on_result(scheduler.interrupted(name, "abandoned: its worker process did not report"))
    return interrupt.stop.is_set()


def _log_settings() -> tuple[bool, list[str]] | None:
    """The parent's logging, for its worker processes: None when netjob is embedded (no
    handler of ours), else whether -v is on and the secrets to redact."""
    root = logging.getLogger()
    if not any(any(isinstance(f, LogFilter) for f in h.filters) for h in root.handlers):
        return None
    return root.level <= logging.DEBUG, LogFilter.registered()


def _collect(
    results: Any,
    pending: set[str],
    deliver: Callable[[Any], None],
    interrupt: scheduler.Interrupt | None,
    children: list[Any],
    deadline: float | None = None,
) -> None:
    while pending:
        if interrupt is not None and interrupt.stop.is_set():
            return
        if deadline is not None and time.monotonic() > deadline:
            return
        try:
            message = results.get(timeout=0.2)
        except queue.Empty:
            if not any(child.is_alive() for child in children) and results.empty():
                return
            continue
        deliver(message)


def _child(
    inbox: Any,
    workers: int,
    connect: Connector,
    policy: Policy,
    results: Any,
    stop: multiprocessing.synchronize.Event,
    grace: float,
    progress: bool,
    log_settings: tuple[bool, list[str]] | None = None,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if log_settings is not None:
        # A spawned process starts with Python's default logging: without this, paramiko's
        # errors would reach the terminal unredacted, through the live view.
        verbose, secrets = log_settings
        LogFilter.register(secrets)
        log_to_stderr(verbose)
    shard: list[WorkItem] = inbox.get()
    interrupt = scheduler.Interrupt()

    def relay() -> None:
        stop.wait()
        interrupt.stop.set()

    threading.Thread(target=relay, daemon=True).start()
    work = functools.partial(execute, connect=connect, policy=policy)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.run(
            shard, work, workers, results.put, grace, interrupt, results.put if progress else None
        )
    results.close()
    results.join_thread()  # every result is in the pipe before this process ends
