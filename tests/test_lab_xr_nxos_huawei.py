"""The lab's Cisco IOS-XR, Cisco NX-OS and Huawei VRP devices, driven by real netmiko."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from lab_fixture import as_rows, as_text, connect, start_lab
from netmiko import BaseConnection
from netmiko.cisco import CiscoXrSSH
from ntc_templates.parse import parse_output

from netjob_lab import Lab, inventory_yaml
from netjob_lab.device import Device
from netjob_lab.shell import Shell
from netjob_lab.xr_commands import UNCOMMITTED

pytestmark = pytest.mark.lab

PLATFORMS = ("cisco_xr", "cisco_nxos", "huawei")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """r001/r004 XR, r002/r005 NX-OS, r003/r006 Huawei; each test changes its own device."""
    with start_lab(devices=6, platforms=PLATFORMS) as running:
        yield running


# --- Cisco IOS-XR ------------------------------------------------------------------------


def test_xr_logs_in_privileged_and_shows_parse(lab: Lab) -> None:
    with connect(lab, "r001") as conn:
        assert conn.find_prompt() == "RP/0/RP0/CPU0:r001#"
        assert conn.enable() == ""
        version = as_rows(conn.send_command("show version", use_textfsm=True))
        rows = as_rows(conn.send_command("show ip interface brief", use_textfsm=True))
        conn.send_command("terminal exec prompt no-timestamp")
        bad = conn.send_command("show versoin")
    assert version[0]["version"] == "7.3.2"
    assert {"interface": "GigabitEthernet0/0/0/0", "ip_address": "192.0.2.1"}.items() <= rows[
        0
    ].items()
    assert (
        bad
        == " " * len("RP/0/RP0/CPU0:r001#show vers")
        + "^\n% Invalid input detected at '^' marker.\n"
    )


def test_xr_config_applies_only_on_commit(lab: Lab) -> None:
    commands = ["ntp server 192.0.2.10", "interface GigabitEthernet0/0/0/1", "description to core"]
    device = lab.device("r004")
    with connect(lab, "r004") as conn:
        assert isinstance(conn, CiscoXrSSH)  # the XR driver: its commit() takes a label
        echoed = conn.send_config_set(commands, exit_config_mode=False)
        assert "192.0.2.10" not in device.running_config()
        candidate = conn.send_command("show configuration")
        committed = conn.commit(label="lab1")
        left = conn.exit_config_mode()
        running = conn.send_command("show running-config")
    assert "RP/0/RP0/CPU0:r004(config-if)#description to core" in echoed
    assert "ntp\n server 192.0.2.10\n!" in candidate
    assert "Failed" not in committed
    assert "Uncommitted" not in left
    assert " server 192.0.2.10\n" in running
    assert "interface GigabitEthernet0/0/0/1\n description to core\n" in running


def test_xr_leaving_with_uncommitted_changes_asks_and_netmiko_discards(lab: Lab) -> None:
    with connect(lab, "r001") as conn:
        conn.send_config_set(["logging 192.0.2.77"])
        left = conn.exit_config_mode()
        assert conn.find_prompt() == "RP/0/RP0/CPU0:r001#"
    assert f"{UNCOMMITTED}no" in left
    assert "192.0.2.77" not in lab.device("r001").running_config()


def test_xr_end_answers_yes_no_cancel_and_abort() -> None:
    device = Device(1, "r001", "x", platform="cisco_xr")
    shell = Shell(device)
    shell.execute("configure")
    shell.execute("hostname edge-1")
    shell.execute("end")
    assert shell.prompt == UNCOMMITTED
    shell.execute("cancel")
    assert shell.prompt == "RP/0/RP0/CPU0:r001(config)#"
    shell.execute("exit")
    shell.execute("yes")
    assert shell.prompt == "RP/0/RP0/CPU0:edge-1#"
    shell.execute("configure terminal")
    shell.execute("hostname edge-2")
    assert shell.execute("abort").output == ""
    assert device.hostname == "edge-1"
    shell.execute("configure terminal")
    assert shell.execute("commit").output.endswith("% No configuration changes to commit.\n")


# --- Cisco NX-OS -------------------------------------------------------------------------


def test_nxos_shows_parse_with_textfsm(lab: Lab) -> None:
    with connect(lab, "r002") as conn:
        assert conn.find_prompt() == "r002#"
        version = as_rows(conn.send_command("show version", use_textfsm=True))
        rows = as_rows(conn.send_command("show ip interface brief", use_textfsm=True))
        running = conn.send_command("show running-config")
        # (no command starts with its first letter: the caret goes under it, not after
        # a prefix such as `show f` of `show file`)
        bad = conn.send_command("show zoo")
    assert version[0]["hostname"] == "r002"
    assert version[0]["os"] == "9.3(8)"
    assert rows[0]["interface"] == "Eth1/1"
    assert rows[0]["ip_address"] == "192.0.2.2"
    assert "version 9.3(8)" in running
    assert "hostname r002" in running
    assert bad == " " * len("r002# show ") + "^\n% Invalid command at '^' marker."


def test_nxos_config_set_and_save(lab: Lab) -> None:
    commands = ["ntp server 192.0.2.10", "interface Ethernet1/2", "description to core"]
    with connect(lab, "r005") as conn:
        echoed = conn.send_config_set(commands)
        running = conn.send_command("show running-config")
        saved = conn.save_config()
    assert "r005(config-if)#" in echoed
    assert "ntp server 192.0.2.10 use-vrf default" in running
    assert "interface Ethernet1/2\n  description to core\n" in running
    assert "[########################################] 100%\nCopy complete." in saved
    assert "ntp server 192.0.2.10" in lab.device("r005").startup_config


# --- Huawei VRP --------------------------------------------------------------------------
# netmiko's huawei send_config_set() works with the lab, but its check_config_mode() reads
# until the channel has been quiet for 2 s, twice on the way in and twice on the way out;
# these tests type the same lines with send_command() to stay fast.


def _push(conn: BaseConnection, commands: list[str]) -> str:
    """system-view, the commands, return: what send_config_set() types, without its waits."""
    output = as_text(conn.send_command("system-view", expect_string=r"\]$"))
    for command in commands:
        output += as_text(conn.send_command(command, expect_string=r"\]$", strip_prompt=False))
    return output + as_text(conn.send_command("return", expect_string=r">$"))


def test_huawei_display_commands(lab: Lab) -> None:
    with connect(lab, "r003") as conn:
        assert conn.find_prompt() == "<r003>"
        version = conn.send_command("display version")
        brief = conn.send_command("display ip interface brief")
        current = as_text(conn.send_command("display current-configuration"))
    parsed = parse_output(platform="huawei_vrp", command="display version", data=version)
    assert parsed[0]["vrp_version"] == "5.170"
    assert "GigabitEthernet0/0/0              192.0.2.3/24" in brief
    assert "#\n sysname r003\n#" in current
    assert current.rstrip().endswith("return")


def test_huawei_config_changes_the_configuration_once(lab: Lab) -> None:
    commands = [
        "interface GigabitEthernet0/0/1",
        "description to core",
        "quit",
        "ntp-service unicast-server 192.0.2.1",
        "undo ntp-service unicast-server 192.0.2.123",
    ]
    with connect(lab, "r006") as conn:
        echoed = _push(conn, commands)
        again = _push(conn, commands)  # a second identical push changes nothing
        current = as_text(conn.send_command("display current-configuration"))
        saved = conn.save_config()
        assert conn.find_prompt() == "<r006>"
    assert "[r006-GigabitEthernet0/0/1]" in echoed
    assert "Error" not in echoed + again
    assert current.count("ntp-service unicast-server") == 1
    assert " ntp-service unicast-server 192.0.2.1\n" in current
    assert "interface GigabitEthernet0/0/1\n description to core\n" in current
    assert "Are you sure to continue?[Y/N]:y" in saved
    assert "Info: Save the configuration successfully." in saved
    assert "192.0.2.1\n" in lab.device("r006").startup_config


def test_huawei_sysname_changes_the_prompt(lab: Lab) -> None:
    with connect(lab, "r003") as conn:
        conn.send_command("system-view", expect_string=r"\[r003\]")
        conn.send_command("sysname hw-3", expect_string=r"\[hw-3\]")
        conn.send_command("return", expect_string=r"<hw-3>")
        conn.set_base_prompt()
        assert conn.find_prompt() == "<hw-3>"
    assert "sysname hw-3" in lab.device("r003").running_config()


def test_huawei_errors_point_at_the_word() -> None:
    shell = Shell(Device(3, "r003", "x", platform="huawei"))
    assert shell.execute("display foo").output == (
        " " * len("<r003>display ") + "^\nError: Unrecognized command found at '^' position.\n"
    )
    shell.execute("system-view")
    shell.execute("interface GigabitEthernet0/0/2")
    assert shell.prompt == "[r003-GigabitEthernet0/0/2]"
    wrong = shell.execute("ip address 192.0.2.300 24").output
    assert wrong == (
        " " * len("[r003-GigabitEthernet0/0/2]ip address ")
        + "^\nError: Wrong parameter found at '^' position.\n"
    )
    shell.execute("quit")
    assert shell.prompt == "[r003]"
    shell.execute("return")
    assert shell.prompt == "<r003>"


def test_inventory_names_the_new_platforms(lab: Lab) -> None:
    hosts = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))["hosts"]
    assert [hosts[f"r00{i}"]["platform"] for i in (1, 2, 3)] == list(PLATFORMS)
    assert hosts["r004"]["vars"]["uplink"] == "GigabitEthernet0/0/0/0"
    assert hosts["r005"]["vars"]["uplink"] == "Ethernet1/1"
    assert hosts["r006"]["vars"]["uplink"] == "GigabitEthernet0/0/0"
