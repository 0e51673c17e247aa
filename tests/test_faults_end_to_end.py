"""Every fault at once on a 20-device lab, through the real CLI, netmiko and SSH."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.base.redact import Redactor
from runner.cli import main
from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

FAULTS = {
    "r001": ("auth_fail", "auth_failed"),
    "r002": ("refuse", "unreachable"),
    "r003": ("silent", "connect_timeout"),
    "r004": ("hang", "login_timeout"),
    "r005": ("drop", "connection_lost"),
    "r006": ("session_limit:0", "session_limit"),
    "r007": ("reject:show running-config", "command_rejected"),
}
SLOW_BUT_HEALTHY = ["r008=latency:200", "r009=login_latency:400", "r010=big_config:10"]
# Short timeouts make the faulty hosts fail fast; the slow but healthy ones get timeouts of
# their own, generous enough for a loaded 2-core machine (a 10 MB config takes ~1 s idle,
# ~3 s with both cores busy), and the host timeout stays well above what a faulty host
# needs to fail on its own (~5 s for the silent one with its retry, more under load).
# conn_timeout bounds paramiko's key exchange too, and 20 at once on a loaded 2-core
# machine have taken over 2 s (r006, session-limited, then failed as connect_timeout):
# every host gets a generous one, and only the host whose fault is a silent SSH server
# a short one, to fail fast.
FAST = "  connection: {conn_timeout: 20, auth_timeout: 30, read_timeout: 30}\n"
GENEROUS = "    connection: {read_timeout: 60, auth_timeout: 30}\n"
# Only the host that logs in and never shows a prompt needs a short login bound to fail
# fast; the others fail by their own fault at once, and a loaded machine may take seconds
# to log a healthy (or session-limited) host in.
SHORT_LOGIN = {
    "r003": "    connection: {conn_timeout: 2}\n",
    "r004": "    connection: {auth_timeout: 2}\n",
}
HOST_TIMEOUT = 15.0
JOB = """\
tasks:
  - name: version
    show: show version
  - name: config
    show: show running-config
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


def _inventory(tmp_path: Path, lab: Lab) -> Path:
    text = inventory_yaml(lab.endpoints, lab.config).replace("defaults:\n", "defaults:\n" + FAST)
    for spec in SLOW_BUT_HEALTHY:
        host = spec.split("=")[0]
        text = text.replace(f"  {host}:\n", f"  {host}:\n{GENEROUS}")
    for host, options in SHORT_LOGIN.items():
        text = text.replace(f"  {host}:\n", f"  {host}:\n{options}")
    path = tmp_path / "inv.yaml"
    path.write_text(text)
    return path


def test_every_fault_at_once_then_retry_only_the_failed(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [f"{host}={fault}" for host, (fault, _) in FAULTS.items()] + SLOW_BUT_HEALTHY
    job = tmp_path / "audit.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    with start_lab(devices=20, faults=parse_faults(specs)) as lab:
        inventory = _inventory(tmp_path, lab)
        args = [
            "run",
            str(job),
            "-i",
            str(inventory),
            "--reports",
            str(reports),
            "--host-timeout",
            str(HOST_TIMEOUT),
            "--retries",
            "1",
            "-q",
        ]
        started = time.monotonic()
        assert main(args) == 1
        elapsed = time.monotonic() - started
        report = json.loads((reports / "audit" / "latest" / "report.json").read_text())
        assert len(report["hosts"]) == 20  # every host accounted for
        for host, (_, failure) in FAULTS.items():
            assert report["hosts"][host]["failure"] == failure, (host, report["hosts"][host])
            assert report["hosts"][host]["status"] == "failed"
        healthy = [h for h in report["hosts"] if h not in FAULTS]
        for host in healthy:
            assert report["hosts"][host]["status"] == "ok", report["hosts"][host]
            data = load_host(reports / "audit" / "latest", host)
            running = lab.device(host).running_config()
            output = data["steps"][1]["outputs"][0]
            expected = Redactor(["lab-password", "lab-enable"]).text(running.replace("\r\n", "\n"))
            assert expected.strip() in output  # all of it, its secrets masked
            assert "secret 5 ********" in output
            assert output.rstrip().endswith("end")
        # Bounded: one deadline plus netmiko's read timeout and the report, never minutes.
        assert elapsed < HOST_TIMEOUT + 20
        capsys.readouterr()

        assert main([*args, "--retry-failed"]) == 1
        again = json.loads((reports / "audit" / "latest" / "report.json").read_text())
        assert sorted(again["hosts"]) == sorted(FAULTS)


def test_sigint_mid_run_writes_a_partial_report_and_exits_130(tmp_path: Path) -> None:
    job = tmp_path / "slow.yaml"
    job.write_text("tasks:\n  - show: [show clock, show clock, show clock]\n")
    reports = tmp_path / "reports"
    with start_lab(devices=100, latency_ms=150) as lab:
        inventory = _inventory(tmp_path, lab)
        env = {
            **os.environ,
            "NETJOB_LAB_PASSWORD": "lab-password",
            "NETJOB_LAB_SECRET": "lab-enable",
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from runner.cli import entry; entry()",
                "run",
                str(job),
                "-i",
                str(inventory),
                "--reports",
                str(reports),
                "--workers",
                "10",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        finished = 0
        for line in proc.stdout:  # wait for real progress, not for a clock
            finished += line.startswith("ok")
            if finished >= 5:
                break
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert time.monotonic() - sent < 10 + 5  # the default grace period, and a margin
    report = json.loads((reports / "slow" / "latest" / "report.json").read_text())
    assert report["interrupted"] is True and len(report["hosts"]) == 100
    statuses = [h["status"] for h in report["hosts"].values()]
    assert statuses.count("ok") >= finished
    for name, host in report["hosts"].items():
        assert host["status"] == "ok" or host["failure"] == "interrupted", (name, host)
        if host["status"] == "ok":
            log = (reports / "slow" / "latest" / host["log"]).read_text()
            assert log.count(">>> show clock") == 3
