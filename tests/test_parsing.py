from __future__ import annotations

from pathlib import Path

import pytest

from netjob_lab.device import Device
from netjob_lab.shell import Shell
from runner.base.errors import ParseError
from runner.device.parsers import parse_output

TEMPLATE = r"""Value Required INTERFACE (\S+)
Value ADDRESS (\S+)

Start
  ^${INTERFACE}\s+${ADDRESS}\s+YES -> Record
"""


def lab_output(command: str, index: int = 1) -> str:
    """What a lab router prints, without SSH: the same Shell the lab's server drives."""
    shell = Shell(Device(index, f"r{index:03d}", "lab-enable"))
    shell.execute("enable")
    shell.execute("lab-enable")
    return shell.execute(command).output


def test_show_version_from_the_lab_parses_with_ntc_templates() -> None:
    (row,) = parse_output("cisco_ios", "show version", lab_output("show version", 2))
    assert row["hostname"] == "r002"
    assert row["version"] == "15.9(3)M4"
    assert row["uptime_days"] == "3"


def test_show_ip_interface_brief_rows_have_lowercase_keys() -> None:
    rows = parse_output("cisco_ios", "show ip interface brief", lab_output("show ip int brief"))
    by_name = {row["interface"]: row for row in rows}
    assert by_name["GigabitEthernet0/0"]["ip_address"] == "192.0.2.1"
    assert by_name["GigabitEthernet0/3"]["status"] == "administratively down"
    assert all(key == key.lower() for row in rows for key in row)


def test_an_abbreviated_command_finds_its_template() -> None:
    rows = parse_output("cisco_ios", "sh ip int br", lab_output("show ip interface brief"))
    assert len(rows) == 5


def test_no_template_for_the_command_names_platform_command_and_what_to_try() -> None:
    with pytest.raises(ParseError) as caught:
        parse_output("cisco_ios", "show running-config", lab_output("show running-config"))
    message = str(caught.value)
    assert "'show running-config' on cisco_ios" in message
    assert "template:" in message and "\n" not in message


def test_an_unknown_platform_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="'show version' on nonesuch_os"):
        parse_output("nonesuch_os", "show version", "x")


def test_an_error_rule_in_the_template_is_a_parse_error() -> None:
    output = "VLAN Name  Status  Ports\n---- ----\nnot a vlan line\n"
    with pytest.raises(ParseError, match="refused the output of 'show vlan' on cisco_ios"):
        parse_output("cisco_ios", "show vlan", output)


def test_a_user_template_parses_and_lowercases_keys(tmp_path: Path) -> None:
    template = tmp_path / "brief.textfsm"
    template.write_text(TEMPLATE)
    rows = parse_output("cisco_ios", "show ip int brief", lab_output("show ip int brief"), template)
    assert rows[0] == {"interface": "Loopback0", "address": "198.51.100.1"}
    assert len(rows) == 5


def test_a_user_template_is_read_once(tmp_path: Path) -> None:
    template = tmp_path / "once.textfsm"
    template.write_text(TEMPLATE)
    output = lab_output("show ip int brief")
    first = parse_output("cisco_ios", "show ip int brief", output, template)
    template.unlink()  # a second host must not need the file again
    assert parse_output("cisco_ios", "show ip int brief", output, template) == first


def test_an_invalid_user_template_is_a_parse_error(tmp_path: Path) -> None:
    template = tmp_path / "bad.textfsm"
    template.write_text("Value X (\\S+\n\nStart\n  ^${X} -> Record\n")
    with pytest.raises(ParseError, match=r"bad\.textfsm is invalid"):
        parse_output("cisco_ios", "show x", "a", template)


def test_a_missing_user_template_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"TextFSM template \S*missing\.textfsm: cannot read"):
        parse_output("cisco_ios", "show x", "a", tmp_path / "missing.textfsm")


def test_a_user_template_error_rule_is_a_parse_error(tmp_path: Path) -> None:
    template = tmp_path / "strict.textfsm"
    template.write_text("Value X (\\d+)\n\nStart\n  ^${X} -> Record\n  ^.+ -> Error\n")
    assert parse_output("cisco_ios", "show x", "1\n2\n", template) == [{"x": "1"}, {"x": "2"}]
    with pytest.raises(ParseError, match=r"strict\.textfsm refused the output of 'show x'"):
        parse_output("cisco_ios", "show x", "1\nword\n", template)
