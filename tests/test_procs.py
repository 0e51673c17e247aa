"""--processes: shards over spawned worker processes, every result back in this thread."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from fakes import DiesWhenUnpickled, FakeFleet, StopsItsProcess

from runner.base.models import Host, HostResult, Status, Step, TaskKind, WorkItem
from runner.device.connection import Connector
from runner.run import liveness, processes, scheduler
from runner.run.executor import Policy

# Worker processes, each importing netjob: marked by hand, as multiprocessing's spawn starts
# them without an audit event for tests/lab_guard.py to see.
pytestmark = pytest.mark.lab


def _items(count: int) -> list[WorkItem]:
    steps = (Step(task="a", kind=TaskKind.SHOW, commands=("show version",)),)
    return [WorkItem(Host(name=f"h{n:04d}", address="192.0.2.1"), steps) for n in range(count)]


def _run(
    items: list[WorkItem], connect: Connector, policy: Policy | None = None
) -> tuple[list[HostResult], set[str]]:
    results: list[HostResult] = []
    threads: set[str] = set()

    def record(result: HostResult) -> None:
        results.append(result)
        threads.add(threading.current_thread().name)

    interrupted = processes.run_sharded(
        items, 2, 4, connect, policy or Policy(), record, grace=1, interrupt=scheduler.Interrupt()
    )
    assert not interrupted
    return results, threads


def test_two_processes_give_every_host_one_result_in_the_callers_thread() -> None:
    items = _items(30)
    results, threads = _run(items, FakeFleet())
    assert sorted(r.host for r in results) == [i.host.name for i in items]
    assert all(not r.failed for r in results), [r.error for r in results if r.failed][:3]
    assert threads == {threading.current_thread().name}
    # The fake's output names the host it ran on: each host ran its own step.
    assert all(r.steps[0].outputs == (f"{r.host}: show version",) for r in results)


def test_worker_processes_that_die_at_start_leave_every_host_accounted_for() -> None:
    # Each shard starts with a host whose unpickling kills its process, and is far bigger
    # than a pipe's buffer: handed over as the processes' arguments, the rest of it
    # blocked start() for good once the process died before reading it.
    killers = [
        WorkItem(Host(name=f"dies{n}", address="192.0.2.1", vars={"x": DiesWhenUnpickled()}), ())
        for n in range(2)
    ]
    items = killers + _items(3000)
    done = threading.Event()
    outcome: list[tuple[list[HostResult], set[str]]] = []

    def run() -> None:
        outcome.append(_run(items, FakeFleet()))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(60), "run_sharded hung on dead worker processes"
    results, _ = outcome[0]
    assert sorted(r.host for r in results) == sorted(i.host.name for i in items)
    # Each killer took down the process that read it; the hosts a process had not started
    # went to the other, until none was left.
    assert all(r.failure == "interrupted" for r in results if r.failed)
    assert any("not started: every worker process died" in str(r.error) for r in results)


def test_an_interrupt_mid_run_still_gives_every_host_exactly_one_result() -> None:
    items = _items(2000)
    results: list[HostResult] = []
    interrupt = scheduler.Interrupt()

    def record(result: HostResult) -> None:
        results.append(result)
        if len(results) == 10:
            interrupt.stop.set()  # as Ctrl-C does, from the parent

    stopped = processes.run_sharded(items, 2, 4, FakeFleet(), Policy(), record, 1, interrupt)
    assert stopped
    assert sorted(r.host for r in results) == [i.host.name for i in items]
    # Hosts the interrupt kept from starting are skipped, not failed (FakeFleet's hosts
    # finish within the grace period).
    skipped = [r for r in results if r.status is Status.SKIPPED]
    assert skipped and all(r.failure == "interrupted" for r in skipped)
    assert not [r for r in results if r.failed]


def test_worker_processes_never_outnumber_the_workers_or_logins_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--workers 1 or --max-logins 1 must hold with several processes asked for: each
    process runs at least one of each."""
    from runner.run import runners

    def no_processes(*args: object, **kwargs: object) -> bool:
        raise AssertionError("sharded over processes despite a cap of one")

    monkeypatch.setattr(processes, "run_sharded", no_processes)
    items = _items(1000)
    for workers, logins in ((1, 20), (20, 1)):
        runner = runners.choose(workers=workers, processes=4, grace=10.0, connect=FakeFleet)
        results: list[HostResult] = []
        batch = runners.Batch(
            policy=Policy(max_logins=logins),
            limits=None,
            gate=runners.FailureGate(None, len(items)),  # no --max-fail
            record=results.append,
            interrupt=scheduler.Interrupt(),
        )
        runner(items, batch)
        assert len(results) == len(items)


CONFIG = (Step(task="c", kind=TaskKind.CONFIG, commands=("hostname x",)),)


def test_a_stopped_worker_process_is_lost_and_its_hosts_in_flight_never_run_again() -> None:
    # The first host stops the process it runs in, on its way to the device: in flight,
    # it may have changed its device for all this process can tell.
    frozen = WorkItem(Host(name="frozen", address="192.0.2.1"), CONFIG)
    items = [frozen, *_items(60)]
    connect = StopsItsProcess(stop_on=("frozen",))
    done = threading.Event()
    outcome: list[tuple[list[HostResult], set[str]]] = []

    def run() -> None:
        outcome.append(_run(items, connect, Policy(host_timeout=1)))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    # Lost after the host timeout plus the grace, with time for the processes to start.
    if not done.wait(liveness.GRACE + 1 + 120):
        for child in multiprocessing.active_children():  # the stopped one would hang exit
            child.kill()
        pytest.fail("run_sharded waited on a stopped worker process")
    results, _ = outcome[0]
    assert sorted(r.host for r in results) == sorted(i.host.name for i in items)
    by_host = {r.host: r for r in results}
    lost = by_host.pop("frozen")
    assert lost.failure == "unknown" and "--include-unknown" in str(lost.error), lost
    assert "its worker process stopped answering" in str(lost.error)
    # Its other thread's host, if it had one in flight, failed too; the rest ran.
    failed = [r for r in by_host.values() if r.failed]
    assert len(failed) <= 1, failed
    assert all("stopped answering" in str(r.error) for r in failed), failed


def test_a_host_in_flight_on_a_lost_process_is_unknown_only_if_it_may_change_its_device() -> None:
    config = WorkItem(Host(name="c", address="192.0.2.1"), CONFIG)
    (show,) = _items(1)
    why = "its worker process died (killed by SIGKILL)"
    assert liveness.lost_host(config, Policy(), why, 0.0).failure == "unknown"
    assert liveness.lost_host(show, Policy(), why, 0.0).failure == "interrupted"
    # --check sends nothing to the device: such a host changed nothing.
    checked = liveness.lost_host(config, Policy(dry_run=True), why, 0.0)
    assert checked.failure == "interrupted" and why in str(checked.error)


class _Process:
    """A stand-in for a worker process the monitor judges: it records being killed."""

    pid = 0
    killed = False

    def kill(self) -> None:
        self.killed = True


def test_the_main_process_stopped_itself_does_not_count_against_its_worker_processes() -> None:
    # Ctrl-Z stops netjob and its worker processes together; after `fg`, the time they all
    # stood still is nobody's silence. A process silent while the monitor ran is lost.
    monitor = liveness.Monitor(host_timeout=5)
    late = time.monotonic() - 100
    paused, frozen = _Process(), _Process()
    beats = [multiprocessing.Pipe(duplex=False)[0] for _ in range(2)]
    together = liveness.Watched(paused, beats[0], heard=late, spoke=True)  # type: ignore[arg-type]
    alone = liveness.Watched(frozen, beats[1], heard=late, spoke=True)  # type: ignore[arg-type]
    liveness.forgive([together], held=100)
    monitor._judge([together, alone], time.monotonic())
    assert not paused.killed and together.lost is None
    assert frozen.killed and "stopped answering (silent for 100 s" in str(alone.lost)
