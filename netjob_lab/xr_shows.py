"""Cisco IOS-XR's everyday shows beyond the basics (`show interfaces`, `show route`,
`show lldp neighbors`, `show inventory`), generated from the device's config and shaped
so that ntc-templates parse them (tests/test_lab_shows.py). Each starts with XR's
timestamp line unless the session turned it off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import facts, xr_config
from netjob_lab.running import Interface
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

UPLINK = xr_config.PORTS[0]
_COUNTERS = """\
  Last input 00:00:01, output 00:00:01
  Last clearing of "show interface" counters never
  5 minute input rate 0 bits/sec, 0 packets/sec
  5 minute output rate 0 bits/sec, 0 packets/sec
     1024 packets input, 98304 bytes, 0 total input drops
     0 drops for unrecognized upper-level protocol
     Received 12 broadcast packets, 0 multicast packets
              0 runts, 0 giants, 0 throttles, 0 parity
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort
     1024 packets output, 98304 bytes, 0 total output drops
     Output 0 broadcast packets, 0 multicast packets
     0 output errors, 0 underruns, 0 applique, 0 resets
     0 output buffer failures, 0 output buffers swapped out
     1 carrier transitions
"""


def _stamp(shell: Shell) -> str:
    return xr_config.timestamp(datetime.now(timezone.utc)) if shell.timestamps else ""


def short(name: str) -> str:
    return name.replace("GigabitEthernet", "Gi")


def _interface(index: int, interface: Interface) -> str:
    name = interface.name
    state = "administratively down" if interface.shutdown else "up"
    protocol = "down" if interface.shutdown else "up"
    lines = [f"{name} is {state}, line protocol is {protocol}", "  Interface state transitions: 1"]
    loopback = not name.startswith("GigabitEthernet")
    if loopback:
        lines.append("  Hardware is Loopback interface(s)")
    else:
        port = xr_config.PORTS.index(name) + 1 if name in xr_config.PORTS else 0
        address = facts.mac(index, port)
        lines.append(f"  Hardware is GigabitEthernet, address is {address} (bia {address})")
    if interface.description:
        lines.append(f"  Description: {interface.description}")
    net = facts.network(interface)
    lines.append(f"  Internet address is {net.with_prefixlen if net else 'Unknown'}")
    if loopback:
        lines += [
            "  MTU 1500 bytes, BW 0 Kbit",
            "     reliability Unknown, txload Unknown, rxload Unknown",
            "  Encapsulation Loopback,  loopback not set,",
            "  Last link flapped 3d01h",
            "  Last input Unknown, output Unknown",
            '  Last clearing of "show interface" counters Unknown',
            "  Input/output data rate is disabled.",
        ]
        return "\n".join(lines) + "\n\n"
    lines += [
        "  MTU 1514 bytes, BW 1000000 Kbit (Max: 1000000 Kbit)",
        "     reliability 255/255, txload 0/255, rxload 0/255",
        "  Encapsulation ARPA,",
        "  Full-duplex, 1000Mb/s, unknown, link type is force-up",
        "  output flow control is off, input flow control is off",
        "  loopback not set,",
        "  Last link flapped 3d01h",
        "  ARP type ARPA, ARP timeout 04:00:00",
    ]
    return "\n".join(lines) + "\n" + _COUNTERS + "\n"


def show_interfaces(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.device.config.interfaces
    if args:
        if args[0] not in interfaces:
            raise Invalid(0)
        return _stamp(shell) + _interface(shell.device.index, interfaces[args[0]])
    names = sorted(interfaces, key=xr_config.interface_order)
    return _stamp(shell) + "".join(_interface(shell.device.index, interfaces[n]) for n in names)


_ROUTE_CODES = """
Codes: C - connected, S - static, R - RIP, B - BGP, (>) - Diversion path
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, E - EGP
       i - ISIS, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, su - IS-IS summary null, * - candidate default
       U - per-user static route, o - ODR, L - local, G  - DAGR, l - LISP
       A - access/subscriber, a - Application route
       M - mobile route, r - RPL, (!) - FRR Backup path

"""


def show_route(shell: Shell, args: Sequence[str]) -> str:
    """XR lists a loopback's /32 as local (L), as it does every address of its own."""
    found = facts.routes(shell.device.config, UPLINK)
    default = next((r for r in found if r.kind == "static"), None)
    lines = [
        f"Gateway of last resort is {default.next_hop} to network 0.0.0.0"
        if default
        else "Gateway of last resort is not set",
        "",
    ]
    for route in found:
        if route.kind == "static":
            lines.append(f"S*   {route.network} [1/0] via {route.next_hop}, 3d01h")
            continue
        local = route.kind == "local" or route.network.prefixlen == 32
        code = "L" if local else "C"
        lines.append(f"{code}    {route.network} is directly connected, 3d01h, {route.interface}")
    return _stamp(shell) + _ROUTE_CODES + "\n".join(lines) + "\n"


def show_lldp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    port = facts.neighbor_port(shell.device.index)
    return _stamp(shell) + (
        "Capability codes:\n"
        "        (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
        "        (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
        "Device ID       Local Intf          Hold-time  Capability     Port ID\n"
        f"{facts.NEIGHBOR:<16}{short(UPLINK):<20}120        B,R             Gi{port}\n\n"
        "Total entries displayed: 1\n\n"
    )


def show_inventory(shell: Shell, args: Sequence[str]) -> str:
    serial = f"9XR{shell.device.index:07d}"
    return _stamp(shell) + (
        'NAME: "0/0/CPU0", DESCR: "Cisco XRv9K Centralized Line Card"\n'
        f"PID: R-IOSXRV9000-LC-C, VID: V01, SN: {serial}\n\n"
        'NAME: "0/RP0/CPU0", DESCR: "Cisco XRv9K Centralized Route Processor"\n'
        f"PID: R-IOSXRV9000-RP-C, VID: V01, SN: {serial}\n\n"
        'NAME: "Rack 0", DESCR: "Cisco XRv9K Centralized Virtual Router"\n'
        f"PID: R-IOSXRV9000-CC, VID: V01, SN: {serial}\n\n"
    )
