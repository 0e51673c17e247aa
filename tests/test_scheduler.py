from __future__ import annotations

import functools
import json
import stat
import threading
from pathlib import Path

import pytest
from fakes import FakeFleet
from fixture_types import Write

from runner import core
from runner.base.errors import AuthenticationError, CommandRejectedError, FailureClass
from runner.base.models import Host, HostResult, Job, Status, Step, Task, TaskKind, WorkItem
from runner.base.redact import Redactor
from runner.report.run_folder import RunWriter, safe_name
from runner.run import scheduler
from runner.run.executor import execute


def _items(count: int) -> list[WorkItem]:
    steps = (
        Step(task="a", kind=TaskKind.SHOW, commands=("show version",)),
        Step(task="b", kind=TaskKind.CONFIG, commands=("x",)),
    )
    return [WorkItem(Host(name=f"h{n}", address="192.0.2.1"), steps) for n in range(count)]


def test_every_host_gets_exactly_one_result_across_workers() -> None:
    fleet = FakeFleet()
    results: list[HostResult] = []
    stopped = scheduler.run(
        _items(50), functools.partial(execute, connect=fleet), 7, results.append
    )
    assert not stopped
    assert sorted(r.host for r in results) == sorted(f"h{n}" for n in range(50))
    assert all(r.status is Status.CHANGED for r in results)
    assert all(c.closed for c in fleet.opened.values())  # sessions closed when done


def test_one_failing_host_does_not_stop_the_others() -> None:
    fleet = FakeFleet(fail_connect={"h3": AuthenticationError("authentication failed")})
    results: dict[str, HostResult] = {}
    scheduler.run(
        _items(6),
        functools.partial(execute, connect=fleet),
        3,
        lambda r: results.__setitem__(r.host, r),
    )
    assert results["h3"].failure == "auth_failed" and results["h3"].status is Status.FAILED
    assert [s.status for s in results["h3"].steps] == [Status.SKIPPED, Status.SKIPPED]
    assert all(results[f"h{n}"].status is Status.CHANGED for n in (0, 1, 2, 4, 5))


def test_a_rejected_command_fails_its_step_and_skips_the_rest() -> None:
    fleet = FakeFleet(fail_on={"show version": CommandRejectedError("rejected: % Invalid input")})
    result = execute(_items(1)[0], fleet)
    assert [s.status for s in result.steps] == [Status.FAILED, Status.SKIPPED]
    assert result.failure == "command_rejected" and "% Invalid input" in (result.error or "")
    assert fleet.opened["h0"].closed


def test_a_bug_in_a_hosts_work_becomes_its_internal_error() -> None:
    def buggy(item: WorkItem) -> HostResult:
        if item.host.name == "h2":
            raise ZeroDivisionError("boom")
        return HostResult(host=item.host.name, status=Status.OK)

    results: dict[str, HostResult] = {}
    scheduler.run(_items(4), buggy, 2, lambda r: results.__setitem__(r.host, r))
    assert len(results) == 4
    assert results["h2"].failure == "internal_error" and "ZeroDivisionError" in (
        results["h2"].error or ""
    )


def test_interrupt_stops_new_hosts_and_accounts_for_every_host() -> None:
    release = threading.Event()

    def work(item: WorkItem) -> HostResult:
        if item.host.name != "h0":
            release.wait(10)  # a hung host: only the grace period ends it
        return HostResult(host=item.host.name, status=Status.OK)

    results: dict[str, HostResult] = {}

    def on_result(result: HostResult) -> None:
        results[result.host] = result
        if result.host == "h0":
            raise KeyboardInterrupt  # what Ctrl-C does to the main thread

    try:
        stopped = scheduler.run(_items(20), work, 2, on_result, grace=0.3)
    finally:
        release.set()
    assert stopped
    assert len(results) == 20 and results["h0"].status is Status.OK
    rest = [results[f"h{n}"] for n in range(1, 20)]
    assert all(r.failure == "interrupted" for r in rest)
    # The hosts in flight (h1, and h2 if h0's worker took it before the interrupt) were
    # cut off after the time they had; the hosts never started did not fail: skipped,
    # their reason the interrupt.
    flying = [r for r in rest if r.status is Status.FAILED]
    assert 1 <= len(flying) <= 2 and all("abandoned" in str(r.error) for r in flying)
    assert all(r.duration >= 0.25 for r in flying)
    skipped = [r for r in rest if r.status is Status.SKIPPED]
    assert len(skipped) == 19 - len(flying)
    assert all(r.error == scheduler.NOT_STARTED for r in skipped)


def test_run_folder_files_are_private_and_stay_inside(tmp_path: Path) -> None:
    job = Job(
        name="j",
        path=tmp_path / "job.yaml",
        tasks=(Task(name="a", kind=TaskKind.SHOW, lines=("x",)),),
    )
    writer = RunWriter(tmp_path / "reports", job, Redactor(["hunter2"]))
    writer.host_done(HostResult(host="../../etc/x", status=Status.OK))
    writer.host_done(
        HostResult(
            host="r1",
            status=Status.FAILED,
            failure=FailureClass.AUTH_FAILED,
            error="password hunter2 rejected",
        )
    )
    report = writer.finish()
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    owner = report.run_dir.parent / ".job"  # which job file the folder's runs are of
    assert files and all(report.run_dir in p.parents for p in files if p != owner)
    assert not (tmp_path / "etc").exists()
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    data = json.loads((report.run_dir / "report.json").read_text())
    assert set(data["hosts"]) == {"../../etc/x", "r1"}
    assert all("hunter2" not in p.read_text() for p in files)
    assert (tmp_path / "reports" / "job" / "latest").resolve() == report.run_dir.resolve()


@pytest.mark.parametrize("name", ["../../etc/x", "..", ".", "/abs", "a/b", "", "x\x00y"])
def test_safe_name_never_leaves_the_folder(name: str) -> None:
    cleaned = safe_name(name)
    assert "/" not in cleaned and not cleaned.startswith(".") and cleaned


def test_redactor_hides_credentials_and_device_secrets() -> None:
    redact = Redactor(["pa55word"]).text
    text = (
        "username admin privilege 15 secret 5 $1$abc$xyz\nsnmp-server community public RO\n"
        " password 7 0822455D0A16\nlogin pa55word\n key 7 1234ABCD\n"
    )
    out = redact(text)
    for secret in ("$1$abc$xyz", "public", "0822455D0A16", "pa55word", "1234ABCD"):
        assert secret not in out
    assert "snmp-server community ******** RO" in out and "secret 5 ********" in out


def test_run_through_core_with_fake_connections(inventory_file: Path, write: Write) -> None:
    job = write("j.yaml", "hosts: all\ntasks:\n  - show: show version\n")
    selection = core.select(job, inventory_file)
    fleet = FakeFleet(fail_connect={"r2": AuthenticationError("authentication failed")})
    report = core.run(
        selection,
        core.RunOptions(workers=2, reports_dir=inventory_file.parent / "reports"),
        connect=fleet,
        environ={"TEST_PASSWORD": "pw-xyz"},
    )
    assert [r.host for r in report.failed] == ["r2"]
    log = (report.run_dir / "hosts" / "r1.log").read_text()
    assert ">>> show version" in log and "r1: show version" in log


def test_values_of_secret_looking_variables_are_found_at_any_depth() -> None:
    from runner.base.redact import secret_values

    variables = {
        "ops_secret": "s1",
        "bgp": {"neighbors": [{"ip": "192.0.2.1", "password": "s2"}]},
        "snmp_community": "s3",
        "tacacs_key": 1234,
        "keyboard": "not a secret",
        "hostname": "r1",
        "enable_password_env": True,
    }
    assert sorted(secret_values(variables)) == ["1234", "s1", "s2", "s3"]
