"""Huawei VRP's everyday displays beyond the basics (`display interface [X]`, `display
lldp neighbor`, `display device`), generated from the device's config and shaped so that
ntc-templates parse them (tests/test_lab_shows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import facts, huawei_config
from netjob_lab.running import Interface
from netjob_lab.table import Invalid

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

UPLINK = huawei_config.PORTS[0]
_COUNTERS = """\
Last 300 seconds input rate 0 bits/sec, 0 packets/sec
Last 300 seconds output rate 0 bits/sec, 0 packets/sec
Input peak rate 0 bits/sec,Record time: -
Output peak rate 0 bits/sec,Record time: -

Input:  1024 packets, 98304 bytes
  Unicast:                  0,  Multicast:                   0
  Broadcast:                0,  Jumbo:                       -
  Discard:                  0,  Total Error:                 0

Output:  1024 packets, 98304 bytes
  Unicast:                  0,  Multicast:                   0
  Broadcast:                0,  Jumbo:                       -
  Discard:                  0,  Total Error:                 0

    Input bandwidth utilization threshold : 100.00%
    Output bandwidth utilization threshold: 100.00%
    Input bandwidth utilization  :    0%
    Output bandwidth utilization :    0%
"""


def _mac(index: int, port: int) -> str:
    return facts.mac(index, port).replace(".", "-")


def _interface(index: int, interface: Interface) -> str:
    name = interface.name
    state = "Administratively DOWN" if interface.shutdown else "UP"
    protocol = "DOWN" if interface.shutdown else "UP"
    lines = [f"{name} current state : {state}", f"Line protocol current state : {protocol}"]
    lines.append(f"Description:{interface.description}")
    loopback = not name.startswith("GigabitEthernet")
    net = facts.network(interface)
    lines.append("Route Port,The Maximum Transmit Unit is 1500")
    if net is not None:
        lines.append(f"Internet Address is {net.with_prefixlen}")
    else:
        lines.append("Internet protocol processing : disabled")
    if loopback:
        return "\n".join([*lines, "Physical is Loopback"]) + "\n\n"
    port = huawei_config.PORTS.index(name) + 1 if name in huawei_config.PORTS else 0
    lines += [
        "IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is " + _mac(index, port),
        "Last physical up time   : -",
        "Port Mode: COMMON COPPER",
        "Speed : 1000,  Loopback: NONE",
        "Duplex: FULL,  Negotiation: ENABLE",
        "Mdi   : AUTO,  Clock   : -",
    ]
    return "\n".join(lines) + "\n" + _COUNTERS + "\n"


def display_interface(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.device.config.interfaces
    if args:
        if args[0] not in interfaces:
            raise Invalid(0)
        return _interface(shell.device.index, interfaces[args[0]])
    names = sorted(interfaces, key=huawei_config.interface_order)
    return "".join(_interface(shell.device.index, interfaces[n]) for n in names)


def display_lldp_neighbor(shell: Shell, args: Sequence[str]) -> str:
    index = shell.device.index
    others = [p for p in huawei_config.PORTS[1:] if p in shell.device.config.interfaces]
    return (
        f"{UPLINK} has 1 neighbor(s):\n\n"
        "Neighbor index :1\n"
        "Chassis type   :macAddress\n"
        "Chassis ID     :2c6b-f500-0001\n"
        "Port ID type   :interfaceName\n"
        f"Port ID        :Gi{facts.neighbor_port(index)}\n"
        f"Port description :{facts.lldp_port(index)}\n"
        f"System name    :{facts.NEIGHBOR}\n"
        "System capabilities supported :bridge router\n"
        "System capabilities enabled   :bridge router\n"
        "Expired time   :102s\n\n" + "".join(f"{port} has 0 neighbor(s)\n\n" for port in others)
    )


def display_device(shell: Shell, args: Sequence[str]) -> str:
    return (
        "AR1000V's Device status:\n"
        "-------------------------------------------------------------------------------\n"
        "Slot  Card   Type               Online   Power Register     Alarm     Primary\n"
        "-------------------------------------------------------------------------------\n"
        "0     -      AR1000V            Present  On    Registered   Normal    Master\n"
    )
