"""A config task's remediation (runner.device.remediation): the lines the device still
lacks, given its running config; computed on every config step, sent unless a dry run."""

from __future__ import annotations

import pytest
from hier_config import Platform

from netjob_lab.device import Device
from runner.base.errors import RemediationError
from runner.device.remediation import hier_platform, remediation

RUNNING = """\
hostname r1
!
interface GigabitEthernet0/1
 description users
 ip address 203.0.113.1 255.255.255.0
!
interface GigabitEthernet0/2
 no ip address
!
ip http server
ntp server 192.0.2.1
end
"""


def to_send(lines: list[str], running: str = RUNNING) -> list[str]:
    """The lines to send without hier_config's indentation width, for readable asserts."""
    return [line.strip() for line in remediation(running, lines, "cisco_ios").lines]


def test_only_the_missing_ntp_server_is_sent() -> None:
    fix = remediation(RUNNING, ["ntp server 192.0.2.1", "ntp server 192.0.2.2"], "cisco_ios")
    assert fix.lines == ("ntp server 192.0.2.2",)
    assert fix.diff == "+ntp server 192.0.2.2\n"
    assert fix.lines


def test_a_changed_description_is_sent_under_its_interface() -> None:
    fix = remediation(RUNNING, ["interface GigabitEthernet0/1", " description uplink"], "cisco_ios")
    assert [line.strip() for line in fix.lines] == [
        "interface GigabitEthernet0/1",
        "description uplink",
    ]
    assert fix.lines[1].startswith(" ")  # under its parent, ready to send
    # The existing parent is context in the diff; the new line is a `+`, the one it replaces a `-`.
    assert fix.diff.splitlines() == [
        " interface GigabitEthernet0/1",
        "-  description users",  # what it replaces
        "+  description uplink",
    ]


def test_lines_already_in_force_send_nothing() -> None:
    lines = ["ntp server 192.0.2.1", "interface GigabitEthernet0/1", " description users"]
    fix = remediation(RUNNING, lines, "cisco_ios")
    assert fix.lines == () and fix.diff == ""


def test_a_partial_config_never_removes_what_it_does_not_mention() -> None:
    lines = to_send(["ntp server 192.0.2.9"])
    assert lines == ["ntp server 192.0.2.9"]
    assert not any(line.startswith("no ") for line in lines)


def test_a_new_interface_is_sent_whole() -> None:
    fix = remediation(RUNNING, ["interface Loopback9", " description new"], "cisco_ios")
    assert fix.diff.splitlines() == ["+interface Loopback9", "+  description new"]


def test_a_negation_of_a_present_line_is_sent() -> None:
    assert to_send(["no ip http server"]) == ["no ip http server"]
    assert to_send(["no ip http server"], RUNNING.replace("ip http", "no ip http")) == []


def test_removing_an_address_is_sent_not_hidden() -> None:
    # hier_config's IOS driver drops ` no ip address` lines; the remediation must not say unchanged.
    lines = to_send(["interface GigabitEthernet0/1", " no ip address"])
    assert lines == ["interface GigabitEthernet0/1", "no ip address 203.0.113.1 255.255.255.0"]
    assert to_send(["interface GigabitEthernet0/2", " no ip address"]) == []


def test_a_one_line_banner_does_not_swallow_the_config() -> None:
    running = RUNNING.replace("end\n", "banner motd ^CAuthorized only^C\nlogging host 192.0.2.50\n")
    assert to_send(["banner motd ^CAuthorized only^C", "logging host 192.0.2.50"], running) == []
    assert to_send(["banner motd #Keep out#"], running) == ["banner motd #Keep out#"]


def test_remediation_against_a_lab_running_config() -> None:
    running = Device(4, "r004", "lab-enable").running_config()  # r004 lacks the NTP server
    lines = ["ntp server 192.0.2.123", "logging host 192.0.2.50", "no ip http server"]
    assert to_send(lines, running) == ["ntp server 192.0.2.123"]
    in_force = Device(1, "r001", "lab-enable").running_config()
    assert remediation(in_force, lines, "cisco_ios").lines == ()


def test_a_lab_interface_change_is_sent_with_its_parent() -> None:
    running = Device(1, "r001", "lab-enable").running_config()
    lines = ["interface GigabitEthernet0/3", " description spare", " no shutdown"]
    assert to_send(lines, running) == ["interface GigabitEthernet0/3", "no shutdown"]


@pytest.mark.parametrize(
    ("device_type", "platform"),
    [
        ("cisco_ios", Platform.CISCO_IOS),
        ("cisco_ios_telnet", Platform.CISCO_IOS),
        ("cisco_xe", Platform.CISCO_IOS),
        ("cisco_nxos", Platform.CISCO_NXOS),
        ("arista_eos", Platform.ARISTA_EOS),
        ("juniper_junos", Platform.JUNIPER_JUNOS),
        ("linux", Platform.GENERIC),
    ],
)
def test_netmiko_device_types_map_to_hier_config_platforms(
    device_type: str, platform: Platform
) -> None:
    assert hier_platform(device_type) is platform


def test_other_platforms_are_remediated_too() -> None:
    running = "ntp server 192.0.2.1\ninterface Ethernet1\n  description a\n"
    for device_type in ("cisco_nxos", "arista_eos", "acme_os"):
        fix = remediation(running, ["interface Ethernet1", "  description b"], device_type)
        assert [line.strip() for line in fix.lines] == ["interface Ethernet1", "description b"]


def test_junos_set_commands_send_only_what_is_missing() -> None:
    running = "set system ntp server 192.0.2.1\nset system host-name r1\n"
    lines = ["set system ntp server 192.0.2.1", "set system ntp server 192.0.2.2"]
    fix = remediation(running, lines, "juniper_junos")
    assert fix.lines == ("set system ntp server 192.0.2.2",)


def test_an_unterminated_banner_is_a_remediation_error() -> None:
    with pytest.raises(RemediationError, match="cannot read the task's lines as CISCO_IOS"):
        remediation(RUNNING, ["banner motd ^C", "never closed"], "cisco_ios")


def test_set_style_remediation_sends_only_what_is_missing() -> None:
    from runner.device.remediation import set_lines_remediation

    running = "set system host-name r003\nset system ntp server 192.0.2.1\n"
    fix = set_lines_remediation(
        running,
        [
            "set system ntp server 192.0.2.1",  # there: not sent
            "set system ntp server 192.0.2.2",  # missing: sent
            "delete system ntp server 192.0.2.1",  # there: sent
            "delete system syslog host 192.0.2.9",  # absent: not sent
        ],
    )
    assert fix.lines == ("set system ntp server 192.0.2.2", "delete system ntp server 192.0.2.1")
    assert set_lines_remediation(running, ["set system ntp server 192.0.2.1"]).lines == ()
