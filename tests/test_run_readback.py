"""A run folder with no report.json read back (runner.report.readback), from a folder a
RunWriter made: still going, killed (with and without its journal of started hosts), and
`--retry-failed` refused the hosts of a live run; and a host whose start cannot be
journaled is not contacted. The end-to-end story, with a real run
killed, is tests/test_run_readback_end_to_end.py."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import jsonschema
import pytest
from fake_runs import SCHEMA
from fakes import FakeFleet

from runner import core
from runner.base.errors import FailureClass, InputError, ReportWriteError
from runner.base.models import Host, HostResult, Job, Status, WorkItem
from runner.base.redact import Redactor
from runner.base.run_layout import STARTED
from runner.base.run_owner import record_start
from runner.report.document import report_json
from runner.report.history import latest_attempts, report_data
from runner.report.outcome import PastRun
from runner.report.run_folder import RunWriter
from runner.run import runners


def _run(tmp_path: Path, journal: bool = True) -> Path:
    """r1 finished, r2 taken by a worker, r3 never: the run's process is this one."""
    job_file = tmp_path / "job.yaml"
    job_file.write_text("tasks: []\n")
    writer = RunWriter(tmp_path / "reports", Job(name="job", path=job_file), Redactor([]))
    writer.begin(["r1", "r2", "r3"], journal=journal)
    writer.hosts = {"r1": Host(name="r1", address="192.0.2.1", platform="arista_eos")}
    if writer.started_log is not None:
        record_start(writer.started_log, "r1")
        record_start(writer.started_log, "r2")
    writer.host_done(HostResult(host="r1", status=Status.OK, started=1.0, duration=1.0))
    return writer.run_dir


def _killed(run: Path, **recorded: object) -> Path:
    """As if its process were gone: run.json naming a pid no process has (or as `recorded`)."""
    manifest = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**manifest, "pid": 0, **recorded}))
    return run


def test_a_killed_run_tells_in_flight_hosts_from_hosts_never_started(tmp_path: Path) -> None:
    doc = report_data(_killed(_run(tmp_path)))
    jsonschema.validate(report_json(doc), SCHEMA)
    hosts = doc.hosts
    assert hosts["r1"].status is Status.OK
    # What its host file says of the host itself, as report.json would have said it.
    assert (hosts["r1"].transport, hosts["r1"].platform) == ("ssh", "arista_eos")
    assert (hosts["r2"].status, hosts["r2"].failure) == (Status.FAILED, FailureClass.UNKNOWN)
    assert hosts["r2"].started is not None
    assert (hosts["r3"].status, hosts["r3"].failure) == (Status.SKIPPED, FailureClass.INTERRUPTED)
    assert hosts["r3"].started is None
    assert doc.interrupted and doc.running is None
    assert doc.stopped is not None and "1 were in flight (unknown), 1 never started" in doc.stopped


def test_a_killed_run_with_no_journal_says_which_hosts_started_is_not_known(
    tmp_path: Path,
) -> None:
    run = _killed(_run(tmp_path, journal=False))
    assert not (run / STARTED).exists()
    doc = report_data(run)
    for name in ("r2", "r3"):  # as before the journal: no host read as never started
        assert (doc.hosts[name].status, doc.hosts[name].failure) == (
            Status.FAILED,
            FailureClass.INTERRUPTED,
        )
    assert doc.stopped is not None and "which of the others had started is not known" in (
        doc.stopped
    )


def test_a_live_run_reads_as_running_and_refuses_retry_failed_for_its_hosts(
    tmp_path: Path,
) -> None:
    run = _run(tmp_path)
    past = PastRun(run, report_data(run), cut_short=True)
    assert past.exit_code == 5 and not past.report.interrupted and past.stopped is None
    assert list(past.report.hosts) == ["r1"]
    assert past.running is not None and "1 in flight, 1 not started yet" in past.running
    jsonschema.validate(past.document, SCHEMA)
    assert past.document["running"]["in_flight"] == ["r2"]

    job = tmp_path / "job.yaml"
    with pytest.raises(InputError, match=r"is still going \(pid \d+ .*2 of these hosts \(r2, r3\)"):
        latest_attempts(tmp_path / "reports", job, {"r1", "r2", "r3"})
    # A host the live run has finished is not its any more.
    assert latest_attempts(tmp_path / "reports", job, {"r1"})[0] == {"r1": "ok"}


class JournalGone:
    """Threads, after the run's journal of started hosts is removed (a full disk, a folder
    cleaned under a running netjob): no host can be recorded as started."""

    local = True

    def __init__(self, fleet: FakeFleet) -> None:
        self.threads = runners.Threads(workers=2, connect=fleet, grace=1.0)

    def preflight(self, items: Sequence[WorkItem], serial: object) -> None:
        return None

    def __call__(self, items: Sequence[WorkItem], batch: runners.Batch) -> bool:
        assert batch.policy.started_log is not None
        batch.policy.started_log.unlink()
        return self.threads(items, batch)


def test_a_host_whose_start_cannot_be_journaled_is_not_contacted(tmp_path: Path) -> None:
    job = tmp_path / "job.yaml"
    job.write_text("tasks:\n  - show: show version\n")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "defaults: {platform: cisco_ios, username: u, password: p}\n"
        "hosts: {r1: {address: 192.0.2.1}, r2: {address: 192.0.2.2}}\n"
    )
    fleet = FakeFleet()
    options = core.RunOptions(reports_dir=tmp_path / "reports", html=False)
    with pytest.raises(ReportWriteError, match="cannot append to the journal of started hosts"):
        core.run(core.select(job, [inventory]), options, runner=JournalGone(fleet))
    assert not fleet.opened
    (run,) = (tmp_path / "reports" / "job").glob("2*")
    hosts = json.loads((run / "report.json").read_text())["hosts"]
    assert {h["status"] for h in hosts.values()} == {"skipped"}
    assert all(h["error"].startswith("not run: ") for h in hosts.values())


def test_a_run_of_another_machine_is_not_read_as_killed_without_saying_so(
    tmp_path: Path,
) -> None:
    run = _killed(_run(tmp_path), pid=os.getpid(), machine="another-machine")
    doc = report_data(run)
    assert doc.running is None and doc.stopped is not None
    assert doc.stopped.startswith(
        f"cut short, or still going elsewhere: its process (pid {os.getpid()} on "
        "another-machine) cannot be asked here"
    )
