"""What a lab device knows beyond its configuration, the same on every platform: the
routes its interfaces make, the neighbor on its uplink, its MAC addresses. Each platform's
shows print these their own way. Derived from the running config, so a changed address
shows in the routing table; deterministic from the device's index otherwise.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from netjob_lab.running import Interface, RunningConfig, host_number

NEIGHBOR = "core1.lab"  # every device's uplink (its first port) is cabled to it
GATEWAY_HOST = 254  # the default route's next hop: .254 of the uplink's subnet


@dataclass(frozen=True)
class Route:
    kind: str  # "connected", "local" or "static"
    network: ipaddress.IPv4Network
    interface: str
    next_hop: str = ""


def network(interface: Interface) -> ipaddress.IPv4Interface | None:
    if interface.address is None:
        return None
    return ipaddress.IPv4Interface("/".join(interface.address))


def routes(config: RunningConfig, uplink: str) -> list[Route]:
    """Connected and local routes of every addressed interface that is up, and a static
    default route through the uplink's gateway; in address order."""
    found: list[Route] = []
    for interface in config.interfaces.values():
        address = network(interface)
        if address is None or interface.shutdown:
            continue
        found.append(Route("connected", address.network, interface.name))
        if address.network.prefixlen < 32:
            found.append(Route("local", ipaddress.IPv4Network(f"{address.ip}/32"), interface.name))
    gateway = config.interfaces.get(uplink)
    uplink_net = network(gateway) if gateway is not None and not gateway.shutdown else None
    if uplink_net is not None:
        hop = str(uplink_net.network.network_address + GATEWAY_HOST)
        found.append(Route("static", ipaddress.IPv4Network("0.0.0.0/0"), uplink, hop))
    return sorted(found, key=lambda r: (r.network.network_address, r.network.prefixlen))


def mac(index: int, port: int) -> str:
    """Cisco-dotted, unique per device and port: 5254.00<index>.<port>."""
    return f"5254.{index >> 8 & 0xFF:02x}{index & 0xFF:02x}.{port:04x}"


def neighbor_port(index: int) -> str:
    """The core switch's port that device `index` is cabled to (GigabitEthernet1/0/N)."""
    return f"1/0/{host_number(index)}"


def lldp_port(index: int) -> str:
    """The core switch's port as LLDP names it in full."""
    return f"GigabitEthernet{neighbor_port(index)}"
