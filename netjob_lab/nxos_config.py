"""Cisco NX-OS's text for the shared running-config data (netjob_lab.running), and its
show texts, shaped so that ntc-templates' cisco_nxos templates parse them.

NX-OS names its ports Ethernet1/1.., its loopback `loopback0`, indents by two spaces,
writes addresses as prefixes and lists interfaces by name. The defaults and their
per-index drift are IOS's.
"""

from __future__ import annotations

from datetime import timedelta

from netjob_lab.eos_config import prefix
from netjob_lab.running import Interface, RunningConfig, padding

PORTS = ("Ethernet1/1", "Ethernet1/2", "Ethernet1/3", "Ethernet1/4")
INTERFACE_TYPES = ("Ethernet", "loopback", "mgmt", "port-channel", "Vlan")
VERSION = "9.3(8)"


def interface_order(name: str) -> tuple[int, str, tuple[int, ...]]:
    kind = name.rstrip("0123456789/.")
    numbers = tuple(int(n) for n in name[len(kind) :].replace(".", "/").split("/") if n)
    return (kind == "loopback", kind, numbers)  # NX-OS lists loopbacks after the ports


def short_name(name: str) -> str:
    """NX-OS's names in tables: Ethernet1/1 → Eth1/1, loopback0 → Lo0."""
    return name.replace("Ethernet", "Eth").replace("loopback", "Lo")


def render_interface(interface: Interface) -> list[str]:
    lines = ["", f"interface {interface.name}"]
    if interface.description:
        lines.append(f"  description {interface.description}")
    if interface.name.startswith("Ethernet"):
        lines.append("  no switchport")
    if interface.address:
        lines.append(f"  ip address {prefix(interface.address)}")
    if interface.name.startswith("Ethernet"):
        lines.append("  shutdown" if interface.shutdown else "  no shutdown")
    return lines


def render(config: RunningConfig, padding_bytes: int = 0) -> str:
    """The configuration as NX-OS's `show running-config` prints it."""
    lines = ["", "!Command: show running-config", "!No configuration change since last restart"]
    lines += ["", f"version {VERSION} Bios:version  ", f"hostname {config.hostname}"]
    lines += [f"vdc {config.hostname} id 1", "  limit-resource vlan minimum 16 maximum 4094", ""]
    lines += ["feature ssh", ""]
    for user in config.users.values():
        lines.append(f"username {user.name} password 5 {user.secret_hash} role network-admin")
    lines += ["ip domain-lookup"]
    lines += [f"snmp-server community {c} group network-operator" for c in config.snmp_communities]
    lines += [f"ntp server {server} use-vrf default" for server in config.ntp_servers]
    for vlan in sorted(config.vlans.values(), key=lambda v: v.number):
        lines += ["", f"vlan {vlan.number}"] + ([f"  name {vlan.name}"] if vlan.name else [])
    for name in sorted(config.interfaces, key=interface_order):
        lines += render_interface(config.interfaces[name])
    lines += ["line console", "line vty", *padding(padding_bytes)]
    lines += [f"logging server {host}" for host in config.logging_hosts]
    if config.banner_motd:
        lines.append(f"banner motd #{config.banner_motd}#")
    lines += config.verbatim
    return "\n".join(lines) + "\n"


def show_version(hostname: str, index: int, elapsed: timedelta) -> str:
    seconds = int(elapsed.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    up = f"{days} day(s), {hours} hour(s), {minutes} minute(s), {rest % 60} second(s)"
    return f"""\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2021, Cisco and/or its affiliates.
All rights reserved.

Software
  BIOS: version
  NXOS: version {VERSION}
  BIOS compile time:
  NXOS image file is: bootflash:///nxos.9.3.8.bin
  NXOS compile time:  4/22/2021 9:00:00 [04/22/2021 21:02:32]


Hardware
  cisco Nexus9000 C9300v Chassis
  Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz with 16409016 kB of memory.
  Processor Board ID 9N3K{index:07d}

  Device name: {hostname}
  bootflash: 4287040 kB
Kernel uptime is {up}

Last reset
  Reason: Unknown
  System version:
  Service:

plugin
  Core Plugin, Ethernet Plugin
"""


def show_ip_interface_brief(config: RunningConfig) -> str:
    """Only the interfaces with an address, as NX-OS lists them."""
    lines = ['IP Interface Status for VRF "default"(1)']
    lines.append(f"{'Interface':<21}{'IP Address':<16}Interface Status")
    for name in sorted(config.interfaces, key=interface_order):
        interface = config.interfaces[name]
        if interface.address:
            state = "down/admin-down" if interface.shutdown else "up/admin-up"
            protocol = "protocol-down" if interface.shutdown else "protocol-up"
            status = f"{protocol}/link-{state}"
            lines.append(f"{short_name(name):<21}{interface.address[0]:<16}{status}")
    return "\n".join(lines) + "\n"
