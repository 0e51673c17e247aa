"""Where a batch of work items runs, behind one protocol: this process's threads, worker
processes, or a Dask cluster of pollers. `core.run` is handed one `BatchRunner` (`choose`
builds it from the run's options, or a caller injects its own) and never asks which.

Every runner keeps scheduler.run's contract: each host of the batch gets exactly one
result, handed to `record` in the calling thread; True means the run was interrupted.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from runner.base.errors import InputError
from runner.base.models import HostResult, WorkItem
from runner.run import rollout, scheduler
from runner.run.rollout import Amount

if TYPE_CHECKING:
    from runner.device.connection import Connector
    from runner.run.cluster import ClusterOptions
    from runner.run.executor import Policy, RunLimits

# A worker process costs ~0.5 s to start (spawned, importing netmiko): measured, it only
# pays with a few hundred hosts each.
HOSTS_PER_PROCESS = 200


class FailureGate:
    """--max-fail without --serial: the whole run is one batch, so failures are counted as
    hosts end and, once over the threshold (N, or N% of all hosts), no more hosts start;
    those in flight finish."""

    def __init__(self, max_fail: Amount | None, total: int) -> None:
        self.max_fail = max_fail
        self.total = total
        self.failed = 0
        self.reason: str | None = None
        self._lock = threading.Lock()  # counted by the worker threads

    def count(self, result: HostResult) -> None:
        if self.max_fail is None or not result.failed:
            return
        with self._lock:
            self.failed += 1
            if self.reason is None and rollout.over(self.max_fail, self.failed, self.total):
                self.reason = (
                    f"stopped starting hosts: {self.failed} of {self.total} hosts failed, "
                    f"over --max-fail {self.max_fail}"
                )


@dataclass(frozen=True)
class Batch:
    """What one batch runs with: the run's policy (its run folder known), the login gate
    and watchdog of this process, the failure gate, and where results and news go."""

    policy: Policy
    limits: RunLimits | None  # None: new ones for this batch
    gate: FailureGate
    record: scheduler.OnResult
    interrupt: scheduler.Interrupt
    on_progress: scheduler.OnProgress | None = None


class BatchRunner(Protocol):
    @property
    def local(self) -> bool:
        """False: the hosts' credentials are not resolved here (a cluster's pollers read
        their own environment), so core neither prompts nor checks keys in this process."""

    def preflight(self, items: Sequence[WorkItem], serial: Amount | None) -> None:
        """Refuse, before anything connects, a run this runner cannot do."""

    def __call__(self, items: Sequence[WorkItem], batch: Batch) -> bool:
        """Run the items; every host gets one result (batch.record); True: interrupted."""


@dataclass(frozen=True)
class Threads:
    """This process's worker threads over a queue.Queue (runner.run.scheduler)."""

    workers: int
    connect: Connector
    grace: float
    local: bool = True

    def preflight(self, items: Sequence[WorkItem], serial: Amount | None) -> None:
        return None

    def __call__(self, items: Sequence[WorkItem], batch: Batch) -> bool:
        from runner.run.executor import RunLimits, execute

        limits = batch.limits or RunLimits.start(batch.policy)
        run_host = functools.partial(
            execute, connect=self.connect, policy=batch.policy, limits=limits
        )
        gate = batch.gate

        def work(item: WorkItem, **kwargs: Any) -> HostResult:
            if gate.reason is not None:
                return scheduler.not_run(item.host.name, f"not run: {gate.reason}")
            result = run_host(item, **kwargs)
            gate.count(result)  # in the worker: its next host already sees this failure
            return result

        return scheduler.run(
            items, work, self.workers, batch.record, self.grace, batch.interrupt, batch.on_progress
        )


@dataclass(frozen=True)
class Processes:
    """The workers spread over worker processes (runner.run.processes), each with its own
    threads; a batch too small to pay for a process, or under --max-fail (counted as each
    host starts, in this process), runs on this process's threads."""

    processes: int
    workers: int
    connect: Connector
    grace: float
    local: bool = True

    def preflight(self, items: Sequence[WorkItem], serial: Amount | None) -> None:
        return None

    def count(self, items: Sequence[WorkItem], batch: Batch) -> int:
        # Never more processes than workers or logins: each process runs at least one of
        # each, so more would break a user's --workers 1 or --max-logins cap (TACACS/RADIUS).
        allowed = (self.processes, self.workers, batch.policy.max_logins)
        count = max(1, min(*allowed, len(items) // HOSTS_PER_PROCESS))
        return 1 if batch.gate.max_fail is not None else count

    def __call__(self, items: Sequence[WorkItem], batch: Batch) -> bool:
        from runner.run import processes as worker_processes

        count = self.count(items, batch)
        if count == 1:
            return Threads(self.workers, self.connect, self.grace)(items, batch)
        return worker_processes.run_sharded(
            items,
            count,
            self.workers,
            self.connect,
            batch.policy,
            batch.record,
            self.grace,
            batch.interrupt,
            batch.on_progress,
        )


@dataclass(frozen=True)
class Cluster:
    """A Dask cluster of pollers near the devices (runner.run.cluster)."""

    options: ClusterOptions
    workers: int
    grace: float
    max_fail: Amount | None
    local: bool = False

    def preflight(self, items: Sequence[WorkItem], serial: Amount | None) -> None:
        from runner.run import cluster

        if self.max_fail is not None and serial is None:
            raise InputError(
                "--max-fail without --serial: a --cluster run is not stopped between hosts; "
                "add --serial (e.g. --serial 10%) to stop between batches"
            )
        cluster.preflight(self.options, items)

    def __call__(self, items: Sequence[WorkItem], batch: Batch) -> bool:
        from runner.run import cluster

        return cluster.run(
            items,
            self.options,
            self.workers,
            batch.policy,
            batch.record,
            self.grace,
            batch.interrupt,
            batch.on_progress,
        )


def choose(
    *,
    workers: int,
    processes: int,
    grace: float,
    connect: Callable[[], Connector] | None = None,
    cluster: ClusterOptions | None = None,
    max_fail: Amount | None = None,
) -> BatchRunner:
    """The runner a run's options ask for: a cluster, worker processes, or threads.
    `connect` is called only for a local runner (None: NetmikoConnection.open, imported
    only then)."""
    if cluster is not None:
        return Cluster(cluster, workers, grace, max_fail)
    opener = connect() if connect is not None else _netmiko()
    if processes > 1:
        return Processes(processes, workers, opener, grace)
    return Threads(workers, opener, grace)


def _netmiko() -> Connector:
    from runner.device.connection import NetmikoConnection

    return NetmikoConnection.open


def run_batches(
    runner: BatchRunner,
    items: Sequence[WorkItem],
    batch: Batch,
    serial: Amount | None,
    max_fail: Amount | None,
    failed: Callable[[], int],
) -> str | None:
    """Batch after batch (--serial), on `runner`; None when all ran, else why the run
    stopped early: "interrupted", --max-fail between batches (`failed` counts the failed
    hosts so far), or the failure gate within one."""
    parts = rollout.batches(items, serial)
    ran = 0
    for number, part in enumerate(parts, 1):
        if runner(part, batch):
            return "interrupted"
        ran += len(part)
        if number < len(parts) and rollout.over(max_fail, failed(), ran):
            return (
                f"stopped after batch {number} of {len(parts)}: {failed()} of {ran} "
                f"hosts failed, over --max-fail {max_fail}"
            )
    return batch.gate.reason


def processes_for_this_machine() -> int:
    """The CLI's default for --processes: one per CPU this process may run on (a
    container's share, not the host's count), at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))
