"""Cisco IOS's everyday shows beyond the basics (`show interfaces`, `show ip route`, `show
cdp/lldp neighbors`, `show inventory`, `show ntp associations`, `show logging`, `show vlan
brief`), shaped so that ntc-templates parse them (tests/test_lab_shows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import facts
from netjob_lab.running import IOS_PORTS, Interface, interface_order
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

UPLINK = IOS_PORTS[0]
_COUNTERS = """\
  5 minute input rate 0 bits/sec, 0 packets/sec
  5 minute output rate 0 bits/sec, 0 packets/sec
     1024 packets input, 98304 bytes, 0 no buffer
     Received 12 broadcasts (0 IP multicasts)
     0 runts, 0 giants, 0 throttles
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, 0 multicast, 0 pause input
     1024 packets output, 98304 bytes, 0 underruns
     0 output errors, 0 collisions, 1 interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out
"""


def short(name: str) -> str:
    return name.replace("GigabitEthernet", "Gi").replace("Loopback", "Lo")


def _interface(index: int, interface: Interface) -> str:
    name = interface.name
    state = "administratively down" if interface.shutdown else "up"
    protocol = "down" if interface.shutdown else "up"
    lines = [f"{name} is {state}, line protocol is {protocol} "]
    loopback = name.startswith("Loopback")
    if loopback:
        lines.append("  Hardware is Loopback")
    else:
        port = IOS_PORTS.index(name) + 1 if name in IOS_PORTS else 0
        address = facts.mac(index, port)
        lines.append(f"  Hardware is iGbE, address is {address} (bia {address})")
    if interface.description:
        lines.append(f"  Description: {interface.description}")
    net = facts.network(interface)
    if net is not None:
        lines.append(f"  Internet address is {net.with_prefixlen}")
    mtu, bw, dly = ("1514", "8000000", "5000") if loopback else ("1500", "1000000", "10")
    lines += [
        f"  MTU {mtu} bytes, BW {bw} Kbit/sec, DLY {dly} usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation LOOPBACK, loopback not set"
        if loopback
        else "  Encapsulation ARPA, loopback not set",
        "  Keepalive set (10 sec)",
    ]
    if not loopback:
        lines += [
            "  Auto Duplex, Auto Speed, link type is auto, media type is RJ45",
            "  output flow-control is unsupported, input flow-control is unsupported",
            "  ARP type: ARPA, ARP Timeout 04:00:00",
        ]
    lines += [
        "  Last input 00:00:01, output 00:00:01, output hang never",
        '  Last clearing of "show interface" counters never',
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/40 (size/max)",
    ]
    return "\n".join(lines) + "\n" + _COUNTERS


def show_interfaces(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.device.config.interfaces
    if args:
        if args[0] not in interfaces:
            raise Invalid(0)
        return _interface(shell.device.index, interfaces[args[0]])
    names = sorted(interfaces, key=interface_order)
    return "".join(_interface(shell.device.index, interfaces[n]) for n in names)


_ROUTE_CODES = """\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR

"""


def show_ip_route(shell: Shell, args: Sequence[str]) -> str:
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
            lines.append(f"S*    {route.network} [1/0] via {route.next_hop}")
            continue
        code = "C" if route.kind == "connected" else "L"
        lines.append(f"{code}        {route.network} is directly connected, {route.interface}")
    return _ROUTE_CODES + "\n".join(lines) + "\n"


def show_cdp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    port = facts.neighbor_port(shell.device.index)
    return (
        "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge\n"
        "                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,\n"
        "                  D - Remote, C - CVTA, M - Two-port Mac Relay\n\n"
        "Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID\n"
        f"{facts.NEIGHBOR:<17}Gig 0/0           163             R S I  C9300-48P Gig {port}\n\n"
        "Total cdp entries displayed : 1\n"
    )


def show_lldp_neighbors(shell: Shell, args: Sequence[str]) -> str:
    port = facts.neighbor_port(shell.device.index)
    return (
        "Capability codes:\n"
        "    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
        "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
        "Device ID           Local Intf     Hold-time  Capability      Port ID\n"
        f"{facts.NEIGHBOR:<20}Gi0/0          120        B,R             Gi{port}\n\n"
        "Total entries displayed: 1\n\n"
    )


def show_inventory(shell: Shell, args: Sequence[str]) -> str:
    serial = f"9NJ{shell.device.index:07d}"
    return (
        f'NAME: "IOSv", DESCR: "IOSv chassis, Hw Serial#: {serial}, Hw Revision: 1.0"\n'
        f"PID: IOSv              , VID: 1.0, SN: {serial}\n\n"
    )


def show_ntp_associations(shell: Shell, args: Sequence[str]) -> str:
    lines = ["", "  address         ref clock       st   when   poll reach  delay  offset   disp"]
    for n, server in enumerate(shell.device.config.ntp_servers):
        mark = "*~" if n == 0 else "+~"
        stats = "1     25     64   377  1.204   0.112  0.187"
        lines.append(f"{mark}{server:<16}.GPS.            {stats}")
    lines.append(" * sys.peer, # selected, + candidate, - outlyer, x falseticker, ~ configured")
    return "\n".join(lines) + "\n"


def show_logging(shell: Shell, args: Sequence[str]) -> str:
    hosts = shell.device.config.logging_hosts
    trap = "".join(
        f"        Logging to {host}  (udp port 514, audit disabled,\n"
        "              link up),\n"
        "              3 message lines logged,\n"
        "              0 message lines rate-limited,\n"
        "              0 message lines dropped-by-MD,\n"
        "              xml disabled, sequence number disabled\n"
        "              filtering disabled\n"
        for host in hosts
    )
    stamp = shell.device.boot_time.strftime("%b %d %H:%M:%S")
    return (
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)\n\n"
        "No Active Message Discriminator.\n\n\n\n"
        "No Inactive Message Discriminator.\n\n\n"
        "    Console logging: level debugging, 3 messages logged, xml disabled,\n"
        "                     filtering disabled\n"
        "    Monitor logging: level debugging, 0 messages logged, xml disabled,\n"
        "                     filtering disabled\n"
        "    Buffer logging:  level debugging, 3 messages logged, xml disabled,\n"
        "                    filtering disabled\n"
        "    Exception Logging: size (4096 bytes)\n"
        "    Count and timestamp logging messages: disabled\n"
        "    Persistent logging: disabled\n\n"
        "No active filter modules.\n\n"
        "    Trap logging: level informational, 3 message lines logged\n"
        f"{trap}"
        "        Logging Source-Interface:       VRF Name:\n\n"
        "Log Buffer (8192 bytes):\n\n"
        f"*{stamp}.001: %SYS-5-RESTART: System restarted --\n"
        f"*{stamp}.120: %LINK-3-UPDOWN: Interface {UPLINK}, changed state to up\n"
        f"*{stamp}.121: %LINEPROTO-5-UPDOWN: Line protocol on Interface {UPLINK}, "
        "changed state to up\n"
    )


def show_vlan_brief(shell: Shell, args: Sequence[str]) -> str:
    """VLAN 1 holds the ports without an address (switchports, as the lab treats them)."""
    config = shell.device.config
    ports = [
        short(n)
        for n in sorted(config.interfaces, key=interface_order)
        if n.startswith("GigabitEthernet") and config.interfaces[n].address is None
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
    for number, name in ((1002, "fddi-default"), (1003, "token-ring-default")):
        lines.append(f"{number:<5}{name:<33}act/unsup")
    return "\n".join(lines) + "\n"
