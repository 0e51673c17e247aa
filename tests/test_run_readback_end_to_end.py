"""A run folder read back says what happened: `netjob run` in a subprocess against the lab
(real netmiko over real SSH), read by `netjob report` while it runs and after `kill -9`.

200 hosts, 5 workers: h0001-h0010 are on a device that answers at once, h0011-h0200 on one
that takes 10 minutes to accept a password (within the inventory's auth_timeout). Hosts
are taken in inventory order, so once the first 10 have their files, exactly h0011-h0015
are in flight (each holding a worker, its session to the slow device open) and
h0016-h0200 cannot have started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "schema" / "report.schema.json").read_text(encoding="utf-8")
)
ENV = {"NETJOB_LAB_PASSWORD": "lab-password", "NETJOB_LAB_SECRET": "lab-enable"}
HOSTS, FAST, WORKERS = 200, 10, 5
NAMES = [f"h{n:04d}" for n in range(1, HOSTS + 1)]
FINISHED, IN_FLIGHT, NEVER = NAMES[:FAST], NAMES[FAST : FAST + WORKERS], NAMES[FAST + WORKERS :]
LEFT = len(NEVER)  # 185


@pytest.fixture
def lab() -> Iterator[Lab]:
    with start_lab(devices=2, faults=parse_faults(["r002=login_latency:600000"])) as lab:
        yield lab


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


class Run:
    """`netjob run` on the lab in its own process, under way: the fast hosts' files written
    and the slow device holding one session per worker."""

    def __init__(self, tmp_path: Path, lab: Lab) -> None:
        self.job = tmp_path / "job.yaml"
        self.job.write_text("tasks:\n  - show: [show clock]\n")
        self.inventory = tmp_path / "inv.yaml"
        self.inventory.write_text(_inventory(lab))
        self.reports = tmp_path / "reports"
        self.common = ["-i", str(self.inventory), "--reports", str(self.reports)]
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-c", "from runner.cli import entry; entry()"),
                *("run", str(self.job), *self.common, "-q", "--workers", str(WORKERS)),
                *("--host-timeout", "900"),
            ],
            env={**os.environ, **ENV},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        slow = next(e.port for e in lab.endpoints if e.hostname == "r002")
        under_way = _poll(
            lambda: len(self.host_files()) == FAST and _sessions_to(slow) == WORKERS, 120
        )
        assert under_way, (self.host_files(), _sessions_to(slow), self.process.poll())
        self.run_dir = self.host_files()[0].parent.parent

    def host_files(self) -> list[Path]:
        return sorted((self.reports / "job").glob("2*/hosts/*.json"))

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        assert self.process.stderr is not None
        self.process.stderr.close()


def _inventory(lab: Lab) -> str:
    port = {e.hostname: e.port for e in lab.endpoints}
    lines = [
        "defaults:",
        "  username: netjob",
        "  password_env: NETJOB_LAB_PASSWORD",
        "  secret_env: NETJOB_LAB_SECRET",
        # The slow device's logins must never time out while the test looks at the run.
        "  connection: {conn_timeout: 30, auth_timeout: 900, read_timeout: 900}",
        "hosts:",
    ]
    for n, name in enumerate(NAMES):
        device = "r001" if n < FAST else "r002"
        lines.append(f"  {name}: {{address: 127.0.0.1, port: {port[device]}}}")
    return "\n".join(lines) + "\n"


def _poll(probe: Callable[[], Any], timeout: float) -> Any:
    """probe() until it is truthy, or its last value at the deadline (short waits between)."""
    deadline = time.monotonic() + timeout
    while not (value := probe()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def _sessions_to(port: int) -> int:
    """Established TCP connections to a lab device, from the kernel's table (the device's
    end of each: its local port is the device's)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        count += int(fields[1].split(":")[1], 16) == port and fields[3] == "01"
    return count


def _report(run: Run, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["report", str(run.job), "--reports", str(run.reports), *extra])
    return code, capsys.readouterr().out


def _report_json(run: Run, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """`netjob report --output json`: its exit code and its document, checked by the schema."""
    code, out = _report(run, capsys, "--output", "json")
    data: dict[str, Any] = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    return code, data


def test_a_run_killed_reads_back_finished_in_flight_and_never_started_hosts(
    tmp_path: Path, lab: Lab, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(tmp_path, lab)
    run.kill()

    code, out = _report(run, capsys)
    assert code == 130, out
    assert (
        f"{FAST} of {HOSTS} hosts had finished, {WORKERS} were in flight (unknown), "
        f"{LEFT} never started (skipped)"
    ) in out
    assert f"INTERRUPTED: {HOSTS} hosts: {FAST} ok, {LEFT} skipped (interrupted), 5 failed" in out

    code, data = _report_json(run, capsys)
    hosts = data["hosts"]
    assert code == 130 and data["interrupted"] is True and set(hosts) == set(NAMES)
    assert [n for n in NAMES if hosts[n]["status"] == "ok"] == FINISHED
    flying = [n for n in NAMES if hosts[n]["failure"] == "unknown"]
    assert flying == IN_FLIGHT, flying
    for name in IN_FLIGHT:
        assert hosts[name]["status"] == "failed" and hosts[name]["started"] is not None
        assert "in flight when the run was killed" in hosts[name]["error"]
    skipped = [n for n in NAMES if hosts[n]["status"] == "skipped"]
    assert skipped == NEVER
    for name in NEVER:
        assert hosts[name]["failure"] == "interrupted" and hosts[name]["started"] is None
        assert hosts[name]["error"].startswith("not started: the run was killed")
    assert data["summary"] == {
        "hosts": HOSTS,
        "ok": FAST,
        "changed": 0,
        "failed": WORKERS,
        "skipped": LEFT,
        "failures": {"unknown": WORKERS},
    }


def test_a_live_run_reads_as_running_and_keeps_its_hosts_from_retry_failed(
    tmp_path: Path, lab: Lab, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(tmp_path, lab)
    try:
        pid = run.process.pid
        code, out = _report(run, capsys)
        assert code == 5, out
        assert (
            f"still running (pid {pid} on {os.uname().nodename}): so far {FAST} of {HOSTS} "
            f"hosts finished, {WORKERS} in flight, {LEFT} not started yet"
        ) in out
        assert f"RUNNING, so far: {FAST} hosts: {FAST} ok, 0 failed" in out
        assert "cut short" not in out and "INTERRUPTED" not in out
        # Its folder, not a report.json it has not written yet.
        assert "run folder (no report.json): " in out and "report: " not in out

        code, data = _report_json(run, capsys)
        assert code == 5 and data["interrupted"] is False and data["stopped"] is None
        assert sorted(data["hosts"]) == FINISHED
        assert data["running"]["pid"] == pid
        assert data["running"]["in_flight"] == IN_FLIGHT
        assert data["running"]["pending"] == IN_FLIGHT + NEVER

        # --retry-failed would start hosts the live run still owns: refused, nothing run.
        runs_before = sorted((run.reports / "job").glob("2*"))
        code = main(["run", str(run.job), *run.common, "-q", "--retry-failed"])
        err = capsys.readouterr().err
        assert code == 2, err
        (line,) = err.splitlines()
        assert f"the run {run.run_dir} is still going (pid {pid} on" in line
        assert "h0011-h0200" in line and f"kill -INT {pid}" in line
        assert sorted((run.reports / "job").glob("2*")) == runs_before
        # Hosts it has finished are not its any more: nothing to retry there.
        code = main(["run", str(run.job), *run.common, "-q", "--retry-failed", "--limit", "h000*"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert f"run {run.run_dir}: still running (pid {pid}" in out and "nothing to retry" in out
    finally:
        run.kill()
