"""Deadlines, login throttle, retries, rollout batches and --retry-failed, on fakes."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from pathlib import Path

import pytest
from fakes import FakeConnection
from fixture_types import Write

from runner import core
from runner.base.errors import (
    AuthenticationError,
    ConnectionLostError,
    FailureClass,
    SessionLimitError,
)
from runner.base.models import (
    CheckResult,
    CheckStatus,
    Credentials,
    Host,
    Status,
    Step,
    StepResult,
    TaskKind,
    WorkItem,
)
from runner.device.lease import Lease
from runner.report.retry import only_unfinished
from runner.run import phases, scheduler
from runner.run.executor import Policy, RunLimits, execute
from runner.run.rollout import Amount, batches, over


def _item(name: str = "h0") -> WorkItem:
    return WorkItem(
        Host(name=name, address="192.0.2.1"),
        (Step(task="a", kind=TaskKind.SHOW, commands=("show version",)),),
    )


class HangingConnection(FakeConnection):
    """Blocks in a real socket read until the lease cuts the socket, like a hung device."""

    def __init__(self, host: Host, lease: Lease) -> None:
        super().__init__(host)
        self.sock, self.peer = socket.socketpair()
        lease.on_abort(lambda: self.sock.shutdown(socket.SHUT_RDWR))

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        if self.sock.recv(1) == b"":
            raise ConnectionLostError("the session broke")
        return ""


def test_a_hung_host_is_cut_off_at_its_deadline() -> None:
    result = execute(
        _item(), lambda h, c, lease: HangingConnection(h, lease), Policy(host_timeout=0.3)
    )
    assert result.failure == "host_timeout"
    assert result.steps[0].failure == "host_timeout" and "deadline of 0.3s" in (result.error or "")


def test_a_step_failed_by_the_deadline_keeps_everything_it_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deadline changes a failed step's cause only: what the step had recorded before
    the watchdog cut its session (outputs, checks, parsed data, diff, note, save_to) stays."""
    leases: list[Lease] = []
    recorded = StepResult(
        task="a",
        kind=TaskKind.SHOW,
        commands=("show version",),
        status=Status.FAILED,
        outputs=("Version 15.2",),
        failure=FailureClass.CONNECTION_LOST,
        error="the session broke",
        started=1.0,
        duration=2.0,
        checks=(CheckResult(name="version", status=CheckStatus.PASS, evidence="15.2"),),
        parsed=({"version": "15.2"},),
        diff="+ logging host 192.0.2.9",
        note="partial",
        save_to="backups/h0.txt",
    )

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        leases.append(lease)
        return FakeConnection(host)

    def cut_by_the_watchdog(*args: object) -> StepResult:
        leases[0].abort()  # the deadline passed while the step ran
        return recorded

    monkeypatch.setattr(phases, "run_step", cut_by_the_watchdog)  # where steps are run
    step = execute(_item(), connect, Policy(host_timeout=60)).steps[0]
    assert step.failure == "host_timeout" and "deadline of 60s" in (step.error or "")
    assert step == dataclasses.replace(recorded, failure=step.failure, error=step.error)


def test_logins_in_flight_never_exceed_the_gate() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}
    entered = threading.Barrier(3, timeout=5)

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        with lease.login_slot():  # as NetmikoConnection.open does, after the TCP connect
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            with contextlib.suppress(threading.BrokenBarrierError):
                entered.wait()  # three logins must be able to overlap...
            with lock:
                state["now"] -= 1
        return FakeConnection(host)

    policy = Policy(max_logins=3)
    limits = RunLimits.start(policy)  # the run's gate, shared by its hosts
    results: list[object] = []
    scheduler.run(
        [_item(f"h{n}") for n in range(12)],
        lambda item: execute(item, connect, policy, limits=limits),
        8,
        results.append,
    )
    assert len(results) == 12 and state["peak"] == 3  # ...and never a fourth


def test_connect_stage_failures_are_retried_but_not_authentication() -> None:
    attempts = {"limit": 0, "auth": 0}

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        attempts[host.name] += 1
        if host.name == "auth":
            raise AuthenticationError("authentication failed")
        if attempts["limit"] < 3:
            raise SessionLimitError("session limit reached")
        return FakeConnection(host)

    policy = Policy(retries=2, backoff=0.001)
    assert execute(_item("limit"), connect, policy).status is Status.OK
    assert execute(_item("auth"), connect, policy).failure == "auth_failed"
    assert attempts == {"limit": 3, "auth": 1}


def test_batches_and_threshold() -> None:
    assert [len(b) for b in batches(list(range(10)), Amount.parse("30%", "--serial"))] == [
        3,
        3,
        3,
        1,
    ]
    assert [len(b) for b in batches(list(range(5)), Amount.parse("2", "--serial"))] == [2, 2, 1]
    assert over(Amount.parse("1", "--max-fail"), 2, 4) and not over(Amount(1), 1, 4)
    assert over(Amount.parse("20%", "--max-fail"), 2, 5) is True


def test_rollout_stops_before_the_next_batch_and_says_why(
    inventory_file: Path, write: Write
) -> None:
    job = write("j.yaml", "tasks:\n  - config: [x]\n")

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        if host.name == "r1":
            raise AuthenticationError("authentication failed")
        return FakeConnection(host)

    options = core.RunOptions(
        workers=1,
        reports_dir=inventory_file.parent / "reports",
        serial=Amount(1),
        max_fail=Amount(0),
    )
    report = core.run(
        core.select(job, inventory_file), options, connect=connect, environ={"TEST_PASSWORD": "x"}
    )
    assert report.stopped and "batch 1 of 3" in report.stopped
    assert report.hosts["r1"].failed
    assert {report.hosts[n].status for n in ("r2", "r3")} == {Status.SKIPPED}


def test_retry_failed_runs_only_what_did_not_succeed(inventory_file: Path, write: Write) -> None:
    job = write("j.yaml", "tasks:\n  - show: x\n")
    reports = inventory_file.parent / "reports"

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        if host.name == "r2":
            raise AuthenticationError("authentication failed")
        return FakeConnection(host)

    selection = core.select(job, inventory_file)
    core.run(
        selection,
        core.RunOptions(reports_dir=reports),
        connect=connect,
        environ={"TEST_PASSWORD": "x"},
    )
    again = only_unfinished(selection, reports)
    assert [h.name for h in again.hosts] == ["r2"]


def test_retry_failed_with_only_unknown_hosts_left_is_not_called_a_success(
    inventory_file: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21, item 8: after a run whose last result for a host is `unknown` (a cluster
    lost it), --retry-failed leaves it out (a person decides), and says so: never "nothing
    to retry ... succeeded" with exit 0."""
    import json

    from runner.cli import main

    job = write("j.yaml", "tasks:\n  - show: x\n")
    reports = inventory_file.parent / "reports"
    selection = core.select(job, inventory_file)
    core.run(
        selection,
        core.RunOptions(reports_dir=reports),
        connect=lambda host, credentials, lease: FakeConnection(host),
        environ={"TEST_PASSWORD": "x"},
    )
    report_file = (reports / "j" / "latest" / "report.json").resolve()
    report = json.loads(report_file.read_text())
    # as a cluster run records a host whose result never came back
    report["hosts"]["r2"].update(status="failed", failure="unknown", error="lost")
    report_file.write_text(json.dumps(report))
    assert [h.name for h in only_unfinished(selection, reports).hosts] == []
    args = ["run", str(job), "-i", str(inventory_file), "--reports", str(reports)]
    code = main([*args, "--retry-failed"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "succeeded" not in out.split("nothing run", 1)[0]
    assert "is unknown" in out and "r2" in out
