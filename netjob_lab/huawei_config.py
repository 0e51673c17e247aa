"""Huawei VRP's text for the shared running-config data (netjob_lab.running), and its
display texts (`display version` as ntc-templates' huawei_vrp template parses it).

VRP names its ports GigabitEthernet0/0/0.., its loopback `LoopBack0`, calls the
hostname `sysname`, separates sections with `#` lines and ends with `return`.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from netjob_lab.running import Interface, RunningConfig, padding

PORTS = tuple(f"GigabitEthernet0/0/{n}" for n in range(4))
INTERFACE_TYPES = ("GigabitEthernet", "LoopBack", "Vlanif", "Eth-Trunk")
VERSION = "V200R010C10SPC700"


def interface_order(name: str) -> tuple[str, tuple[int, ...]]:
    kind = name.rstrip("0123456789/.")
    return kind, tuple(int(n) for n in name[len(kind) :].replace(".", "/").split("/") if n)


def render_interface(interface: Interface) -> list[str]:
    lines = [f"interface {interface.name}"]
    if interface.shutdown:
        lines.append(" shutdown")
    if interface.description:
        lines.append(f" description {interface.description}")
    if interface.address:
        lines.append(f" ip address {interface.address[0]} {interface.address[1]}")
    return [*lines, "#"]


def render(config: RunningConfig, padding_bytes: int = 0) -> str:
    """The configuration as `display current-configuration` prints it."""
    lines = [f"!Software Version {VERSION}", "#", f" sysname {config.hostname}", "#"]
    lines += [f" info-center loghost {host}" for host in config.logging_hosts]
    lines += ["#", "aaa", " authentication-scheme default", " domain default", "#"]
    for name in sorted(config.interfaces, key=interface_order):
        lines += render_interface(config.interfaces[name])
    for community, access in config.snmp_communities.items():
        kind = "read" if access == "RO" else "write"
        lines += [f" snmp-agent community {kind} {community}", "#"]
    lines += [*padding(padding_bytes), " stelnet server enable", "#"]
    lines += [f" ntp-service unicast-server {server}" for server in config.ntp_servers]
    lines += ["#", "user-interface vty 0 4", " authentication-mode aaa", " protocol inbound ssh"]
    lines += [*(["#"] if config.verbatim else []), *config.verbatim]
    return "\n".join([*lines, "#", "return"]) + "\n"


def display_version(elapsed: timedelta) -> str:
    seconds = int(elapsed.total_seconds())
    days, rest = divmod(seconds, 86400)
    up = f"{days} days, {rest // 3600} hours, {rest % 3600 // 60} minutes"
    return f"""\
Huawei Versatile Routing Platform Software
VRP (R) software, Version 5.170 (AR2200 {VERSION})
Copyright (C) 2011-2018 HUAWEI TECH CO., LTD
Huawei AR2220E Router uptime is {up}
BKP 0 version information:
1. PCB      Version  : AR01BAK2A VER.B
2. If Supporting PoE : No
3. Board    Type     : AR2220E
4. MPU Slot Quantity : 1
5. LPU Slot Quantity : 6
"""


def display_ip_interface_brief(config: RunningConfig) -> str:
    rows = []
    for name in sorted(config.interfaces, key=interface_order):
        interface = config.interfaces[name]
        address = "unassigned"
        if interface.address:
            address = str(ipaddress.IPv4Interface("/".join(interface.address)))
        physical, protocol = ("*down", "down") if interface.shutdown else ("up", "up")
        if name.startswith("LoopBack") and not interface.shutdown:
            protocol = "up(s)"
        rows.append(f"{name:<34}{address:<21}{physical:<11}{protocol}")
    down = sum(1 for i in config.interfaces.values() if i.shutdown)
    up = len(config.interfaces) - down
    lines = ["*down: administratively down", "^down: standby", "(l): loopback"]
    lines += ["(s): spoofing", "(E): E-Trunk down"]
    for layer in ("Physical", "Protocol"):
        lines.append(f"The number of interface that is UP in {layer} is {up}")
        lines.append(f"The number of interface that is DOWN in {layer} is {down}")
    lines += ["", f"{'Interface':<34}{'IP Address/Mask':<21}{'Physical':<11}Protocol", *rows]
    return "\n".join(lines) + "\n"
