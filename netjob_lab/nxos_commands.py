"""Cisco NX-OS: its exec commands and show texts, and the `Dialect` the shell runs it with.

NX-OS is IOS-like enough for the same shell and config commands: what differs is here
(users log straight into `r001# `, prompts end in a space, `% Invalid command at '^'
marker.`, `ip address 192.0.2.1/24`, `copy running-config startup-config` with its
progress bar).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import config_commands, exec_commands, facts, nxos_config, nxos_files, nxos_shows
from netjob_lab.grammar import ParseError
from netjob_lab.table import Dialect, Handler, Invalid, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

SAVE_FAILED = (
    "[#                                       ]   0%\n"
    "Configuration update aborted: request was aborted\n"
)
_TYPES = nxos_config.INTERFACE_TYPES


def show_version(shell: Shell, args: Sequence[str]) -> str:
    device = shell.device
    elapsed = datetime.now(timezone.utc) - device.boot_time
    return nxos_config.show_version(device.hostname, device.index, elapsed)


def show_ip_interface_brief(shell: Shell, args: Sequence[str]) -> str:
    return nxos_config.show_ip_interface_brief(shell.device.config)


def show_ip_route(shell: Shell, args: Sequence[str]) -> str:
    lines = [
        'IP Route Table for VRF "default"',
        "'*' denotes best ucast next-hop",
        "'**' denotes best mcast next-hop",
        "'[x/y]' denotes [preference/metric]",
        "'%<string>' in via output denotes VRF <string>",
        "",
    ]
    uptime = "3d01h"
    for route in facts.routes(shell.device.config, nxos_config.PORTS[0]):
        attached = ", attached" if route.kind != "static" else ""
        lines.append(f"{route.network}, ubest/mbest: 1/0{attached}")
        if route.kind == "static":
            hop = f"{route.next_hop}, [1/0], {uptime}, static"
        else:
            address = facts.network(shell.device.config.interfaces[route.interface])
            assert address is not None
            hop = f"{address.ip}, {nxos_config.short_name(route.interface)}, [0/0], {uptime}, "
            hop += "direct" if route.kind == "connected" else "local"
        lines.append(f"    *via {hop}")
    return "\n".join(lines) + "\n"


def show_lldp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    port = facts.neighbor_port(shell.device.index)
    return (
        "Capability codes:\n  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
        "  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n"
        "Device ID            Local Intf      Hold-time  Capability  Port ID\n"
        f"{facts.NEIGHBOR:<21}Eth1/1          120        BR          Gi{port}\n\n"
        "Total entries displayed: 1\n"
    )


def show_running_config(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.running_config()


def show_running_interface(shell: Shell, args: Sequence[str]) -> str:
    interface = shell.device.config.interfaces.get(args[0])
    if interface is None:
        raise Invalid(0)
    lines = ["", "!Command: show running-config interface " + args[0], ""]
    return "\n".join(lines + nxos_config.render_interface(interface)[1:]) + "\n"


def show_startup_config(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.startup_config


def copy_running_startup(shell: Shell, args: Sequence[str]) -> str:
    shell.device.save()
    return "[########################################] 100%\nCopy complete.\n"


def ip_prefix(shell: Shell, args: Sequence[str]) -> str:
    address = ipaddress.IPv4Interface(args[0])
    return config_commands.ip_address(shell, [str(address.ip), str(address.netmask)])


_USER: list[tuple[str, Handler]] = [
    ("exit", exec_commands.logout),
    ("terminal length NUM", exec_commands.terminal_length),
    ("terminal width NUM", exec_commands.terminal_width),
    ("show version", show_version),
    ("show clock", exec_commands.show_clock),
    ("show ip interface brief", show_ip_interface_brief),
    ("show ip route", show_ip_route),
    ("show lldp neighbors", show_lldp_neighbors),
    ("show interface", nxos_shows.show_interface),
    ("show interface IFNAME", nxos_shows.show_interface),
    ("show interfaces", nxos_shows.show_interface),
    ("show interfaces IFNAME", nxos_shows.show_interface),
    ("show inventory", nxos_shows.show_inventory),
    ("show vlan brief", nxos_shows.show_vlan_brief),
    ("show cdp neighbors", nxos_shows.show_cdp_neighbors),
    ("show running-config", show_running_config),
    ("show running-config interface IFNAME", show_running_interface),
    ("show startup-config", show_startup_config),
    ("configure", exec_commands.configure_terminal),
    ("configure terminal", exec_commands.configure_terminal),
    ("copy running-config startup-config", copy_running_startup),
    *nxos_files.COMMANDS,  # bootflash: for SCP, and `rollback running-config file`
]
# Global config commands in the forms NX-OS's running config shows them, so that the
# running config typed back in (`rollback running-config file`) is the same config.
_GLOBAL: list[tuple[str, Handler]] = [
    *config_commands.GLOBAL_COMMANDS,
    ("ntp server IP use-vrf WORD", config_commands.ntp_server),
    ("snmp-server community WORD group network-operator", config_commands.snmp_community_ro),
    ("logging server IP", config_commands.logging_host),
    ("no logging server IP", config_commands.no_logging_host),
]


def _suffix(mode: Mode, context: str) -> str:
    return f"{mode.value} "  # NX-OS prompts end in a space: `r001# `, `r001(config-if)# `


def _parse_error(error: ParseError, line: str, prompt: int) -> str:
    if error.kind == "ambiguous":
        return "% Ambiguous command at '^' marker.\n"
    if error.kind == "incomplete":
        return "% Incomplete command at '^' marker.\n"
    return _invalid(line, error.column, prompt)


def _invalid(line: str, column: int, prompt: int) -> str:
    return " " * (prompt + column) + "^\n% Invalid command at '^' marker.\n"


NXOS = Dialect(
    user_exec=Table(_USER, _TYPES),
    priv_exec=Table(_USER, _TYPES),
    config=Table(_GLOBAL, _TYPES),
    submodes={
        Mode.CONFIG_IF: Table(
            [*config_commands.INTERFACE_COMMANDS, ("ip address PREFIX", ip_prefix)], _TYPES
        ),
        Mode.CONFIG_VLAN: Table(config_commands.VLAN_COMMANDS, _TYPES),
    },
    prompt_suffix=_suffix,
    parse_error=_parse_error,
    invalid=_invalid,
    start_mode=Mode.PRIV,
    refusals={copy_running_startup: SAVE_FAILED},
)
