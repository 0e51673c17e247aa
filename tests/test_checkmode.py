from __future__ import annotations

import pytest
from hier_config import Platform

from runner.base.errors import PlanError
from runner.device.config_plan import hier_platform, plan_config
from runner.lab.device import Device

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


def planned(lines: list[str], running: str = RUNNING) -> list[str]:
    """The planned lines without hier_config's indentation width, for readable asserts."""
    return [line.strip() for line in plan_config(running, lines, "cisco_ios").lines]


def test_only_the_missing_ntp_server_is_planned() -> None:
    plan = plan_config(RUNNING, ["ntp server 192.0.2.1", "ntp server 192.0.2.2"], "cisco_ios")
    assert plan.lines == ("ntp server 192.0.2.2",)
    assert plan.diff == "+ntp server 192.0.2.2\n"
    assert plan.lines


def test_a_changed_description_is_planned_under_its_interface() -> None:
    plan = plan_config(
        RUNNING, ["interface GigabitEthernet0/1", " description uplink"], "cisco_ios"
    )
    assert [line.strip() for line in plan.lines] == [
        "interface GigabitEthernet0/1",
        "description uplink",
    ]
    assert plan.lines[1].startswith(" ")  # under its parent, ready to send
    # The existing parent is context in the diff; only the new line is a `+`.
    assert plan.diff.splitlines() == [" interface GigabitEthernet0/1", "+  description uplink"]


def test_lines_already_in_force_plan_nothing() -> None:
    lines = ["ntp server 192.0.2.1", "interface GigabitEthernet0/1", " description users"]
    plan = plan_config(RUNNING, lines, "cisco_ios")
    assert plan.lines == () and plan.diff == ""


def test_a_partial_config_never_removes_what_it_does_not_mention() -> None:
    lines = planned(["ntp server 192.0.2.9"])
    assert lines == ["ntp server 192.0.2.9"]
    assert not any(line.startswith("no ") for line in lines)


def test_a_new_interface_is_planned_whole() -> None:
    plan = plan_config(RUNNING, ["interface Loopback9", " description new"], "cisco_ios")
    assert plan.diff.splitlines() == ["+interface Loopback9", "+  description new"]


def test_a_negation_of_a_present_line_is_planned() -> None:
    assert planned(["no ip http server"]) == ["no ip http server"]
    assert planned(["no ip http server"], RUNNING.replace("ip http", "no ip http")) == []


def test_removing_an_address_is_planned_not_hidden() -> None:
    # hier_config's IOS driver drops ` no ip address` lines; the plan must not say unchanged.
    lines = planned(["interface GigabitEthernet0/1", " no ip address"])
    assert lines == ["interface GigabitEthernet0/1", "no ip address 203.0.113.1 255.255.255.0"]
    assert planned(["interface GigabitEthernet0/2", " no ip address"]) == []


def test_a_one_line_banner_does_not_swallow_the_config() -> None:
    running = RUNNING.replace("end\n", "banner motd ^CAuthorized only^C\nlogging host 192.0.2.50\n")
    assert planned(["banner motd ^CAuthorized only^C", "logging host 192.0.2.50"], running) == []
    assert planned(["banner motd #Keep out#"], running) == ["banner motd #Keep out#"]


def test_plans_against_a_lab_running_config() -> None:
    running = Device(4, "r004", "lab-enable").running_config()  # r004 lacks the NTP server
    lines = ["ntp server 192.0.2.123", "logging host 192.0.2.50", "no ip http server"]
    assert planned(lines, running) == ["ntp server 192.0.2.123"]
    in_force = Device(1, "r001", "lab-enable").running_config()
    assert plan_config(in_force, lines, "cisco_ios").lines == ()


def test_a_lab_interface_change_is_planned_with_its_parent() -> None:
    running = Device(1, "r001", "lab-enable").running_config()
    lines = ["interface GigabitEthernet0/3", " description spare", " no shutdown"]
    assert planned(lines, running) == ["interface GigabitEthernet0/3", "no shutdown"]


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


def test_other_platforms_plan_too() -> None:
    running = "ntp server 192.0.2.1\ninterface Ethernet1\n  description a\n"
    for device_type in ("cisco_nxos", "arista_eos", "acme_os"):
        plan = plan_config(running, ["interface Ethernet1", "  description b"], device_type)
        assert [line.strip() for line in plan.lines] == ["interface Ethernet1", "description b"]


def test_junos_set_commands_plan_only_what_is_missing() -> None:
    running = "set system ntp server 192.0.2.1\nset system host-name r1\n"
    lines = ["set system ntp server 192.0.2.1", "set system ntp server 192.0.2.2"]
    plan = plan_config(running, lines, "juniper_junos")
    assert plan.lines == ("set system ntp server 192.0.2.2",)


def test_an_unterminated_banner_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="cannot read the task's lines as CISCO_IOS"):
        plan_config(RUNNING, ["banner motd ^C", "never closed"], "cisco_ios")


def test_set_style_plan_sends_only_what_is_missing() -> None:
    from runner.device.config_plan import plan_set_lines

    running = "set system host-name r003\nset system ntp server 192.0.2.1\n"
    plan = plan_set_lines(
        running,
        [
            "set system ntp server 192.0.2.1",  # there: not sent
            "set system ntp server 192.0.2.2",  # missing: sent
            "delete system ntp server 192.0.2.1",  # there: sent
            "delete system syslog host 192.0.2.9",  # absent: not sent
        ],
    )
    assert plan.lines == ("set system ntp server 192.0.2.2", "delete system ntp server 192.0.2.1")
    assert plan_set_lines(running, ["set system ntp server 192.0.2.1"]).lines == ()
