"""Arista EOS: its exec commands and show texts, and the `Dialect` the shell runs it with.

EOS is close enough to IOS that the same shell and config commands serve: what differs is
here (prompts like `r002(config-if-Et1)#`, `% Invalid input (at token 1: 'foo')`, the
show texts, `configure`, `Copy completed successfully.`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from netjob_lab import (
    config_commands,
    eos_config,
    eos_files,
    eos_shows,
    exec_commands,
    facts,
    timed_commands,
)
from netjob_lab.grammar import ParseError, tokenize
from netjob_lab.table import Dialect, Handler, Invalid, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell


def terminal_length(shell: Shell, args: Sequence[str]) -> str:
    exec_commands.terminal_length(shell, args)
    if shell.terminal_length == 0:
        return "Pagination disabled.\n"
    return f"Pagination set to {shell.terminal_length} lines.\n"


def terminal_width(shell: Shell, args: Sequence[str]) -> str:
    exec_commands.terminal_width(shell, args)
    return f"Width set to {shell.terminal_width} columns.\n"


def show_version(shell: Shell, args: Sequence[str]) -> str:
    device = shell.device
    mac = f"5254.00{device.index >> 16 & 0xFF:02x}.{device.index & 0xFFFF:04x}"
    memory = 2006288
    return f"""\
Arista vEOS-lab
Hardware version:
Serial number: SN{device.index:07d}
Hardware MAC address: {mac}
System MAC address: {mac}

Software image version: {eos_config.VERSION}
Architecture: x86_64
Internal build version: {eos_config.VERSION}-32315456.4301F
Internal build ID: 7bd3d6e9-2c5e-4e4b-9d6e-bfb0ad8a2e05
Image format version: 1.0
Image optimization: None

Kernel version: 5.10.165

Uptime: {uptime(datetime.now(timezone.utc) - device.boot_time)}
Total memory: {memory} kB
Free memory: {memory * 6 // 10} kB
"""


def uptime(elapsed: timedelta) -> str:
    """EOS style: `3 days, 1 hour and 37 minutes`."""
    seconds = int(elapsed.total_seconds())
    parts: list[str] = []
    for name, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count or (name == "minute" and not parts):
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def show_hostname(shell: Shell, args: Sequence[str]) -> str:
    return f"Hostname: {shell.device.hostname}\nFQDN:     {shell.device.hostname}\n"


def show_clock(shell: Shell, args: Sequence[str]) -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%a %b %d %H:%M:%S %Y") + "\nTimezone: UTC\nClock source: local\n"


def show_ip_interface_brief(shell: Shell, args: Sequence[str]) -> str:
    lines = [
        " " * 77 + "Address",
        f"{'Interface':<16}{'IP Address':<22}{'Status':<13}{'Protocol':<15}{'MTU':>9} Owner",
        f"{'-' * 15} {'-' * 21} {'-' * 12} {'-' * 14} {'-' * 9} {'-' * 7}",
    ]
    interfaces = shell.device.config.interfaces
    for name in sorted(interfaces, key=eos_config.interface_order):
        interface = interfaces[name]
        address = eos_config.prefix(interface.address) if interface.address else "unassigned"
        status, protocol = ("admin down", "down") if interface.shutdown else ("up", "up")
        mtu = 65535 if name.startswith("Loopback") else 1500
        lines.append(f"{name:<16}{address:<22}{status:<13}{protocol:<15}{mtu:>9}")
    return "\n".join(lines) + "\n"


def show_ip_route(shell: Shell, args: Sequence[str]) -> str:
    """EOS lists no local /32 routes; codes, then one line per route."""
    lines = [
        "VRF: default",
        "Codes: C - connected, S - static, K - kernel,",
        "       O - OSPF, IA - OSPF inter area, B - Other BGP Routes",
        "",
        "Gateway of last resort:",
    ]
    routes = facts.routes(shell.device.config, eos_config.PORTS[0])
    for route in (r for r in routes if r.kind == "static"):
        lines += [f" S        {route.network} [1/0] via {route.next_hop}, {route.interface}", ""]
    for route in (r for r in routes if r.kind == "connected"):
        lines.append(f" C        {route.network} is directly connected, {route.interface}")
    return "\n".join([*lines, ""]) + "\n"


def show_lldp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    index = shell.device.index
    return (
        "Last table change time   : 0:10:04 ago\nNumber of table inserts  : 1\n"
        "Number of table deletes  : 0\nNumber of table drops    : 0\n"
        "Number of table ageouts  : 0\n\n"
        "Port          Neighbor Device ID       Neighbor Port ID    TTL\n"
        "---------- ------------------------ ---------------------- ---\n"
        f"Et1           {facts.NEIGHBOR:<25}{facts.lldp_port(index):<23}120\n"
    )


def show_running_config(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.running_config()


def show_running_interface(shell: Shell, args: Sequence[str]) -> str:
    interface = shell.device.config.interfaces.get(args[0])
    if interface is None:
        raise Invalid(0)
    return "\n".join(eos_config.render_interface(interface)[:-1]) + "\n"


def show_startup_config(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.startup_config


def configure(shell: Shell, args: Sequence[str]) -> str:
    shell.mode = Mode.CONFIG
    return ""


def write_memory(shell: Shell, args: Sequence[str]) -> str:
    shell.device.save()
    return "Copy completed successfully.\n"


def ip_prefix(shell: Shell, args: Sequence[str]) -> str:
    """`ip address 192.0.2.1/24`, EOS's usual form (the IOS form works too)."""
    address = ipaddress.IPv4Interface(args[0])
    return config_commands.ip_address(shell, [str(address.ip), str(address.netmask)])


def enable_password(shell: Shell, args: Sequence[str]) -> str:
    return config_commands.enable_secret(shell, args)


def _user(commands: Sequence[tuple[str, Handler]]) -> list[tuple[str, Handler]]:
    return [
        ("enable", exec_commands.enable),
        ("disable", exec_commands.disable),
        ("exit", exec_commands.logout),
        ("logout", exec_commands.logout),
        ("terminal length NUM", terminal_length),
        ("terminal width NUM", terminal_width),
        ("show version", show_version),
        ("show hostname", show_hostname),
        ("show clock", show_clock),
        ("show ip interface brief", show_ip_interface_brief),
        ("show ip route", show_ip_route),
        ("show lldp neighbors", show_lldp_neighbors),
        ("show interfaces", eos_shows.show_interfaces),
        ("show interfaces IFNAME", eos_shows.show_interfaces),
        ("show inventory", eos_shows.show_inventory),
        ("show vlan", eos_shows.show_vlan),
        *commands,
    ]


_PRIV: list[tuple[str, Handler]] = [
    ("configure", configure),
    ("configure terminal", configure),
    ("configure session WORD", timed_commands.configure_session),
    ("configure session WORD commit", timed_commands.session_commit),
    ("show running-config", show_running_config),
    ("show running-config interfaces IFNAME", show_running_interface),
    ("show startup-config", show_startup_config),
    ("write", write_memory),
    ("write memory", write_memory),
    ("copy running-config startup-config", write_memory),
    *eos_files.COMMANDS,  # its flash, through bash for netmiko's SCP; configure replace
]
_TYPES = eos_config.INTERFACE_TYPES


def _suffix(mode: Mode, context: str) -> str:
    if mode is Mode.CONFIG_IF:
        return f"(config-if-{eos_config.short_name(context)})#"
    if mode is Mode.CONFIG_VLAN:
        return f"(config-vlan-{context})#"
    return str(mode.value)


def _parse_error(error: ParseError, line: str, prompt: int) -> str:
    if error.kind == "ambiguous":
        return "% Ambiguous command\n"
    if error.kind == "incomplete":
        return "% Incomplete command\n"
    return _invalid(line, error.column, prompt)


def _invalid(line: str, column: int, prompt: int) -> str:
    """EOS names the bad word and its position instead of drawing a caret."""
    tokens = tokenize(line)
    at = next((i for i, t in enumerate(tokens) if column < t.start + len(t.text)), 0)
    word = tokens[at].text if tokens else ""
    return f"% Invalid input (at token {at}: '{word}')\n"


# A configuration session's own commands, in each of its modes.
_SESSION: list[tuple[str, Handler]] = [
    ("commit", timed_commands.eos_commit),
    ("commit timer WORD", timed_commands.eos_commit_timer),
    ("abort", timed_commands.eos_abort),
]

EOS = Dialect(
    user_exec=Table(_user([]), _TYPES),
    priv_exec=Table(_user(_PRIV), _TYPES),
    config=Table(
        [
            *config_commands.GLOBAL_COMMANDS,
            *_SESSION,
            ("enable password WORD", enable_password),
            # How EOS shows `ip http server` (its HTTP API), typed back by a replace.
            ("management api http-commands", config_commands.http_server),
        ],
        _TYPES,
    ),
    submodes={
        Mode.CONFIG_IF: Table(
            [*config_commands.INTERFACE_COMMANDS, *_SESSION, ("ip address PREFIX", ip_prefix)],
            _TYPES,
        ),
        Mode.CONFIG_VLAN: Table([*config_commands.VLAN_COMMANDS, *_SESSION], _TYPES),
    },
    prompt_suffix=_suffix,
    parse_error=_parse_error,
    invalid=_invalid,
    refusals={
        write_memory: "% Error copying system:/running-config to flash:/startup-config "
        "(Permission denied)\n"
    },
)
