"""A bastion that is down, refuses us, stops answering or speaks only old algorithms, end to
end over real netmiko, with Debian's OpenSSH sshd (or a port that closes every connection)
as the bastion: the bastion is tried once (and once more when another try may help), never
once per host; its hosts fail `jump_failed` naming it and the cause; a frozen bastion ends
the run within its timeouts; a bastion takes its own `ssh:` algorithms."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import load_report, start_lab
from ssh_fixture import (
    JOB,
    CountingListener,
    OpenSSHBastion,
    inventory,
    key_pair,
    owned_by_sshd,
    run,
)

from netjob_lab import Lab
from runner.base.errors import JumpFailedError
from runner.base.models import ConnectionOptions, Credentials, Host, JumpHost
from runner.device.connection import NetmikoConnection
from runner.device.lease import Lease

pytestmark = pytest.mark.lab

PASSWORD = {"password_env": "NETJOB_LAB_PASSWORD"}


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")


def _hidden(count: int) -> list[str]:
    return [f"r{i:03d}" for i in range(1, count + 1)]


def test_a_dead_bastion_is_tried_twice_for_all_its_hosts_and_they_fail_at_once(
    tmp_path: Path,
) -> None:
    # Its port takes TCP connections and closes them: no SSH. Counted there.
    with CountingListener() as dead, start_lab(devices=12, hidden=_hidden(12)) as lab:
        jump = {"address": "127.0.0.1", "port": dead.port, "username": "jump"}
        text = inventory(lab, {**PASSWORD, "jump": jump})
        code, report = run(tmp_path, text, "--workers", "4", "--processes", "1")
        tried = dead.accepted
    assert code == 1
    assert len(report["hosts"]) == 12
    for host in report["hosts"].values():
        assert host["failure"] == "jump_failed", host
        assert f"bastion jump@127.0.0.1:{dead.port} did not set up SSH" in host["error"]
        assert "tried again 1s later" in host["error"], host["error"]
        # Not retried per host (--retries is 2 by default): the bastion was, once.
        assert "attempts" not in host["error"], host["error"]
    assert tried == 2


def test_a_bastion_that_refuses_the_login_is_asked_once_for_all_its_hosts(
    tmp_path: Path,
) -> None:
    key_pair(tmp_path / "id_bastion")
    other = key_pair(tmp_path / "id_other")  # the only key the bastion accepts
    with OpenSSHBastion(tmp_path / "sshd", [other]) as sshd:
        with start_lab(devices=10, hidden=_hidden(10)) as lab:
            text = inventory(lab, {**PASSWORD, "jump": sshd.jump(tmp_path / "id_bastion")})
            code, report = run(tmp_path, text, "--workers", "4", "--processes", "1")
        asked = sshd.connections()
    assert code == 1
    for host in report["hosts"].values():
        assert host["failure"] == "jump_failed", host
        assert f"bastion root@127.0.0.1:{sshd.port} refused the login of root" in host["error"]
        assert "attempts" not in host["error"], host["error"]
    # Another try would be refused the same (and may count against a lockout).
    assert asked == 1


def _wait_for(found: Any, bound: float, what: str) -> None:
    """Poll `found()` until true, within `bound` seconds (a bounded wait on an event
    outside this process)."""
    deadline = time.monotonic() + bound
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {bound:g}s")
        time.sleep(0.01)


@pytest.mark.timeout(240)
def test_a_bastion_that_stops_answering_ends_the_run_within_its_timeouts(
    tmp_path: Path,
) -> None:
    """sshd SIGSTOPped once the run's first host reached its device through it: the
    connection to it stays open and says nothing. Every host behind it fails (the ones in
    flight blaming the bastion), and the run ends within a bound made of the timeouts,
    not one host timeout after another."""
    hosts, workers, host_timeout, conn_timeout = 32, 4, 20, 3
    public = key_pair(tmp_path / "id_bastion")
    options = {"conn_timeout": conn_timeout, "auth_timeout": 5}
    with (
        OpenSSHBastion(tmp_path / "sshd", [public]) as sshd,
        start_lab(devices=hosts, hidden=_hidden(hosts)) as lab,
    ):
        lab.gates.append(owned_by_sshd)
        text = inventory(
            lab,
            {**PASSWORD, "jump": sshd.jump(tmp_path / "id_bastion"), "connection": options},
        )
        limits = ("--workers", str(workers), "--processes", "1")
        run = _start_run(tmp_path, text, *limits, "--host-timeout", str(host_timeout))
        try:
            _wait_for(lambda: _logins(lab) > 0, 60, "login through the bastion")
            sshd.freeze()
            bound = host_timeout + 3 * conn_timeout + 30
            code = run.wait(bound)  # subprocess.TimeoutExpired: the run hangs on it
        finally:
            if run.poll() is None:
                run.kill()
                run.wait(10)
    assert code == 1, (tmp_path / "run.log").read_text()
    report = load_report(tmp_path / "reports", "job")
    assert len(report["hosts"]) == hosts
    failed = [h for h in report["hosts"].values() if h["status"] == "failed"]
    assert len(failed) >= hosts - workers  # at most the first few finished before it froze
    named = f"bastion root@127.0.0.1:{sshd.port} stopped answering"
    for host in failed:
        assert host["failure"] in ("jump_failed", "host_timeout"), host
        assert host["failure"] == "host_timeout" or named in host["error"], host


@pytest.mark.parametrize(
    ("fault", "blamed", "cause"),
    [
        ("kill", "the connection to bastion root@127.0.0.1:{port} ended", "connection_lost"),
        ("freeze", "bastion root@127.0.0.1:{port} stopped answering", "command_timeout"),
    ],
)
def test_a_session_cut_by_its_bastion_blames_the_bastion(
    tmp_path: Path, fault: str, blamed: str, cause: str
) -> None:
    """A logged-in session to r001 through sshd, over real netmiko; then sshd is killed
    (its connections reset) or frozen (they say nothing), and the next command fails
    naming the bastion, not the device."""
    public = key_pair(tmp_path / "id_bastion")
    with (
        OpenSSHBastion(tmp_path / "sshd", [public]) as sshd,
        start_lab(devices=1, hidden=["r001"]) as lab,
    ):
        lab.gates.append(owned_by_sshd)
        endpoint = lab.endpoints[0]
        hop = JumpHost(
            address="127.0.0.1",
            port=sshd.port,
            username=sshd.user,
            key_file=str(tmp_path / "id_bastion"),
        )
        host = Host(
            name=endpoint.hostname,
            address=endpoint.host,
            port=endpoint.port,
            connection=ConnectionOptions(jump=(hop,), conn_timeout=3),
        )
        credentials = Credentials(lab.config.username, lab.config.password)
        connection = NetmikoConnection.open(host, credentials, Lease())
        assert "r001" in connection.send_show("show version", 10, None)
        getattr(sshd, fault)()
        with pytest.raises(JumpFailedError) as info:
            connection.send_show("show version", 3, None)
        connection.close()
    said = str(info.value)
    assert blamed.format(port=sshd.port) in said, said
    assert f"it cut the session to the device during 'show version' ({cause}: " in said


def _logins(lab: Lab) -> int:
    return sum(len(lab.auth_attempts(e.hostname)) for e in lab.endpoints)


def _start_run(tmp_path: Path, text: str, *extra: str) -> subprocess.Popen[bytes]:
    """`netjob run` in its own process (as users run it), on a show job."""
    (tmp_path / "job.yaml").write_text(JOB)
    (tmp_path / "inv.yaml").write_text(text)
    netjob = str(Path(sys.executable).with_name("netjob"))
    command = [netjob, "run", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "inv.yaml")]
    command += ["--reports", str(tmp_path / "reports"), "-q", *extra]
    with (tmp_path / "run.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=log, env=dict(os.environ))


LEGACY = "KexAlgorithms diffie-hellman-group14-sha1\n"


def test_a_legacy_bastion_is_used_with_its_own_ssh_algorithms(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with (
        OpenSSHBastion(tmp_path / "sshd", [public], extra=LEGACY) as sshd,
        start_lab(devices=2, hidden=_hidden(2)) as lab,
    ):
        lab.gates.append(owned_by_sshd)
        jump = {
            **sshd.jump(tmp_path / "id_bastion"),
            "ssh": {"kex": ["diffie-hellman-group14-sha1"]},
        }
        code, report = run(tmp_path, inventory(lab, {**PASSWORD, "jump": jump}))
    assert code == 0, report
    assert sshd.connections() == 1


def test_a_bastion_with_no_algorithm_in_common_says_what_it_offers(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_bastion")
    with OpenSSHBastion(tmp_path / "sshd", [public], extra=LEGACY) as sshd:
        with start_lab(devices=3, hidden=_hidden(3)) as lab:
            text = inventory(lab, {**PASSWORD, "jump": sshd.jump(tmp_path / "id_bastion")})
            code, report = run(tmp_path, text)
        asked = sshd.connections()
    assert code == 1
    for host in report["hosts"].values():
        assert host["failure"] == "jump_failed", host
        assert (
            f"bastion root@127.0.0.1:{sshd.port}: no kex algorithm in common with it: it "
            "offers only diffie-hellman-group14-sha1" in host["error"]
        ), host["error"]
        assert "ssh: {kex: [diffie-hellman-group14-sha1]}" in host["error"]
    assert asked == 1  # another try would say the same


def test_a_bastion_algorithm_paramiko_cannot_speak_is_refused_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with CountingListener() as bastion, start_lab(devices=1, hidden=_hidden(1)) as lab:
        jump = {"address": "127.0.0.1", "port": bastion.port, "ssh": {"kex": ["rot13"]}}
        code, _ = run(tmp_path, inventory(lab, {**PASSWORD, "jump": jump}))
        assert bastion.accepted == 0
    assert code == 2
    said = capsys.readouterr().err
    assert f"bastion 127.0.0.1:{bastion.port}: paramiko cannot speak ssh.kex: rot13" in said
