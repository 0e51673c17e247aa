"""With the password `admin`, device output is kept as plain netmiko reads it, byte for
byte (`administratively down`, `admin down`, `admin state is up`) in outputs, backups and
parsed rows, while the password
itself is masked where it stands as the secret (netmiko's -vv log of the enable secret)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lab_fixture import as_text, connect, start_lab

from netjob_lab.inventory import inventory_yaml
from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

NETJOB = [sys.executable, "-c", "from runner.cli import entry; entry()"]
PASSWORD = "admin"  # a lab's credentials are configurable: the most common weak one
SHOWS = {
    "cisco_ios": ["show interfaces", "show ip interface brief", "show interfaces description"],
    "arista_eos": ["show interfaces", "show ip interface brief"],
    "cisco_nxos": ["show interface", "show running-config"],
}


def test_outputs_are_plain_netmikos_byte_for_byte_with_the_password_admin(
    tmp_path: Path,
) -> None:
    platforms = list(SHOWS)
    job = tmp_path / "shows.yaml"
    backup = {
        "name": "backup",
        "show": "show ip interface brief",
        "parse": "textfsm",
        "save_to": "backups/{{ host.name }}.txt",
        "when": "host.platform == 'cisco_ios'",
    }
    job.write_text(yaml.safe_dump({"tasks": [{"name": "shows", "show": SHOWS}, backup]}))
    reports = tmp_path / "reports"
    with start_lab(devices=3, platforms=platforms, password=PASSWORD, secret=PASSWORD) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        done = subprocess.run(  # in tmp_path: save_to writes backups/ there
            [*NETJOB, "run", str(job), "-i", str(inventory), "--reports", str(reports), "-vv"],
            env={
                **os.environ,
                "NETJOB_LAB_PASSWORD": PASSWORD,
                "NETJOB_LAB_SECRET": PASSWORD,
                "NO_COLOR": "1",
            },
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        plain: dict[str, list[str]] = {}
        for n, platform in enumerate(platforms, 1):
            with connect(lab, f"r{n:03d}") as conn:
                conn.enable()
                plain[platform] = [as_text(conn.send_command(c)) for c in SHOWS[platform]]
    run = reports / "shows" / "latest"
    for n, platform in enumerate(platforms, 1):
        outputs = load_host(run, f"r{n:03d}")["steps"][0]["outputs"]
        assert outputs == plain[platform], platform
    # The backup and the parsed rows, as the device said them.
    brief = plain["cisco_ios"][1]
    saved = (tmp_path / "backups" / "r001.txt").read_text()
    assert saved == "\n".join(line.rstrip() for line in brief.splitlines()) + "\n"
    rows = load_host(run, "r001")["steps"][1]["parsed"]
    assert "administratively down" in [row["status"] for row in rows], rows
    words = "\n".join(text for texts in plain.values() for text in texts)
    assert "administratively down" in words and "admin down" in words
    assert "admin state is up" in words
    # Said once, at load, without the value.
    note = "netjob: note: the password of r001, r002, r003; the secret of r001, r002, r003: short"
    assert done.stderr.count(note) == 1
    # The secret itself, sent after the device's `Password:`, is masked in netmiko's log.
    assert "write_channel: b'********\\n'" in done.stderr
    assert "b'admin" not in done.stderr
