"""Config as engineers write it settles (issue 20, item 5): flat lines with a global line
between two sections are read in the context the device gives them, on every lab platform
over real netmiko and SSH: the first run changes, the second sends nothing, nothing is
refused; a flat line netjob cannot place is refused before anything connects."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import run_cli, start_lab

from netjob_lab.inventory import inventory_yaml
from runner.cli import main
from runner.report.run_folder import load_host

pytestmark = pytest.mark.lab

# Per lab platform: two sections with a global line between them, written flat, and how
# the device shows the first section and the global line afterwards.
CASES = {
    "cisco_ios": (
        ["interface Loopback5", "description five", "ntp server 192.0.2.55"],
        "interface Loopback5\n description five\n",
        "\nntp server 192.0.2.55\n",
    ),
    "arista_eos": (
        ["interface Loopback5", "description five", "ntp server 192.0.2.55"],
        "interface Loopback5\n   description five\n",
        "\nntp server 192.0.2.55\n",
    ),
    "cisco_nxos": (
        ["interface loopback5", "description five", "ntp server 192.0.2.55"],
        "interface loopback5\n  description five\n",
        "\nntp server 192.0.2.55 use-vrf default\n",
    ),
    "cisco_xr": (
        ["interface Loopback5", "description five", "ntp server 192.0.2.55"],
        "interface Loopback5\n description five\n",
        "\n server 192.0.2.55\n",
    ),
    "huawei": (
        ["interface LoopBack5", "description five", "ntp-service unicast-server 192.0.2.55"],
        "interface LoopBack5\n description five\n",
        "\n ntp-service unicast-server 192.0.2.55\n",
    ),
}


def _job(tmp_path: Path, lines: list[str]) -> Path:
    body = "".join(f"      - {line}\n" for line in lines)
    job = tmp_path / "flat.yaml"
    job.write_text(f"name: flat\nhosts: all\ntasks:\n  - name: push\n    config:\n{body}")
    return job


@pytest.fixture(autouse=True)
def _lab_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


@pytest.mark.sessions
@pytest.mark.parametrize("platform", list(CASES))
def test_a_global_line_between_two_flat_sections_changes_once_then_nothing(
    tmp_path: Path, platform: str
) -> None:
    first_section, nested, global_line = CASES[platform]
    second_section = [first_section[0].replace("5", "6"), "description six"]
    job = _job(tmp_path, [*first_section, *second_section])
    reports = tmp_path / "reports"
    with start_lab(devices=1, platforms=(platform,)) as lab:
        inventory = tmp_path / "inventory.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        assert run_cli(job, inventory, reports, "-q") == 0
        first = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert first["status"] == "changed", first
        config = lab.device("r001").running_config()
        assert nested in config, config
        assert global_line in config, config
        assert nested.replace("5", "6").replace("five", "six") in config, config
        assert run_cli(job, inventory, reports, "-q") == 0
        again = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert again["status"] == "ok" and "unchanged" in again["note"], again


def test_a_flat_line_netjob_cannot_place_is_refused_before_anything_connects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`frobnicate` after an interface: neither an interface command netjob knows nor a
    global one; where the device takes it is unknown, so nothing is sent (no lab runs:
    the inventory's address would refuse a connection)."""
    job = _job(tmp_path, ["interface Loopback5", "description five", "frobnicate 7"])
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "hosts:\n  r1:\n    address: 192.0.2.1\n    platform: cisco_ios\n"
        "    password_env: NETJOB_LAB_PASSWORD\n"
    )
    assert main(["run", str(job), "-i", str(inventory), "--reports", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "'frobnicate 7'" in err and "interface Loopback5" in err, err
    assert "indent" in err, err
    assert not (tmp_path / "r").exists()
