"""Jump hosts end to end over real netmiko: lab devices reachable only through a bastion,
the lab's own and a real OpenSSH sshd (Debian's openssh-server), alone and chained; all
sessions through one bastion share ONE SSH connection to it, counted on the bastion; a
bastion that is down fails its hosts fast, naming it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lab_fixture import start_lab
from ssh_fixture import OpenSSHBastion, inventory, key_pair, owned_by_sshd, run

from netjob_lab.bastion import LabBastion

pytestmark = pytest.mark.lab


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("JUMP_PASSWORD", "jump-password")


PASSWORD = {"password_env": "NETJOB_LAB_PASSWORD"}


def _lab_jump(bastion: LabBastion) -> dict[str, object]:
    return {
        "address": "127.0.0.1",
        "port": bastion.port,
        "username": "jump",
        "password_env": "JUMP_PASSWORD",
    }


def test_a_hidden_device_is_unreachable_without_its_bastion(tmp_path: Path) -> None:
    with start_lab(devices=1, hidden=["r001"]) as lab:
        code, report = run(
            tmp_path, inventory(lab, {**PASSWORD, "connection": {"conn_timeout": 2}})
        )
        assert code == 1
        assert report["hosts"]["r001"]["status"] == "failed"


def test_200_devices_through_one_lab_bastion_open_one_connection_to_it(tmp_path: Path) -> None:
    names = [f"r{i:03d}" for i in range(1, 201)]
    with start_lab(devices=200, hidden=names) as lab, LabBastion(lab) as bastion:
        text = inventory(lab, {**PASSWORD, "jump": _lab_jump(bastion)})
        code, report = run(tmp_path, text, "--workers", "50", "--processes", "1")
        assert code == 0, [h for h in report["hosts"].values() if h["status"] != "ok"][:2]
        assert len(report["hosts"]) == 200
        assert bastion.connections == 1
        assert bastion.channels == 200


def test_a_bastion_that_is_down_fails_its_hosts_fast_naming_it(tmp_path: Path) -> None:
    down = {"address": "127.0.0.1", "port": 1, "username": "jump", "password_env": "JUMP_PASSWORD"}
    with start_lab(devices=20, hidden=[f"r{i:03d}" for i in range(1, 21)]) as lab:
        started = time.monotonic()
        code, report = run(tmp_path, inventory(lab, {**PASSWORD, "jump": down}), "--retries", "0")
        took = time.monotonic() - started
    assert code == 1
    for host in report["hosts"].values():
        assert host["failure"] == "jump_failed", host
        assert "bastion jump@127.0.0.1:1 cannot be reached" in host["error"]
    assert took < 8
    # With --retries, a host behind a bastion known down is not retried (the bastion was,
    # once, for all of them); its one failure, shared by every host through it, says once
    # that it was tried again, and collects no host's count.
    with start_lab(devices=4, hidden=[f"r{i:03d}" for i in range(1, 5)]) as lab:
        options = ("--retries", "1", "--workers", "4")
        code, report = run(tmp_path, inventory(lab, {**PASSWORD, "jump": down}), *options)
    assert code == 1
    for host in report["hosts"].values():
        assert host["error"].count("tried again") == 1, host["error"]
        assert "attempts" not in host["error"], host["error"]


def test_a_device_behind_a_real_openssh_bastion(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        with start_lab(devices=3, hidden=["r001", "r002", "r003"]) as lab:
            lab.gates.append(owned_by_sshd)
            text = inventory(lab, {**PASSWORD, "jump": [sshd.jump(tmp_path / "id_bastion")]})
            code, report = run(tmp_path, text)
            assert code == 0, report
        assert sshd.connections() == 1


def test_a_chain_of_two_bastions_openssh_then_the_labs(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        # The lab bastion itself takes connections only from sshd: the chain's order.
        with (
            start_lab(devices=2, hidden=["r001", "r002"]) as lab,
            LabBastion(lab, gate=owned_by_sshd) as second,
        ):
            chain = [sshd.jump(tmp_path / "id_bastion"), _lab_jump(second)]
            code, report = run(tmp_path, inventory(lab, {**PASSWORD, "jump": chain}))
            assert code == 0, report
            assert second.connections == 1 and second.channels == 2
        assert sshd.connections() == 1


def test_200_devices_through_openssh_open_one_connection_to_it(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        with start_lab(devices=200) as lab:
            text = inventory(lab, {**PASSWORD, "jump": sshd.jump(tmp_path / "id_bastion")})
            code, report = run(tmp_path, text, "--workers", "50", "--processes", "1")
            assert code == 0, [h for h in report["hosts"].values() if h["status"] != "ok"][:2]
        assert sshd.connections() == 1


def test_ssh_config_proxyjump_is_read(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public]) as sshd:
        config = tmp_path / "ssh_config"
        config.write_text(
            f"Host bastion\n  Hostname 127.0.0.1\n  Port {sshd.port}\n  User root\n"
            f"  IdentityFile {tmp_path / 'id_bastion'}\n"
            "Host 127.0.0.1\n  ProxyJump bastion\n"
        )
        with start_lab(devices=2, hidden=["r001", "r002"]) as lab:
            lab.gates.append(owned_by_sshd)
            code, report = run(tmp_path, inventory(lab, PASSWORD), "--ssh-config", str(config))
            assert code == 0, report
        assert sshd.connections() == 1
