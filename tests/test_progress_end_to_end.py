"""What a person sees: a live bar in a terminal, plain lines in a pipe (cron, CI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

NETJOB = f"{sys.executable} -c 'from runner.cli import entry; entry()'"


def test_live_bar_in_a_terminal_and_plain_lines_in_a_pipe(tmp_path: Path) -> None:
    assert shutil.which("script"), "needs util-linux's `script` for a pseudo-terminal"
    job = tmp_path / "j.yaml"
    job.write_text(
        "tasks:\n  - name: version\n    show: show version\n"
        "  - name: interfaces\n    show: show ip interface brief\n"
    )
    env = {
        **os.environ,
        "NETJOB_LAB_PASSWORD": "lab-password",
        "NETJOB_LAB_SECRET": "lab-enable",
        "COLUMNS": "120",
    }
    env.pop("NO_COLOR", None)
    with start_lab(devices=200, latency_ms=5) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        command = f"{NETJOB} run {job} -i {inventory} --reports {tmp_path / 'r'} --workers 50 -v"
        tty = subprocess.run(
            ["script", "-q", "-e", "-c", command, "/dev/null"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        piped = subprocess.run(
            [
                *NETJOB_ARGS,
                "run",
                str(job),
                "-i",
                str(inventory),
                "--reports",
                str(tmp_path / "r"),
                "--workers",
                "50",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert tty.returncode == 0, tty.stdout[-2000:]
    assert "200/200" in tty.stdout and "hosts/s" in tty.stdout and "in flight" in tty.stdout
    assert "\x1b[" in tty.stdout  # a terminal gets the live display
    assert "interfaces" in tty.stdout or "version" in tty.stdout  # -v: in-flight tasks
    assert piped.returncode == 0, piped.stderr
    assert "\x1b" not in piped.stdout and "hosts/s" not in piped.stdout
    lines = [line for line in piped.stdout.splitlines() if line.startswith("ok ")]
    assert len(lines) == 200  # one plain line per host


NETJOB_ARGS = [sys.executable, "-c", "from runner.cli import entry; entry()"]


@pytest.mark.parametrize("joined", [False, True], ids=["stdout", "stdout and stderr"])
def test_a_reader_that_leaves_the_pipe_never_ends_a_push(tmp_path: Path, joined: bool) -> None:
    """`netjob run ... | head -1`: rich ended the process at the next line it printed
    (SystemExit(1)): the push stopped between devices, no report.json, hosts unknown.
    With `2>&1 | head -1` the note on stderr meets the closed pipe too."""
    job = tmp_path / "ntp.yaml"
    job.write_text("tasks:\n  - config: [ntp server 192.0.2.31]\n")
    env = {**os.environ, "NETJOB_LAB_PASSWORD": "lab-password", "NETJOB_LAB_SECRET": "lab-enable"}
    # One host at a time, each slowed by the lab: lines come one by one, long after the
    # reader has gone (a pipe holds 64 KB: a fast run would have written them all).
    with start_lab(devices=6, latency_ms=150) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        reports = tmp_path / "r"
        args = ["run", str(job), "-i", str(inventory), "--reports", str(reports)]
        run = subprocess.Popen(
            [*NETJOB_ARGS, *args, "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if joined else subprocess.PIPE,
            text=True,
        )
        assert run.stdout is not None
        first = run.stdout.readline()
        run.stdout.close()  # the reader leaves, as head -1 does
        code = run.wait(timeout=120)
        stderr = run.stderr.read() if run.stderr is not None else ""
        configs = [lab.device(e.hostname).running_config() for e in lab.endpoints]
    assert first.startswith("changed"), first
    assert code == 0, stderr
    if not joined:
        assert "stdout was closed (its reader left); the run goes on" in stderr
    report = json.loads((reports / "ntp" / "latest" / "report.json").read_text())
    assert report["summary"]["changed"] == 6, report["summary"]
    assert all("ntp server 192.0.2.31" in config for config in configs)
