"""Junos' everyday shows beyond the basics (`show interfaces [X]`, `show lldp neighbors`,
`show chassis hardware`), generated from the committed configuration and shaped so that
ntc-templates parse them (tests/test_lab_shows.py)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netjob_lab import facts
from netjob_lab.junos_config import Statement
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.junos_shell import JunosShell

UPLINK = "ge-0/0/0"


@dataclass
class _Port:
    name: str
    description: str = ""
    disabled: bool = False
    units: dict[str, list[str]] = field(default_factory=dict)  # unit → inet prefixes


def ports(statements: Sequence[Statement]) -> dict[str, _Port]:
    """The committed interfaces, in the order the configuration names them."""
    found: dict[str, _Port] = {}
    for statement in statements:
        if statement[0] != "interfaces" or len(statement) < 3:
            continue
        port = found.setdefault(statement[1], _Port(statement[1]))
        leaf = statement[2]
        if leaf.startswith("description "):
            port.description = leaf.split(" ", 1)[1].strip('"')
        elif leaf == "disable":
            port.disabled = True
        elif leaf.startswith("unit "):
            addresses = port.units.setdefault(leaf.split()[1], [])
            if len(statement) > 4 and statement[4].startswith("address "):
                addresses.append(statement[4].split()[1])
    return found


def _destination(prefix: str) -> str:
    """Junos writes a subnet with its zero octets left out: 192.0.2/24."""
    net = ipaddress.IPv4Interface(prefix).network
    octets = str(net.network_address).split(".")[: max(1, -(-net.prefixlen // 8))]
    return f"{'.'.join(octets)}/{net.prefixlen}"


def _physical(index: int, number: int, port: _Port) -> str:
    # Junos says `Administratively down`: ntc-templates' pattern takes one word only.
    admin, link = ("Disabled", "Down") if port.disabled else ("Enabled", "Up")
    loopback = port.name.startswith("lo")
    lines = [
        f"Physical interface: {port.name}, {admin}, Physical link is {link}",
        f"  Interface index: {128 + number}, SNMP ifIndex: {500 + number}",
    ]
    if port.description:
        lines.append(f"  Description: {port.description}")
    if loopback:
        lines += ["  Type: Loopback, Link-level type: Unspecified, MTU: Unlimited"]
    else:
        mac = facts.mac(index, number + 1).replace(".", "")
        mac = ":".join(mac[i : i + 2] for i in range(0, 12, 2))
        lines += [
            "  Link-level type: Ethernet, MTU: 1514, LAN-PHY mode, Speed: 1000mbps,",
            "  Device flags   : Present Running",
            "  Interface flags: SNMP-Traps Internal: 0x4000",
            "  Link flags     : None",
            f"  Current address: {mac}, Hardware address: {mac}",
            "  Last flapped   : never",
            "  Input rate     : 0 bps (0 pps)",
            "  Output rate    : 0 bps (0 pps)",
            "  Active alarms  : None",
            "  Active defects : None",
        ]
    for unit, addresses in port.units.items():
        flags = "Down" if port.disabled else "Up"
        lines += [
            "",
            f"  Logical interface {port.name}.{unit} (Index {64 + number}) "
            f"(SNMP ifIndex {540 + number})",
            f"    Flags: {flags} SNMP-Traps 0x4000 Encapsulation: "
            + ("Unspecified" if loopback else "ENET2"),
            "    Input packets : 1024",
            "    Output packets: 1024",
            "    Protocol inet, MTU: " + ("Unlimited" if loopback else "1500"),
        ]
        for prefix in addresses:
            local = prefix.split("/")[0]
            lines.append("      Addresses, Flags: Is-Preferred Is-Primary")
            if prefix.endswith("/32"):
                lines.append(
                    f"        Destination: Unspecified, Local: {local}, Broadcast: Unspecified"
                )
            else:
                broadcast = ipaddress.IPv4Interface(prefix).network.broadcast_address
                dest = _destination(prefix)
                lines.append(f"        Destination: {dest}, Local: {local}, Broadcast: {broadcast}")
    return "\n".join(lines) + "\n\n"


def show_interfaces(shell: JunosShell, args: Sequence[str]) -> str:
    found = ports(shell.device.committed)
    names = list(found)
    if args:
        if args[0] not in found:
            raise Invalid(0)
        names = [args[0]]
    index = shell.device.index
    return "".join(_physical(index, list(found).index(n), found[n]) for n in names)


def show_lldp_neighbors(shell: JunosShell, args: Sequence[str]) -> str:
    chassis = "2c:6b:f5:00:00:01"
    port = facts.lldp_port(shell.device.index)
    return (
        "Local Interface    Parent Interface    Chassis Id          Port info"
        "              System Name\n"
        f"{UPLINK:<19}{'-':<20}{chassis:<20}{port:<23}{facts.NEIGHBOR}\n"
    )


def show_chassis_hardware(shell: JunosShell, args: Sequence[str]) -> str:
    serial = f"VM{shell.device.index:08d}"
    return (
        "Hardware inventory:\n"
        "Item             Version  Part number  Serial number     Description\n"
        f"Chassis                                {serial:<18}VMX\n"
        "Routing Engine 0         BUILTIN      BUILTIN           RE-VMX\n"
        "CB 0                     BUILTIN      BUILTIN           VMX SCB\n"
        "FPC 0                    BUILTIN      BUILTIN           Virtual FPC\n"
        "  MIC 0                  BUILTIN      BUILTIN           Virtual\n"
        "    PIC 0                BUILTIN      BUILTIN           Virtual\n"
    )
