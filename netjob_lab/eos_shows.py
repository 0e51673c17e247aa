"""Arista EOS's everyday shows beyond the basics (`show interfaces`, `show inventory`,
`show vlan`), generated from the device's config and shaped so that ntc-templates parse
them (tests/test_lab_shows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import eos_config, facts
from netjob_lab.running import Interface
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

_COUNTERS = """\
  Last clearing of "show interface" counters never
  5 minutes input rate 0 bps (0.0% with framing overhead), 0 packets/sec
  5 minutes output rate 0 bps (0.0% with framing overhead), 0 packets/sec
     1024 packets input, 98304 bytes
     Received 12 broadcasts, 0 multicast
     0 runts, 0 giants
     0 input errors, 0 CRC, 0 alignment, 0 symbol, 0 input discards
     0 PAUSE input
     1024 packets output, 98304 bytes
     Sent 0 broadcasts, 32 multicast
     0 output errors, 0 collisions
     0 late collision, 0 deferred, 0 output discards
     0 PAUSE output
"""


def _interface(index: int, interface: Interface) -> str:
    name = interface.name
    if interface.shutdown:
        lines = [f"{name} is administratively down, line protocol is down (disabled)"]
    else:
        lines = [f"{name} is up, line protocol is up (connected)"]
    loopback = not name.startswith("Ethernet")
    if loopback:
        lines.append("  Hardware is Loopback")
    else:
        address = facts.mac(
            index, eos_config.PORTS.index(name) + 1 if name in eos_config.PORTS else 0
        )
        lines.append(f"  Hardware is Ethernet, address is {address} (bia {address})")
    if interface.description:
        lines.append(f"  Description: {interface.description}")
    net = facts.network(interface)
    if net is not None:
        lines += [
            f"  Internet address is {net.with_prefixlen}",
            "  Broadcast address is 255.255.255.255",
        ]
    else:
        lines.append("  No Internet protocol address assigned")
    if loopback:
        return "\n".join([*lines, "  IP MTU 65535 bytes"]) + "\n"
    lines += [
        "  IP MTU 1500 bytes , BW 1000000 kbit",
        "  Full-duplex, 1Gb/s, auto negotiation: off, uni-link: n/a",
        "  Down 3 days, 1 hour" if interface.shutdown else "  Up 3 days, 1 hour",
        "  1 link status changes since last clear",
    ]
    return "\n".join(lines) + "\n" + _COUNTERS


def show_interfaces(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.device.config.interfaces
    if args:
        if args[0] not in interfaces:
            raise Invalid(0)
        return _interface(shell.device.index, interfaces[args[0]])
    names = sorted(interfaces, key=eos_config.interface_order)
    return "".join(_interface(shell.device.index, interfaces[n]) for n in names)


def show_inventory(shell: Shell, args: Sequence[str]) -> str:
    serial = f"SN{shell.device.index:07d}"
    return (
        "System information\n"
        "  Model                    Description\n"
        "  ------------------------ ----------------------------------------------------\n"
        "  vEOS-lab                 Arista Networks vEOS\n\n"
        "  HW Version  Serial Number  Mfg Date\n"
        "  ----------- -------------- ----------\n"
        f"  01.00       {serial:<15}2023-01-01\n"
    )


def show_vlan(shell: Shell, args: Sequence[str]) -> str:
    """VLAN 1 holds the ports without an address (switchports, as the lab treats them)."""
    config = shell.device.config
    ports = [
        eos_config.short_name(n)
        for n in sorted(config.interfaces, key=eos_config.interface_order)
        if n.startswith("Ethernet") and config.interfaces[n].address is None
    ]
    lines = [
        "VLAN  Name                             Status    Ports",
        "----- -------------------------------- --------- -------------------------------",
        f"{1:<6}{'default':<33}{'active':<10}{', '.join(ports)}".rstrip(),
    ]
    for vlan in sorted(config.vlans.values(), key=lambda v: v.number):
        name = vlan.name or f"VLAN{vlan.number:04d}"
        lines.append(f"{vlan.number:<6}{name:<33}active")
    return "\n".join(lines) + "\n"
