"""Pre-checks, post-checks and until: as logic, over in-memory connections: the judgement
of the post-checks that a confirm step asks for (runner.run.phases.post_check_failure),
where the checks stand among a host's steps, a dry run's post-checks, and an until:
step's wait ended by the host's deadline."""

from __future__ import annotations

import threading
from pathlib import Path

from fakes import FakeConnection

from runner.base.errors import CommandRejectedError
from runner.base.models import Credentials, Host, Status, StepResult, TaskKind, WorkItem
from runner.device import capabilities
from runner.device.connection import Connector
from runner.device.lease import Lease
from runner.load.job import load_job
from runner.render.expansion import expand
from runner.run import phases, until
from runner.run.executor import Policy, execute

JOB = """
hosts: all
pre_checks:
  - name: before
    show: show clock
    checks: [{contains: clock}]
post_checks:
  - name: after
    show: show ntp
    checks: [{contains: synchronised}]
tasks:
  - name: look
    show: show version
  - name: ntp
    config: ["ntp server 192.0.2.10"]
  - name: last look
    show: show version
rescue:
  - name: evidence
    show: show logging
"""


def _items(tmp_path: Path, *names: str) -> list[WorkItem]:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    hosts = [Host(name=name, address="192.0.2.1") for name in names]
    return expand(load_job(path), hosts, {}, capable=capabilities)


def test_checks_stand_around_the_config_tasks_and_rescue_comes_last(tmp_path: Path) -> None:
    (item,) = _items(tmp_path, "h1")
    assert [s.task for s in item.steps] == [
        "look",
        "before",
        "ntp",
        "after",
        "last look",
        "evidence",
    ]


def _connector(ntp: dict[str, str]) -> Connector:
    """FakeConnections whose `show ntp` says what `ntp` gives for their host."""

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        outputs = {"show clock": "clock 10:00", "show ntp": ntp.get(host.name, "")}
        return FakeConnection(host, outputs=outputs)

    return connect


def test_post_check_failure_says_why_on_the_failing_host_only(tmp_path: Path) -> None:
    good, bad = _items(tmp_path, "good", "bad")
    connect = _connector({"good": "synchronised", "bad": "clock is not in sync, stratum 16"})
    results = {i.host.name: execute(i, connect, Policy(retries=0)) for i in (good, bad)}
    assert results["good"].status is Status.CHANGED
    assert phases.post_check_failure(good.steps, results["good"].steps) is None
    why = phases.post_check_failure(bad.steps, results["bad"].steps)
    assert why is not None and "post-check 'after' failed (post_check_failed" in why
    assert results["bad"].failure == "post_check_failed"
    steps = {s.task: s for s in results["bad"].steps}
    assert steps["evidence"].status is Status.OK  # the rescue ran
    assert steps["last look"].status is Status.SKIPPED


def test_a_dry_run_does_not_judge_post_checks(tmp_path: Path) -> None:
    (item,) = _items(tmp_path, "h1")
    result = execute(item, _connector({}), Policy(retries=0, dry_run=True))
    steps = {s.task: s for s in result.steps}
    assert steps["after"].status is Status.SKIPPED and "--check" in (steps["after"].note or "")
    assert result.status is Status.CHANGED  # would change; nothing judged it wrong
    assert phases.post_check_failure(item.steps, result.steps) is None


def test_post_checks_that_did_not_run_are_no_pass(tmp_path: Path) -> None:
    (item,) = _items(tmp_path, "h1")
    assert "did not run" in (phases.post_check_failure(item.steps, []) or "")


def test_an_until_wait_ends_when_the_host_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "tasks:\n  - show: show bgp\n    until: [{contains: Established}]\n"
        "    retries: 5\n    delay: 3600\n"
    )
    (item,) = expand(
        load_job(path), [Host(name="h1", address="192.0.2.1")], {}, capable=capabilities
    )
    step = item.steps[0]
    looks: list[int] = []

    def look() -> StepResult:
        looks.append(1)
        return StepResult(
            task=step.task, kind=TaskKind.SHOW, commands=(), status=Status.OK, outputs=("Idle",)
        )

    stopped = threading.Event()
    stopped.set()  # the host's deadline passed: no hour-long wait, no next look
    answer: list[StepResult] = []
    waiter = threading.Thread(
        target=lambda: answer.append(until.repeat(look, step, "cisco_ios", stopped.wait))
    )
    waiter.start()
    waiter.join(timeout=60)
    assert not waiter.is_alive() and len(looks) == 1
    assert answer[0].status is Status.FAILED and answer[0].failure == "until_failed"
    assert "after 1 looks" in (answer[0].error or "")


def test_a_rescue_stops_at_its_first_failure_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "tasks:\n  - name: ntp\n    show: show ntp\n    until: [{contains: sync}]\n"
        "    retries: 0\nrescue:\n  - name: undo\n    show: show undo\n"
        "  - name: evidence\n    show: show logging\n"
    )
    (item,) = expand(
        load_job(path), [Host(name="h1", address="192.0.2.1")], {}, capable=capabilities
    )

    def connect(host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        refused = CommandRejectedError("the device refused 'show undo'")
        return FakeConnection(host, fail_on={"show undo": refused})

    result = execute(item, connect, Policy(retries=0))
    assert result.status is Status.FAILED and result.failure == "until_failed"
    assert "rescue task 'undo' failed too" in (result.error or "")
    steps = {s.task: s for s in result.steps}
    assert steps["evidence"].status is Status.SKIPPED
    assert steps["evidence"].note == "rescue: an earlier rescue task failed"
