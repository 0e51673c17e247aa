"""What reaches the screen: no CryptographyDeprecationWarning from the lab's SSH stack, and
every `-vv` log line names the host it is about (paramiko's transport threads included)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
NETJOB = "from runner.cli import entry; entry()"
# asctime ("2026-12-07 09:58:00,123"), then the host, the thread and the logger.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (\S+) (\S+) (\S+): ")


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter with Python's default warning filters, on this tree's runner
    (whatever the venv installed)."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**environ, "PYTHONPATH": str(ROOT), **env},
    )


def test_the_lab_prints_no_cryptography_deprecation_warnings() -> None:
    done = python("import netjob_lab.server, netjob_lab.bastion, netjob_lab.sshd")
    assert done.returncode == 0, done.stderr
    assert "CryptographyDeprecationWarning" not in done.stderr, done.stderr


@pytest.mark.sessions
def test_every_vv_line_names_its_host(tmp_path: Path) -> None:
    with start_lab(devices=2) as lab:
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        done = python(
            NETJOB,
            "run",
            str(ROOT / "playbooks" / "show_version.yaml"),
            "-i",
            str(inventory),
            "--reports",
            str(tmp_path / "reports"),
            "-vv",
            NETJOB_LAB_PASSWORD=lab.config.password,
            NETJOB_LAB_SECRET=lab.config.secret,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    device_lines = [
        found.groups()
        for line in done.stderr.splitlines()
        if (found := LOG_LINE.match(line)) and found.group(3).startswith(("netmiko", "paramiko"))
    ]
    assert len(device_lines) > 20, done.stderr[:2000]
    assert {host for host, _, _ in device_lines} == {"r001", "r002"}
    # paramiko's transport threads (the SSH handshake) too, not only the workers, when the
    # session was paramiko's (CI's paramiko pass); libssh2 runs in the worker's own thread.
    report = next((tmp_path / "reports").glob("*/latest/report.json")).read_text()
    transports = {host["transport"] for host in json.loads(report)["hosts"].values()}
    assert len(transports) == 1, transports
    on_paramiko = transports == {"paramiko"}
    assert on_paramiko == (os.environ.get("NETJOB_TRANSPORT") == "paramiko"), transports
    threads = any(t.startswith("Thread-") and h == "r002" for h, t, _ in device_lines)
    assert threads == on_paramiko, device_lines[:20]
