"""A cross-platform playbook on a mixed lab (IOS, EOS, Junos): each device gets its own
platform's commands, config mode, and commit or save."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli, start_lab

from netjob_lab.inventory import inventory_yaml
from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

JOB = Path(__file__).resolve().parent.parent / "playbooks" / "cross_platform.yaml"


def test_each_platform_gets_its_own_commands_config_mode_and_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    platforms = ("cisco_ios", "arista_eos", "juniper_junos")
    reports = tmp_path / "reports"
    with start_lab(devices=6, platforms=platforms) as lab:
        inventory = tmp_path / "mixed.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        args = ("-e", "ntp_server=192.0.2.10")
        assert run_cli(JOB, inventory, reports, *args) == 0
        report = load_report(reports, "cross_platform")
        for n, endpoint in enumerate(lab.endpoints):
            name, platform = endpoint.hostname, platforms[n % 3]
            device = lab.device(name)
            assert report["hosts"][name]["status"] == "changed"
            data = load_host(reports / "cross_platform" / "latest", name)
            assert data["platform"] == platform
            ntp, verify = data["steps"][1], data["steps"][2]
            if platform == "juniper_junos":
                assert ntp["commands"] == ["set system ntp server 192.0.2.10"]
                assert "192.0.2.10" in device.running_config()  # committed, not just staged
                assert "set system ntp server 192.0.2.10" in verify["outputs"][0]
            else:
                assert any("ntp server 192.0.2.10" in c for c in ntp["commands"])
                assert "ntp server 192.0.2.10" in device.running_config()
                assert "ntp server 192.0.2.10" in device.startup_config  # saved
                assert "ntp server 192.0.2.10" in verify["outputs"][0]
        # Again: every platform, Junos included, finds its lines in place and sends nothing.
        assert run_cli(JOB, inventory, reports, *args) == 0
        again = load_report(reports, "cross_platform")
        for name, host in again["hosts"].items():
            assert host["steps"][1]["note"] == "unchanged", (name, host["steps"][1])
