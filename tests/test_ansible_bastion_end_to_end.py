"""An Ansible inventory's bastion, end to end: `ansible_ssh_common_args: '-o ProxyJump=...'`
takes netjob through a real OpenSSH sshd (Debian's openssh-server) to lab devices that
accept connections from that sshd only. The bastion logs in as OpenSSH's ProxyJump does,
with the SSH agent (a real ssh-agent holding the bastion's key)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli, start_lab
from ssh_fixture import JOB, OpenSSHBastion, key_pair, needs_openssh, owned_by_sshd

from netjob_lab import Lab

pytestmark = pytest.mark.lab

PASSWORD = "\"{{ lookup('env', 'NETJOB_LAB_PASSWORD') }}\""


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real ssh-agent (foreground, its socket in tmp_path) as $SSH_AUTH_SOCK."""
    needs_openssh()
    socket = tmp_path / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():  # a bounded poll for the socket, not a sleep
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ssh-agent did not start")
            time.sleep(0.02)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket))
        yield socket
    finally:
        process.terminate()
        process.wait(10)


def _inventory(tmp_path: Path, lab: Lab, common_args: str) -> Path:
    lines = [
        "all:",
        "  vars:",
        f"    ansible_user: {lab.config.username}",
        f"    ansible_password: {PASSWORD}",
        "    ansible_network_os: cisco.ios.ios",
        f"    ansible_ssh_common_args: '{common_args}'",
        "  hosts:",
    ]
    for e in lab.endpoints:
        lines.append(f"    {e.hostname}: {{ansible_host: {e.host}, ansible_port: {e.port}}}")
    path = tmp_path / "inventory.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(tmp_path: Path, inventory: Path, *extra: str) -> tuple[int, dict[str, object]]:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "job.yaml").write_text(JOB)
    reports = tmp_path / "reports"
    code = run_cli(tmp_path / "job.yaml", inventory, reports, "-q", *extra)
    return code, load_report(reports, "job") if (reports / "job" / "latest").exists() else {}


def test_ansible_proxyjump_goes_through_the_openssh_bastion(
    tmp_path: Path, agent: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    public = key_pair(tmp_path / "id_bastion")
    env = {**os.environ, "SSH_AUTH_SOCK": str(agent)}
    subprocess.run(["ssh-add", "-q", str(tmp_path / "id_bastion")], env=env, check=True)
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        with start_lab(devices=2, hidden=["r001", "r002"]) as lab:
            lab.gates.append(owned_by_sshd)  # the devices answer the bastion only
            jump = f"-o ProxyJump={sshd.user}@127.0.0.1:{sshd.port} -o ControlMaster=auto"
            code, report = _run(tmp_path, _inventory(tmp_path, lab, jump))
            assert code == 0, report
            # Without the bastion the same devices cannot be reached: the jump was taken.
            direct = _inventory(tmp_path, lab, "-o ProxyJump=none -o ConnectTimeout=2")
            code, report = _run(tmp_path / "direct", direct, "--retries", "0")
            assert code == 1, report
        assert sshd.connections() == 1


def test_ansible_proxycommand_with_its_own_key_goes_through_the_openssh_bastion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # the key in the command, no agent
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        with start_lab(devices=1, hidden=["r001"]) as lab:
            lab.gates.append(owned_by_sshd)
            command = (
                f"ssh -W %h:%p -q -i {tmp_path / 'id_bastion'} -p {sshd.port} {sshd.user}@127.0.0.1"
            )
            code, report = _run(tmp_path, _inventory(tmp_path, lab, f'-o ProxyCommand="{command}"'))
            assert code == 0, report
        assert sshd.connections() == 1
