"""Cisco NX-OS's everyday shows beyond the basics (`show interface`, `show inventory`,
`show vlan brief`, `show cdp neighbors`), generated from the device's config and shaped
so that ntc-templates parse them (tests/test_lab_shows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import facts, nxos_config
from netjob_lab.running import Interface
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

_COUNTERS = """\
  Last link flapped 3d01h
  Last clearing of "show interface" counters never
  1 interface resets
  30 seconds input rate 80 bits/sec, 0 packets/sec
  30 seconds output rate 256 bits/sec, 0 packets/sec
  RX
    0 unicast packets  1024 multicast packets  0 broadcast packets
    1024 input packets  98304 bytes
    0 jumbo packets  0 storm suppression packets
    0 runts  0 giants  0 CRC  0 no buffer
    0 input error  0 short frame  0 overrun   0 underrun  0 ignored
    0 watchdog  0 bad etype drop  0 bad proto drop  0 if down drop
    0 input with dribble  0 input discard
    0 Rx pause
  TX
    0 unicast packets  1024 multicast packets  0 broadcast packets
    1024 output packets  98304 bytes
    0 jumbo packets
    0 output error  0 collision  0 deferred  0 late collision
    0 lost carrier  0 no carrier  0 babble  0 output discard
    0 Tx pause
"""


def _interface(index: int, interface: Interface) -> str:
    name = interface.name
    loopback = not name.startswith("Ethernet")
    if interface.shutdown:
        lines = [f"{name} is down (Administratively down)", "admin state is down,"]
    else:
        lines = [
            f"{name} is up",
            "admin state is up," + ("" if loopback else " Dedicated Interface"),
        ]
    if loopback:
        lines.append("  Hardware: Loopback")
    else:
        port = nxos_config.PORTS.index(name) + 1 if name in nxos_config.PORTS else 0
        address = facts.mac(index, port)
        lines.append(f"  Hardware: 1000/10000 Ethernet, address: {address} (bia {address})")
    if interface.description:
        lines.append(f"  Description: {interface.description}")
    net = facts.network(interface)
    if net is not None:
        lines.append(f"  Internet Address is {net.with_prefixlen}")
    if loopback:
        lines += [
            "  MTU 1500 bytes, BW 8000000 Kbit , DLY 5000 usec",
            "  reliability 255/255, txload 1/255, rxload 1/255",
            "  Encapsulation LOOPBACK, medium is broadcast",
            "  Auto-mdix is turned off",
            "    0 packets input 0 bytes",
            "    0 multicast frames 0 compressed",
        ]
        return "\n".join(lines) + "\n\n"
    lines += [
        "  MTU 1500 bytes, BW 1000000 Kbit, DLY 10 usec",
        "  reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, medium is broadcast",
        "  Port mode is routed",
        "  full-duplex, 1000 Mb/s" if not interface.shutdown else "  auto-duplex, auto-speed",
        "  Beacon is turned off",
        "  Auto-Negotiation is turned on",
        "  Input flow-control is off, output flow-control is off",
        "  Auto-mdix is turned off",
        "  Switchport monitor is off",
        "  EtherType is 0x8100",
    ]
    return "\n".join(lines) + "\n" + _COUNTERS + "\n"


def show_interface(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.device.config.interfaces
    if args:
        if args[0] not in interfaces:
            raise Invalid(0)
        return _interface(shell.device.index, interfaces[args[0]])
    names = sorted(interfaces, key=nxos_config.interface_order)
    return "".join(_interface(shell.device.index, interfaces[n]) for n in names)


def show_inventory(shell: Shell, args: Sequence[str]) -> str:
    serial = f"9{shell.device.index:010d}"
    return (
        'NAME: "Chassis",  DESCR: "Nexus9000 C9300v Chassis"\n'
        f"PID: N9K-C9300v          ,  VID:     ,  SN: {serial}\n\n"
        'NAME: "Slot 1",  DESCR: "Nexus 9000v 64 port Ethernet Module"\n'
        f"PID: N9K-X9364v          ,  VID:     ,  SN: {serial}\n\n"
        'NAME: "Slot 27",  DESCR: "Supervisor Module"\n'
        f"PID: N9K-vSUP            ,  VID:     ,  SN: {serial}\n\n"
    )


def show_vlan_brief(shell: Shell, args: Sequence[str]) -> str:
    """VLAN 1 holds the ports without an address (switchports, as the lab treats them)."""
    config = shell.device.config
    ports = [
        nxos_config.short_name(n)
        for n in sorted(config.interfaces, key=nxos_config.interface_order)
        if n.startswith("Ethernet") and config.interfaces[n].address is None
    ]
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
        f"{1:<5}{'default':<33}{'active':<10}{', '.join(ports)}".rstrip(),
    ]
    for vlan in sorted(config.vlans.values(), key=lambda v: v.number):
        name = vlan.name or f"VLAN{vlan.number:04d}"
        lines.append(f"{vlan.number:<5}{name:<33}active")
    return "\n".join(lines) + "\n"


def show_cdp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    port = facts.neighbor_port(shell.device.index)
    uplink = nxos_config.short_name(nxos_config.PORTS[0])
    return (
        "Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge\n"
        "                  S - Switch, H - Host, I - IGMP, r - Repeater,\n"
        "                  V - VoIP-Phone, D - Remotely-Managed-Device,\n"
        "                  s - Supports-STP-Dispute\n\n"
        "Device-ID          Local Intrfce  Hldtme Capability  Platform      Port ID\n"
        f"{facts.NEIGHBOR:<20}{uplink:<15}163    R S I     C9300-48P     Gig{port}\n\n"
        "Total entries displayed: 1\n"
    )
