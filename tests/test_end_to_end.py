"""End to end: the real CLI, real netmiko, real SSH, against the lab on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main
from runner.report.run_folder import load_host

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
NTP_JOB = ROOT / "playbooks" / "set_ntp.yaml"


@pytest.fixture
def lab_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


@pytest.fixture
def lab5() -> Iterator[Lab]:
    with start_lab(devices=5) as lab:
        yield lab


def write_inventory(path: Path, lab: Lab, extra: str = "") -> Path:
    path.write_text(inventory_yaml(lab.endpoints, lab.config) + extra)
    return path


def test_quickstart_runs_the_main_job_on_the_lab(tmp_path: Path) -> None:
    """The README's first command (install skipped: this venv already has netjob)."""
    if not shutil.which("netjob", path=str(Path(sys.executable).parent)):
        pytest.fail("netjob is not installed next to this Python")
    env = {
        **os.environ,
        "NETJOB_NO_INSTALL": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    reports = tmp_path / "reports"
    done = subprocess.run(
        ["bash", str(ROOT / "quickstart.sh"), "--reports", str(reports)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "netjob lab: 6 devices r001..r006" in done.stdout
    assert "inventory written" not in done.stdout  # a temporary file it then deletes
    # It ends by saying how to see what the devices said, and that command works.
    last = done.stdout.strip().splitlines()[-1]
    hint = f"netjob show playbooks/show_ip_int_brief.yaml all --reports {reports}"
    assert last.startswith(f"what the devices said: {hint} ("), last
    shown = subprocess.run(
        hint.split(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "r006 uptime is" in shown.stdout
    report = load_report(reports, "show_ip_int_brief")
    assert report["summary"]["ok"] == report["summary"]["hosts"] == 6
    for name, host in report["hosts"].items():
        assert [s["status"] for s in host["steps"]] == ["ok", "ok"]
        log = (reports / "show_ip_int_brief" / "latest" / host["log"]).read_text()
        assert f"{name} uptime is" in log  # the device's own hostname, from its output
        assert "GigabitEthernet0/0" in log


@pytest.mark.sessions
def test_templated_push_changes_the_config_and_the_show_step_sees_it(
    tmp_path: Path, lab5: Lab, lab_env: None
) -> None:
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    reports = tmp_path / "reports"
    limit = ("--limit", "core,r003")
    assert run_cli(NTP_JOB, inventory, reports, "-e", "ntp_server=192.0.2.10", *limit) == 0
    report = load_report(reports, "set_ntp")
    assert sorted(report["hosts"]) == ["r001", "r002", "r003"]
    for name in ("r001", "r002", "r003"):
        running = lab5.device(name).running_config()
        assert "ntp server 192.0.2.10" in running
        assert f"description uplink of {name} (lab)" in running
        data = load_host(reports / "set_ntp" / "latest", name)
        verify = data["steps"][2]
        assert "ntp server 192.0.2.10" in verify["outputs"][0]
        assert f"description uplink of {name}" in verify["outputs"][1]
    assert "ntp server 192.0.2.10" not in lab5.device("r004").running_config()


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A TCP port that records whether anybody connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock, sock.getsockname()[1]
    sock.close()


def _nobody_connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def _inventory_at(path: Path, port: int, hosts: int = 3) -> Path:
    lines = ["defaults: {username: u, password_env: NETJOB_LAB_PASSWORD}", "hosts:"]
    lines += [
        f"  h{n}: {{address: 127.0.0.1, port: {port}, vars: {{uplink: Gi0/{n}, site: x}}}}"
        for n in range(hosts)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_plan_prints_exact_commands_and_opens_no_connection(
    tmp_path: Path, listener: tuple[socket.socket, int], capsys: pytest.CaptureFixture[str]
) -> None:
    sock, port = listener
    inventory = _inventory_at(tmp_path / "inv.yaml", port)
    assert main(["plan", str(NTP_JOB), "-i", str(inventory), "-e", "ntp_server=192.0.2.10"]) == 0
    out = capsys.readouterr().out
    for n in range(3):
        assert f"interface Gi0/{n}\n" in out and f"description uplink of h{n} (x)" in out
    assert out.count("ntp server 192.0.2.10") == 3
    assert _nobody_connected(sock)


def test_undefined_variable_fails_the_run_before_any_connection(
    tmp_path: Path,
    listener: tuple[socket.socket, int],
    capsys: pytest.CaptureFixture[str],
    lab_env: None,
) -> None:
    sock, port = listener
    inventory = _inventory_at(tmp_path / "inv.yaml", port)
    code = run_cli(NTP_JOB, inventory, tmp_path / "r")
    err = capsys.readouterr().err
    assert code == 2
    for part in ("set_ntp.yaml", "task 'ntp server'", "host h0", "'ntp_server'"):
        assert part in err
    assert _nobody_connected(sock) and not (tmp_path / "r").exists()


@pytest.mark.sessions
def test_wrong_password_on_one_of_five_fails_only_that_host(
    tmp_path: Path, lab5: Lab, lab_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password")
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    text = inventory.read_text().replace("  r003:\n", "  r003:\n    password_env: WRONG_PASSWORD\n")
    inventory.write_text(text)
    reports = tmp_path / "reports"
    job = ROOT / "playbooks" / "audit_basics.yaml"
    assert run_cli(job, inventory, reports) == 1
    report = load_report(reports, "audit_basics")
    assert report["hosts"]["r003"]["failure"] == "auth_failed"
    assert report["summary"]["ok"] == 4
    for name in ("r001", "r002", "r004", "r005"):
        log = (reports / "audit_basics" / "latest" / "hosts" / f"{name}.log").read_text()
        assert f"{name} uptime is" in log and "show clock" in log
        assert log.count("== task") == 3 and "skipped" not in log


@pytest.mark.sessions
def test_a_rejected_command_fails_its_step_with_the_devices_message(
    tmp_path: Path, lab5: Lab, lab_env: None
) -> None:
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    job = tmp_path / "bad.yaml"
    job.write_text(
        "tasks:\n  - name: good\n    show: show clock\n"
        "  - name: bad\n    config: [ntp server 192.0.2.1, frobnicate on]\n"
        "  - name: after\n    show: show version\n"
    )
    reports = tmp_path / "reports"
    assert run_cli(job, inventory, reports, "--limit", "r001") == 1
    host = load_report(reports, "bad")["hosts"]["r001"]
    assert [s["status"] for s in host["steps"]] == ["ok", "failed", "skipped"]
    bad = host["steps"][1]
    assert bad["failure"] == "command_rejected"
    assert "frobnicate on" in bad["error"] and "% Invalid input detected" in bad["error"]


@pytest.mark.sessions
def test_a_wrong_enable_secret_is_an_authentication_failure(
    tmp_path: Path, lab5: Lab, lab_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRONG_SECRET", "not-the-secret")
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    inventory.write_text(
        inventory.read_text().replace("  r002:\n", "  r002:\n    secret_env: WRONG_SECRET\n")
    )
    reports = tmp_path / "reports"
    job = ROOT / "playbooks" / "show_version.yaml"
    assert run_cli(job, inventory, reports) == 1
    hosts = load_report(reports, "show_version")["hosts"]
    assert hosts["r002"]["failure"] == "auth_failed" and "enable" in hosts["r002"]["error"]
    assert hosts["r002"]["duration_s"] < 5  # refused at once, not after a read timeout
    assert [h["status"] for n, h in sorted(hosts.items()) if n != "r002"] == ["ok"] * 4


@pytest.mark.sessions
def test_a_host_without_enable_secret_is_told_so(tmp_path: Path, lab5: Lab, lab_env: None) -> None:
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    inventory.write_text(inventory.read_text().replace("  secret_env: NETJOB_LAB_SECRET\n", ""))
    reports = tmp_path / "reports"
    code = run_cli(NTP_JOB, inventory, reports, "-e", "ntp_server=192.0.2.10", "--limit", "r001")
    assert code == 1
    host = load_report(reports, "set_ntp")["hosts"]["r001"]
    assert host["failure"] == "command_rejected"
    assert "not in enable mode" in host["error"] and "secret_env" in host["error"]


@pytest.mark.sessions
def test_a_prompt_that_changes_mid_job_does_not_break_later_steps(
    tmp_path: Path, lab5: Lab, lab_env: None
) -> None:
    """netmiko #1156/#3523: after a hostname change every later command timed out."""
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    job = tmp_path / "rename.yaml"
    job.write_text(
        "tasks:\n  - name: rename\n    config: ['hostname {{ host.name }}-new']\n"
        "  - name: after\n    show: show version | include uptime\n"
        "    read_timeout: 5\n"
    )
    reports = tmp_path / "reports"
    assert run_cli(job, inventory, reports, "--limit", "r001") == 0
    log = (reports / "rename" / "latest" / "hosts" / "r001.log").read_text()
    assert "r001-new uptime is" in log


@pytest.mark.sessions
def test_a_show_only_job_runs_without_the_enable_secret_a_config_job_needs(
    tmp_path: Path,
    lab5: Lab,
    lab_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("NETJOB_LAB_SECRET")
    inventory = write_inventory(tmp_path / "inv.yaml", lab5)
    reports = tmp_path / "reports"
    show = ROOT / "playbooks" / "show_version.yaml"
    assert run_cli(show, inventory, reports, "--limit", "core") == 0
    err = capsys.readouterr().err
    assert "$NETJOB_LAB_SECRET not set: this job has show steps only" in err
    assert load_report(reports, "show_version")["summary"]["ok"] == 2
    # A config step needs enable mode: refused before anything connects, as before.
    assert run_cli(NTP_JOB, inventory, reports, "-e", "ntp_server=192.0.2.10") == 2
    assert "secret_env names $NETJOB_LAB_SECRET, which is not set" in capsys.readouterr().err
    assert not (reports / "set_ntp").exists()
