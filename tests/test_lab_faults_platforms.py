"""The reject fault on every lab platform (config line, commit, save) and the stale_prompt
fault, driven by real netmiko."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lab_fixture import RawShell, as_text, connect, start_lab

from netjob_lab import DeviceFaults, Lab, parse_fault, parse_faults
from netjob_lab.device import Device
from netjob_lab.junos_config import JunosDevice

pytestmark = pytest.mark.lab

PLATFORMS = ("cisco_ios", "arista_eos", "juniper_junos", "cisco_xr", "cisco_nxos", "huawei")
FAULTS = [
    "r001=reject:ntp server",
    "r001=reject:write memory",
    "r002=reject:ntp server",
    "r002=reject:copy running-config startup-config",
    "r003=reject:set system ntp",
    "r003=reject:commit",
    "r004=reject:ntp server",
    "r004=reject:commit",
    "r005=reject:ntp server",
    "r005=reject:copy running-config startup-config",
    "r006=reject:ntp-service unicast-server",
    "r006=reject:save",
    "r007=stale_prompt:2",
]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """r001..r006: one device of each platform, r007 IOS again."""
    with start_lab(devices=7, platforms=PLATFORMS, faults=parse_faults(FAULTS)) as running:
        yield running


def _ios_like(lab: Lab, name: str) -> Device:
    device = lab.device(name)
    assert isinstance(device, Device)
    return device


@pytest.mark.parametrize(
    ("host", "refused_line", "refused_save"),
    [
        (
            "r001",
            "% Invalid input detected at '^' marker.",
            "% Error opening nvram:/startup-config",
        ),
        ("r002", "% Invalid input (at token 0: 'ntp')", "% Error copying system:/running-config"),
        ("r005", "% Invalid command at '^' marker.", "Configuration update aborted"),
    ],
)
def test_reject_refuses_config_line_and_save(
    lab: Lab, host: str, refused_line: str, refused_save: str
) -> None:
    device = _ios_like(lab, host)
    with connect(lab, host) as conn:
        conn.enable()
        pushed = conn.send_config_set(["ntp server 192.0.2.99", "interface Loopback9"])
        saved = conn.save_config()
    assert refused_line in pushed
    assert "192.0.2.99" not in device.running_config()
    assert "interface Loopback9" in device.running_config().replace("loop", "Loop")  # taken
    assert refused_save in saved
    assert "oopback9" not in device.startup_config


def test_reject_refuses_junos_set_and_commit(lab: Lab) -> None:
    device = lab.device("r003")
    assert isinstance(device, JunosDevice)
    with connect(lab, "r003") as conn:
        pushed = conn.send_config_set(
            ["set system ntp server 192.0.2.99", "set interfaces ge-0/0/2 description lab"],
            exit_config_mode=False,
        )
        with pytest.raises(ValueError, match="error: commit failed"):
            conn.commit()
        conn.send_config_set(["rollback"])
    assert "syntax error." in pushed
    assert "192.0.2.99" not in device.running_config()
    assert "description lab" not in device.running_config()


def test_reject_refuses_xr_config_line_and_commit(lab: Lab) -> None:
    device = _ios_like(lab, "r004")
    with connect(lab, "r004") as conn:
        pushed = conn.send_config_set(
            ["ntp server 192.0.2.99", "interface GigabitEthernet0/0/0/2", "description lab"]
        )
        with pytest.raises(ValueError, match="Failed to commit one or more configuration items"):
            conn.commit()
        conn.exit_config_mode()  # netmiko answers `no` to the Uncommitted question
    assert "% Invalid input detected at '^' marker." in pushed
    assert "description lab" not in device.running_config()


def test_reject_refuses_huawei_config_line_and_save(lab: Lab) -> None:
    device = _ios_like(lab, "r006")
    with connect(lab, "r006") as conn:
        conn.send_command("system-view", expect_string=r"\]$")
        refused = as_text(
            conn.send_command("ntp-service unicast-server 192.0.2.99", expect_string=r"\]$")
        )
        conn.send_command("sysname hw-6", expect_string=r"\]$")
        conn.send_command("return", expect_string=r">$")
        saved = conn.save_config()
    assert refused.endswith("^\nError: Unrecognized command found at '^' position.")
    assert "192.0.2.99" not in device.running_config()
    assert "Error: Failed to save the configuration file." in saved
    assert "Are you sure" not in saved
    assert "sysname hw-6" not in device.startup_config


def test_stale_prompt_loses_the_nth_show_output_to_netmiko(lab: Lab) -> None:
    with connect(lab, "r007") as conn:
        conn.enable()
        first = conn.send_command("show clock")
        second = conn.send_command("show version")  # the 2nd show: a bare prompt comes first
        third = conn.send_command("show running-config | include hostname")
    assert "UTC" in first
    assert second == ""
    assert third == "hostname r007"  # netmiko drops the late output before this echo


def test_stale_prompt_sends_the_output_when_the_client_types_again(lab: Lab) -> None:
    with RawShell(lab, "r007") as shell:
        shell.read_until("r007>")
        shell.send("show clock\r")
        shell.read_until("UTC.*\r\nr007>")
        shell.send("show version\r")
        assert shell.read_until("r007>") == "show version\r\nr007>"
        shell.send("\r")
        late = shell.read_until("r007>")
        assert "r007 uptime is" in late
        assert late.endswith("Configuration register is 0x0\r\nr007>")
        assert shell.read_until("r007>") == "\r\nr007>"  # the answer to the empty line


def test_parse_stale_prompt() -> None:
    assert parse_fault("r004=stale_prompt:2") == ("r004", DeviceFaults(stale_prompt=2))
    with pytest.raises(ValueError, match="is not 1 or more"):
        parse_fault("r004=stale_prompt:0")
