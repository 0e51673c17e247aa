"""The shows engineers try first answer on every lab platform, in text ntc-templates parse;
`netjob lab --commands` lists what each platform's devices accept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lab_fixture import as_text, connect, start_lab
from ntc_templates.parse import parse_output

from netjob_lab import Lab
from netjob_lab.catalog import catalog
from netjob_lab.shell import DIALECTS
from runner.cli import main

pytestmark = pytest.mark.lab

MIXED = ("cisco_ios", "arista_eos", "juniper_junos", "cisco_xr", "cisco_nxos", "huawei")
NTC = {"huawei": "huawei_vrp"}  # ntc-templates' name where it differs from netmiko's
# Per platform (its device in the lab), each new show and a field its rows must hold.
SHOWS: dict[str, list[tuple[str, str]]] = {
    "cisco_ios": [
        ("show interfaces", "interface"),
        ("show interfaces GigabitEthernet0/0", "ip_address"),
        ("show ip route", "network"),
        ("show cdp neighbors", "neighbor_name"),
        ("show lldp neighbors", "neighbor_name"),
        ("show inventory", "sn"),
        ("show logging", "mnemonic"),
        ("show vlan brief", "vlan_id"),
    ],
    "arista_eos": [
        ("show interfaces", "interface"),
        ("show interfaces Ethernet1", "ip_address"),
        ("show ip route", "network"),
        ("show lldp neighbors", "neighbor_name"),
        ("show inventory", "sn"),
        ("show vlan", "vlan_id"),
    ],
    "cisco_nxos": [
        ("show interface", "interface"),
        ("show interface Ethernet1/1", "ip_address"),
        ("show interfaces", "interface"),
        ("show ip route", "network"),
        ("show lldp neighbors", "neighbor_name"),
        ("show cdp neighbors", "neighbor_name"),
        ("show inventory", "sn"),
        ("show vlan brief", "vlan_id"),
    ],
    "cisco_xr": [
        ("show interfaces", "interface"),
        ("show interfaces GigabitEthernet0/0/0/0", "ip_address"),
        ("show route", "network"),
        ("show ip route", "network"),
        ("show lldp neighbors", "neighbor_name"),
        ("show inventory", "sn"),
    ],
    "juniper_junos": [
        ("show interfaces", "interface"),
        ("show interfaces ge-0/0/0", "mtu"),
        ("show lldp neighbors", "neighbor_name"),
        ("show chassis hardware", "chassis_serial_number"),
    ],
    "huawei": [
        ("display interface", "interface"),
        ("display interface GigabitEthernet0/0/0", "ip_address"),
        ("display lldp neighbor", "neighbor_name"),
        ("display device", "pid"),
    ],
}
# Shows whose rows each fill different fields (one per kind of part): the first must hold it.
FIRST_ROW = {"show chassis hardware"}


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=len(MIXED), platforms=MIXED) as running:
        yield running


@pytest.mark.parametrize("platform", sorted(SHOWS))
def test_new_shows_parse_with_ntc_templates(lab: Lab, platform: str) -> None:
    device = f"r{MIXED.index(platform) + 1:03d}"
    with connect(lab, device) as conn:
        for command, field in SHOWS[platform]:
            output = conn.send_command(command)
            rows = parse_output(platform=NTC.get(platform, platform), command=command, data=output)
            assert rows, f"{platform} {command!r}: no rows from\n{output}"
            filled = rows[:1] if command in FIRST_ROW else rows
            assert all(row[field] for row in filled), (command, rows)


def test_ios_show_interfaces_of_one_interface_and_an_unknown_one(lab: Lab) -> None:
    with connect(lab, "r001") as conn:
        one = as_text(conn.send_command("show interfaces gi0/1"))
        assert one.startswith("GigabitEthernet0/1 is up, line protocol is up")
        assert "Description: users" in one and "GigabitEthernet0/0" not in one
        assert "% Invalid input" in conn.send_command("show interfaces GigabitEthernet9/9")


def test_ios_route_table_follows_the_config() -> None:
    lines = ["interface GigabitEthernet0/2", "ip address 192.0.2.129 255.255.255.192"]
    with start_lab(devices=1) as own, connect(own, "r001") as conn:
        conn.enable()
        conn.send_config_set(lines)
        routes = conn.send_command("show ip route")
    assert "C        192.0.2.128/26 is directly connected, GigabitEthernet0/2" in routes
    assert "L        192.0.2.129/32 is directly connected, GigabitEthernet0/2" in routes


def test_lab_commands_lists_each_platforms_grammar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--commands"]) == 0
    out = capsys.readouterr().out
    for platform in MIXED:
        assert f"\n{platform}\n" in out
    assert "    show interfaces IFNAME\n" in out
    # Generated from the tables: every command a dialect accepts is listed.
    for platform, dialect in DIALECTS.items():
        listed = catalog()[platform]["exec"]
        assert set(dialect.priv_exec.specs) <= set(listed), platform
