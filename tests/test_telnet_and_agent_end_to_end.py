"""`transport: telnet` and `use_agent: true` end to end, over real netmiko on 127.0.0.1:
a lab device served over telnet (netjob_lab.telnetd) answers netmiko's cisco_ios_telnet
driver, and a real OpenSSH `ssh-agent` holds the only key a lab device accepts."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from lab_fixture import start_lab
from ssh_fixture import inventory, key_pair, run

pytestmark = pytest.mark.lab

TELNET = {"password": "lab-password", "transport": "telnet"}
UNENCRYPTED = "unencrypted: telnet sent the password and every command in clear text"


@pytest.mark.sessions
def test_a_telnet_host_runs_its_show_and_the_report_says_unencrypted(tmp_path: Path) -> None:
    with start_lab(devices=2, telnet=["r001"]) as lab:
        code, report = run(tmp_path, inventory(lab, {"password": "lab-password"}, {"r001": TELNET}))
        assert code == 0, report
        assert {h["status"] for h in report["hosts"].values()} == {"ok"}
        (step,) = report["hosts"]["r001"]["steps"]
        assert step["note"] == UNENCRYPTED
        (other,) = report["hosts"]["r002"]["steps"]
        assert "unencrypted" not in str(other.get("note"))  # r002 went over SSH
        log = (tmp_path / "reports" / "job" / "latest" / "hosts" / "r001.log").read_text()
        assert UNENCRYPTED in log
        assert "r001 uptime is" in log  # the lab's IOS shell answered, as over SSH
        assert lab.auth_attempts("r001") == [("password", "netjob")]
        assert lab.device("r001").logins == 1


def test_a_wrong_telnet_password_fails_auth_failed(tmp_path: Path) -> None:
    with start_lab(devices=1, telnet=["r001"]) as lab:
        wrong = {**TELNET, "password": "not-the-password"}
        code, report = run(tmp_path, inventory(lab, wrong))
        assert code != 0
        host = report["hosts"]["r001"]
        assert host["status"] == "failed", host
        assert host["failure"] == "auth_failed", host
        assert lab.device("r001").logins == 0


@contextmanager
def ssh_agent(folder: Path) -> Iterator[str]:
    """A real `ssh-agent -D` on a socket in `folder`; its SSH_AUTH_SOCK. The agent prints
    its environment once it listens: that line is the readiness signal (no polling)."""
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("needs OpenSSH's ssh-agent and ssh-add (apt-get install openssh-client)")
    socket = str(folder / "agent.sock")
    agent = subprocess.Popen(
        ["ssh-agent", "-D", "-a", socket], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert agent.stdout is not None
        said = agent.stdout.readline().decode()
        assert said.startswith(f"SSH_AUTH_SOCK={socket};"), said
        yield socket
    finally:
        agent.terminate()
        agent.wait(10)
        if agent.stdout is not None:
            agent.stdout.close()


def hand_over(key: Path, agent: str) -> None:
    """Add `key` to the agent listening on `agent`, then delete its file: only the agent
    has the key now."""
    subprocess.run(
        ["ssh-add", str(key)],
        env={"SSH_AUTH_SOCK": agent, "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=10,
    )
    key.unlink()


@pytest.mark.sessions
def test_use_agent_logs_in_with_the_agents_key_and_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = key_pair(tmp_path / "id_agent")
    with ssh_agent(tmp_path) as socket:
        hand_over(tmp_path / "id_agent", socket)
        monkeypatch.setenv("SSH_AUTH_SOCK", socket)
        with start_lab(devices=2, authorized_keys=[public]) as lab:
            code, report = run(tmp_path, inventory(lab, {"use_agent": True}))
            assert code == 0, report
            assert {h["status"] for h in report["hosts"].values()} == {"ok"}
            for name in lab.config.hostnames():
                assert {m for m, _ in lab.auth_attempts(name)} == {"publickey"}
                assert ("publickey", "netjob") in lab.auth_attempts(name)
