"""A `linux` host, as netmiko's file_transfer() drives it: Debian's OpenSSH server on a
127.0.0.1 port, a key login, netmiko's Linux SCP class (`df`, `md5sum`) through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli
from ssh_fixture import OpenSSHBastion, key_pair

from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]


class LinuxHost(OpenSSHBastion):
    """The bastion's sshd with a terminal allowed: netmiko opens an interactive shell."""

    def __init__(self, folder: Path, public_keys: list[str]) -> None:
        super().__init__(folder, public_keys)
        self.config.write_text(self.config.read_text().replace("PermitTTY no", "PermitTTY yes"))


def test_put_to_a_linux_host_sends_and_verifies_the_file(tmp_path: Path) -> None:
    # Before: "putting payload.txt: Destination file system not specified" (netjob handed
    # netmiko's Linux class no folder, which replaced its own default, and netmiko asked
    # the shell's `dir` for one), where netmiko's file_transfer() puts the file.
    key = tmp_path / "key"
    public = key_pair(key)
    payload = tmp_path / "payload.txt"
    payload.write_text("netjob payload\n" * 100)
    dest = tmp_path / "on-the-host" / "payload.txt"
    dest.parent.mkdir()
    with LinuxHost(tmp_path / "sshd", [public]) as server:
        host = {
            **server.jump(key),
            "platform": "linux",
            "host_key_checking": "accept-new",
        }
        (tmp_path / "inv.yaml").write_text(json.dumps({"hosts": {"srv": host}}))
        put = {"src": str(payload), "dest": str(dest)}
        tasks = [{"name": "put", "put": put}, {"name": "again", "put": put}]
        (tmp_path / "job.yaml").write_text(json.dumps({"tasks": tasks}))
        code = run_cli(tmp_path / "job.yaml", tmp_path / "inv.yaml", tmp_path / "reports", "-q")
    report = load_report(tmp_path / "reports", "job")
    assert code == 0, report["hosts"]["srv"]
    sent, again = load_host(tmp_path / "reports" / "job" / "latest", "srv")["steps"]
    md5 = hashlib.md5(payload.read_bytes(), usedforsecurity=False).hexdigest()
    assert sent["status"] == "changed" and f"sent and verified: {dest}" in sent["note"]
    assert again["status"] == "ok" and "is there already" in again["note"], again
    assert md5 in sent["note"] and dest.read_bytes() == payload.read_bytes()
