"""`netjob rollback RUN` on the lab, through real netmiko over SSH: a config run keeps each
host's running config from before its first config line (owner-only, unmasked), and the
rollback puts it back with IOS's `configure replace` (the file over SCP); the running
config then equals the kept one line by line, a second rollback changes nothing, and no
secret of the kept configs reaches a report, a log or the console."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from lab_fixture import device_of, flash_of, load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from netjob_lab.junos_config import JunosDevice
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

SCHEMA = json.loads((Path(__file__).parent.parent / "schema/report.schema.json").read_text())
NETJOB = [sys.executable, "-c", "from runner.cli import entry; entry()"]
HOSTS = 30
PLATFORMS = ("cisco_ios", "cisco_nxos", "juniper_junos", "cisco_xr", "arista_eos")
# How each platform replaces its config (the step's note names it).
REPLACED = {
    "cisco_ios": "configure replace",
    "cisco_nxos": "rollback running-config file",
    "juniper_junos": "load override terminal",
    "cisco_xr": "commit replace",
    "arista_eos": "configure replace flash:",
}
PUSH = """\
  - name: push
    config:
      cisco_ios:
        - ntp server 192.0.2.77
        - no logging host 192.0.2.50
        - username ops privilege 15 secret Pushed-S3cret
        - interface GigabitEthernet0/1
        - description pushed by netjob
        - interface Loopback7
        - ip address 198.51.100.77 255.255.255.255
      cisco_nxos:
        - ntp server 192.0.2.77
        - no logging server 192.0.2.50
        - username ops privilege 15 secret Pushed-S3cret
        - interface Ethernet1/2
        - description pushed by netjob
        - interface loopback7
        - ip address 198.51.100.77/32
      juniper_junos:
        - set system ntp server 192.0.2.77
        - delete system syslog host 192.0.2.50
        - set interfaces ge-0/0/1 description "pushed by netjob"
        - set interfaces lo0 unit 7 family inet address 198.51.100.77/32
      cisco_xr:
        - ntp server 192.0.2.77
        - no logging 192.0.2.50
        - interface GigabitEthernet0/0/0/1
        - description pushed by netjob
        - interface Loopback7
        - ipv4 address 198.51.100.77 255.255.255.255
      arista_eos:
        - ntp server 192.0.2.77
        - no logging host 192.0.2.50
        - interface Ethernet2
        - description pushed by netjob
        - interface Loopback7
        - ip address 198.51.100.77/32
"""
# A line the lab does not model, with a secret: it must come back as it was, and never show.
KEPT_SECRET = "tacacs-server key 7 Kept-S3cret"
JUNOS_SECRET = ("system", "login", "user ops", "authentication", 'encrypted-password "Kept-S3cret"')


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


def _lines(text: str) -> list[str]:
    """A running config's lines, but Junos' `## Last commit:` time, which a commit moves."""
    return [line for line in text.splitlines() if not line.startswith("## Last commit: ")]


def _changes(lab: Lab, name: str) -> tuple[int, int]:
    """Config lines a device took, and commits (Junos): a second rollback sends none."""
    device = lab.device(name)
    return device.applied_lines, len(getattr(device, "history", ()))


def _all_text(folder: Path) -> str:
    """Every file of the folder's runs but their kept configs (pre-change/)."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.parent.name != "pre-change"]
    assert any(p.name == "report.html" for p in files)
    return "\n".join(p.read_text(errors="replace") for p in files)


def test_rollback_after_a_30_host_push_restores_every_running_config_line_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    with start_lab(devices=HOSTS, platforms=PLATFORMS) as lab:
        names = [e.hostname for e in lab.endpoints]
        platform = {n: lab.config.platform_of(i) for i, n in enumerate(names, 1)}
        for name in names:
            if platform[name] == "juniper_junos":
                junos = lab.device(name)
                assert isinstance(junos, JunosDevice)
                junos.committed.append(JUNOS_SECRET)
                junos.candidate.append(JUNOS_SECRET)
            else:
                device_of(lab, name).config.verbatim.append(KEPT_SECRET)
        before = {n: lab.device(n).running_config() for n in names}
        job = tmp_path / "push.yaml"
        job.write_text(f"name: push\nhosts: all\ntasks:\n{PUSH}")
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        assert run_cli(job, inventory, reports, "--workers", "30") == 0
        pushed = load_report(reports, "push")
        assert pushed["summary"]["changed"] == HOSTS
        run_dir = (reports / "push" / "latest").resolve()
        for name in names:
            assert lab.device(name).running_config() != before[name]
            kept = run_dir / "pre-change" / f"{name}.cfg"
            assert stat.S_IMODE(kept.stat().st_mode) == 0o600
            assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
            assert "Kept-S3cret" in kept.read_text()  # unmasked: a restore needs the secret

        capsys.readouterr()
        args = ["-i", str(inventory), "--reports", str(reports), "--workers", "30"]
        assert main(["rollback", str(job), *args]) == 0
        shown = capsys.readouterr()
        report = load_report(reports, "rollback")
        jsonschema.validate(report, SCHEMA)  # a replace step is a kind report.json knows
        assert report["summary"]["changed"] == HOSTS, report["summary"]
        for name in names:
            assert _lines(lab.device(name).running_config()) == _lines(before[name]), name
            step = report["hosts"][name]["steps"][0]
            assert step["status"] == "changed", step
            assert REPLACED[platform[name]] in step["note"], step
            removed = (
                "-ntp server 192.0.2.77",
                "-        server 192.0.2.77;",
                "- server 192.0.2.77",
            )
            assert any(line in step["diff"] for line in removed), step["diff"]
            if platform[name] != "juniper_junos":
                assert "netjob-rollback.cfg" not in flash_of(lab, name).files  # deleted after

        applied = {n: _changes(lab, n) for n in names}
        assert main(["rollback", str(run_dir), *args]) == 0
        again = load_report(reports, "rollback")
        assert again["summary"]["ok"] == HOSTS, again["summary"]
        for name in names:
            step = again["hosts"][name]["steps"][0]
            assert "unchanged: the running config is the kept one" in step["note"], step
            assert _changes(lab, name) == applied[name]  # nothing sent
            assert _lines(lab.device(name).running_config()) == _lines(before[name])

    # The kept configs' secrets stay in pre-change/ only (a rollback run keeps its own too:
    # it can be rolled back in turn).
    seen = shown.out + shown.err + _all_text(reports / "rollback") + json.dumps(report)
    assert "Kept-S3cret" not in seen and "$1$ops$" not in seen
    assert "-username ops privilege 15 secret 5 ********" in seen


def test_rollback_check_shows_each_hosts_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    with start_lab(devices=3) as lab:
        names = [e.hostname for e in lab.endpoints]
        job = tmp_path / "push.yaml"
        job.write_text(f"name: push\nhosts: all\ntasks:\n{PUSH}")
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        assert run_cli(job, inventory, reports, "--limit", "r00[12]") == 0
        after = {n: lab.device(n).running_config() for n in names}
        capsys.readouterr()
        args = ["-i", str(inventory), "--reports", str(reports)]
        assert main(["rollback", str(job), "--check", *args]) == 0
        out, err = capsys.readouterr()
        assert "kept no config of: r003" in err  # never pushed: left out, and said so
        report = load_report(reports, "rollback")
        assert sorted(report["hosts"]) == ["r001", "r002"]
        for name in ("r001", "r002"):
            step = report["hosts"][name]["steps"][0]
            assert step["status"] == "changed" and "would replace" in step["note"]
            assert "+logging host 192.0.2.50" in step["diff"]
        assert "-ntp server 192.0.2.77" in out and "+logging host 192.0.2.50" in out
        assert {n: lab.device(n).running_config() for n in names} == after


def test_rollback_refuses_a_platform_without_a_replace_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    with start_lab(devices=2, platforms=("cisco_ios", "huawei")) as lab:
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        push = tmp_path / "push.yaml"
        push.write_text(
            "name: push\nhosts: all\ntasks:\n  - name: ntp\n    config:\n"
            "      cisco_ios: [ntp server 192.0.2.77]\n"
            "      huawei: [ntp-service unicast-server 192.0.2.77]\n"
        )
        assert run_cli(push, inventory, reports) == 0
        logins = {n: lab.device(n).logins for n in ("r001", "r002")}
        capsys.readouterr()
        code = main(["rollback", str(push), "-i", str(inventory), "--reports", str(reports)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "host 'r002' is huawei" in err and "no replace" in err
        assert {n: lab.device(n).logins for n in ("r001", "r002")} == logins


def test_a_replace_the_device_refuses_fails_the_host_and_a_partial_load_is_never_committed(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    faults = parse_faults(["r001=reject:configure replace", "r003=reject:load"])
    platforms = ("cisco_ios", "juniper_junos", "cisco_xr")
    with start_lab(devices=3, platforms=platforms, faults=faults) as lab:
        job = tmp_path / "push.yaml"
        job.write_text(f"name: push\nhosts: all\ntasks:\n{PUSH}")
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        junos = lab.device("r002")
        assert isinstance(junos, JunosDevice)
        junos.committed.append(JUNOS_SECRET)
        junos.candidate.append(JUNOS_SECRET)
        assert run_cli(job, inventory, reports) == 0
        pushed = {n: lab.device(n).running_config() for n in ("r001", "r002", "r003")}
        # A line Junos does not take, half way through r002's kept config.
        kept = (reports / "push" / "latest" / "pre-change" / "r002.cfg").resolve()
        lines = kept.read_text().splitlines()
        kept.write_text("\n".join([*lines[:3], "not a statement", *lines[3:]]) + "\n")
        args = ["-i", str(inventory), "--reports", str(reports), "-vv"]
        done = subprocess.run(
            [*NETJOB, "rollback", str(job), *args],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 1, done.stderr[-3000:]
        # -vv logs what netmiko writes: the Junos config typed in, its secret masked.
        assert "load override terminal" in done.stderr
        assert "Kept-S3cret" not in done.stdout + done.stderr
        report = load_report(reports, "rollback")
        ios, junos, xr = (report["hosts"][n]["steps"][0] for n in ("r001", "r002", "r003"))
        assert ios["status"] == "failed" and ios["failure"] == "command_rejected", ios
        assert "configure replace" in ios["error"]
        assert junos["status"] == "failed" and junos["failure"] == "command_rejected", junos
        assert "did not take the whole config" in junos["error"], junos
        assert "discarded, nothing was applied" in junos["error"], junos
        device = lab.device("r002")
        assert isinstance(device, JunosDevice) and device.candidate == device.committed
        # IOS-XR: the load refused, the session's target config dropped, nothing committed.
        assert xr["status"] == "failed" and xr["failure"] == "command_rejected", xr
        assert "load harddisk:netjob-rollback.cfg" in xr["error"], xr
        assert "'abort' dropped what it loaded" in xr["error"], xr
        assert xr["commands"] == ["configure", "load harddisk:netjob-rollback.cfg"], xr
        after = {n: lab.device(n).running_config() for n in ("r001", "r002", "r003")}
        assert after == pushed


def test_rollback_reads_the_runs_own_inventory_and_never_puts_a_config_on_another_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run made with -i mixed.yaml, rolled back without -i, once took inventory.yaml,
    where r003 was another lab's IOS device, and replaced that device's config with the
    Junos one kept (a README walk found it). The run's own inventory is the default now,
    and a kept config is refused on a device it did not come from."""
    reports = tmp_path / "reports"
    with (
        start_lab(devices=3, platforms=("cisco_ios", "arista_eos", "juniper_junos")) as mixed,
        start_lab(devices=3) as other,
    ):
        run_inventory = tmp_path / "mixed.yaml"
        run_inventory.write_text(inventory_yaml(mixed.endpoints, mixed.config))
        (tmp_path / "inventory.yaml").write_text(inventory_yaml(other.endpoints, other.config))
        before = other.device("r003").running_config()
        job = tmp_path / "push.yaml"
        job.write_text(f"name: push\nhosts: all\ntasks:\n{PUSH}")
        assert run_cli(job, run_inventory, reports, "--limit", "r003") == 0
        capsys.readouterr()
        assert main(["rollback", str(job), "--check", "--reports", str(reports)]) == 0
        err = capsys.readouterr().err
        assert "the inventory of run" in err and str(run_inventory) in err
        step = load_report(reports, "rollback")["hosts"]["r003"]["steps"][0]
        assert "would replace" in step["note"], step
        wrong = ["-i", str(tmp_path / "inventory.yaml"), "--reports", str(reports)]
        assert main(["rollback", str(job), *wrong]) == 2
        err = capsys.readouterr().err
        assert "was juniper_junos at" in err and "nothing is put back on another device" in err
        assert other.device("r003").running_config() == before
        # The run's inventory file changed since (or another file of its name, read from
        # another folder): refused, its sha256 is not the one the run recorded.
        run_inventory.write_text(run_inventory.read_text() + "# edited\n")
        assert main(["rollback", str(job), "--check", "--reports", str(reports)]) == 2
        assert "is not that file" in capsys.readouterr().err
