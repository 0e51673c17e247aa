"""What a person sees: a live bar in a terminal, plain lines in a pipe (cron, CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml

pytestmark = pytest.mark.lab

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
