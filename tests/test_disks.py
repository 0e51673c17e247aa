"""Disks that refuse: the reports folder is checked before any device is contacted, and a
write error mid-run ends the run in one line, exit 4, with what could be written kept and
no half-written or temporary file left.

Without root tricks (the tests may run as root, where chmod does not stop writes), a full
or read-only disk is simulated with RLIMIT_FSIZE in a subprocess: with SIGXFSZ ignored,
a write past the limit fails with EFBIG, as a full disk fails with ENOSPC.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lab_fixture import run_cli, start_lab

from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.base.errors import ExitCode
from runner.report.run_folder import job_folder

pytestmark = pytest.mark.lab

JOB = "tasks:\n  - name: config\n    show: show running-config\n"
# Added to the environment of each run, read when it starts: a copy of os.environ taken at
# import would miss the test's own known-hosts file (conftest sets it per test) and learn
# lab keys in ~/.netjob, where a key from an earlier lab on a reused port reads as
# host_key_changed.
ENV = {"NETJOB_LAB_PASSWORD": "lab-password", "NETJOB_LAB_SECRET": "lab-enable"}


def _limited(max_file_bytes: int) -> Callable[[], None]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return limit


def _netjob(args: list[str], max_file_bytes: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from runner.cli import entry; entry()", *args],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited(max_file_bytes),
    )


def _untouched_inventory(tmp_path: Path) -> tuple[Path, socket.socket]:
    """An inventory whose one host is a socket this test listens on, never accepting: a
    connection attempt would show in its backlog."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "defaults: {username: netjob, password_env: NETJOB_LAB_PASSWORD}\n"
        f"hosts:\n  r001: {{address: 127.0.0.1, port: {port}}}\n"
    )
    return inventory, listener


def _never_contacted(listener: socket.socket) -> bool:
    try:
        listener.accept()
    except BlockingIOError:
        return True
    finally:
        listener.close()
    return False


def test_a_reports_folder_that_takes_no_file_fails_before_any_device_is_contacted(
    tmp_path: Path,
) -> None:
    # Simulates a read-only or full file system: every file write fails (RLIMIT_FSIZE 0).
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    inventory, listener = _untouched_inventory(tmp_path)
    reports = tmp_path / "reports"
    done = _netjob(["run", str(job), "-i", str(inventory), "--reports", str(reports)], 0)
    assert done.returncode == int(ExitCode.REPORT_NOT_WRITTEN) == 4, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"the reports folder {reports} cannot be written: File too large" in done.stderr
    assert _never_contacted(listener)
    assert list(reports.iterdir()) == []  # the test file is gone too


def test_a_file_where_the_reports_folder_should_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    inventory, listener = _untouched_inventory(tmp_path)
    reports = tmp_path / "reports"
    reports.write_text("not a folder\n")
    assert run_cli(job, inventory, reports) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"the reports folder {reports} cannot be written" in err
    assert _never_contacted(listener)


def test_a_folder_named_latest_fails_before_any_device_is_contacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the whole run, then IsADirectoryError when `latest` was pointed at it.
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    inventory, listener = _untouched_inventory(tmp_path)
    reports = tmp_path / "reports"
    latest = job_folder(reports, job) / "latest"
    latest.mkdir(parents=True)
    assert run_cli(job, inventory, reports) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{latest} is a folder" in err
    assert _never_contacted(listener)
    assert not list(latest.parent.glob("2*"))  # no run folder left behind


def test_new_reports_folders_are_private(tmp_path: Path) -> None:
    from runner.report.disk import ReportGuard

    ReportGuard(tmp_path / "a" / "b" / "reports")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "reports"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder


@pytest.mark.sessions
def test_a_disk_that_fills_mid_run_stops_starting_hosts_and_keeps_what_was_written(
    tmp_path: Path,
) -> None:
    # Simulates a disk that fills mid-run: files up to 1 MB can be written, and r003's
    # 3 MB running config makes its log the first file past that (EFBIG, a short write).
    # One worker; r004..r006 answer slowly (latency), so the stop is seen before r005.
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    faults = ["r003=big_config:3", *(f"r00{n}=latency:400" for n in (4, 5, 6))]
    with start_lab(devices=6, faults=parse_faults(faults)) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        args = ["run", str(job), "-i", str(inventory), "--reports", str(reports), "-w", "1"]
        done = _netjob([*args, "--no-color"], 1024 * 1024)
    assert done.returncode == 4, done.stderr
    error = done.stderr.strip().splitlines()
    assert len(error) == 1 and "Traceback" not in done.stderr, done.stderr
    assert error[0].startswith("netjob: error: a report file could not be written: File too")
    run = job_folder(reports, job) / "latest"
    report = json.loads((run / "report.json").read_text())
    hosts = report["hosts"]
    assert len(hosts) == 6 and report["stopped"].startswith("a report file could not be")
    for name in ("r001", "r002"):  # written before the disk filled: kept, complete
        assert hosts[name]["status"] == "ok"
        assert (run / hosts[name]["log"]).exists() and (run / hosts[name]["data"]).exists()
    # r003: no log without its json (the truncated log is removed), its result in the report
    assert hosts["r003"]["status"] == "ok"
    assert not (run / hosts["r003"]["log"]).exists() and not (run / hosts["r003"]["data"]).exists()
    for name in ("r005", "r006"):  # never started
        assert (
            hosts[name]["status"] == "skipped" and "not run: a report file" in hosts[name]["error"]
        )
    leftovers = [p for p in reports.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name]
    assert leftovers == []


def test_report_json_on_a_full_disk_leaves_no_temporary_file(tmp_path: Path) -> None:
    # Simulates a disk that fills at the end: every host file fits under the 100 KB limit,
    # report.json for 600 hosts does not. Fake connections: this is about the disk.
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from fakes import FakeFleet
from runner import core
from runner.base.errors import ReportWriteError
hosts = "".join(f"  h{{n}}: {{{{address: 127.0.0.1}}}}\\n" for n in range(600))
Path("inv.yaml").write_text("defaults: {{password: x}}\\nhosts:\\n" + hosts)
Path("job.yaml").write_text("tasks:\\n  - show: show version\\n")
selection = core.select(Path("job.yaml"), Path("inv.yaml"))
options = core.RunOptions(reports_dir=Path("reports"), html=False)
try:
    core.run(selection, options, connect=FakeFleet())
except ReportWriteError as exc:
    print(exc)
    sys.exit(4)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited(100 * 1024),
    )
    assert done.returncode == 4, done.stderr
    assert "report.json could not be written" in done.stdout
    run = next((tmp_path / "reports").glob("*/2*"))
    assert len(list((run / "hosts").glob("*.json"))) == 600  # every host file is complete
    assert [p for p in (tmp_path / "reports").rglob("*") if ".tmp" in p.name] == []
    assert not (run / "report.json").exists()
