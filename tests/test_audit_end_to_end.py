"""Audits against the lab through the real CLI: compliance with evidence, parsed checks,
drift between runs, honest --check and idempotent config pushes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import device_of, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

PLAYBOOKS = Path(__file__).resolve().parent.parent / "playbooks"


@pytest.fixture
def lab6(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    with start_lab(devices=6) as lab:
        yield lab


def _inventory(tmp_path: Path, lab: Lab) -> str:
    path = tmp_path / "inv.yaml"
    path.write_text(inventory_yaml(lab.endpoints, lab.config))
    return str(path)


def _report(reports: Path, job: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((reports / job / "latest" / "report.json").read_text())
    return report


def test_audit_names_exactly_the_failing_rules_on_the_failing_hosts(
    tmp_path: Path, lab6: Lab
) -> None:
    for name in ("r001", "r002"):  # these two get descriptions on every up interface
        interfaces = device_of(lab6, name).config.interfaces
        interfaces["GigabitEthernet0/2"] = replace(
            interfaces["GigabitEthernet0/2"], description="server"
        )
    reports = tmp_path / "reports"
    code = main(
        [
            "run",
            str(PLAYBOOKS / "compliance_audit.yaml"),
            "-i",
            _inventory(tmp_path, lab6),
            "--reports",
            str(reports),
        ]
    )
    assert code == 3  # ran everywhere, non-compliant somewhere
    compliance = _report(reports, "compliance_audit")["compliance"]
    failing = {
        (item["host"], rule)
        for rule, data in compliance["rules"].items()
        for item in data["failing"]
    }
    described = "every up interface has a description"
    assert failing == {
        ("r003", "http server disabled"),
        ("r006", "http server disabled"),
        ("r004", "ntp server configured"),
        ("r005", "no default SNMP community"),
        *((host, described) for host in ("r003", "r004", "r005", "r006")),
    }
    assert compliance["compliant"] == 2 and compliance["noncompliant"] == 4
    evidence = {
        (i["host"], rule): i["evidence"]
        for rule, d in compliance["rules"].items()
        for i in d["failing"]
    }
    assert "ip http server" in evidence[("r003", "http server disabled")]
    assert "Gi0/2" in evidence[("r004", described)]  # the parsed row that failed
    assert compliance["rules"]["allowed software version"] == {
        "pass": 6,
        "fail": 0,
        "error": 0,
        "failing": [],
    }
    markdown = (reports / "compliance_audit" / "latest" / "report.md").read_text()
    assert "| r004 | ntp server configured | fail |" in markdown


def test_drift_shows_only_the_real_change_on_the_changed_host(
    tmp_path: Path, lab6: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, reports = _inventory(tmp_path, lab6), tmp_path / "reports"
    job = str(PLAYBOOKS / "drift_watch.yaml")
    run = ["run", job, "-i", inventory, "--reports", str(reports), "-q"]
    assert main(run) == 0
    assert main(run) == 0  # clocks and uptimes moved on: noise only
    capsys.readouterr()
    assert main(["diff", job, "--reports", str(reports)]) == 0
    assert "drift: 0 changed, 0 added, 0 removed" in capsys.readouterr().out
    device_of(lab6, "r002").config.logging_hosts.append("192.0.2.77")
    assert main(run) == 0
    capsys.readouterr()
    assert main(["diff", job, "--reports", str(reports)]) == 1
    out = capsys.readouterr().out
    assert "+logging host 192.0.2.77" in out
    assert "r002 | config | show running-config" in out
    assert "drift: 1 changed, 0 added, 0 removed" in out
    objects = list((reports / "drift_watch" / "outputs").rglob("*.gz"))
    # 6 hosts x 4 outputs x 3 runs, but identical outputs are stored once.
    assert len(objects) < 6 * 4 * 3 - 20


def test_check_mode_shows_missing_lines_then_a_second_real_run_sends_nothing(
    tmp_path: Path, lab6: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, reports = _inventory(tmp_path, lab6), tmp_path / "reports"
    before = {n: lab6.device(n).running_config() for n in ("r001", "r002", "r003")}
    run = [
        "run",
        str(PLAYBOOKS / "set_ntp.yaml"),
        "-i",
        inventory,
        "--reports",
        str(reports),
        "-e",
        "ntp_server=192.0.2.10",
        "--limit",
        "r001,r002,r003",
    ]
    assert main([*run, "--check"]) == 0
    out = capsys.readouterr().out
    assert out.count("+ntp server 192.0.2.10") == 3
    assert "+  description uplink of r002 (lab)" in out and " interface GigabitEthernet0/0" in out
    assert {n: lab6.device(n).running_config() for n in before} == before  # nothing sent
    report = _report(reports, "set_ntp")
    assert report["check"] is True
    assert all(h["steps"][0]["status"] == "changed" for h in report["hosts"].values())

    assert main([*run, "--diff"]) == 0
    assert "ntp server 192.0.2.10" in lab6.device("r001").running_config()
    capsys.readouterr()
    assert main(run) == 0
    second = _report(reports, "set_ntp")
    for host in second["hosts"].values():
        assert [s["note"] for s in host["steps"][:2]] == ["unchanged", "unchanged"]
        assert [s["status"] for s in host["steps"][:2]] == ["ok", "ok"]
        assert host["status"] == "ok"


def test_saved_output_feeds_a_later_step_and_when_skips_it(tmp_path: Path, lab6: Lab) -> None:
    inventory, reports = _inventory(tmp_path, lab6), tmp_path / "reports"
    # r004 lacks ntp server 192.0.2.123 in the lab's defaults; the others have it.
    assert (
        main(
            [
                "run",
                str(PLAYBOOKS / "ntp_if_missing.yaml"),
                "-i",
                inventory,
                "--reports",
                str(reports),
                "-e",
                "ntp_server=192.0.2.123",
            ]
        )
        == 0
    )
    hosts = _report(reports, "ntp_if_missing")["hosts"]
    assert hosts["r004"]["steps"][1]["status"] == "changed"
    assert "ntp server 192.0.2.123" in lab6.device("r004").running_config()
    for name in ("r001", "r002", "r003", "r005", "r006"):
        assert hosts[name]["steps"][1]["status"] == "skipped"
        assert hosts[name]["steps"][1]["note"] == "when: false"


def test_backup_writes_one_file_per_device(
    tmp_path: Path, lab6: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    # save_to is relative to the job file: the shipped playbook writes ../backups, so a
    # copy in tmp_path/playbooks writes tmp_path/backups, from any working folder.
    (tmp_path / "playbooks").mkdir()
    shutil.copy(PLAYBOOKS / "backup_config.yaml", tmp_path / "playbooks")
    monkeypatch.chdir(tmp_path / "playbooks")
    assert (
        main(
            [
                "run",
                "backup_config.yaml",
                "-i",
                _inventory(tmp_path, lab6),
                "--reports",
                "reports",
            ]
        )
        == 0
    )
    files = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert files == [f"r00{n}.cfg" for n in range(1, 7)]
    text = (tmp_path / "backups" / "r003.cfg").read_text()
    assert "hostname r003" in text and "enable secret 5 ********" in text


def test_a_host_the_audit_never_checked_is_counted_as_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host that fails its login is neither compliant nor non-compliant: the summary,
    report.json, report.md and report.html say it was not checked (an audit that left it
    out must not read as a clean fleet)."""
    from netjob_lab.faults import parse_faults

    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    with start_lab(devices=3, faults=parse_faults(["r002=auth_fail"])) as lab:
        reports = tmp_path / "reports"
        audit = str(PLAYBOOKS / "compliance_audit.yaml")
        code = main(["run", audit, "-i", _inventory(tmp_path, lab), "--reports", str(reports)])
    assert code == 1  # a host failed
    out = capsys.readouterr().out
    compliance = _report(reports, "compliance_audit")["compliance"]
    assert compliance["unchecked"] == 1
    assert compliance["compliant"] + compliance["noncompliant"] == 2
    assert ", 1 not checked (" in out, out
    run_dir = reports / "compliance_audit" / "latest"
    assert "1 not checked" in (run_dir / "report.md").read_text()
    assert 'data-unchecked="1"' in (run_dir / "report.html").read_text()
