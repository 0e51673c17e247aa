"""Confirm or revert on the device's own timer (`--confirm`), through real netmiko over
real SSH to the lab, whose devices run each platform's timer for real (netjob_lab.revert)
at a test-only clock speed: a change whose session the device cut right after the commit
is never confirmed and is reverted by the device itself; the others are confirmed from a
fresh login; a run killed with kill -9 after its commits leaves every device to revert."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.bastion import LabBastion
from netjob_lab.device import Device
from netjob_lab.faults import parse_faults
from runner.cli import main

pytestmark = pytest.mark.lab

ENV = {
    "NETJOB_LAB_PASSWORD": "lab-password",
    "NETJOB_LAB_SECRET": "lab-enable",
    "JUMP_PASSWORD": "jump-password",
}
PLATFORMS = ("cisco_ios", "arista_eos", "cisco_xr", "juniper_junos")
JOB = """\
name: loopback
hosts: all
tasks:
  - name: loopback
    config:
      ios: [interface Loopback77, description change-under-timer]
      eos: [interface Loopback77, description change-under-timer]
      iosxr: [interface Loopback77, description change-under-timer]
      junos: [set interfaces lo0 description change-under-timer]
"""


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def _inventory(tmp_path: Path, lab: Lab, auth_timeout: float = 10) -> Path:
    numbers = dict(zip(lab.config.hostnames(), lab.config.numbers(), strict=True))
    lines = [
        "defaults:",
        "  username: netjob",
        "  password_env: NETJOB_LAB_PASSWORD",
        "  secret_env: NETJOB_LAB_SECRET",
        f"  connection: {{conn_timeout: 10, auth_timeout: {auth_timeout}, read_timeout: 30}}",
        "hosts:",
    ]
    for name, host, port in lab.endpoints:
        platform = lab.config.platform_of(numbers[name])
        lines.append(f"  {name}: {{address: {host}, port: {port}, platform: {platform}}}")
    path = tmp_path / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _archived(lab: Lab) -> Lab:
    """IOS's revert timer needs `archive` / `path`, configured beforehand as on a real
    device (every other platform needs nothing)."""
    for name in lab.config.hostnames():
        device = lab.device(name)
        if isinstance(device, Device) and device.platform == "cisco_ios":
            device.config.archive_path = "flash:netjob-archive"
    return lab


def _config(lab: Lab, name: str) -> str:
    """The device's running config, without Junos' `## Last commit` stamp (a revert is a
    commit of its own)."""
    text = lab.device(name).running_config()
    return "\n".join(line for line in text.splitlines() if not line.startswith("## Last"))


def _wait(probe: Callable[[], Any], timeout: float) -> Any:
    """probe() until truthy or the bound passes; its last value."""
    deadline = time.monotonic() + timeout
    while not (value := probe()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def _report(reports: Path) -> dict[str, Any]:
    """report.json of the job's latest run."""
    data: dict[str, Any] = json.loads((reports / "loopback" / "latest" / "report.json").read_text())
    return data


def _hosts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(report["hosts"])


@pytest.mark.sessions
def test_cut_hosts_revert_by_themselves_the_others_are_confirmed(tmp_path: Path) -> None:
    """30 hosts, a third of them cut right after the commit, each platform at its shortest
    timer (seconds on EOS and IOS-XR, a whole minute on IOS and Junos)."""
    names = [f"r{i:03d}" for i in range(1, 31)]
    cut = names[::3]
    faults = parse_faults([f"{name}=cut_after_commit:40" for name in cut])
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    # At 3 times real speed: 10 s for a 30 s timer, 20 s for a minute, room enough for a
    # loaded machine to confirm in time; the cut lasts 13 s.
    with start_lab(devices=30, platforms=PLATFORMS, faults=faults, clock_speed=3.0) as lab:
        _archived(lab)
        inventory = _inventory(tmp_path, lab)
        before = {name: _config(lab, name) for name in names}
        # One run, each platform at its shortest timer: seconds on EOS and IOS-XR, a whole
        # minute on IOS and Junos.
        timers = "ios=1m,junos=1m,eos=30s,iosxr=30s"
        code = run_cli(job, inventory, reports, "--confirm", timers)
        assert code == 1  # the cut hosts were not confirmed: never a success
        outcomes = _hosts(_report(reports))
        assert sorted(outcomes) == names
        for name in names:
            host = outcomes[name]
            step = host["steps"][0]
            if name in cut:
                assert host["status"] == "failed", host
                assert step["confirm"] in ("reverted", "unknown"), step
                assert step["status"] != "changed"
                # Read from the device after its timer: the previous config, whole.
                assert _config(lab, name) == before[name], name
                assert lab.device(name).revert.reverts == 1
            else:
                assert host["status"] == "changed", host
                assert step["confirm"] == "confirmed", step
                assert "change-under-timer" in _config(lab, name)
                assert lab.device(name).revert.confirms == 1
                assert not lab.device(name).revert.pending
        # A second identical run changes nothing on the confirmed hosts.
        confirmed = [name for name in names if name not in cut]
        run_cli(job, inventory, reports, "--confirm", timers)
        again = _hosts(_report(reports))
        for name in confirmed:
            assert again[name]["status"] == "ok", (name, again[name])
            assert again[name]["steps"][0]["note"].endswith("unchanged"), again[name]
            assert "confirm" not in again[name]["steps"][0]


def _netjob(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from runner.cli import entry; entry()", *args],
        env={**os.environ, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: kill -9 of every netjob process
    )


def _kill_after_commits(tmp_path: Path, lab: Lab, timer: str) -> tuple[Path, Path]:
    """`netjob run --confirm` in its own processes, kill -9 of all of them once every
    device has committed (its fresh login for the confirmation is slowed by the lab's
    login latency, so the kill comes first)."""
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    inventory = _inventory(tmp_path, lab, auth_timeout=60)
    names = lab.config.hostnames()
    committed = {name: False for name in names}
    for name in names:
        lab.device(name).revert.on_commit = lambda n=name: committed.__setitem__(n, True)
    args = ("run", str(job), "-i", str(inventory), "--reports", str(reports), "-q")
    process = _netjob(tmp_path, *args, "--confirm", timer)
    try:
        assert _wait(lambda: all(committed.values()), 120), committed
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        assert process.stderr is not None
        process.stderr.close()
    run_dir = next((reports / "loopback").glob("2*"))
    return run_dir, inventory


@pytest.mark.sessions
def test_a_run_killed_after_its_commits_leaves_every_device_to_revert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = parse_faults([f"r00{i}=login_latency:10000" for i in range(1, 5)])
    with start_lab(devices=4, platforms=PLATFORMS, faults=faults, clock_speed=4.0) as lab:
        _archived(lab)
        before = {name: _config(lab, name) for name in lab.config.hostnames()}
        run_dir, inventory = _kill_after_commits(tmp_path, lab, "1m")
        # Killed between commit and confirm: every host reads as unknown until checked.
        capsys.readouterr()
        assert main(["report", str(run_dir), "--output", "json"]) != 0  # killed: 130
        hosts = json.loads(capsys.readouterr().out)["hosts"]
        for name in before:
            assert hosts[name]["failure"] == "unknown", hosts[name]
            assert "revert timer" in hosts[name]["error"]
        # The devices revert by themselves when their timers run out (15 s here, where a
        # live netjob would have confirmed 10 s after each commit).
        assert _wait(lambda: all(lab.device(n).revert.reverts == 1 for n in before), 120)
        for name, config in before.items():
            assert _config(lab, name) == config, name
            assert lab.device(name).revert.confirms == 0
        # `netjob verify` looks, and the report says what it saw.
        assert main(["verify", str(run_dir), "-i", str(inventory)]) == 1
        out = capsys.readouterr().out
        assert [line.split()[0] for line in out.splitlines()[:4]] == ["reverted"] * 4, out
        assert main(["report", str(run_dir), "--output", "json"]) != 0
        hosts = json.loads(capsys.readouterr().out)["hosts"]
        assert {h["failure"] for h in hosts.values()} == {"reverted"}


@pytest.mark.sessions
def test_netjob_confirm_finishes_what_a_killed_run_left_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = parse_faults(["r001=login_latency:6000", "r002=login_latency:6000"])
    platforms = ("cisco_ios", "juniper_junos")
    with start_lab(devices=2, platforms=platforms, faults=faults) as lab:  # real-time timers
        _archived(lab)
        run_dir, inventory = _kill_after_commits(tmp_path, lab, "5m")
        assert all(lab.device(n).revert.pending for n in ("r001", "r002"))
        capsys.readouterr()
        assert main(["confirm", str(run_dir), "-i", str(inventory)]) == 0
        out = capsys.readouterr().out
        assert [line.split()[0] for line in out.splitlines()[:2]] == ["confirmed"] * 2, out
        for name in ("r001", "r002"):
            assert lab.device(name).revert.confirms == 1
            assert not lab.device(name).revert.pending
            assert "change-under-timer" in _config(lab, name)
        main(["report", str(run_dir), "--output", "json"])  # a killed run: 130 all the same
        hosts = json.loads(capsys.readouterr().out)["hosts"]
        assert {h["status"] for h in hosts.values()} == {"changed"}


def test_the_fresh_login_that_confirms_goes_through_the_same_bastion(tmp_path: Path) -> None:
    """Devices reachable only through a bastion: each is confirmed from a second login,
    a new channel through that bastion (a new TCP connection to the device)."""
    names = ["r001", "r002"]
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    with (
        start_lab(devices=2, platforms=PLATFORMS[:2], hidden=names) as lab,
        LabBastion(lab) as jump,
    ):
        _archived(lab)
        inventory = _inventory(tmp_path, lab)
        jump_to = "{address: 127.0.0.1, port: %s, username: jump, password_env: JUMP_PASSWORD}"
        text = inventory.read_text().replace("hosts:\n", f"  jump: {jump_to % jump.port}\nhosts:\n")
        inventory.write_text(text)
        code = run_cli(job, inventory, tmp_path / "reports", "--confirm", "1m")
        report = _report(tmp_path / "reports")
        assert code == 0, report
        for name in names:
            assert report["hosts"][name]["steps"][0]["confirm"] == "confirmed"
            assert lab.device(name).revert.confirms == 1
            assert lab.device(name).logins == 2  # the change's session, then the fresh one
        assert jump.channels == 4


@pytest.mark.sessions
def test_a_failing_post_check_leaves_the_host_to_revert(tmp_path: Path) -> None:
    """The job's post_checks: judge the network right after the change: a host whose
    check fails is never confirmed (it fails post_check_failed, its change `reverted` by
    the device), the other is confirmed."""
    job = tmp_path / "loopback.yaml"
    job.write_text(
        JOB.replace(
            "tasks:\n",
            "post_checks:\n"
            "  - name: hostname is r002\n"
            "    show: show running-config | include hostname\n"
            "    checks: [{contains: hostname r002}]\n"
            "tasks:\n",
            1,
        )
    )
    with start_lab(devices=2, platforms=("cisco_ios",), clock_speed=6.0) as lab:
        _archived(lab)
        before = _config(lab, "r001")
        inventory = _inventory(tmp_path, lab)
        code = run_cli(job, inventory, tmp_path / "reports", "--confirm", "1m")
        hosts = _hosts(_report(tmp_path / "reports"))
        assert code == 1
        failed = hosts["r001"]
        assert failed["failure"] == "post_check_failed", failed
        timed = failed["steps"][0]
        assert timed["confirm"] == "reverted" and timed["failure"] == "reverted", timed
        assert "not confirmed: post-check 'hostname is r002' failed" in timed["error"]
        assert _config(lab, "r001") == before and lab.device("r001").revert.confirms == 0
        assert hosts["r002"]["status"] == "changed"
        assert hosts["r002"]["steps"][0]["confirm"] == "confirmed"


@pytest.mark.sessions
def test_a_run_stopped_while_it_waits_on_a_timer_says_unknown_not_interrupted(
    tmp_path: Path,
) -> None:
    """Ctrl-C twice (stop, then end the grace) while netjob waits to see a cut device
    revert: the host's result says its change is under the device's timer, `unknown`."""
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    faults = parse_faults(["r001=cut_after_commit:600"])
    with start_lab(devices=1, faults=faults) as lab:
        _archived(lab)
        committed: list[bool] = []
        device = lab.device("r001")
        cut = device.revert.on_commit  # the fault's: kept, and the test told
        assert cut is not None

        def on_commit() -> None:
            committed.append(True)
            cut()

        device.revert.on_commit = on_commit
        inventory = _inventory(tmp_path, lab)
        args = ("run", str(job), "-i", str(inventory), "--reports", str(reports), "-q")
        process = _netjob(tmp_path, *args, "--confirm", "1m", "--processes", "1")
        try:
            assert _wait(lambda: bool(committed), 120)
            os.kill(process.pid, signal.SIGINT)  # stop: no new host, in-flight ones finish
            os.kill(process.pid, signal.SIGINT)  # and the grace period ends at once
            assert process.wait(60) == 130
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            assert process.stderr is not None
            process.stderr.close()
    report = _report(reports)
    host = report["hosts"]["r001"]
    assert host["failure"] == "unknown", host
    assert "left under the device's revert timer" in host["error"], host


@pytest.mark.sessions
def test_ios_without_an_archive_path_refuses_the_timer_and_nothing_is_left_pending(
    tmp_path: Path,
) -> None:
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        before = _config(lab, "r001")
        assert run_cli(job, _inventory(tmp_path, lab), reports, "--confirm", "1m") == 1
        host = _report(reports)
        failed = host["hosts"]["r001"]
        assert failed["failure"] == "command_rejected", failed
        # The device's own words, not netmiko's "Failed to enter configuration mode" with
        # a hint about privileges (a README walk was sent the wrong way by it).
        assert "Archive path not configured" in failed["error"], failed["error"]
        assert "revert timer 1" in failed["steps"][0]["commands"][0], failed["steps"][0]
        assert "confirm" not in failed["steps"][0]  # no timer ever ran
        assert not lab.device("r001").revert.pending
        assert _config(lab, "r001") == before
        assert not list((reports / "loopback" / "latest" / "confirm").glob("*.json"))


@pytest.mark.sessions
def test_save_config_saves_once_confirmed_and_a_refused_save_fails_the_step(
    tmp_path: Path,
) -> None:
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB + "    save_config: true\n")
    faults = parse_faults(["r002=reject:write memory", "r002=reject:copy running-config"])
    with start_lab(devices=2, platforms=("cisco_ios",), faults=faults) as lab:
        _archived(lab)
        code = run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", "--confirm", "1m")
        hosts = _hosts(_report(tmp_path / "reports"))
        assert code == 1
        saved = hosts["r001"]["steps"][0]
        assert saved["status"] == "changed" and saved["confirm"] == "confirmed", saved
        assert saved["note"].endswith("then saved")
        assert "change-under-timer" in lab.device("r001").startup_config
        refused = hosts["r002"]["steps"][0]
        assert refused["confirm"] == "confirmed" and refused["failure"] == "command_rejected"
        assert "but the save failed" in refused["error"], refused
        assert "change-under-timer" in _config(lab, "r002")  # kept: the confirmation stands


@pytest.mark.sessions
def test_a_change_holding_secrets_is_judged_by_its_other_lines_and_never_writes_them(
    tmp_path: Path,
) -> None:
    """Devices show a secret hashed, never as sent: the lines holding one are left out of
    the look at the device (which would always miss them), and out of the record."""
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(
        "tasks:\n  - config: [username ops privilege 15 secret Op-Secret-1,"
        " interface Loopback78, ' description with-secret']\n"
    )
    only = tmp_path / "only.yaml"
    only.write_text("tasks:\n  - config: [username ops2 privilege 15 secret Op-Secret-2]\n")
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        _archived(lab)
        inventory = _inventory(tmp_path, lab)
        for job in (mixed, only):
            assert run_cli(job, inventory, reports, "--confirm", "1m") == 0
            report = json.loads((reports / job.stem / "latest" / "report.json").read_text())
            step = report["hosts"]["r001"]["steps"][0]
            assert step["confirm"] == "confirmed", step
            record = (reports / job.stem / "latest" / "confirm" / "r001.json").read_text()
            assert "Op-Secret" not in record and "********" in record, record
        assert "not read back" in step["note"], step  # the change was all secrets


@pytest.mark.sessions
def test_the_shipped_confirmed_push_is_confirmed_on_every_platform_with_a_timer(
    tmp_path: Path,
) -> None:
    """playbooks/set_ntp_confirmed.yaml as the README runs it: its post-check read IOS-XR's
    running config with `| include ntp`, which shows only the `ntp` line there (the
    servers are nested): every XR host failed its post-check and reverted."""
    job = Path(__file__).resolve().parent.parent / "playbooks" / "set_ntp_confirmed.yaml"
    with start_lab(devices=4, platforms=PLATFORMS, clock_speed=4.0) as lab:
        _archived(lab)
        inventory = _inventory(tmp_path, lab)
        reports = tmp_path / "reports"
        code = run_cli(job, inventory, reports, "-e", "ntp_server=192.0.2.10", "--confirm", "1m")
        report = json.loads((reports / job.stem / "latest" / "report.json").read_text())
        outcomes = _hosts(report)
    assert code == 0, outcomes
    assert len(outcomes) == 4
    for name, host in outcomes.items():
        assert host["status"] == "changed", (name, host)
        assert host["steps"][0]["confirm"] == "confirmed", (name, host["steps"][0])
    # The host log says what was sent: the timer's commands as well as the change's line,
    # and the confirmation the fresh login sent (before, only the line was there).
    sent = {  # platform: (the timer's command, the confirmation)
        "cisco_ios": (">>> configure terminal revert timer 1", "(configure confirm)"),
        "arista_eos": (">>> commit timer 00:01:00", " commit)"),
        "cisco_xr": (">>> commit confirmed 60", "(commit)"),
        "juniper_junos": (">>> commit confirmed 1", "(commit)"),
    }
    for name, platform in zip(sorted(outcomes), PLATFORMS, strict=True):
        log = (reports / job.stem / "latest" / "hosts" / f"{name}.log").read_text()
        timer, confirmation = sent[platform]
        assert timer in log and ">>> ntp server 192.0.2.10" in log.replace("set system ", ""), log
        assert confirmation in log, (platform, log)


@pytest.mark.sessions
def test_verify_logs_in_with_the_command_lines_password_as_the_run_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run whose password came from -k: `netjob verify` and `confirm` said "run with
    --ask-pass" and had no such option. They now take -u, -k, -K, --private-key and
    --ssh-config as `netjob run` does."""
    import getpass

    with start_lab(devices=1, platforms=("juniper_junos",), clock_speed=4.0) as lab:
        inventory = _inventory(tmp_path, lab)
        reports = tmp_path / "reports"
        assert run_cli(tmp_path_job(tmp_path), inventory, reports, "--confirm", "1m") == 0
        run_dir = reports / "loopback" / "latest"
        monkeypatch.delenv("NETJOB_LAB_PASSWORD")
        capsys.readouterr()
        assert main(["verify", str(run_dir), "-i", str(inventory)]) == 2
        assert "--ask-pass" in capsys.readouterr().err
        asked: list[str] = []

        def typed(prompt: str) -> str:
            asked.append(prompt)
            return ENV["NETJOB_LAB_PASSWORD"]

        monkeypatch.setattr(getpass, "getpass", typed)
        assert main(["verify", str(run_dir), "-i", str(inventory), "-k"]) == 0
    assert asked == ["SSH password: "]
    out = capsys.readouterr().out
    assert out.startswith("confirmed") and ": the device carries the change" in out, out


def tmp_path_job(tmp_path: Path) -> Path:
    job = tmp_path / "loopback.yaml"
    job.write_text(JOB)
    return job
