"""Arista EOS's text for the shared running-config data (netjob_lab.running).

EOS names its ports Ethernet1.., indents by three spaces, writes addresses as prefixes
and lists interfaces by name. The defaults and their per-index drift are IOS's.
"""

from __future__ import annotations

import ipaddress

from netjob_lab.running import Interface, RunningConfig, padding

PORTS = ("Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4")
INTERFACE_TYPES = ("Ethernet", "Loopback", "Management", "Port-Channel", "Vlan")
VERSION = "4.30.1F"


def prefix(address: tuple[str, str]) -> str:
    """`("192.0.2.1", "255.255.255.0")` → `192.0.2.1/24`."""
    return str(ipaddress.IPv4Interface(f"{address[0]}/{address[1]}"))


def short_name(name: str) -> str:
    """EOS's short interface names, as in prompts and tables: Ethernet1 → Et1."""
    kind = name.rstrip("0123456789/.")
    return (kind[:2] if kind != "Port-Channel" else "Po") + name[len(kind) :]


def interface_order(name: str) -> tuple[str, tuple[int, ...]]:
    kind = name.rstrip("0123456789/.")
    return kind, tuple(int(n) for n in name[len(kind) :].replace(".", "/").split("/") if n)


def render_interface(interface: Interface) -> list[str]:
    lines = [f"interface {interface.name}"]
    if interface.description:
        lines.append(f"   description {interface.description}")
    if interface.shutdown:
        lines.append("   shutdown")
    if interface.name.startswith("Ethernet"):
        lines.append("   no switchport")
    if interface.address:
        lines.append(f"   ip address {prefix(interface.address)}")
    return [*lines, "!"]


def render(config: RunningConfig, padding_bytes: int = 0) -> str:
    """The configuration as EOS's `show running-config` prints it."""
    lines = [
        "! Command: show running-config",
        f"! device: {config.hostname} (vEOS-lab, EOS-{VERSION})",
    ]
    lines += ["!", "! boot system flash:/vEOS-lab.swi", "!", "no aaa root", "!"]
    lines.append(f"enable password sha512 {config.enable_secret}")
    for user in config.users.values():
        lines.append(
            f"username {user.name} privilege {user.privilege} secret sha512 {user.secret_hash}"
        )
    lines += ["!", f"hostname {config.hostname}", "!"]
    lines += [f"ntp server {server}" for server in config.ntp_servers]
    lines += [
        f"snmp-server community {name} {access.lower()}"
        for name, access in config.snmp_communities.items()
    ]
    lines += ["!", "spanning-tree mode mstp", "!"]
    for vlan in sorted(config.vlans.values(), key=lambda v: v.number):
        lines += [f"vlan {vlan.number}"] + ([f"   name {vlan.name}"] if vlan.name else []) + ["!"]
    for name in sorted(config.interfaces, key=interface_order):
        lines += render_interface(config.interfaces[name])
    lines += [f"logging host {host}" for host in config.logging_hosts]
    lines += ["!", "ip routing", "!", *padding(padding_bytes)]
    if config.http_server:
        lines += ["management api http-commands", "   protocol http", "   no shutdown", "!"]
    if config.banner_motd:
        lines += ["banner motd", config.banner_motd, "EOF", "!"]
    lines += config.verbatim
    return "\n".join([*lines, "end"]) + "\n"
