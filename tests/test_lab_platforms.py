"""The lab's other platforms, Arista EOS and Juniper Junos, driven by real netmiko."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from lab_fixture import RawShell, as_rows, as_text, connect, start_lab

from netjob_lab import Lab, LabConfig, LabError, inventory_yaml
from netjob_lab.junos_config import JunosDevice
from netjob_lab.junos_shell import JunosShell
from runner.base.errors import NetjobError

pytestmark = pytest.mark.lab

MIXED = ("cisco_ios", "arista_eos", "juniper_junos")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """r001/r004 IOS, r002/r005 EOS, r003/r006 Junos; each test changes its own device."""
    with start_lab(devices=6, platforms=MIXED) as running:
        yield running


# --- Arista EOS --------------------------------------------------------------------------


def test_eos_show_commands_look_like_eos(lab: Lab) -> None:
    with connect(lab, "r002", device_type="arista_eos") as conn:
        assert conn.find_prompt() == "r002>"
        conn.enable()
        assert conn.find_prompt() == "r002#"
        version = conn.send_command("show version")
        hostname = conn.send_command("show hostname", use_textfsm=True)
        rows = as_rows(conn.send_command("show ip interface brief", use_textfsm=True))
    assert "Arista vEOS" in version
    assert "Software image version: 4.30.1F" in version
    assert "Uptime:" in version
    # EOS's `show version` has no hostname (real EOS neither); `show hostname` has.
    assert hostname == [{"hostname": "r002", "fqdn": "r002"}]
    assert {"interface": "Ethernet1", "ip_address": "192.0.2.2/24"}.items() <= rows[0].items()


def test_eos_config_set_and_save(lab: Lab) -> None:
    commands = ["ntp server 192.0.2.10", "interface Ethernet2", "description to core"]
    with connect(lab, "r005", device_type="arista_eos") as conn:
        conn.enable()
        echoed = conn.send_config_set(commands)
        running = conn.send_command("show running-config")
        saved = conn.save_config()
    assert "r005(config-if-Et2)#" in echoed
    assert "ntp server 192.0.2.10" in running
    assert "interface Ethernet2\n   description to core\n" in running
    assert "Copy completed successfully." in saved
    assert "ntp server 192.0.2.10" in lab.device("r005").startup_config


def test_eos_unknown_command_answers_invalid_input(lab: Lab) -> None:
    with connect(lab, "r002", device_type="arista_eos") as conn:
        assert conn.send_command("show foo") == "% Invalid input (at token 1: 'foo')"


def test_eos_terminal_length_0_turns_the_pager_off(lab: Lab) -> None:
    with RawShell(lab, "r002") as shell:
        shell.enable()
        shell.send("show running-config\r")
        assert shell.read_until(r" --More-- ")
        shell.send("q")
        shell.read_until("r002#")
        shell.send("terminal length 0\r")
        assert "Pagination disabled." in shell.read_until("r002#")
        shell.send("show running-config\r")
        assert "--More--" not in shell.read_until(r"\nend\r\nr002#")


# --- Juniper Junos -----------------------------------------------------------------------


def test_junos_show_version_names_the_device(lab: Lab) -> None:
    with connect(lab, "r003", device_type="juniper_junos") as conn:
        assert conn.find_prompt() == "netjob@r003>"
        version = conn.send_command("show version")
        parsed = as_rows(conn.send_command("show version", use_textfsm=True))
    assert "Hostname: r003" in version
    assert parsed[0]["hostname"] == "r003"
    assert parsed[0]["junos_version"] == "22.4R1.10"


def test_junos_config_applies_only_on_commit(lab: Lab) -> None:
    commands = ["set system ntp server 192.0.2.10", 'set interfaces ge-0/0/1 description "x y"']
    with connect(lab, "r006", device_type="juniper_junos") as conn:
        conn.send_config_set(commands)  # leaves configuration mode, changes uncommitted
        before = conn.send_command("show configuration")
        committed = conn.commit()
        conn.exit_config_mode()
        after = conn.send_command("show configuration | display set")
    assert "192.0.2.10" not in before
    assert "commit complete" in committed
    assert "set system ntp server 192.0.2.10" in after
    assert 'set interfaces ge-0/0/1 description "x y"' in after
    assert "server 192.0.2.10;" in lab.device("r006").running_config()


def test_junos_errors_have_a_caret_and_junos_words(lab: Lab) -> None:
    with connect(lab, "r003", device_type="juniper_junos") as conn:
        unknown = as_text(conn.send_command("foo"))
        syntax = conn.send_config_set(["set system bogus 1"], exit_config_mode=False)
        conn.send_config_set(["rollback"])
    assert unknown.splitlines() == [" " * len("netjob@r003> ") + "^", "unknown command."]
    assert "syntax error." in syntax
    assert " " * len("netjob@r003# set system ") + "^" in syntax


def test_junos_screen_length_0_turns_the_pager_off(lab: Lab) -> None:
    with RawShell(lab, "r003") as shell:
        shell.read_until("netjob@r003> ")
        shell.send("show configuration\r")
        shell.read_until(r"---\(more\)---")
        shell.send("q")
        shell.read_until("netjob@r003> ")
        shell.send("set cli screen-length 0\r")
        assert "Screen length set to 0" in shell.read_until("netjob@r003> ")
        shell.send("show configuration\r")
        assert "(more)" not in shell.read_until(r"\n\}\r\n\r\nnetjob@r003> ")


# --- Junos' candidate configuration, without SSH --------------------------------------


def _junos() -> tuple[JunosDevice, JunosShell]:
    device = JunosDevice(3, "r003")
    return device, JunosShell(device, "netjob")


def test_junos_compare_shows_the_uncommitted_changes() -> None:
    _, shell = _junos()
    shell.execute("configure")
    assert shell.prompt == "\r\n[edit]\r\nnetjob@r003# "
    shell.execute("set system ntp server 192.0.2.10")
    shell.execute("delete interfaces ge-0/0/3 description")
    diff = shell.execute("show | compare").output
    assert diff == (
        "[edit system ntp]\n+   server 192.0.2.10;\n"
        "[edit interfaces ge-0/0/3]\n-   description spare;\n"
    )
    assert shell.execute("delete system ntp server 192.0.2.99").output == (
        "warning: statement not found\n"
    )


def test_junos_exit_with_uncommitted_changes_asks_and_keeps_them() -> None:
    device, shell = _junos()
    shell.execute("configure")
    shell.execute("set system host-name edge-3")
    said = shell.execute("exit configuration-mode").output
    assert said == "The configuration has been changed but not committed\n"
    assert shell.prompt == "Exit with uncommitted changes? [yes,no] (yes) "
    shell.execute("yes")
    assert shell.prompt == "netjob@r003> "
    # Like Junos' shared candidate: the change waits there for the next commit.
    assert "has been changed" in shell.execute("configure").output
    assert shell.execute("commit and-quit").output.startswith("commit complete\n")
    assert shell.prompt == "netjob@edge-3> "
    assert device.hostname == "edge-3"


def test_junos_rollback_discards_and_restores() -> None:
    device, shell = _junos()
    shell.execute("configure")
    shell.execute("delete system ntp")
    shell.execute("rollback")
    assert not device.changed
    shell.execute("delete system ntp")
    shell.execute("commit")
    assert "ntp" not in device.running_config()
    assert shell.execute("rollback 1").output == "load complete\n"
    shell.execute("commit")
    assert "server 192.0.2.123;" in device.running_config()


# --- configuration ----------------------------------------------------------------------


def test_inventory_names_each_hosts_platform(lab: Lab) -> None:
    hosts = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))["hosts"]
    assert "platform" not in hosts["r001"]  # the defaults' cisco_ios
    assert hosts["r002"]["platform"] == "arista_eos"
    assert hosts["r003"]["platform"] == "juniper_junos"
    assert hosts["r006"]["vars"]["uplink"] == "ge-0/0/0"


def test_first_shards_names_and_keeps_platforms_by_number() -> None:
    config = LabConfig(devices=3, first=501, name_format="r{i:04d}", platforms=MIXED)
    assert config.hostnames() == ["r0501", "r0502", "r0503"]
    lab = Lab(config)  # constructing opens nothing
    assert [lab.device(n).platform for n in config.hostnames()] == [
        "juniper_junos",
        "cisco_ios",
        "arista_eos",
    ]
    assert LabConfig(devices=1000).hostnames()[-2:] == ["r999", "r1000"]


def test_unknown_platform_is_a_netjob_error() -> None:
    with pytest.raises(LabError, match="unknown lab platforms \\['cisco_asa'\\]; known: cisco_ios"):
        Lab(LabConfig(platforms=("cisco_ios", "cisco_asa")))
    assert issubclass(LabError, NetjobError)
